"""Every write of the indicators app. Each write that changes what progress sees (the indicator's
settings, its targets, its measurements) ends with `indicator_refresh`, an explicit call that stores
the derived status and progress (see progress.py) so that lists sort and filter in SQL."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from konbit.core import audit
from konbit.core.access import Access
from konbit.core.models import AuditAction
from konbit.core.services import tenant_record_create, tenant_record_delete, tenant_record_update
from konbit.core.transactions import service

from . import progress
from .models import (
    BenchmarkStatus,
    Category,
    Dimension,
    Indicator,
    Measurement,
    PartnerBenchmark,
    Target,
    TargetKind,
)

# --- progress -----------------------------------------------------------------------------------


def indicator_inputs(
    indicator: Indicator, measurements: list[Measurement], targets: list[Target], dimension_order: list[int]
) -> tuple[progress.Spec, list[progress.Reading], list[progress.Goal], list[int]]:
    """The plain data progress.py works on, from rows already loaded (no query here)."""
    spec = progress.Spec(
        baseline=float(indicator.baseline_value) if indicator.baseline_value is not None else None,
        baseline_date=indicator.baseline_date,
        direction=indicator.direction,
        target_mode=indicator.target_mode,
        aggregation=indicator.aggregation,
    )
    readings = [
        progress.Reading(
            period_end=m.period_end,
            value=float(m.value),
            category=m.category_id,
            dimension=m.category.dimension_id if m.category_id and m.category else None,
            label=m.period_label,
        )
        for m in measurements
    ]
    goals = [
        progress.Goal(
            period_end=t.period_end,
            value=float(t.value),
            milestone=t.kind == TargetKind.MILESTONE,
            category=t.category_id,
            label=t.period_label,
            start=t.period_start,
        )
        for t in targets
    ]
    return spec, readings, goals, dimension_order


def indicator_progress(indicator: Indicator, *, as_of: datetime.date | None = None) -> progress.Progress:
    """Load one indicator's measurements and targets (two queries) and evaluate them."""
    measurements = list(
        Measurement.objects.filter(indicator=indicator).select_related("category").order_by("period_end")
    )
    targets = list(Target.objects.filter(indicator=indicator).order_by("period_end"))
    order = list(indicator.dimensions.order_by("name", "pk").values_list("pk", flat=True))
    spec, readings, goals, order = indicator_inputs(indicator, measurements, targets, order)
    return progress.evaluate(spec, readings, goals, dimension_order=order, as_of=as_of)


def indicator_refresh(*, indicator: Indicator) -> progress.Progress:
    """Store the derived status, progress and achieved value (not audited: derived, never edited)."""
    result = indicator_progress(indicator)
    indicator_store_progress(indicator=indicator, result=result)
    return result


def indicator_store_progress(*, indicator: Indicator, result: progress.Progress) -> None:
    """Keep the list's derived fields equal to `result` (written only when they differ). The indicator
    page calls it too, so a change the services did not see (a measurement restored from the trash)
    is caught up the next time someone opens the indicator."""
    stored = (indicator.status, indicator.progress, indicator.achieved, indicator.last_period_end)
    if stored == (result.status, result.progress, result.achieved, result.period_end):
        return
    Indicator.all_objects.filter(pk=indicator.pk).update(
        status=result.status,
        progress=result.progress,
        achieved=result.achieved,
        last_period_end=result.period_end,
    )
    indicator.status = result.status
    indicator.progress = result.progress
    indicator.achieved = result.achieved
    indicator.last_period_end = result.period_end


# --- indicators ---------------------------------------------------------------------------------


def _check_links(access: Access, data: dict[str, Any]) -> None:
    intervention, box = data.get("intervention"), data.get("chain_box")
    for row in (intervention, box):
        if row is not None and row.program_id != access.program.pk:
            raise ValidationError(_("Choose an intervention of this programme."))
    if box is not None:
        if intervention is None:
            data["intervention"] = box.intervention
        elif box.intervention_id != intervention.pk:
            raise ValidationError({"chain_box": _("This box belongs to another intervention.")})


