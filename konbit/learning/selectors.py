"""Reads of the learning app. Each takes the Access first and raises 404 for "not found" and "not
yours" alike. Lessons, the communication plan and the report are the team's (no partner user)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from konbit.core.access import Access
from konbit.core.models import Membership
from konbit.core.roles import Action, Role

from . import search
from .models import Communication, CommunicationSending, Lesson, LessonStatus

LESSON_SORTS = {
    "newest": ("-learned_on", "-pk"),
    "oldest": ("learned_on", "pk"),
    "title": ("title", "pk"),
    "-title": ("-title", "-pk"),
}
# The tag that lessons about keeping partners on board carry; a partner with an early warning shows them.
ENGAGEMENT_TAG = "partner engagement"


def _get(qs: QuerySet[Any], pk: int) -> Any:
    try:
        return qs.get(pk=pk)
    except qs.model.DoesNotExist:
        raise Http404 from None


def _staff_only(access: Access, action: Action) -> None:
    if access.is_partner or not access.can(action):
        raise Http404


# --- lessons --------------------------------------------------------------------------------------


def lesson_list(
    *,
    access: Access,
    query: str = "",
    tag: str = "",
    phase: str = "",
    organization: int | None = None,
    intervention: int | None = None,
    status: str = "",
    sort: str = "",
) -> QuerySet[Lesson]:
    """The programme's lessons, filtered. With a query they are ranked by relevance unless another
    sort is asked for; `search_rank` is then set on each row."""
    _staff_only(access, Action.LESSON_VIEW)
    qs = Lesson.objects.filter(program=access.program)
    if tag:
        qs = qs.filter(tag_index__contains="," + tag.strip().lower() + ",")
    if phase:
        qs = qs.filter(phases__contains="," + phase + ",")
    if organization:
        qs = qs.filter(organizations=organization)
    if intervention:
        qs = qs.filter(interventions=intervention)
    if status:
        qs = qs.filter(status=status)
    qs = qs.select_related("author")
    if search.query_words(query):
        qs = search.ranked(qs, query)
        if sort in LESSON_SORTS:
            qs = qs.order_by(*LESSON_SORTS[sort])
        return qs
    return qs.order_by(*LESSON_SORTS.get(sort, LESSON_SORTS["newest"]))


def lesson_search(*, access: Access, query: str, limit: int | None = None) -> list[Lesson]:
    """Lessons matching `query`, best first (each with `search_rank`); the same on SQLite and
    PostgreSQL (see search.py for what matches)."""
    qs = lesson_list(access=access, query=query)
    if not search.query_words(query):
        return []
    return list(qs[:limit] if limit else qs)


def lesson_get(*, access: Access, pk: int) -> Lesson:
    _staff_only(access, Action.LESSON_VIEW)
    qs = (
        Lesson.objects.filter(program=access.program)
        .select_related("author", "created_by", "updated_by")
        .prefetch_related("organizations", "interventions")
    )
    return _get(qs, pk)


def lesson_tags(*, access: Access) -> list[str]:
    """Every tag in use, for the filter (spelling of its first use)."""
    _staff_only(access, Action.LESSON_VIEW)
    tags: dict[str, str] = {}
    values = Lesson.objects.filter(program=access.program).exclude(tags="").values_list("tags", flat=True)
    for value in values:
        for tag in value.split(","):
            tag = tag.strip()
            if tag:
                tags.setdefault(tag.lower(), tag)
    return sorted(tags.values(), key=str.lower)


def lessons_related(
    access: Access,
    *,
    organization: Any = None,
    intervention: Any = None,
    phase: str | None = None,
    tags: Iterable[str] = (),
    limit: int = 5,
) -> list[Lesson]:
    """Published lessons that apply here: linked to the organisation or the intervention, about the
    phase, or carrying one of the tags. Those matching more of these come first, then the newest."""
    if access.is_partner or not access.can(Action.LESSON_VIEW):
        return []
    conditions: list[Q] = []
    organization_links = Lesson.organizations.through.objects
    intervention_links = Lesson.interventions.through.objects
    if organization is not None:
        conditions.append(
            Q(Exists(organization_links.filter(lesson=OuterRef("pk"), organization=organization)))
        )
    if intervention is not None:
        conditions.append(
            Q(Exists(intervention_links.filter(lesson=OuterRef("pk"), intervention=intervention)))
        )
    if phase:
        conditions.append(Q(phases__contains="," + phase + ","))
    for tag in tags:
        if tag.strip():
            conditions.append(Q(tag_index__contains="," + tag.strip().lower() + ","))
    if not conditions:
        return []
    any_condition = conditions[0]
    for condition in conditions[1:]:
        any_condition |= condition
    score: Any = Value(0)
    for condition in conditions:
        score = score + Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())
    qs = (
        Lesson.objects.filter(program=access.program, status=LessonStatus.PUBLISHED)
        .filter(any_condition)
        .annotate(relevance=score)
        .order_by("-relevance", "-learned_on", "-pk")
    )
    return list(qs[:limit])


def lessons_published_between(
    *, access: Access, start: datetime.date, end: datetime.date
) -> QuerySet[Lesson]:
    _staff_only(access, Action.LESSON_VIEW)
    return (
        Lesson.objects.filter(
            program=access.program,
            status=LessonStatus.PUBLISHED,
            published_on__gte=start,
            published_on__lte=end,
        )
        .select_related("author")
        .prefetch_related("organizations")
        .order_by("published_on", "pk")
    )


# --- communications -------------------------------------------------------------------------------

COMMUNICATION_SORTS = {
    "due": ("next_due_on", "title", "pk"),
    "title": ("title", "pk"),
    "audience": ("audience_kind", "title", "pk"),
    "last": ("-last_sent_on", "title", "pk"),
}


def communication_list(
    *,
    access: Access,
    audience: str = "",
    owner: int | None = None,
    state: str = "",
    sort: str = "due",
    today: datetime.date | None = None,
) -> QuerySet[Communication]:
    _staff_only(access, Action.COMMUNICATION_VIEW)
    today = today or timezone.localdate()
    qs = Communication.objects.filter(program=access.program).select_related("owner")
    if audience:
        qs = qs.filter(audience_kind=audience)
    if owner:
        qs = qs.filter(owner_id=owner)
    if state == "overdue":
        qs = qs.filter(next_due_on__lt=today)
    elif state == "planned":
        qs = qs.filter(next_due_on__isnull=False)
    elif state == "done":
        qs = qs.filter(next_due_on__isnull=True)
    from django.db.models import F

    if sort == "due" or sort not in COMMUNICATION_SORTS:
        return qs.order_by(F("next_due_on").asc(nulls_last=True), "title", "pk")
    return qs.order_by(*COMMUNICATION_SORTS[sort])


def communication_overdue(*, access: Access, today: datetime.date | None = None) -> list[Communication]:
    """Planned communications whose next due date has passed (for the programme overview)."""
    if access.is_partner or not access.can(Action.COMMUNICATION_VIEW):
        return []
    return list(communication_list(access=access, state="overdue", today=today)[:20])


def communication_get(*, access: Access, pk: int) -> Communication:
    _staff_only(access, Action.COMMUNICATION_VIEW)
    qs = (
        Communication.objects.filter(program=access.program)
        .select_related("owner")
        .prefetch_related(
            Prefetch("sendings", queryset=CommunicationSending.objects.select_related("sent_by"))
        )
    )
    return _get(qs, pk)


def sending_get(*, access: Access, communication: Communication, pk: int) -> CommunicationSending:
    _staff_only(access, Action.COMMUNICATION_VIEW)
    return _get(CommunicationSending.objects.filter(program=access.program, communication=communication), pk)


def sendings_between(
    *, access: Access, start: datetime.date, end: datetime.date
) -> QuerySet[CommunicationSending]:
    _staff_only(access, Action.COMMUNICATION_VIEW)
    return (
        CommunicationSending.objects.filter(
            program=access.program,
            sent_on__gte=start,
            sent_on__lte=end,
            communication__deleted_at__isnull=True,
        )
        .select_related("communication", "sent_by")
        .order_by("sent_on", "pk")
    )


def member_users(*, access: Access) -> QuerySet[User]:
    """The programme's team members (owners of communications, authors): never partner users."""
    return User.objects.filter(
        memberships__program=access.program,
        memberships__role__in=[Role.OWNER, Role.FACILITATOR, Role.MEL, Role.VIEWER],
    ).order_by("first_name", "last_name", "email")


def is_team_member(*, access: Access, user_id: int) -> bool:
    members = Membership.objects.filter(program=access.program, user_id=user_id)
    return members.exclude(role=Role.PARTNER).exists()
