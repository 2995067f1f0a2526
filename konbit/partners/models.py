from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from konbit.core.models import Program, TenantModel


class OrganizationType(models.TextChoices):
    LEAD_FIRM = "lead_firm", _("Lead firm")
    SERVICE_PROVIDER = "service_provider", _("Service provider")
    AWARDEE = "awardee", _("Awardee / grantee")
    PRODUCER_GROUP = "producer_group", _("Producer group or association")
    GOVERNMENT = "government", _("Government agency")
    FINANCIAL = "financial", _("Financial institution")
    NGO = "ngo", _("NGO")
    DONOR = "donor", _("Donor / other initiative")
    RESEARCH = "research", _("Research or training body")
    MEDIA = "media", _("Media")
    OTHER = "other", _("Other")


class OrganizationSize(models.TextChoices):
    UNKNOWN = "", _("Unknown")
    MICRO = "micro", _("Micro (under 10 people)")
    SMALL = "small", _("Small (10–49)")
    MEDIUM = "medium", _("Medium (50–249)")
    LARGE = "large", _("Large (250 or more)")


class Organization(TenantModel):
    """Any actor in the system. A partner is an organisation the programme engages with (Partnership)."""

    name = models.CharField(_("name"), max_length=200)
    # Lower-case, accents and punctuation removed: duplicate detection and import matching use it.
    normalized_name = models.CharField(max_length=200, editable=False, default="")
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    type = models.CharField(
        _("type"), max_length=20, choices=OrganizationType.choices, default=OrganizationType.OTHER
    )
    sector = models.CharField(_("sectors"), max_length=200, blank=True, help_text=_("Comma-separated."))
    region = models.CharField(_("region"), max_length=100, blank=True)
    town = models.CharField(_("town"), max_length=100, blank=True)
    size = models.CharField(
        _("size"), max_length=10, choices=OrganizationSize.choices, blank=True, default=""
    )
    website = models.URLField(_("website"), blank=True)
    performs_core = models.BooleanField(_("core exchange"), default=False)
    performs_supporting = models.BooleanField(_("supporting function"), default=False)
    performs_rules = models.BooleanField(_("rules and regulation"), default=False)
    tags = models.CharField(_("tags"), max_length=300, blank=True, help_text=_("Comma-separated free tags."))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [
            models.Index(fields=["program", "name"], name="org_program_name_idx"),
            models.Index(fields=["program", "normalized_name"], name="org_program_norm_idx"),
            models.Index(fields=["program", "type"], name="org_program_type_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    @property
    def functions(self) -> list[str]:
        labels = []
        if self.performs_core:
            labels.append(str(_("core exchange")))
        if self.performs_supporting:
            labels.append(str(_("supporting function")))
        if self.performs_rules:
            labels.append(str(_("rules and regulation")))
        return labels

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]


class Contact(TenantModel):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("email"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("contact person")

    def __str__(self) -> str:
        return f"{self.name} — {self.role}" if self.role else self.name


class Segment(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    CHAMPION = "champion", _("Champion")
    WAIT_AND_SEE = "wait_and_see", _("Wait-and-see")
    PLACEHOLDER = "placeholder", _("Placeholder")
    DORMANT = "dormant", _("Dormant")
    EXITING = "exiting", _("Exiting")
    EXITED = "exited", _("Exited")


# Segments whose partners are still expected to be in touch (early warnings apply).
ENGAGED_SEGMENTS = frozenset({Segment.ACTIVE, Segment.CHAMPION, Segment.WAIT_AND_SEE, Segment.PROSPECT})


class Partnership(TenantModel):
    """An organisation's engagement with the programme."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="partnerships")
    segment = models.CharField(_("segment"), max_length=20, choices=Segment.choices, default=Segment.PROSPECT)
    since = models.DateField(_("since"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("facilitator responsible"),
    )
    notes = models.TextField(_("notes"), blank=True)
    # Derived by the engagement service (partners/engagement.py), kept here so lists sort and filter in SQL.
    score = models.FloatField(null=True, blank=True, editable=False)
    last_contact_on = models.DateField(null=True, blank=True, editable=False)
    warning_codes = models.CharField(max_length=200, blank=True, default="", editable=False)

    class Meta:
        ordering = ["organization__name"]
        verbose_name = _("partnership")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "organization"],
                condition=Q(deleted_at__isnull=True),
                name="one_live_partnership_per_organization",
            )
        ]
        indexes = [
            models.Index(fields=["program", "segment"], name="partnership_segment_idx"),
            models.Index(fields=["program", "score"], name="partnership_score_idx"),
        ]

    def __str__(self) -> str:
        return str(self.organization)

    @property
    def warnings(self) -> list[str]:
        return [c for c in self.warning_codes.split(",") if c]


class SegmentChange(TenantModel):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="segment_changes")
    previous_segment = models.CharField(max_length=20, choices=Segment.choices, blank=True)
    segment = models.CharField(_("segment"), max_length=20, choices=Segment.choices)
    changed_on = models.DateField(_("date"))
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-changed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.partnership}: {self.get_segment_display()} ({self.changed_on})"


class AgreementKind(models.TextChoices):
    MOU = "mou", _("Memorandum of understanding")
    GRANT = "grant", _("Grant")
    COST_SHARE = "cost_share", _("Cost-share agreement")
    OTHER = "other", _("Other")


class Agreement(TenantModel):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="agreements")
    kind = models.CharField(_("kind"), max_length=20, choices=AgreementKind.choices)
    title = models.CharField(_("title"), max_length=200)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("end"), null=True, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["-signed_on", "-id"]

    def __str__(self) -> str:
        return self.title


class DriverCategory(models.TextChoices):
    DRIVER = "driver", _("Driver")
    MOTIVATION = "motivation", _("Motivation")
    EXPECTATION = "expectation", _("Expectation")
    INCENTIVE = "incentive", _("Incentive it responds to")


class DriverKind(models.TextChoices):
    MARKET_ACCESS = "market_access", _("Market access")
    REVENUE = "revenue", _("Revenue")
    REPUTATION = "reputation", _("Reputation and visibility")
    LEARNING = "learning", _("Learning and skills")
    NETWORKING = "networking", _("Networking")
    MISSION = "mission", _("Mission alignment")
    FINANCIAL_SUPPORT = "financial_support", _("Financial support (cash, grant)")
    MATERIAL_SUPPORT = "material_support", _("Material support (equipment, inputs)")
    TECHNICAL_SUPPORT = "technical_support", _("Technical assistance")
    OTHER = "other", _("Other")


class DriverNote(TenantModel):
    """What drives a partner or what it expects, as heard on a given day (often in a conversation)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="driver_notes")
    category = models.CharField(_("what"), max_length=20, choices=DriverCategory.choices)
    kind = models.CharField(_("theme"), max_length=30, choices=DriverKind.choices)
    note = models.TextField(_("in their words"), blank=True)
    recorded_on = models.DateField(_("date"))
    interaction = models.ForeignKey(
        "Interaction", on_delete=models.SET_NULL, null=True, blank=True, related_name="driver_notes"
    )

    class Meta:
        ordering = ["-recorded_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.get_kind_display()}"


class InteractionKind(models.TextChoices):
    CONVERSATION = "conversation", _("One-to-one conversation")
    CALL = "call", _("Call")
    VISIT = "visit", _("Visit")
    ROUND_TABLE = "round_table", _("Round table")
    WORKSHOP = "workshop", _("Workshop")
    TRAINING = "training", _("Training")
    EMAIL = "email", _("Email")
    OTHER = "other", _("Other")


ONE_TO_ONE_KINDS = frozenset({InteractionKind.CONVERSATION, InteractionKind.CALL, InteractionKind.VISIT})
EVENT_KINDS = frozenset({InteractionKind.ROUND_TABLE, InteractionKind.WORKSHOP, InteractionKind.TRAINING})


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Every week")
    MONTHLY = "monthly", _("Every month")
    QUARTERLY = "quarterly", _("Every three months")


class EventSeries(TenantModel):
    """A recurring event (e.g. the monthly partnership meeting), scheduled once."""

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=InteractionKind.choices)
    frequency = models.CharField(_("repeats"), max_length=20, choices=Frequency.choices)
    starts_on = models.DateField(_("first date"))
    occurrences = models.PositiveSmallIntegerField(_("how many times"), default=12)
    location = models.CharField(_("location"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("event series")
        verbose_name_plural = _("event series")

    def __str__(self) -> str:
        return self.title


class Interaction(TenantModel):
    """A conversation, call, visit, round table, workshop, training… with one or many organisations."""

    kind = models.CharField(_("kind"), max_length=20, choices=InteractionKind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    occurred_on = models.DateField(_("date"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    topics = models.CharField(_("topics"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    sentiment = models.SmallIntegerField(
        _("sentiment"), null=True, blank=True, help_text=_("From −2 (hostile) to +2 (enthusiastic).")
    )
    commitments = models.TextField(_("commitments made"), blank=True)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("facilitators")
    )
    contacts = models.ManyToManyField(
        Contact, blank=True, related_name="interactions", verbose_name=_("people")
    )
    series = models.ForeignKey(
        EventSeries, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    import_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    # The id the browser gave an entry it captured (offline outbox, decision 9): a second send of the
    # same entry finds this row instead of logging the conversation twice.
    client_uuid = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sentiment__isnull=True) | Q(sentiment__gte=-2, sentiment__lte=2),
                name="interaction_sentiment_range",
            ),
            models.UniqueConstraint(fields=["program", "client_uuid"], name="interaction_client_uuid_once"),
        ]
        indexes = [
            # Live rows by date (and kind): the list's page and count, and counts by kind over a period,
            # read this index alone (300,000 rows: count 0.56 s → 0.02 s on SQLite).
            models.Index(
                fields=["program", "deleted_at", "-occurred_on", "kind"], name="interaction_live_date_idx"
            ),
            models.Index(fields=["program", "kind", "-occurred_on"], name="interaction_kind_idx"),
            models.Index(fields=["program", "import_key"], name="interaction_import_idx"),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} {self.occurred_on}"

    @property
    def is_event(self) -> bool:
        return self.kind in EVENT_KINDS


class Attendance(models.TextChoices):
    INVITED = "invited", _("Invited")
    ATTENDED = "attended", _("Attended")
    EXCUSED = "excused", _("Excused")
    NO_SHOW = "no_show", _("No-show")


class Participation(models.Model):
    """An organisation at an interaction: invited / attended / excused / no-show. For one-to-one
    interactions the organisation simply attended."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    interaction = models.ForeignKey(Interaction, on_delete=models.CASCADE, related_name="participations")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="participations")
    status = models.CharField(
        _("attendance"), max_length=10, choices=Attendance.choices, default=Attendance.ATTENDED
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["interaction", "organization"], name="one_participation_per_organization"
            )
        ]
        indexes = [models.Index(fields=["program", "organization"], name="participation_org_idx")]

    def __str__(self) -> str:
        return f"{self.organization} @ {self.interaction}: {self.status}"


class AttendanceSubmission(models.Model):
    """One attendance sheet as sent by a browser, under the id the browser gave it (decision 9):
    the receipt that makes a repeated send of the same sheet change nothing."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    interaction = models.ForeignKey(Interaction, on_delete=models.CASCADE, related_name="+")
    client_uuid = models.UUIDField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    changed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "client_uuid"], name="attendance_submission_once")
        ]

    def __str__(self) -> str:
        return f"{self.interaction} ({self.client_uuid})"


class FollowUp(TenantModel):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("organisation")
    )
    interaction = models.ForeignKey(
        Interaction, on_delete=models.SET_NULL, null=True, blank=True, related_name="follow_ups"
    )
    description = models.CharField(_("what"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("who"),
    )
    due_on = models.DateField(_("due"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["program", "owner", "done_on"], name="followup_owner_idx")]

    def __str__(self) -> str:
        return self.description


class SupportDirection(models.TextChoices):
    GIVEN = "given", _("Given by the programme")
    CONTRIBUTED = "contributed", _("Put in by the partner")


class SupportKind(models.TextChoices):
    TECHNICAL_ASSISTANCE = "technical_assistance", _("Technical assistance")
    TRAINING = "training", _("Training")
    BROKERING = "brokering", _("Brokering")
    GRANT = "grant", _("Grant")
    IN_KIND = "in_kind", _("In kind")
    CASH = "cash", _("Cash")
    STAFF_TIME = "staff_time", _("Staff time")


class SupportEntry(TenantModel):
    """One line of the support and co-investment ledger."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="support_entries")
    direction = models.CharField(_("direction"), max_length=12, choices=SupportDirection.choices)
    kind = models.CharField(_("kind"), max_length=30, choices=SupportKind.choices)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    occurred_on = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("support or co-investment")
        constraints = [models.CheckConstraint(condition=Q(value__gte=0), name="support_value_not_negative")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value} ({self.occurred_on})"


class ValueKind(models.TextChoices):
    LEADS = "leads", _("Business leads brokered")
    CONTRACTS = "contracts", _("Contracts won")
    CLIENTS = "clients", _("New clients")
    VISIBILITY = "visibility", _("Visibility")
    SKILLS = "skills", _("Skills and know-how")
    OTHER = "other", _("Other")


class ValueGained(TenantModel):
    """Value a partner gained from taking part, other than the programme's own support."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="value_gained")
    kind = models.CharField(_("kind"), max_length=20, choices=ValueKind.choices)
    description = models.CharField(_("description"), max_length=300)
    value = models.DecimalField(_("value (if known)"), max_digits=14, decimal_places=2, null=True, blank=True)
    occurred_on = models.DateField(_("date"))

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("value gained")

    def __str__(self) -> str:
        return self.description


class Initiative(TenantModel):
    """Another donor-funded project working in the same system."""

    name = models.CharField(_("name"), max_length=200)
    funder = models.CharField(_("funder"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("end"), null=True, blank=True)
    coordination_notes = models.TextField(_("coordination notes"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("other initiative")

    def __str__(self) -> str:
        return self.name


class InitiativeSupport(TenantModel):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="supports")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="initiative_supports"
    )
    how = models.CharField(_("how it supports them"), max_length=300, blank=True)

    class Meta:
        ordering = ["initiative__name"]

    def __str__(self) -> str:
        return f"{self.initiative} → {self.organization}"


def default_offers() -> list[str]:
    return [
        SupportKind.TECHNICAL_ASSISTANCE.value,
        SupportKind.TRAINING.value,
        SupportKind.BROKERING.value,
    ]


class EngagementSettings(models.Model):
    """Per-programme weights and thresholds of the engagement score and early warnings."""

    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="engagement_settings")
    weight_recency = models.PositiveSmallIntegerField(_("weight: recency of contact"), default=30)
    weight_attendance = models.PositiveSmallIntegerField(_("weight: attendance at events"), default=20)
    weight_followups = models.PositiveSmallIntegerField(_("weight: follow-ups on time"), default=20)
    weight_sentiment = models.PositiveSmallIntegerField(_("weight: sentiment"), default=15)
    weight_coinvestment = models.PositiveSmallIntegerField(_("weight: co-investment"), default=15)
    no_contact_days = models.PositiveSmallIntegerField(
        _("warn after this many days without a one-to-one conversation"), default=60
    )
    score_drop_points = models.PositiveSmallIntegerField(
        _("warn when the score falls by (points, 3 months)"), default=15
    )
    programme_share_warning = models.PositiveSmallIntegerField(
        _("warn when the programme pays more than this percentage of the total"), default=70
    )
    offers = models.JSONField(
        _("what the programme offers"),
        default=default_offers,
        help_text=_("Kinds of support the programme gives."),
    )
    computed_on = models.DateField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("engagement settings")

    def __str__(self) -> str:
        return f"{self.program}: engagement settings"


class EngagementScore(models.Model):
    """The score of one partnership at the end of one month (derived; recomputed, never edited)."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="scores")
    month = models.DateField()
    total = models.FloatField(null=True)
    components = models.JSONField(default=dict)

    class Meta:
        ordering = ["month"]
        constraints = [models.UniqueConstraint(fields=["partnership", "month"], name="one_score_per_month")]

    def __str__(self) -> str:
        return f"{self.partnership} {self.month:%Y-%m}: {self.total}"
