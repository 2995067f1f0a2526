"""Reads of the partner pillar. Each takes the Access first; partner users see only their own
organisation and the events it was invited to, never partnerships, notes or other partners."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from konbit.core.access import Access
from konbit.core.ids import is_id

from .engagement import LEDGER_DAYS, cost_share
from .models import (
    ENGAGED_SEGMENTS,
    EVENT_KINDS,
    Agreement,
    Attendance,
    Contact,
    DriverNote,
    EngagementScore,
    FollowUp,
    Initiative,
    InitiativeSupport,
    Interaction,
    Organization,
    Participation,
    Partnership,
    SegmentChange,
    SupportDirection,
    SupportEntry,
    ValueGained,
)
from .names import similar_names

ORG_SORTS = {
    "name": "name",
    "-name": "-name",
    "type": "type",
    "-type": "-type",
    "region": "region",
    "-region": "-region",
    "updated": "updated_at",
    "-updated": "-updated_at",
}


def get_one(qs: QuerySet[Any], pk: int) -> Any:
    try:
        return qs.get(pk=pk)
    except qs.model.DoesNotExist:
        raise Http404 from None


# --- organisations ------------------------------------------------------------------------------


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
    return qs.order_by(ORG_SORTS.get(sort, "name"), "pk")


def organization_get(*, access: Access, pk: int) -> Organization:
    return get_one(organization_list(access=access), pk)


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


def organization_names(*, access: Access, ids: Iterable[int]) -> dict[int, str]:
    """Names of the programme's organisations by id, those in the trash included (to name an organisation
    merged or deleted since someone wrote about it)."""
    return dict(
        Organization.all_objects.filter(program=access.program, pk__in=list(ids)).values_list("pk", "name")
    )


def organization_choices_without_partnership(*, access: Access) -> QuerySet[Organization]:
    """Organisations that may become partners: every one of the programme without a live partnership
    (never a partner, or its partnership is in the trash). A subquery, not
    ``exclude(partnerships__deleted_at__isnull=True)``: through a reverse relation that also drops the
    organisations that have no partnership at all."""
    live = Partnership.objects.filter(program=access.program).values("organization_id")
    return organization_choices(access=access).exclude(pk__in=live)


def organization_search(*, access: Access, query: str, limit: int = 20) -> list[Organization]:
    """Search-as-you-type for forms: name or acronym contains the query, partners first."""
    if len(query.strip()) < 2:
        return []
    qs = organization_choices(access=access).filter(Q(name__icontains=query) | Q(acronym__icontains=query))
    return list(
        qs.annotate(
            is_partner=Count("partnerships", filter=Q(partnerships__deleted_at__isnull=True))
        ).order_by("-is_partner", "name")[:limit]
    )


def organization_similar(
    *, access: Access, name: str, exclude_pk: int | None = None
) -> list[tuple[Organization, float]]:
    """Organisations whose name is the same or nearly so (case, accents, punctuation ignored)."""
    candidates = Organization.objects.filter(program=access.program)
    if exclude_pk:
        candidates = candidates.exclude(pk=exclude_pk)
    matches = similar_names(name, candidates.values_list("pk", "normalized_name"))
    found = Organization.objects.in_bulk([pk for pk, _score in matches])
    return [(found[pk], score) for pk, score in matches if pk in found]


# --- partnerships -------------------------------------------------------------------------------

PARTNER_SORTS = {
    "name": ("organization__name",),
    "-name": ("-organization__name",),
    "score": ("score", "organization__name"),
    "-score": ("-score", "organization__name"),
    "contact": ("last_contact_on", "organization__name"),
    "-contact": ("-last_contact_on", "organization__name"),
    "segment": ("segment", "organization__name"),
}


def partnership_list(
    *,
    access: Access,
    query: str = "",
    segment: str = "",
    type: str = "",
    facilitator: str = "",
    warning: str = "",
    sort: str = "name",
) -> QuerySet[Partnership]:
    qs = Partnership.objects.filter(program=access.program).select_related("organization", "facilitator")
    if query:
        qs = qs.filter(Q(organization__name__icontains=query) | Q(organization__acronym__icontains=query))
    if segment:
        qs = qs.filter(segment=segment)
    if type:
        qs = qs.filter(organization__type=type)
    if facilitator == "none":
        qs = qs.filter(facilitator__isnull=True)
    elif is_id(facilitator):
        qs = qs.filter(facilitator_id=int(facilitator))
    if warning == "any":
        qs = qs.exclude(warning_codes="")
    elif warning:
        qs = qs.filter(warning_codes__contains=f",{warning},")
    ordering = PARTNER_SORTS.get(sort, PARTNER_SORTS["name"])
    if ordering[0].lstrip("-") in {"score", "last_contact_on"}:
        field = ordering[0].lstrip("-")
        from django.db.models import F

        expr = (
            F(field).desc(nulls_last=True) if ordering[0].startswith("-") else F(field).asc(nulls_first=True)
        )
        return qs.order_by(expr, *ordering[1:], "pk")
    return qs.order_by(*ordering, "pk")


def partnership_get(*, access: Access, pk: int) -> Partnership:
    return get_one(
        Partnership.objects.filter(program=access.program).select_related("organization", "facilitator"), pk
    )


def partnership_for_organization(*, access: Access, organization: Organization) -> Partnership | None:
    if access.is_partner:
        return None
    return Partnership.objects.filter(program=access.program, organization=organization).first()


def partnership_scores(*, partnership: Partnership) -> list[EngagementScore]:
    return list(EngagementScore.objects.filter(partnership=partnership).order_by("month"))


def partnership_timeline(
    *, access: Access, partnership: Partnership, limit: int = 200
) -> list[dict[str, Any]]:
    """Interactions and segment changes of one partner, newest first."""
    interactions = (
        Participation.objects.filter(
            program=access.program,
            organization_id=partnership.organization_id,
            interaction__deleted_at__isnull=True,
        )
        .select_related("interaction")
        .order_by("-interaction__occurred_on", "-interaction_id")[:limit]
    )
    items: list[dict[str, Any]] = [
        {
            "date": p.interaction.occurred_on,
            "kind": "interaction",
            "interaction": p.interaction,
            "status": p.get_status_display(),
        }
        for p in interactions
    ]
    for change in SegmentChange.objects.filter(program=access.program, partnership=partnership):
        items.append({"date": change.changed_on, "kind": "segment", "change": change})
    items.sort(key=lambda item: item["date"], reverse=True)
    return items[:limit]


def facilitator_choices(*, access: Access) -> list[tuple[int, str]]:
    from konbit.core.models import Membership
    from konbit.core.roles import Role

    members = Membership.objects.filter(
        program=access.program, role__in=[Role.OWNER, Role.FACILITATOR, Role.MEL]
    ).select_related("user")
    return sorted(((m.user_id, m.user.get_full_name() or m.user.email) for m in members), key=lambda x: x[1])


# --- interactions -------------------------------------------------------------------------------


def interaction_list(
    *,
    access: Access,
    kind: str = "",
    organization: int | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    query: str = "",
) -> QuerySet[Interaction]:
    qs = Interaction.objects.filter(program=access.program)
    if kind == "events":
        qs = qs.filter(kind__in=EVENT_KINDS)
    elif kind:
        qs = qs.filter(kind=kind)
    if organization:
        qs = qs.filter(participations__organization_id=organization)
    if since:
        qs = qs.filter(occurred_on__gte=since)
    if until:
        qs = qs.filter(occurred_on__lte=until)
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(notes__icontains=query) | Q(topics__icontains=query))
    # Counted per row by correlated subqueries, so the database only counts the rows of the page it
    # returns (a GROUP BY over every interaction measured 0.4 s at 15,000 interactions).
    participants = Participation.objects.filter(interaction=OuterRef("pk")).order_by().values("interaction")
    return qs.annotate(
        organization_count=_subquery_count(participants),
        attended_count=_subquery_count(participants.filter(status=Attendance.ATTENDED)),
    ).order_by("-occurred_on", "-id")


def _subquery_count(rows: QuerySet[Any]) -> Coalesce:
    counted = rows.annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def interaction_get(*, access: Access, pk: int) -> Interaction:
    qs = Interaction.objects.filter(program=access.program).prefetch_related(
        Prefetch(
            "participations",
            queryset=Participation.objects.select_related("organization").order_by("organization__name"),
        ),
        "facilitators",
        "follow_ups__owner",
        "contacts",
    )
    return get_one(qs, pk)


def invitations_of_partner(*, access: Access) -> QuerySet[Participation]:
    """The events a partner user's organisation was invited to (title, date, place and its own status)."""
    if not access.is_partner:
        return Participation.objects.none()
    return (
        Participation.objects.filter(
            program=access.program,
            organization_id=access.membership.organization_id or 0,
            interaction__kind__in=EVENT_KINDS,
            interaction__deleted_at__isnull=True,
        )
        .select_related("interaction")
        .order_by("-interaction__occurred_on")
    )


