"""Lessons learned and the communication plan with its log.

Tags and phases are stored as text so that filters stay plain SQL on SQLite and PostgreSQL alike:
`tags` is what the user typed (comma-separated, like Organization.tags); `tag_index` and `phases`
are ",a,b," strings written by the services, so "has tag x" is `tag_index__contains=",x,"`.
Full-text search lives outside the model (see search.py): a generated tsvector column with a GIN
index on PostgreSQL, an FTS5 table on SQLite, both created by migration 0002.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from konbit.core.models import Phase, TenantModel


class LessonStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Lesson(TenantModel):
    """Something the programme learned, written so that someone else can use it."""

    title = models.CharField(_("title"), max_length=200)
    context = models.TextField(_("context and challenges"), blank=True)
    action = models.TextField(_("what was done"), blank=True)
    lesson = models.TextField(_("results and the lesson"), blank=True)
    application = models.TextField(_("how it is applied"), blank=True)
    recommendation = models.TextField(_("recommendation"), blank=True)
    tags = models.CharField(_("tags"), max_length=300, blank=True, help_text=_("Comma-separated free tags."))
    tag_index = models.CharField(max_length=320, blank=True, default="", editable=False)
    phases = models.CharField(_("phases"), max_length=120, blank=True, default="")
    organizations = models.ManyToManyField(
        "partners.Organization", blank=True, related_name="lessons", verbose_name=_("partners")
    )
    interventions = models.ManyToManyField(
        "results.Intervention", blank=True, related_name="lessons", verbose_name=_("interventions")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    learned_on = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=10, choices=LessonStatus.choices, default=LessonStatus.DRAFT
    )
    published_on = models.DateField(_("published on"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-learned_on", "-id"]
        verbose_name = _("lesson learned")
        verbose_name_plural = _("lessons learned")
        indexes = [
            models.Index(fields=["program", "-learned_on"], name="lesson_program_date_idx"),
            models.Index(fields=["program", "status", "published_on"], name="lesson_published_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]

    @property
    def phase_list(self) -> list[str]:
        return [p for p in self.phases.split(",") if p]

    @property
    def phase_labels(self) -> list[str]:
        labels = dict(Phase.choices)
        return [str(labels.get(p, p)) for p in self.phase_list]

    @property
    def is_published(self) -> bool:
        return self.status == LessonStatus.PUBLISHED


class Audience(models.TextChoices):
    FUNDER = "funder", _("Funder")
    SYSTEM = "system", _("System stakeholders")
    PARTNERS = "partners", _("Partners")
    GOVERNMENT = "government", _("Government")
    PUBLIC = "public", _("General public")
    INTERNAL = "internal", _("Programme team")


class Channel(models.TextChoices):
    REPORT = "report", _("Written report")
    EMAIL = "email", _("Email")
    MEETING = "meeting", _("Meeting or presentation")
    NEWSLETTER = "newsletter", _("Newsletter")
    EVENT = "event", _("Event or round table")
    SOCIAL = "social", _("Social media")
    WEBSITE = "website", _("Website")
    OTHER = "other", _("Other")


class CommunicationFrequency(models.TextChoices):
    ONCE = "once", _("Once")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")


class Communication(TenantModel):
    """A planned communication: to whom, why, how, how often and who sends it."""

    title = models.CharField(_("what"), max_length=200)
    audience_kind = models.CharField(
        _("audience type"), max_length=20, choices=Audience.choices, default=Audience.FUNDER
    )
    audience = models.CharField(_("audience"), max_length=200, blank=True, help_text=_("Who exactly."))
    purpose = models.TextField(_("purpose"), blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.REPORT)
    frequency = models.CharField(
        _("frequency"),
        max_length=20,
        choices=CommunicationFrequency.choices,
        default=CommunicationFrequency.QUARTERLY,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    first_due_on = models.DateField(_("first due"))
    is_active = models.BooleanField(_("still planned"), default=True)
    # Derived by the services from the frequency and the log (schedule.next_due), kept for SQL filters.
    last_sent_on = models.DateField(_("last sent"), null=True, blank=True, editable=False)
    next_due_on = models.DateField(_("next due"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["next_due_on", "title", "id"]
        verbose_name = _("planned communication")
        verbose_name_plural = _("planned communications")
        indexes = [models.Index(fields=["program", "next_due_on"], name="communication_due_idx")]

    def __str__(self) -> str:
        return self.title


class CommunicationSending(TenantModel):
    """One line of the log: this communication was sent on this date."""

    communication = models.ForeignKey(
        Communication, on_delete=models.CASCADE, related_name="sendings", verbose_name=_("communication")
    )
    sent_on = models.DateField(_("sent on"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    link = models.URLField(_("link"), blank=True, max_length=500)

    class Meta:
        ordering = ["-sent_on", "-id"]
        verbose_name = _("communication sent")
        verbose_name_plural = _("communications sent")
        indexes = [models.Index(fields=["program", "-sent_on"], name="sending_program_date_idx")]

    def __str__(self) -> str:
        return f"{self.communication} ({self.sent_on})"