@service
def indicator_create(
    *, access: Access, by: User, data: dict[str, Any], dimensions: list[Dimension] | None = None
) -> Indicator:
    data = dict(data)
    data.pop("dimensions", None)
    _check_links(access, data)
    indicator = tenant_record_create(model=Indicator, program=access.program, by=by, data=data)
    if dimensions:
        indicator.dimensions.set([d for d in dimensions if d.program_id == access.program.pk])
    return indicator


@service
def indicator_update(
    *,
    access: Access,
    indicator: Indicator,
    by: User,
    data: dict[str, Any],
    dimensions: list[Dimension] | None = None,
    expected_version: int | None = None,
) -> dict[str, list[Any]]:
    data = dict(data)
    data.pop("dimensions", None)
    if "intervention" in data or "chain_box" in data:
        data.setdefault("intervention", indicator.intervention)
        data.setdefault("chain_box", indicator.chain_box)
        _check_links(access, data)
    changes = tenant_record_update(instance=indicator, by=by, data=data, expected_version=expected_version)
    if dimensions is not None:
        indicator.dimensions.set([d for d in dimensions if d.program_id == access.program.pk])
    indicator_refresh(indicator=indicator)
    return changes


@service
def indicator_delete(*, indicator: Indicator, by: User) -> None:
    tenant_record_delete(instance=indicator, by=by)


# --- dimensions ---------------------------------------------------------------------------------


@service
def dimension_create(
    *, access: Access, by: User, name: str, categories: list[str], indicator: Indicator | None = None
) -> Dimension:
    names = [c.strip() for c in categories if c.strip()]
    if not names:
        raise ValidationError(_("Give the dimension at least one category."))
    if len({n.casefold() for n in names}) != len(names):
        raise ValidationError(_("Each category name may appear only once."))
    dimension = tenant_record_create(
        model=Dimension, program=access.program, by=by, data={"name": name.strip(), "indicator": indicator}
    )
    for position, category in enumerate(names):
        tenant_record_create(
            model=Category,
            program=access.program,
            by=by,
            data={"dimension": dimension, "name": category, "position": position},
        )
    if indicator is not None:
        indicator.dimensions.add(dimension)
    return dimension


@service
def category_add(*, dimension: Dimension, by: User, name: str) -> Category:
    name = name.strip()
    if Category.objects.filter(dimension=dimension, name__iexact=name).exists():
        raise ValidationError(_("This dimension already has the category “%(name)s”.") % {"name": name})
    position = Category.objects.filter(dimension=dimension).count()
    return tenant_record_create(
        model=Category,
        program=dimension.program,
        by=by,
        data={"dimension": dimension, "name": name, "position": position},
    )


@service
def dimension_delete(*, dimension: Dimension, by: User) -> None:
    if Measurement.objects.filter(category__dimension=dimension).exists():
        raise ValidationError(_("Measurements use this dimension's categories: delete them first."))
    tenant_record_delete(instance=dimension, by=by)


# --- targets and milestones ---------------------------------------------------------------------


@service
def target_set(*, indicator: Indicator, by: User, data: dict[str, Any]) -> Target:
    """Add a target or milestone, or change the value of the one already set for that period
    (and category): one of each kind per period."""
    existing = Target.objects.filter(
        indicator=indicator,
        kind=data.get("kind", TargetKind.TARGET),
        period_end=data["period_end"],
        category=data.get("category"),
    ).first()
    if existing is not None:
        tenant_record_update(instance=existing, by=by, data=data)
        target = existing
    else:
        target = tenant_record_create(
            model=Target, program=indicator.program, by=by, data={"indicator": indicator, **data}
        )
    indicator_refresh(indicator=indicator)
    return target


@service
def target_delete(*, target: Target, by: User) -> None:
    tenant_record_delete(instance=target, by=by)
    indicator_refresh(indicator=target.indicator)


# --- measurements -------------------------------------------------------------------------------