# --- follow-ups ---------------------------------------------------------------------------------


def followup_list(*, access: Access, owner_id: int | None = None, state: str = "open") -> QuerySet[FollowUp]:
    qs = FollowUp.objects.filter(program=access.program).select_related(
        "organization", "owner", "interaction"
    )
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    if state == "open":
        qs = qs.filter(done_on__isnull=True)
    elif state == "done":
        qs = qs.filter(done_on__isnull=False)
    return qs.order_by("due_on", "id")


def followup_get(*, access: Access, pk: int) -> FollowUp:
    return get_one(FollowUp.objects.filter(program=access.program).select_related("organization"), pk)


# --- initiatives --------------------------------------------------------------------------------


def initiative_list(*, access: Access) -> QuerySet[Initiative]:
    return Initiative.objects.filter(program=access.program).annotate(
        partner_count=Count("supports", filter=Q(supports__deleted_at__isnull=True))
    )


def initiative_get(*, access: Access, pk: int) -> Initiative:
    return get_one(Initiative.objects.filter(program=access.program), pk)


def overlap_matrix(*, access: Access) -> dict[str, Any]:
    """Initiatives × partner organisations they support (only organisations that are our partners)."""
    initiatives = list(Initiative.objects.filter(program=access.program).order_by("name"))
    partner_org_ids = set(
        Partnership.objects.filter(program=access.program).values_list("organization_id", flat=True)
    )
    supports = InitiativeSupport.objects.filter(
        program=access.program, organization_id__in=partner_org_ids, initiative__deleted_at__isnull=True
    ).select_related("organization")
    cells: dict[tuple[int, int], str] = {}
    organizations: dict[int, Organization] = {}
    for s in supports:
        cells[(s.organization_id, s.initiative_id)] = s.how or "✓"
        organizations[s.organization_id] = s.organization
    rows: list[dict[str, Any]] = []
    for org in sorted(organizations.values(), key=lambda o: o.name):
        row_cells = [cells.get((org.pk, i.pk)) for i in initiatives]
        rows.append({"organization": org, "cells": row_cells, "count": sum(c is not None for c in row_cells)})
    rows.sort(key=lambda r: (-r["count"], r["organization"].name))
    return {"initiatives": initiatives, "rows": rows}


