"""Every write of the learning app. Lesson writes keep the SQLite search index current
(search.index_lessons; PostgreSQL's generated column needs nothing); communication writes keep the
derived last-sent and next-due dates current (schedule.next_due)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.db.models import F, Max
from django.utils import timezone

from konbit.core import audit
from konbit.core.access import Access
from konbit.core.models import AuditAction
from konbit.core.services import tenant_record_create, tenant_record_delete, tenant_record_update
from konbit.core.transactions import service

from . import schedule, search
from .models import Communication, CommunicationSending, Lesson, LessonStatus

# --- lessons --------------------------------------------------------------------------------------


def normalize_tags(tags: str) -> str:
    """'Round tables,  co-investment,round tables' → 'Round tables, co-investment' (first spelling kept)."""
    seen: dict[str, str] = {}
    for tag in tags.split(","):
        tag = " ".join(tag.split())
        if tag and tag.lower() not in seen:
            seen[tag.lower()] = tag
    return ", ".join(seen.values())


def tag_index(tags: str) -> str:
    keys = [t.strip().lower() for t in tags.split(",") if t.strip()]
    return "," + ",".join(keys) + "," if keys else ""


def phase_string(phases: Iterable[str]) -> str:
    values = [p for p in dict.fromkeys(phases) if p]
    return "," + ",".join(values) + "," if values else ""


def _lesson_data(data: dict[str, Any], *, current: Lesson | None = None) -> dict[str, Any]:
    data = dict(data)
    if "tags" in data:
        data["tags"] = normalize_tags(data["tags"] or "")
        data["tag_index"] = tag_index(data["tags"])
    if "phases" in data and not isinstance(data["phases"], str):
        data["phases"] = phase_string(data["phases"] or [])
    if "status" in data:
        was_published = current is not None and current.status == LessonStatus.PUBLISHED
        if data["status"] == LessonStatus.PUBLISHED and not was_published:
            data["published_on"] = timezone.localdate()
        elif data["status"] == LessonStatus.DRAFT:
            data["published_on"] = None
    return data


@service
def lesson_create(
    *,
    access: Access,
    by: User,
    data: dict[str, Any],
    organizations: Iterable[Any] = (),
    interventions: Iterable[Any] = (),
) -> Lesson:
    data = _lesson_data({"author": by, "learned_on": timezone.localdate(), **data})
    lesson: Lesson = tenant_record_create(model=Lesson, program=access.program, by=by, data=data)
    lesson.organizations.set(list(organizations))
    lesson.interventions.set(list(interventions))
    search.index_lessons([lesson])
    return lesson


@service
def lesson_update(
    *,
    lesson: Lesson,
    by: User,
    data: dict[str, Any],
    organizations: Iterable[Any] | None = None,
    interventions: Iterable[Any] | None = None,
    expected_version: int | None = None,
) -> dict[str, list[Any]]:
    changes = tenant_record_update(
        instance=lesson, by=by, data=_lesson_data(data, current=lesson), expected_version=expected_version
    )
    # tenant_record_update holds the row lock until this transaction ends, so the links below are
    # changed by the one writer whose version matched.
    links: dict[str, list[Any]] = {}
    for name, chosen in (("organizations", organizations), ("interventions", interventions)):
        if chosen is None:
            continue
        related = getattr(lesson, name)
        current, rows = list(related.all()), list(chosen)
        if {r.pk for r in current} != {r.pk for r in rows}:
            related.set(rows)
            links[name] = [", ".join(sorted(str(r) for r in found)) for found in (current, rows)]
    if links:
        if not changes:  # new links alone still make a new version: a stale writer must get a conflict
            Lesson.all_objects.filter(pk=lesson.pk).update(
                version=F("version") + 1, updated_at=timezone.now(), updated_by=by
            )
            lesson.refresh_from_db(fields=["version", "updated_at", "updated_by"])
        audit.record(
            program=lesson.program, actor=by, action=AuditAction.UPDATE, instance=lesson, changes=links
        )
        changes = {**changes, **links}
    search.index_lessons([lesson])
    return changes


@service
def lesson_delete(*, lesson: Lesson, by: User) -> None:
    """To the trash. The search index keeps the row (searches only see live lessons), so a restore
    from the trash finds it again without any step of ours."""
    tenant_record_delete(instance=lesson, by=by)


def lesson_index_rebuild(*, lessons: Iterable[Lesson]) -> None:
    """For rows written in bulk (the demo, imports): put them into the SQLite search index."""
    search.index_lessons(lessons)


# --- communications -------------------------------------------------------------------------------


def _refresh_due(communication: Communication) -> None:
    last = CommunicationSending.objects.filter(communication=communication).aggregate(last=Max("sent_on"))[
        "last"
    ]
    due = schedule.next_due(
        frequency=communication.frequency,
        first_due_on=communication.first_due_on,
        last_sent_on=last,
        is_active=communication.is_active,
    )
    Communication.all_objects.filter(pk=communication.pk).update(last_sent_on=last, next_due_on=due)
    communication.last_sent_on, communication.next_due_on = last, due


@service
def communication_create(*, access: Access, by: User, data: dict[str, Any]) -> Communication:
    communication: Communication = tenant_record_create(
        model=Communication, program=access.program, by=by, data=data
    )
    _refresh_due(communication)
    return communication


@service
def communication_update(
    *, communication: Communication, by: User, data: dict[str, Any], expected_version: int | None = None
) -> dict[str, list[Any]]:
    changes = tenant_record_update(
        instance=communication, by=by, data=data, expected_version=expected_version
    )
    _refresh_due(communication)
    return changes


@service
def communication_delete(*, communication: Communication, by: User) -> None:
    tenant_record_delete(instance=communication, by=by)


@service
def communication_log_sending(
    *,
    communication: Communication,
    by: User,
    sent_on: datetime.date,
    note: str = "",
    link: str = "",
    sent_by: User | None = None,
) -> CommunicationSending:
    sending: CommunicationSending = tenant_record_create(
        model=CommunicationSending,
        program=communication.program,
        by=by,
        data={
            "communication": communication,
            "sent_on": sent_on,
            "sent_by": sent_by or by,
            "note": note,
            "link": link,
        },
    )
    _refresh_due(communication)
    return sending


@service
def communication_sending_delete(*, sending: CommunicationSending, by: User) -> None:
    tenant_record_delete(instance=sending, by=by)
    _refresh_due(sending.communication)


def communication_refresh_all(*, communications: Iterable[Communication]) -> None:
    """For rows written in bulk (the demo): compute their derived dates."""
    for communication in communications:
        _refresh_due(communication)
