"""The indicators JSON API, on the same rules as the pages: each operation declares its Action with
`auth=ProgramAuth(Action.X)` (token, membership and role checked before the input is read); row
limits stay in the selectors (a partner token sees only its own organisation's benchmarks, and gets
404 on everything else of this app); every write goes through services.py."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from konbit.api.auth import ProgramAuth, program_access
from konbit.api.schemas import (
    body_responses,
    conflict,
    conflict_of,
    created_links,
    invalid,
    page_of,
    responses,
    selected,
    unprocessable,
)
from konbit.core.access import Access, acting_user
from konbit.core.api import PageParams
from konbit.core.numbers import Id
from konbit.core.roles import Action
from konbit.core.services import ConflictError

from . import selectors, services
from .models import Indicator, Measurement
from .periods import parse_period
from .schemas import (
    BenchmarkFilters,
    BenchmarkOut,
    BenchmarkPage,
    CategoryProgressOut,
    IndicatorFilters,
    IndicatorIn,
    IndicatorOut,
    IndicatorPage,
    IndicatorPatch,
    MeasurementIn,
    MeasurementOut,
    MeasurementPage,
    PointOut,
    ProgressOut,
)

router = Router(tags=["indicators"])


def _indicator_out(indicator: Indicator) -> IndicatorOut:
    return IndicatorOut(
        id=indicator.pk,
        name=indicator.name,
        code=indicator.code,
        definition=indicator.definition,
        unit=indicator.unit,
        type=indicator.type,
        intervention_id=indicator.intervention_id,
        chain_box_id=indicator.chain_box_id,
        target_mode=indicator.target_mode,
        aggregation=indicator.aggregation,
        direction=indicator.direction,
        baseline_value=indicator.baseline_value,
        baseline_date=indicator.baseline_date,
        data_source=indicator.data_source,
        collection_method=indicator.collection_method,
        dimension_ids=sorted(d.pk for d in indicator.dimensions.all()),
        status=indicator.status,
        progress=indicator.progress,
        achieved=indicator.achieved,
        version=indicator.version,
        updated_at=indicator.updated_at,
    )


def _measurement_out(m: Measurement) -> MeasurementOut:
    return MeasurementOut(
        id=m.pk,
        indicator_id=m.indicator_id,
        period_label=m.period_label,
        period_start=m.period_start,
        period_end=m.period_end,
        category_id=m.category_id,
        category=f"{m.category.dimension.name}: {m.category.name}" if m.category else None,
        value=m.value,
        evidence_link=m.evidence_link,
        has_evidence_file=bool(m.evidence),
        note=m.note,
        version=m.version,
    )


def _indicator(access: Access, pk: int) -> Indicator:
    return selected(selectors.indicator_get, access=access, pk=pk)


@router.get(
    "/{slug}/indicators",
    auth=ProgramAuth(Action.INDICATOR_VIEW),
    response=responses(IndicatorPage),
    summary="Indicators of a programme",
)
def list_indicators(request: HttpRequest, slug: str, filters: Query[IndicatorFilters]) -> IndicatorPage:
    access = program_access(request)
    qs = selectors.indicator_list(
        access=access,
        query=filters.q,
        type=filters.type or "",
        intervention=str(filters.intervention or ""),
        status=filters.status or "",
    ).prefetch_related("dimensions")
    count, rows, next_offset = page_of(qs, filters)
    return IndicatorPage(count=count, next_offset=next_offset, items=[_indicator_out(i) for i in rows])


@router.get(
    "/{slug}/indicators/{pk}",
    auth=ProgramAuth(Action.INDICATOR_VIEW),
    response=responses(IndicatorOut),
    summary="One indicator",
)
def get_indicator(request: HttpRequest, slug: str, pk: Id) -> IndicatorOut:
    return _indicator_out(_indicator(program_access(request), pk))


def _links(access: Access, payload: IndicatorIn) -> dict[str, Any] | None:
    data: dict[str, Any] = {"intervention": None, "chain_box": None}
    if payload.intervention_id is not None:
        data["intervention"] = (
            selectors.intervention_choices(access=access).filter(pk=payload.intervention_id).first()
        )
        if data["intervention"] is None:
            return None
    if payload.chain_box_id is not None:
        data["chain_box"] = selectors.chain_box_choices(access=access).filter(pk=payload.chain_box_id).first()
        if data["chain_box"] is None:
            return None
    return data


@router.post(
    "/{slug}/indicators",
    auth=ProgramAuth(Action.INDICATOR_CHANGE),
    response=body_responses(IndicatorOut, status=201),
    summary="Add an indicator",
    openapi_extra=created_links(
        GetIndicator="konbit_indicators_api_get_indicator",
        UpdateIndicator="konbit_indicators_api_update_indicator",
        ListMeasurements="konbit_indicators_api_list_measurements",
        RecordMeasurement="konbit_indicators_api_create_measurement",
        Progress="konbit_indicators_api_indicator_progress",
    ),
)
def create_indicator(request: HttpRequest, slug: str, payload: IndicatorIn) -> Status[Any]:
    access = program_access(request)
    links = _links(access, payload)
    if links is None:
        return unprocessable({"": [_("Unknown intervention or results chain box.")]})
    dimensions = list(selectors.dimension_choices(access=access).filter(pk__in=payload.dimension_ids))
    if len(dimensions) != len(set(payload.dimension_ids)):
        return unprocessable({"dimension_ids": [_("Unknown dimension.")]})
    data = payload.model_dump(exclude={"intervention_id", "chain_box_id", "dimension_ids"})
    try:
        indicator = services.indicator_create(
            access=access, by=acting_user(request), data={**data, **links}, dimensions=dimensions
        )
    except ValidationError as exc:
        return invalid(exc)
    return Status(201, _indicator_out(indicator))


@router.patch(
    "/{slug}/indicators/{pk}",
    auth=ProgramAuth(Action.INDICATOR_CHANGE),
    response={**body_responses(IndicatorOut), 409: conflict_of(IndicatorOut)},
    summary="Change an indicator (409 with the stored record when `version` is stale)",
)
def update_indicator(request: HttpRequest, slug: str, pk: Id, payload: IndicatorPatch) -> Status[Any]:
    access = program_access(request)
    indicator = _indicator(access, pk)
    data = payload.model_dump(exclude_unset=True, exclude={"version"})
    data = {k: v for k, v in data.items() if v is not None or k in {"baseline_value", "baseline_date"}}
    try:
        services.indicator_update(
            access=access,
            indicator=indicator,
            by=acting_user(request),
            data=data,
            expected_version=payload.version,
        )
    except ConflictError:
        return conflict(_indicator_out(_indicator(access, pk)), sent_version=payload.version)
    except ValidationError as exc:
        return invalid(exc)
    return Status(200, _indicator_out(_indicator(access, pk)))


@router.get(
    "/{slug}/indicators/{pk}/measurements",
    auth=ProgramAuth(Action.INDICATOR_VIEW),
    response=responses(MeasurementPage),
    summary="Measurements of an indicator",
)
def list_measurements(request: HttpRequest, slug: str, pk: Id, page: Query[PageParams]) -> MeasurementPage:
    access = program_access(request)
    indicator = _indicator(access, pk)
    count, rows, next_offset = page_of(selectors.measurement_list(access=access, indicator=indicator), page)
    return MeasurementPage(count=count, next_offset=next_offset, items=[_measurement_out(m) for m in rows])


@router.post(
    "/{slug}/indicators/{pk}/measurements",
    auth=ProgramAuth(Action.MEASUREMENT_ENTER),
    response={**body_responses(MeasurementOut, status=201), 200: MeasurementOut},
    summary="Record a measurement (the value of a period and category replaces one already there)",
)
def create_measurement(request: HttpRequest, slug: str, pk: Id, payload: MeasurementIn) -> Status[Any]:
    access = program_access(request)
    indicator = _indicator(access, pk)
    data = payload.model_dump(exclude={"category_id"})
    parsed = parse_period(payload.period_label) if payload.period_label else None
    if parsed:
        data["period_start"] = data["period_start"] or parsed[0]
        data["period_end"] = data["period_end"] or parsed[1]
    if data["period_end"] is None:
        return unprocessable(
            {"period_end": [_("Give the period's end date, or a period such as 2025-Q2 or 2025.")]}
        )
    category = None
    if payload.category_id is not None:
        category = (
            selectors.category_choices(access=access, indicator=indicator)
            .filter(pk=payload.category_id)
            .first()
        )
        if category is None:
            return unprocessable(
                {"category_id": [_("This indicator is not disaggregated by that category.")]}
            )
    try:
        measurement, created = services.measurement_record(
            indicator=indicator, by=acting_user(request), data={**data, "category": category}
        )
    except ValidationError as exc:
        return invalid(exc)
    measurement = selected(selectors.measurement_get, access=access, pk=measurement.pk)
    return Status(201 if created else 200, _measurement_out(measurement))


@router.get(
    "/{slug}/indicators/{pk}/progress",
    auth=ProgramAuth(Action.INDICATOR_VIEW),
    response=responses(ProgressOut),
    summary="Progress to target of an indicator (rules in konbit/indicators/progress.py)",
)
def indicator_progress(request: HttpRequest, slug: str, pk: Id) -> ProgressOut:
    indicator = _indicator(program_access(request), pk)
    result = services.indicator_progress(indicator)
    return ProgressOut(
        indicator_id=indicator.pk,
        period_end=result.period_end,
        period_label=result.period_label,
        achieved=result.achieved,
        target=result.target,
        target_label=result.target_label,
        expected=result.expected,
        progress=result.progress,
        status=result.status,
        points=[PointOut(**p.__dict__) for p in result.points],
        categories=[
            CategoryProgressOut(
                category_id=c.category,
                achieved=c.achieved,
                target=c.target,
                progress=c.progress,
                share=c.share,
            )
            for c in result.categories.values()
        ],
    )


@router.get(
    "/{slug}/partner-benchmarks",
    auth=ProgramAuth(Action.BENCHMARK_VIEW),
    response=responses(BenchmarkPage),
    summary="Partner benchmarks (a partner token: its own organisation's only)",
)
def list_benchmarks(request: HttpRequest, slug: str, filters: Query[BenchmarkFilters]) -> BenchmarkPage:
    access = program_access(request)
    organization = (
        selected(selectors.benchmark_organization, access=access, pk=filters.organization)
        if filters.organization
        else None
    )
    qs = selectors.benchmark_list(access=access, organization=organization, status=filters.status or "")
    count, rows, next_offset = page_of(qs, filters)
    return BenchmarkPage(
        count=count,
        next_offset=next_offset,
        items=[
            BenchmarkOut(
                id=b.pk,
                organization_id=b.organization_id,
                organization_name=b.organization.name,
                indicator_id=b.indicator_id,
                description=b.description,
                target_value=b.target_value,
                incentive=b.incentive,
                due_on=b.due_on,
                status=b.status,
                status_note=b.status_note,
                status_recorded_at=b.status_recorded_at,
            )
            for b in rows
        ],
    )