# --- a partnership's own rows -------------------------------------------------------------------


def partnership_ledger(*, access: Access, partnership: Partnership) -> dict[str, Any]:
    """Support given and co-investment received: totals and shares over the last twelve months (the
    window the early warning uses), and the same per calendar year."""
    entries = SupportEntry.objects.filter(program=access.program, partnership=partnership)
    since = timezone.localdate() - datetime.timedelta(days=LEDGER_DAYS)
    sums = dict(
        entries.filter(occurred_on__gt=since)
        .values("direction")
        .annotate(total=Sum("value"))
        .order_by()
        .values_list("direction", "total")
    )
    given = sums.get(SupportDirection.GIVEN) or Decimal(0)
    put_in = sums.get(SupportDirection.CONTRIBUTED) or Decimal(0)
    by_year: dict[int, dict[str, Decimal]] = {}
    for row in entries.values("occurred_on__year", "direction").annotate(total=Sum("value")).order_by():
        by_year.setdefault(row["occurred_on__year"], {})[row["direction"]] = row["total"]
    years = []
    for year, amounts in sorted(by_year.items(), reverse=True):
        year_given = amounts.get(SupportDirection.GIVEN, Decimal(0))
        year_put_in = amounts.get(SupportDirection.CONTRIBUTED, Decimal(0))
        years.append(
            {"year": year, "given": year_given, "put_in": year_put_in, **cost_share(year_given, year_put_in)}
        )
    return {"given": given, "put_in": put_in, "years": years, **cost_share(given, put_in)}


