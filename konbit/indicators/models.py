"""Indicators, their targets and milestones per period, measurements per period and disaggregation
category (with evidence), the disaggregation dimensions, and partner-level benchmarks.

How progress is computed from these rows is in progress.py (pure functions); the few derived fields
here (`status`, `progress`, `achieved`, `last_period_end`) are stored by the services so that the
list page sorts and filters in SQL.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from konbit.core.models import TenantModel

EVIDENCE_EXTENSIONS = [
    "pdf",
    "jpg",
    "jpeg",
    "png",
    "webp",
    "docx",
    "xlsx",
    "pptx",
    "csv",
    "txt",
    "odt",
    "ods",
]


class IndicatorType(models.TextChoices):
    OUTPUT = "output", _("Output")
    OUTCOME = "outcome", _("Outcome")
    SYSTEMIC = "systemic", _("Systemic change")
    IMPACT = "impact", _("Impact")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class TargetMode(models.TextChoices):
    CUMULATIVE = "cumulative", _("Cumulative (each target counts everything up to its period)")
    INCREMENTAL = "incremental", _("Incremental (each target is for its period alone)")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Add up the period values (new each period)")
    LATEST = "latest", _("Take the latest reading (a level)")


class Status(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")
    NO_TARGET = "no_target", _("No target to compare with")
    NO_DATA = "no_data", _("No data yet")


class Dimension(TenantModel):
    """A way to split a value (sex, region, partner type…). Programme-wide when `indicator` is empty,
    else defined for one indicator only."""

    name = models.CharField(_("name"), max_length=100)
    indicator = models.ForeignKey(
        "Indicator",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="own_dimensions",
        verbose_name=_("only for indicator"),
    )

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("disaggregation dimension")
        verbose_name_plural = _("disaggregation dimensions")

    def __str__(self) -> str:
        return self.name


class Category(TenantModel):
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["dimension", "position", "pk"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "name"],
                condition=Q(deleted_at__isnull=True),
                name="indicators_one_live_category_name",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Indicator(TenantModel):
    name = models.CharField(_("name"), max_length=300)
    code = models.CharField(
        _("code"), max_length=30, blank=True, help_text=_("A short reference, e.g. O1.2.")
    )
    definition = models.TextField(_("definition"), blank=True)
    unit = models.CharField(_("unit"), max_length=60, help_text=_("e.g. farmers, HTG, %, tonnes."))
    type = models.CharField(_("type"), max_length=20, choices=IndicatorType.choices)
    intervention = models.ForeignKey(
        "results.Intervention",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("intervention"),
    )
    chain_box = models.ForeignKey(
        "results.ChainBox",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("results chain box"),
    )
    target_mode = models.CharField(
        _("targets are"), max_length=20, choices=TargetMode.choices, default=TargetMode.CUMULATIVE
    )
    aggregation = models.CharField(
        _("achieved value"), max_length=10, choices=Aggregation.choices, default=Aggregation.SUM
    )
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    baseline_value = models.DecimalField(
        _("baseline"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    data_source = models.CharField(_("data source"), max_length=300, blank=True)
    collection_method = models.CharField(_("collection method"), max_length=300, blank=True)
    dimensions = models.ManyToManyField(
        Dimension, blank=True, related_name="indicators", verbose_name=_("disaggregated by")
    )
    # Derived by services.indicator_refresh (progress.py), for sorting and filtering in SQL.
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NO_DATA, editable=False)
    progress = models.FloatField(null=True, blank=True, editable=False)
    achieved = models.FloatField(null=True, blank=True, editable=False)
    last_period_end = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["code", "name", "pk"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        indexes = [
            models.Index(fields=["program", "type"], name="indicator_program_type_idx"),
            models.Index(fields=["program", "status"], name="indicator_program_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}" if self.code else self.name


class TargetKind(models.TextChoices):
    TARGET = "target", _("Target")
    MILESTONE = "milestone", _("Milestone")


class Target(TenantModel):
    """What the indicator should reach by the end of a period: a target, or an intermediate milestone
    (benchmark). With a category, the target of that category alone."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    kind = models.CharField(_("kind"), max_length=10, choices=TargetKind.choices, default=TargetKind.TARGET)
    period_label = models.CharField(
        _("period"), max_length=40, blank=True, help_text=_("e.g. 2025 or 2025-Q2.")
    )
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"))
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4)

    class Meta:
        ordering = ["indicator", "period_end", "kind", "pk"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_start__isnull=True) | Q(period_end__gte=models.F("period_start")),
                name="indicators_target_period_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_label or self.period_end}: {self.value}"


