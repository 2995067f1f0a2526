from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from konbit.core.l10n import shipped
from konbit.core.models import Program, TenantModel

from . import graph


class ElementKind(models.TextChoices):
    ACTOR = "actor", _("Actor")
    FACTOR = "factor", _("Factor")


class MarketFunction(models.TextChoices):
    NONE = "", _("—")
    CORE = "core", _("Core exchange")
    SUPPORTING = "supporting", _("Supporting function")
    RULES = "rules", _("Rules and regulation")


class ConnectionType(models.TextChoices):
    TRADE = "trade", _("Trade")
    SERVICE = "service", _("Service")
    FINANCE = "finance", _("Finance")
    INFORMATION = "information", _("Information")
    REGULATION = "regulation", _("Regulation")
    FUNDING = "funding", _("Funding")
    MEMBERSHIP = "membership", _("Membership")
    COMPETITION = "competition", _("Competition")
    COOPERATION = "cooperation", _("Cooperation")
    INFLUENCE = "influence", _("Influence")
    CAUSAL = "causal", _("Causal")
    CUSTOM = "custom", _("Other")


def connection_type_label(value: str) -> str:
    """A connection type as a reader sees it: Konbit's own code ("trade") by its label in the reader's
    language, anything else (the map's own vocabulary, "+-") as written."""
    if value in ConnectionType.values:
        return str(ConnectionType(value).label)
    return shipped(value)


class Direction(models.TextChoices):
    DIRECTED = graph.DIRECTED, _("Directed")
    MUTUAL = graph.MUTUAL, _("Mutual")
    UNDIRECTED = graph.UNDIRECTED, _("Undirected")


class Sign(models.TextChoices):
    NONE = graph.NO_SIGN, _("No sign")
    POSITIVE = graph.POSITIVE, _("+ (reinforces)")
    NEGATIVE = graph.NEGATIVE, _("− (weakens)")
    UNKNOWN = graph.UNKNOWN, _("? (unknown)")


