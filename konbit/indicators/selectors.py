"""Reads of the indicators app. Each takes the Access first and raises 404 for "not found" and
"not yours" alike. Partner users see partner benchmarks of their own organisation only, and nothing
else of this app (the role table keeps them off the indicator pages)."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404

from konbit.core.access import Access
from konbit.core.ids import is_id
from konbit.partners.models import Organization, Partnership
from konbit.results.models import ChainBox, Intervention

from .models import Category, Dimension, Indicator, Measurement, PartnerBenchmark, Target


def get_one(qs: QuerySet[Any], pk: int) -> Any:
    try:
        return qs.get(pk=pk)
    except qs.model.DoesNotExist:
        raise Http404 from None


# --- indicators ---------------------------------------------------------------------------------

INDICATOR_SORTS: dict[str, tuple[Any, ...]] = {
    "name": ("name",),
    "-name": ("-name",),
    "code": ("code", "name"),
    "-code": ("-code", "name"),
    "type": ("type", "name"),
    "-type": ("-type", "name"),
    "progress": (F("progress").asc(nulls_first=True), "name"),
    "-progress": (F("progress").desc(nulls_last=True), "name"),
    "status": ("status", "name"),
    "-status": ("-status", "name"),
}


def indicator_list(
    *,
    access: Access,
    query: str = "",
    type: str = "",
    intervention: str = "",
    status: str = "",
    sort: str = "code",
) -> QuerySet[Indicator]:
    if access.is_partner:
        return Indicator.objects.none()
    qs = Indicator.objects.filter(program=access.program).select_related("intervention", "chain_box")
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(code__icontains=query) | Q(definition__icontains=query))
    if type:
        qs = qs.filter(type=type)
    if intervention == "none":
        qs = qs.filter(intervention__isnull=True)
    elif is_id(intervention):
        qs = qs.filter(intervention_id=int(intervention))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by(*INDICATOR_SORTS.get(sort, INDICATOR_SORTS["code"]), "pk")


def indicator_get(*, access: Access, pk: int) -> Indicator:
    return get_one(indicator_list(access=access), pk)


def indicator_choices(*, access: Access) -> QuerySet[Indicator]:
    if access.is_partner:
        return Indicator.objects.none()
    return Indicator.objects.filter(program=access.program).order_by("code", "name")


def intervention_choices(*, access: Access) -> QuerySet[Intervention]:
    return Intervention.objects.filter(program=access.program).order_by("title")


def chain_box_choices(*, access: Access) -> QuerySet[ChainBox]:
    return (
        ChainBox.objects.filter(program=access.program, intervention__deleted_at__isnull=True)
        .select_related("intervention")
        .order_by("intervention__title", "level", "position", "pk")
    )


# --- dimensions ---------------------------------------------------------------------------------


def dimension_list(*, access: Access) -> QuerySet[Dimension]:
    return (
        Dimension.objects.filter(program=access.program)
        .select_related("indicator")
        .prefetch_related(Prefetch("categories", queryset=Category.objects.order_by("position", "pk")))
        .order_by("name", "pk")
    )


def dimension_get(*, access: Access, pk: int) -> Dimension:
    return get_one(dimension_list(access=access), pk)


def dimension_choices(*, access: Access, indicator: Indicator | None = None) -> QuerySet[Dimension]:
    """Programme-wide dimensions, and those defined for this indicator."""
    own = Q(indicator=indicator) if indicator is not None and indicator.pk else Q(pk__in=[])
    return Dimension.objects.filter(program=access.program).filter(Q(indicator__isnull=True) | own)


def category_choices(*, access: Access, indicator: Indicator) -> QuerySet[Category]:
    """The categories a measurement of this indicator may have."""
    return (
        Category.objects.filter(program=access.program, dimension__in=indicator.dimensions.all())
        .select_related("dimension")
        .order_by("dimension__name", "position", "pk")
    )


def category_choices_all(*, access: Access) -> QuerySet[Category]:
    """Every category of the programme (the stand-alone entry form checks it fits the indicator)."""
    return (
        Category.objects.filter(program=access.program, dimension__deleted_at__isnull=True)
        .select_related("dimension")
        .order_by("dimension__name", "position", "pk")
    )


# --- targets and measurements -------------------------------------------------------------------


def target_list(*, access: Access, indicator: Indicator) -> QuerySet[Target]:
    return (
        Target.objects.filter(program=access.program, indicator=indicator)
        .select_related("category", "category__dimension")
        .order_by("period_end", "kind", "category__position", "pk")
    )


def target_get(*, access: Access, pk: int) -> Target:
    if access.is_partner:
        raise Http404
    return get_one(
        Target.objects.filter(program=access.program, indicator__deleted_at__isnull=True).select_related(
            "indicator"
        ),
        pk,
    )


def measurement_list(*, access: Access, indicator: Indicator | None = None) -> QuerySet[Measurement]:
    if access.is_partner:
        return Measurement.objects.none()
    qs = Measurement.objects.filter(program=access.program, indicator__deleted_at__isnull=True)
    if indicator is not None:
        qs = qs.filter(indicator=indicator)
    return qs.select_related("indicator", "category", "category__dimension").order_by(
        "indicator__code", "indicator__name", "indicator_id", "period_end", "category__position", "pk"
    )


def measurement_get(*, access: Access, pk: int) -> Measurement:
    return get_one(measurement_list(access=access), pk)


# --- partner benchmarks -------------------------------------------------------------------------


def benchmark_list(
    *, access: Access, organization: Organization | None = None, status: str = "", query: str = ""
) -> QuerySet[PartnerBenchmark]:
    """A partner user sees its own organisation's benchmarks, and nothing of other partners."""
    qs = PartnerBenchmark.objects.filter(
        program=access.program, organization__deleted_at__isnull=True
    ).select_related("organization", "indicator", "status_recorded_by")
    if access.is_partner:
        qs = qs.filter(organization_id=access.membership.organization_id)
    if organization is not None:
        qs = qs.filter(organization=organization)
    if status:
        qs = qs.filter(status=status)
    if query:
        qs = qs.filter(
            Q(description__icontains=query)
            | Q(incentive__icontains=query)
            | Q(organization__name__icontains=query)
        )
    return qs.order_by("due_on", "organization__name", "pk")


def benchmark_get(*, access: Access, pk: int) -> PartnerBenchmark:
    return get_one(benchmark_list(access=access), pk)


def benchmark_organization(*, access: Access, pk: int) -> Organization:
    """An organisation whose benchmarks this member may list (a partner user: its own only)."""
    qs = Organization.objects.filter(program=access.program)
    if access.is_partner:
        qs = qs.filter(pk=access.membership.organization_id)
    return get_one(qs, pk)


def partner_organizations(*, access: Access) -> QuerySet[Organization]:
    """Organisations with a live partnership: the ones a benchmark can be agreed with."""
    partnered = Partnership.objects.filter(program=access.program).values("organization_id")
    return Organization.objects.filter(program=access.program, pk__in=partnered).order_by("name")