def evidence_path(instance: Measurement, filename: str) -> str:
    # A random folder per file: names never collide and cannot be guessed from another record.
    return f"evidence/{instance.program_id}/{uuid.uuid4().hex}/{PurePath(filename).name[-120:]}"


class Measurement(TenantModel):
    """The value of an indicator for one period, for one disaggregation category or (no category) in
    total. One live row per indicator, period end and category: re-imports update it."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="measurements")
    period_label = models.CharField(_("period"), max_length=40, blank=True)
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"))
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measurements",
        verbose_name=_("category"),
        help_text=_("Empty: the total."),
    )
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4)
    evidence = models.FileField(
        _("evidence file"),
        upload_to=evidence_path,
        max_length=250,
        blank=True,
        validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS)],
    )
    evidence_link = models.URLField(_("evidence link"), max_length=500, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["indicator", "period_end", "category", "pk"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_end"],
                condition=Q(deleted_at__isnull=True, category__isnull=True),
                name="indicators_one_live_total_per_period",
            ),
            models.UniqueConstraint(
                fields=["indicator", "period_end", "category"],
                condition=Q(deleted_at__isnull=True, category__isnull=False),
                name="indicators_one_live_category_per_period",
            ),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True) | Q(period_end__gte=models.F("period_start")),
                name="indicators_measurement_period_order",
            ),
        ]
        indexes = [models.Index(fields=["program", "indicator", "period_end"], name="measurement_period_idx")]

    def __str__(self) -> str:
        where = f" · {self.category}" if self.category_id else ""
        return f"{self.indicator}: {self.period_label or self.period_end}{where} = {self.value}"

    @property
    def evidence_name(self) -> str:
        return PurePath(self.evidence.name).name if self.evidence else ""


class BenchmarkStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    MET = "met", _("Met")
    MISSED = "missed", _("Missed")
    WAIVED = "waived", _("Waived")


class PartnerBenchmark(TenantModel):
    """Something one partner organisation commits to reach by a date, and what it gets when it does."""

    organization = models.ForeignKey(
        "partners.Organization",
        on_delete=models.PROTECT,
        related_name="benchmarks",
        verbose_name=_("partner"),
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partner_benchmarks",
        verbose_name=_("indicator"),
    )
    description = models.CharField(
        _("benchmark"), max_length=300, help_text=_("e.g. sells 500 bags of certified seed.")
    )
    target_value = models.DecimalField(
        _("target value"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    incentive = models.CharField(
        _("incentive"),
        max_length=300,
        blank=True,
        help_text=_("What the partner gets when the benchmark is met."),
    )
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=10, choices=BenchmarkStatus.choices, default=BenchmarkStatus.PENDING
    )
    status_note = models.CharField(_("status note"), max_length=300, blank=True)
    status_recorded_at = models.DateTimeField(null=True, blank=True, editable=False)
    status_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("partner benchmark")
        verbose_name_plural = _("partner benchmarks")
        indexes = [models.Index(fields=["program", "organization", "due_on"], name="benchmark_org_due_idx")]

    def __str__(self) -> str:
        return self.description

    def is_overdue(self, today: Any) -> bool:
        return self.status == BenchmarkStatus.PENDING and self.due_on < today
