from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from konbit.core.access import Access

from .models import Organization

SORTS = {
    "name": "name",
    "-name": "-name",
    "type": "type",
    "-type": "-type",
    "region": "region",
    "-region": "-region",
    "updated": "updated_at",
    "-updated": "-updated_at",
}


def organization_list(
    *, access: Access, query: str = "", type: str = "", region: str = "", sort: str = "name"
) -> QuerySet[Organization]:
    """Organisations this member may see: all of the programme's for staff, only its own for a partner."""
    qs = Organization.objects.filter(program=access.program)
    if access.is_partner:
        qs = qs.filter(pk=access.membership.organization_id)
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(acronym__icontains=query) | Q(town__icontains=query))
    if type:
        qs = qs.filter(type=type)
    if region:
        qs = qs.filter(region=region)
    return qs.order_by(SORTS.get(sort, "name"), "pk")


def organization_get(*, access: Access, pk: int) -> Organization:
    try:
        return organization_list(access=access).get(pk=pk)
    except Organization.DoesNotExist:
        raise Http404 from None


def organization_regions(*, access: Access) -> list[str]:
    return list(
        Organization.objects.filter(program=access.program)
        .exclude(region="")
        .order_by("region")
        .values_list("region", flat=True)
        .distinct()
    )


def organization_choices(*, access: Access) -> QuerySet[Organization]:
    """For pickers (e.g. the organisation a partner user speaks for)."""
    return Organization.objects.filter(program=access.program).order_by("name")