def partnership_rows(*, access: Access, partnership: Partnership) -> dict[str, Any]:
    """What the partner page lists under a partnership (each a queryset of this programme)."""
    own = {"program": access.program, "partnership": partnership}
    return {
        "drivers": DriverNote.objects.filter(**own).select_related("interaction"),
        "agreements": Agreement.objects.filter(**own),
        "support": SupportEntry.objects.filter(**own),
        "value_gained": ValueGained.objects.filter(**own),
        "initiatives": InitiativeSupport.objects.filter(
            program=access.program, organization=partnership.organization, initiative__deleted_at__isnull=True
        ).select_related("initiative"),
        "follow_ups": followup_list(access=access, state="all").filter(organization=partnership.organization),
    }


def partnership_child_get(*, access: Access, partnership: Partnership, model: type[Any], pk: int) -> Any:
    """An agreement, driver note, ledger line or value-gained row of this partnership."""
    return get_one(model.objects.filter(program=access.program, partnership=partnership), pk)


def contact_list(*, access: Access, organization: Organization) -> QuerySet[Contact]:
    return Contact.objects.filter(program=access.program, organization=organization)


def initiative_supports(*, access: Access, initiative: Initiative) -> QuerySet[InitiativeSupport]:
    return InitiativeSupport.objects.filter(program=access.program, initiative=initiative).select_related(
        "organization"
    )


def engaged_partner_organizations(*, access: Access) -> QuerySet[Organization]:
    """Organisations whose partnership is in an engaged segment (for 'invite every engaged partner')."""
    return Organization.objects.filter(
        program=access.program,
        pk__in=Partnership.objects.filter(program=access.program, segment__in=ENGAGED_SEGMENTS).values(
            "organization_id"
        ),
    )


def interactions_by_kind(*, access: Access, start: datetime.date, end: datetime.date) -> dict[str, int]:
    """How many live interactions of each kind fall in the period (read from the date-and-kind index)."""
    rows = (
        Interaction.objects.filter(program=access.program, occurred_on__gte=start, occurred_on__lte=end)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)


def best_attended(
    *, access: Access, start: datetime.date, end: datetime.date, limit: int = 10
) -> list[tuple[Interaction, int]]:
    """The period's interactions with the most partners marked as attending, most first (then the latest,
    then by id): grouped from the attendance rows, then only those interactions read."""
    attended = dict(
        Participation.objects.filter(
            program=access.program,
            status=Attendance.ATTENDED,
            interaction__deleted_at__isnull=True,
            interaction__occurred_on__gte=start,
            interaction__occurred_on__lte=end,
        )
        .values_list("interaction_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "-interaction__occurred_on", "interaction_id")[:limit]
    )
    found = Interaction.objects.filter(program=access.program, pk__in=list(attended))
    ranked = sorted(found, key=lambda i: (-attended[i.pk], -i.occurred_on.toordinal(), i.pk))
    return [(interaction, attended[interaction.pk]) for interaction in ranked]


# --- offline capture (decision 9) ---------------------------------------------------------------


def organization_offline_list(*, access: Access) -> list[dict[str, Any]]:
    """The organisations the quick log can choose, as the browser keeps them for searching offline:
    id, name, acronym and whether a partnership exists. One query, names only (no notes)."""
    partnered = Partnership.objects.filter(program=access.program, organization=OuterRef("pk"))
    rows = (
        organization_choices(access=access)
        .annotate(is_partner=Exists(partnered))
        .values_list("pk", "name", "acronym", "is_partner")
    )
    return [
        {"id": pk, "name": name, "acronym": acronym, "partner": partner}
        for pk, name, acronym, partner in rows
    ]


def interaction_for_client_uuid(*, access: Access, client_uuid: Any) -> Interaction | None:
    """The interaction logged under a browser's client id in this programme, even in the trash."""
    return Interaction.all_objects.filter(program=access.program, client_uuid=client_uuid).first()


def events_near(*, access: Access, day: datetime.date, days: int = 30, limit: int = 20) -> list[Interaction]:
    """Events from `days` before to `days` after `day`, nearest first: the attendance sheets a
    facilitator may need to fill in offline."""
    qs = Interaction.objects.filter(
        program=access.program,
        kind__in=EVENT_KINDS,
        occurred_on__range=(day - datetime.timedelta(days=days), day + datetime.timedelta(days=days)),
    ).only("pk", "occurred_on")[:500]  # a bound, however busy the calendar
    return sorted(qs, key=lambda i: abs((i.occurred_on - day).days))[:limit]
