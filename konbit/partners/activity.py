"""Load the plain data the engagement functions need, for many partnerships in a few queries."""

from __future__ import annotations

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


def load_activities(*, program: Program, partnerships: list[Partnership]) -> dict[int, Activity]:
    by_org = {p.organization_id: p.pk for p in partnerships}
    activities = {p.pk: Activity() for p in partnerships}
    if not partnerships:
        return activities
    org_ids = list(by_org)
    participations = (
        Participation.objects.filter(
            program=program, organization_id__in=org_ids, interaction__deleted_at__isnull=True
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
        activity = activities[by_org[org_id]]
        if kind in EVENT_KINDS:
            activity.invitations.append((day, status))
        if status == Attendance.ATTENDED:
            activity.contacts.append((day, kind in ONE_TO_ONE_KINDS))
            if sentiment is not None:
                activity.sentiments.append((day, sentiment))
    followups = FollowUp.objects.filter(program=program, organization_id__in=org_ids).values_list(
        "organization_id", "due_on", "done_on"
    )
    for org_id, due, done in followups.order_by():
        activities[by_org[org_id]].followups.append((due, done))
    ledger = SupportEntry.objects.filter(program=program, partnership_id__in=list(activities)).values_list(
        "partnership_id", "occurred_on", "direction", "value"
    )
    for pk, day, direction, value in ledger.order_by():
        activities[pk].ledger.append((day, direction, value))
    return activities