def _category_allowed(indicator: Indicator, category: Category | None) -> None:
    if category is None:
        return
    if (
        category.program_id != indicator.program_id
        or not indicator.dimensions.filter(pk=category.dimension_id).exists()
    ):
        raise ValidationError({"category": _("This indicator is not disaggregated by that category.")})


@service
def measurement_record(
    *, indicator: Indicator, by: User, data: dict[str, Any], refresh: bool = True
) -> tuple[Measurement, bool]:
    """Record the value of a period (and category): adds it, or updates the live one already there
    (one value per indicator, period end and category). Returns (measurement, created).
    An evidence file in `data["evidence"]` (an uploaded file) is stored with Django's storage."""
    data = dict(data)
    evidence = data.pop("evidence", None)
    category = data.get("category")
    _category_allowed(indicator, category)
    existing = (
        Measurement.objects.select_for_update(of=("self",))
        .filter(indicator=indicator, period_end=data["period_end"], category=category)
        .order_by("pk")
        .first()
    )
    if existing is not None:
        tenant_record_update(instance=existing, by=by, data=data)
        measurement, created = existing, False
    else:
        measurement = tenant_record_create(
            model=Measurement, program=indicator.program, by=by, data={"indicator": indicator, **data}
        )
        created = True
    if evidence:
        previous = measurement.evidence.name or None
        measurement.evidence.save(getattr(evidence, "name", "evidence"), evidence, save=False)
        Measurement.all_objects.filter(pk=measurement.pk).update(evidence=measurement.evidence.name)
        audit.record(
            program=indicator.program,
            actor=by,
            action=AuditAction.UPDATE,
            instance=measurement,
            changes={"evidence": [previous, measurement.evidence.name]},
        )
    if refresh:
        indicator_refresh(indicator=indicator)
    return measurement, created


@service
def measurement_delete(*, measurement: Measurement, by: User) -> None:
    tenant_record_delete(instance=measurement, by=by)
    indicator_refresh(indicator=measurement.indicator)


# --- partner benchmarks -------------------------------------------------------------------------


def _check_benchmark(access: Access, data: dict[str, Any]) -> None:
    organization, indicator = data.get("organization"), data.get("indicator")
    if organization is not None and organization.program_id != access.program.pk:
        raise ValidationError({"organization": _("Choose a partner of this programme.")})
    if indicator is not None and indicator.program_id != access.program.pk:
        raise ValidationError({"indicator": _("Choose an indicator of this programme.")})


@service
def benchmark_create(*, access: Access, by: User, data: dict[str, Any]) -> PartnerBenchmark:
    _check_benchmark(access, data)
    data = {**data, "status": BenchmarkStatus.PENDING}
    return tenant_record_create(model=PartnerBenchmark, program=access.program, by=by, data=data)


@service
def benchmark_update(
    *,
    access: Access,
    benchmark: PartnerBenchmark,
    by: User,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> dict[str, list[Any]]:
    _check_benchmark(access, data)
    data = {k: v for k, v in data.items() if k not in {"status", "status_note"}}
    return tenant_record_update(instance=benchmark, by=by, data=data, expected_version=expected_version)


@service
def benchmark_record_status(
    *, benchmark: PartnerBenchmark, status: str, note: str, by: User
) -> dict[str, list[Any]]:
    """Met, missed, waived (or back to pending): who recorded it and when is kept with it."""
    if status not in BenchmarkStatus.values:
        raise ValidationError(_("Unknown status."))
    changes = tenant_record_update(
        instance=benchmark, by=by, data={"status": status, "status_note": note.strip()}
    )
    if changes:
        PartnerBenchmark.all_objects.filter(pk=benchmark.pk).update(
            status_recorded_at=timezone.now(), status_recorded_by=by
        )
        benchmark.refresh_from_db(fields=["status_recorded_at", "status_recorded_by"])
    return changes


@service
def benchmark_delete(*, benchmark: PartnerBenchmark, by: User) -> None:
    tenant_record_delete(instance=benchmark, by=by)


def decimal_or_none(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))
