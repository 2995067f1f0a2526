"""The steering pillar's data: the programme's playbook (phase guidance and checklists),
interventions with the facilitator's role over time, results chains (boxes, arrows, frozen versions),
adopt–adapt–expand–respond entries, rolling-exit criteria and decisions, and the
competition/cooperation matrix.

`Intervention` and `ChainBox` are the contract the indicators app builds on (an indicator may belong
to an intervention and to one box of its results chain): keep their names and fields.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from konbit.core.models import Phase, TenantModel


class SystemFunction(models.TextChoices):
    CORE = "core", _("Core exchange")
    SUPPORTING = "supporting", _("Supporting function")
    RULES = "rules", _("Rules and regulation")


class Lever(models.TextChoices):
    LEAD_FIRM = "lead_firm", _("Lead firm")
    RULES = "rules", _("Rules")
    SUPPORTING_FUNCTION = "supporting_function", _("Supporting function")
    OTHER = "other", _("Other")


class InterventionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    COMPLETED = "completed", _("Completed")
    DROPPED = "dropped", _("Dropped")


class Intensity(models.TextChoices):
    NONE = "", _("Not set")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Intervention(TenantModel):
    """Something the programme does through partners to change how a part of the system works."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    function = models.CharField(_("system function targeted"), max_length=20, choices=SystemFunction.choices)
    lever = models.CharField(_("lever"), max_length=30, choices=Lever.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=InterventionStatus.choices, default=InterventionStatus.PLANNED
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    organizations = models.ManyToManyField(
        "partners.Organization", blank=True, related_name="interventions", verbose_name=_("partners involved")
    )
    planned_amount = models.DecimalField(
        _("planned support (programme currency)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    planned_intensity = models.CharField(
        _("planned intensity"), max_length=10, choices=Intensity.choices, blank=True, default=""
    )
    actual_intensity = models.CharField(
        _("actual intensity"), max_length=10, choices=Intensity.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["title"]
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")
        indexes = [models.Index(fields=["program", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="intervention_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(planned_amount__isnull=True) | Q(planned_amount__gte=0),
                name="intervention_planned_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ChainLevel(models.TextChoices):
    ACTIVITY = "activity", _("Activity")
    OUTPUT = "output", _("Output")
    OUTCOME = "outcome", _("Outcome")
    SYSTEMIC = "systemic", _("Systemic change")
    IMPACT = "impact", _("Impact")


class ChainBox(TenantModel):
    """One box of an intervention's live results chain. Boxes are stable (indicators point at them);
    versions of the chain are frozen copies with a review date, not new boxes."""

    intervention = models.ForeignKey(
        Intervention, on_delete=models.PROTECT, related_name="boxes", verbose_name=_("intervention")
    )
    level = models.CharField(_("level"), max_length=20, choices=ChainLevel.choices)
    text = models.CharField(_("text"), max_length=300)
    position = models.PositiveSmallIntegerField(_("order within its level"), default=0)

    class Meta:
        ordering = ["intervention", "level", "position", "pk"]
        verbose_name = _("results chain box")
        verbose_name_plural = _("results chain boxes")

    def __str__(self) -> str:
        return self.text


class ChainLink(TenantModel):
    """An arrow between two boxes of the same chain, with the assumption that must hold for it."""

    intervention = models.ForeignKey(
        Intervention, on_delete=models.PROTECT, related_name="links", verbose_name=_("intervention")
    )
    source = models.ForeignKey(
        ChainBox, on_delete=models.CASCADE, related_name="links_out", verbose_name=_("from")
    )
    target = models.ForeignKey(
        ChainBox, on_delete=models.CASCADE, related_name="links_in", verbose_name=_("to")
    )
    assumption = models.CharField(_("assumption"), max_length=300, blank=True)

    class Meta:
        ordering = ["intervention", "source", "target", "pk"]
        verbose_name = _("results chain arrow")
        verbose_name_plural = _("results chain arrows")
        constraints = [
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="chain_link_not_a_loop"),
            models.UniqueConstraint(
                fields=["source", "target"],
                condition=Q(deleted_at__isnull=True),
                name="one_live_link_per_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}"


class ChainVersion(TenantModel):
    """The chain frozen as plain data on a review date (boxes, arrows, assumptions)."""

    intervention = models.ForeignKey(
        Intervention, on_delete=models.PROTECT, related_name="chain_versions", verbose_name=_("intervention")
    )
    review_date = models.DateField(_("review date"))
    note = models.TextField(_("what changed and why"), blank=True)
    data = models.JSONField(default=dict, editable=False)

    class Meta:
        ordering = ["-review_date", "-pk"]
        verbose_name = _("results chain version")
        verbose_name_plural = _("results chain versions")

    def __str__(self) -> str:
        return f"{self.intervention} · {self.review_date}"


class FacilitatorRoleKind(models.TextChoices):
    DOER = "doer", _("Doer")
    BROKER = "broker", _("Broker / convener")
    COACH = "coach", _("Coach")
    OBSERVER = "observer", _("Observer")
    OTHER = "other", _("Other")


class FacilitatorRole(TenantModel):
    """The role the team plays in an intervention from a date on (the latest past one is current)."""

    intervention = models.ForeignKey(
        Intervention, on_delete=models.PROTECT, related_name="roles", verbose_name=_("intervention")
    )
    role = models.CharField(_("role"), max_length=20, choices=FacilitatorRoleKind.choices)
    from_date = models.DateField(_("from"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-from_date", "-pk"]
        verbose_name = _("facilitator's role")
        verbose_name_plural = _("facilitator's roles")

    def __str__(self) -> str:
        return f"{self.get_role_display()} ({self.from_date})"


class Stage(models.TextChoices):
    """Adopt–adapt–expand–respond, in the order change spreads."""

    ADOPT = "adopt", _("Adopt")
    ADAPT = "adapt", _("Adapt")
    EXPAND = "expand", _("Expand")
    RESPOND = "respond", _("Respond")


STAGE_ORDER = {stage.value: i for i, stage in enumerate(Stage)}


class AaerEntry(TenantModel):
    """An actor seen at a stage of change in an intervention, on a date, with the evidence."""

    intervention = models.ForeignKey(
        Intervention, on_delete=models.PROTECT, related_name="aaer_entries", verbose_name=_("intervention")
    )
    organization = models.ForeignKey(
        "partners.Organization",
        on_delete=models.PROTECT,
        related_name="aaer_entries",
        verbose_name=_("actor"),
    )
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    observed_on = models.DateField(_("observed on"))
    evidence = models.TextField(_("evidence"))
    link = models.URLField(_("link to evidence"), blank=True)

    class Meta:
        ordering = ["-observed_on", "-pk"]
        verbose_name = _("AAER entry")
        verbose_name_plural = _("AAER entries")
        indexes = [models.Index(fields=["program", "intervention", "organization", "-observed_on"])]

    def __str__(self) -> str:
        return f"{self.organization} · {self.get_stage_display()} ({self.observed_on})"


class PhasePlaybook(TenantModel):
    """A programme's own guidance for one phase. Absent until someone edits or ticks something in that
    phase: until then the defaults of playbook.py are shown (see services.playbook_materialise)."""

    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    why = models.TextField(_("why it matters"), blank=True)
    know = models.TextField(_("what the team needs to know"), blank=True)
    tools = models.TextField(_("useful tools"), blank=True)

    class Meta:
        ordering = ["program", "phase"]
        verbose_name = _("phase guidance")
        verbose_name_plural = _("phase guidance")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "phase"],
                condition=Q(deleted_at__isnull=True),
                name="one_playbook_per_phase",
            )
        ]

    def __str__(self) -> str:
        return str(self.get_phase_display())


class ChecklistItem(TenantModel):
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    text = models.CharField(_("item"), max_length=300)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    done_at = models.DateTimeField(_("ticked at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ticked by"),
    )

    class Meta:
        ordering = ["phase", "position", "pk"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        indexes = [models.Index(fields=["program", "phase"])]

    def __str__(self) -> str:
        return self.text


class ExitCriteria(TenantModel):
    """A programme's rolling-exit criteria (one row; the defaults apply until an owner saves them)."""

    use_engagement = models.BooleanField(_("engagement score criterion"), default=True)
    engagement_min = models.PositiveSmallIntegerField(_("engagement score at least"), default=60)
    engagement_months = models.PositiveSmallIntegerField(_("for the last N months"), default=6)
    use_coinvestment = models.BooleanField(_("co-investment criterion"), default=True)
    coinvestment_min = models.PositiveSmallIntegerField(
        _("partner's share of the ledger at least (%)"), default=50
    )
    use_attendance = models.BooleanField(_("round-table attendance criterion"), default=True)
    attendance_min = models.PositiveSmallIntegerField(_("attended at least K"), default=3)
    attendance_of = models.PositiveSmallIntegerField(_("of the last M round tables"), default=4)
    use_aaer = models.BooleanField(_("adopt–adapt–expand–respond criterion"), default=True)
    aaer_min_stage = models.CharField(
        _("stage at least"), max_length=10, choices=Stage.choices, default=Stage.ADAPT
    )
    margin = models.PositiveSmallIntegerField(_("'nearly' margin (percent of the threshold)"), default=10)

    class Meta:
        verbose_name = _("exit criteria")
        verbose_name_plural = _("exit criteria")
        constraints = [
            models.UniqueConstraint(
                fields=["program"], condition=Q(deleted_at__isnull=True), name="one_exit_criteria_per_program"
            ),
            models.CheckConstraint(
                condition=Q(attendance_min__lte=models.F("attendance_of")), name="exit_attendance_k_le_m"
            ),
        ]

    def __str__(self) -> str:
        return str(_("exit criteria"))


class ExitDecisionKind(models.TextChoices):
    START_EXIT = "start_exit", _("Start the exit")
    KEEP = "keep", _("Keep supporting")
    REVISIT = "revisit", _("Revisit later")


class ExitDecision(TenantModel):
    """What the team decided about a partner's exit, why, when and (created_by) who."""

    organization = models.ForeignKey(
        "partners.Organization",
        on_delete=models.PROTECT,
        related_name="exit_decisions",
        verbose_name=_("partner"),
    )
    decision = models.CharField(_("decision"), max_length=20, choices=ExitDecisionKind.choices)
    decided_on = models.DateField(_("date"))
    reason = models.TextField(_("reason"))

    class Meta:
        ordering = ["-decided_on", "-pk"]
        verbose_name = _("exit decision")
        verbose_name_plural = _("exit decisions")

    def __str__(self) -> str:
        return f"{self.organization} · {self.get_decision_display()} ({self.decided_on})"


class Level(models.IntegerChoices):
    LOW = 1, _("Low")
    RATHER_LOW = 2, _("Rather low")
    RATHER_HIGH = 3, _("Rather high")
    HIGH = 4, _("High")


class RelationshipGroup(TenantModel):
    """Two or more actors whose competition and cooperation the team follows."""

    name = models.CharField(_("name"), max_length=200)
    organizations = models.ManyToManyField(
        "partners.Organization", related_name="relationship_groups", verbose_name=_("actors")
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("actor pair or group")
        verbose_name_plural = _("actor pairs and groups")

    def __str__(self) -> str:
        return self.name


class RelationshipAssessment(TenantModel):
    """Where a pair or group stands on a date (current) and where the team wants it to go (desired)."""

    group = models.ForeignKey(
        RelationshipGroup,
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=_("pair or group"),
    )
    assessed_on = models.DateField(_("date"))
    competition = models.PositiveSmallIntegerField(_("competition now"), choices=Level.choices)
    cooperation = models.PositiveSmallIntegerField(_("cooperation now"), choices=Level.choices)
    desired_competition = models.PositiveSmallIntegerField(_("competition wanted"), choices=Level.choices)
    desired_cooperation = models.PositiveSmallIntegerField(_("cooperation wanted"), choices=Level.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        verbose_name = _("relationship assessment")
        verbose_name_plural = _("relationship assessments")

    def __str__(self) -> str:
        return f"{self.group} ({self.assessed_on})"