class Map(TenantModel):
    """A system map of a programme (e.g. "market system 2024", "theory of change")."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # Bumped by every change of elements or connections: analysis results are cached per content version.
    content_version = models.PositiveIntegerField(default=1, editable=False)
    # Bumped when laid-out positions are saved (they are not analysed, so content_version stays): the
    # map view's data, which carries them, is cached per (content_version, layout_version).
    layout_version = models.PositiveIntegerField(default=1, editable=False)
    # What an imported file had that Konbit has no field for (Kumu loops, views, settings).
    extra = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("system map")

    def __str__(self) -> str:
        return self.name


class PerspectiveKind(models.TextChoices):
    TEAM = "team", _("Programme team")
    PARTNER = "partner", _("Partner organisation")
    WORKSHOP = "workshop", _("Workshop group")
    OTHER = "other", _("Other")


class Perspective(TenantModel):
    """Someone's view of the system: a partner, a workshop group, the programme team."""

    map = models.ForeignKey(Map, on_delete=models.CASCADE, related_name="perspectives")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("whose view"), max_length=20, choices=PerspectiveKind.choices, default=PerspectiveKind.TEAM
    )
    organization = models.ForeignKey(
        "partners.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="perspectives",
        verbose_name=_("organisation"),
    )
    is_private = models.BooleanField(
        _("private"),
        default=True,
        help_text=_("Only the programme team and this partner see a private view."),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["map", "name"],
                condition=Q(deleted_at__isnull=True),
                name="one_perspective_name_per_map",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Element(TenantModel):
    map = models.ForeignKey(Map, on_delete=models.CASCADE, related_name="elements")
    key = models.CharField(
        max_length=100, editable=False, help_text="Stable id within the map (from a file or generated)."
    )
    label = models.CharField(_("label"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=ElementKind.choices, default=ElementKind.ACTOR)
    type = models.CharField(_("type"), max_length=100, blank=True)
    function = models.CharField(
        _("market function"), max_length=20, choices=MarketFunction.choices, blank=True
    )
    organization = models.ForeignKey(
        "partners.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="map_elements",
        verbose_name=_("organisation"),
    )
    tags = models.CharField(_("tags"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    attributes = models.JSONField(_("custom fields"), default=dict, blank=True)
    # The map's own layout, in screen convention as Kumu, yEd and SVG: y grows downward.
    x = models.FloatField(null=True, blank=True, editable=False)
    y = models.FloatField(null=True, blank=True, editable=False)
    perspectives = models.ManyToManyField(Perspective, blank=True, related_name="elements")

    class Meta:
        ordering = ["label"]
        constraints = [models.UniqueConstraint(fields=["map", "key"], name="one_element_key_per_map")]
        indexes = [models.Index(fields=["map", "label"], name="element_label_idx")]

    def __str__(self) -> str:
        return self.label

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]


class Connection(TenantModel):
    map = models.ForeignKey(Map, on_delete=models.CASCADE, related_name="connections")
    key = models.CharField(max_length=100, blank=True, editable=False)
    source = models.ForeignKey(
        Element, on_delete=models.CASCADE, related_name="outgoing", verbose_name=_("from")
    )
    target = models.ForeignKey(
        Element, on_delete=models.CASCADE, related_name="incoming", verbose_name=_("to")
    )
    type = models.CharField(_("type"), max_length=100, blank=True, default=ConnectionType.CUSTOM)
    direction = models.CharField(
        _("direction"), max_length=12, choices=Direction.choices, default=Direction.DIRECTED
    )
    sign = models.CharField(_("sign"), max_length=1, choices=Sign.choices, blank=True, default=Sign.NONE)
    strength = models.FloatField(_("strength"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    tags = models.CharField(_("tags"), max_length=500, blank=True)
    attributes = models.JSONField(_("custom fields"), default=dict, blank=True)
    perspective = models.ForeignKey(
        Perspective,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="connections",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["map", "source"], name="connection_source_idx"),
            models.Index(fields=["map", "target"], name="connection_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}"

    @property
    def type_label(self) -> str:
        return connection_type_label(self.type)


class MapView(TenantModel):
    """One view of a map, as each map of a Kumu project is: a name, its own positions and the subset of
    the map's elements and connections it shows. The elements themselves are shared: editing one in
    any view changes it everywhere (decision 0010)."""

    map = models.ForeignKey(Map, on_delete=models.CASCADE, related_name="views")
    key = models.CharField(max_length=100, editable=False, help_text="Stable id within the map.")
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveIntegerField(default=0, editable=False)
    # element key → [x, y], in screen convention (y grows downward), as Element.x/y.
    positions = models.JSONField(default=dict, blank=True, editable=False)
    element_keys = models.JSONField(default=list, blank=True, editable=False)
    connection_keys = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("map view")
        constraints = [models.UniqueConstraint(fields=["map", "key"], name="one_view_key_per_map")]

    def __str__(self) -> str:
        return self.name


class Snapshot(TenantModel):
    """A map frozen at a date: its elements and connections as plain data."""

    map = models.ForeignKey(Map, on_delete=models.CASCADE, related_name="snapshots")
    name = models.CharField(_("name"), max_length=200)
    taken_on = models.DateField(_("date"))
    data = models.JSONField(default=dict, editable=False)
    figures = models.JSONField(default=dict, editable=False)

    class Meta:
        ordering = ["-taken_on", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.taken_on})"


class AnalysisResult(models.Model):
    """Cached analysis of a map at one content version (derived; recomputed when the map changes)."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    map = models.ForeignKey(Map, on_delete=models.CASCADE, related_name="analyses")
    content_version = models.PositiveIntegerField()
    perspective_key = models.CharField(max_length=200, blank=True, default="")
    result = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["map", "content_version", "perspective_key"], name="one_analysis_per_map_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.map} v{self.content_version}"


class ElementMerge(TenantModel):
    """One merge of a duplicate element into another, with what it changed, so that it can be undone
    exactly: the duplicate (kept in the trash) comes back, each moved connection end goes back to it,
    and the kept element loses the perspectives and field values the merge gave it."""

    map = models.ForeignKey(Map, on_delete=models.CASCADE, related_name="merges")
    kept = models.ForeignKey(Element, on_delete=models.CASCADE, related_name="+", verbose_name=_("kept"))
    merged = models.ForeignKey(
        Element, on_delete=models.CASCADE, related_name="+", verbose_name=_("merged duplicate")
    )
    # [[connection id, "source" | "target"], …]: each connection end that moved from the duplicate.
    moved = models.JSONField(default=list, editable=False)
    # Perspectives the kept element did not have before the merge (ids).
    perspectives_added = models.JSONField(default=list, editable=False)
    # The kept element's fields the merge filled in, as they were before ({"type": "", …}; the
    # organisation as its id).
    fields_before = models.JSONField(default=dict, editable=False)
    # When the merge redirected Kumu's named loops: the map's extra {"before": …, "after": …}; undo puts
    # "before" back if nothing has changed the map's extra since.
    extra_change = models.JSONField(null=True, blank=True, editable=False)
    undone_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("element merge")

    def __str__(self) -> str:
        return f"{self.merged} → {self.kept}"
