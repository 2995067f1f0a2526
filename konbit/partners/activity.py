"""Load the plain data the engagement functions need, for many partnerships in a few queries."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from konbit.core.models import Program

from .engagement import Activity
from .models import (
    EVENT_KINDS,
    ONE_TO_ONE_KINDS,
    Attendance,
    FollowUp,
    Participation,
    Partnership,
    SupportEntry,
)


def load_activities(
    *, program: Program, partnerships: list[Partnership], everyone: bool = False
) -> dict[int, Activity]:
    """`everyone`: the partnerships are all of the programme's, so rows are read by programme alone
    (no list of thousands of ids for the database to match)."""
    by_org = {p.organization_id: p.pk for p in partnerships}
    activities = {p.pk: Activity() for p in partnerships}
    if not partnerships:
        return activities
    org_ids = list(by_org)
    participations = (
        _limited(
            Participation.objects.filter(program=program, interaction__deleted_at__isnull=True),
            "organization_id",
            org_ids,
            everyone,
        )
        .values_list(
            "organization_id",
            "status",
            "interaction__occurred_on",
            "interaction__kind",
            "interaction__sentiment",
        )
        .order_by()
    )
    for org_id, status, day, kind, sentiment in participations:
        partnership_id = by_org.get(org_id)
        if partnership_id is None:  # an organisation that is not (or no longer) a partner
            continue
        activity = activities[partnership_id]
        if kind in EVENT_KINDS:
            activity.invitations.append((day, status))
        if status == Attendance.ATTENDED:
            activity.contacts.append((day, kind in ONE_TO_ONE_KINDS))
            if sentiment is not None:
                activity.sentiments.append((day, sentiment))
    followups = _limited(FollowUp.objects.filter(program=program), "organization_id", org_ids, everyone)
    for org_id, due, done in followups.values_list("organization_id", "due_on", "done_on").order_by():
        if org_id in by_org:
            activities[by_org[org_id]].followups.append((due, done))
    ledger = _limited(
        SupportEntry.objects.filter(program=program), "partnership_id", list(activities), everyone
    )
    for pk, day, direction, value in ledger.values_list(
        "partnership_id", "occurred_on", "direction", "value"
    ).order_by():
        if pk in activities:
            activities[pk].ledger.append((day, direction, value))
    return activities


def _limited(rows: QuerySet[Any], field: str, ids: list[int], everyone: bool) -> QuerySet[Any]:
    return rows if everyone else rows.filter(**{f"{field}__in": ids})
