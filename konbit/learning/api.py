"""The learning JSON API, on the same rules as the pages: lessons (search, read, write with version
checks) and the communication plan (read, log a sending)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from konbit.api.auth import NotFound, ProgramAuth, program_access
from konbit.api.schemas import (
    body_responses,
    conflict,
    conflict_of,
    created_links,
    invalid,
    page_of,
    responses,
    unprocessable,
)
from konbit.core.access import Access, acting_user
from konbit.core.numbers import Id
from konbit.core.roles import Action
from konbit.core.services import ConflictError
from konbit.partners.models import Organization
from konbit.results.models import Intervention

from . import selectors, services
from .models import Communication, CommunicationSending, Lesson
from .schemas import (
    CommunicationFilters,
    CommunicationOut,
    CommunicationPage,
    LessonFilters,
    LessonIn,
    LessonOut,
    LessonPage,
    LessonPatch,
    SendingIn,
    SendingOut,
)

router = Router(tags=["learning"])


def _lesson(access: Access, pk: int) -> Lesson:
    try:
        return selectors.lesson_get(access=access, pk=pk)
    except Http404:
        raise NotFound from None


def _communication(access: Access, pk: int) -> Communication:
    try:
        return selectors.communication_get(access=access, pk=pk)
    except Http404:
        raise NotFound from None


def _lesson_out(lesson: Lesson) -> LessonOut:
    return LessonOut(
        id=lesson.pk,
        title=lesson.title,
        context=lesson.context,
        action=lesson.action,
        lesson=lesson.lesson,
        application=lesson.application,
        recommendation=lesson.recommendation,
        tags=lesson.tags,
        phases=lesson.phase_list,
        organization_ids=sorted(o.pk for o in lesson.organizations.all()),
        intervention_ids=sorted(i.pk for i in lesson.interventions.all()),
        learned_on=lesson.learned_on,
        status=lesson.status,
        published_on=lesson.published_on,
        author_email=lesson.author.email if lesson.author else None,
        version=lesson.version,
        updated_at=lesson.updated_at,
    )


def _linked(access: Access, model: type[Any], ids: list[int] | None) -> list[Any] | None:
    """The programme's rows with these ids; ValidationError when one is not the programme's."""
    if ids is None:
        return None
    rows = list(model.objects.filter(program=access.program, pk__in=ids))
    if len(rows) != len(set(ids)):
        raise ValidationError(_("Some of these records do not exist in this programme."))
    return rows


@router.get(
    "/{slug}/lessons",
    auth=ProgramAuth(Action.LESSON_VIEW),
    response=responses(LessonPage),
    summary="Lessons learned (with ?q= full-text search, best match first)",
)
def list_lessons(request: HttpRequest, slug: str, filters: Query[LessonFilters]) -> LessonPage:
    qs = selectors.lesson_list(
        access=program_access(request),
        query=filters.q,
        tag=filters.tag,
        phase=filters.phase or "",
        status=filters.status or "",
    ).prefetch_related("organizations", "interventions")
    count, rows, next_offset = page_of(qs, filters)
    return LessonPage(count=count, next_offset=next_offset, items=[_lesson_out(lesson) for lesson in rows])


@router.get(
    "/{slug}/lessons/{pk}",
    auth=ProgramAuth(Action.LESSON_VIEW),
    response=responses(LessonOut),
    summary="A lesson learned",
)
def get_lesson(request: HttpRequest, slug: str, pk: Id) -> LessonOut:
    return _lesson_out(_lesson(program_access(request), pk))


@router.post(
    "/{slug}/lessons",
    auth=ProgramAuth(Action.LESSON_CHANGE),
    response=body_responses(LessonOut, status=201),
    summary="Write a lesson",
    openapi_extra=created_links(
        GetLesson="konbit_learning_api_get_lesson", UpdateLesson="konbit_learning_api_update_lesson"
    ),
)
def create_lesson(request: HttpRequest, slug: str, payload: LessonIn) -> Status[Any]:
    access = program_access(request)
    data = payload.model_dump(exclude={"organization_ids", "intervention_ids"})
    data["learned_on"] = data["learned_on"] or timezone.localdate()
    try:
        organizations = _linked(access, Organization, payload.organization_ids) or []
        interventions = _linked(access, Intervention, payload.intervention_ids) or []
        lesson = services.lesson_create(
            access=access,
            by=acting_user(request),
            data=data,
            organizations=organizations,
            interventions=interventions,
        )
    except ValidationError as exc:
        return invalid(exc)
    return Status(201, _lesson_out(_lesson(access, lesson.pk)))


@router.patch(
    "/{slug}/lessons/{pk}",
    auth=ProgramAuth(Action.LESSON_CHANGE),
    response={**body_responses(LessonOut), 409: conflict_of(LessonOut)},
    summary="Change a lesson (409 with the stored lesson when `version` is stale)",
)
def update_lesson(request: HttpRequest, slug: str, pk: Id, payload: LessonPatch) -> Status[Any]:
    access = program_access(request)
    lesson = _lesson(access, pk)
    data = payload.model_dump(exclude_none=True, exclude={"version", "organization_ids", "intervention_ids"})
    try:
        organizations = _linked(access, Organization, payload.organization_ids)
        interventions = _linked(access, Intervention, payload.intervention_ids)
        services.lesson_update(
            lesson=lesson,
            by=acting_user(request),
            data=data,
            organizations=organizations,
            interventions=interventions,
            expected_version=payload.version,
        )
    except ConflictError:
        return conflict(_lesson_out(_lesson(access, pk)), sent_version=payload.version)
    except ValidationError as exc:
        return invalid(exc)
    return Status(200, _lesson_out(_lesson(access, pk)))


def _communication_out(communication: Communication) -> CommunicationOut:
    today = timezone.localdate()
    return CommunicationOut(
        id=communication.pk,
        title=communication.title,
        audience_kind=communication.audience_kind,
        audience=communication.audience,
        purpose=communication.purpose,
        channel=communication.channel,
        frequency=communication.frequency,
        owner_email=communication.owner.email if communication.owner else None,
        first_due_on=communication.first_due_on,
        is_active=communication.is_active,
        last_sent_on=communication.last_sent_on,
        next_due_on=communication.next_due_on,
        overdue=communication.next_due_on is not None and communication.next_due_on < today,
    )


def _sending_out(sending: CommunicationSending) -> SendingOut:
    return SendingOut(
        id=sending.pk,
        sent_on=sending.sent_on,
        sent_by_email=sending.sent_by.email if sending.sent_by else None,
        note=sending.note,
        link=sending.link,
    )


@router.get(
    "/{slug}/communications",
    auth=ProgramAuth(Action.COMMUNICATION_VIEW),
    response=responses(CommunicationPage),
    summary="The communication plan, next due first",
)
def list_communications(
    request: HttpRequest, slug: str, filters: Query[CommunicationFilters]
) -> CommunicationPage:
    qs = selectors.communication_list(
        access=program_access(request), audience=filters.audience or "", state=filters.state
    )
    count, rows, next_offset = page_of(qs, filters)
    return CommunicationPage(
        count=count, next_offset=next_offset, items=[_communication_out(c) for c in rows]
    )


@router.get(
    "/{slug}/communications/{pk}/sendings",
    auth=ProgramAuth(Action.COMMUNICATION_VIEW),
    response=responses(list[SendingOut]),
    summary="What was sent for a planned communication, newest first",
)
def list_sendings(request: HttpRequest, slug: str, pk: Id) -> list[SendingOut]:
    communication = _communication(program_access(request), pk)
    return [_sending_out(s) for s in communication.sendings.all()]


@router.post(
    "/{slug}/communications/{pk}/sendings",
    auth=ProgramAuth(Action.COMMUNICATION_CHANGE),
    response=body_responses(SendingOut, status=201),
    summary="Log that a planned communication was sent",
)
def log_sending(request: HttpRequest, slug: str, pk: Id, payload: SendingIn) -> Status[Any]:
    access = program_access(request)
    communication = _communication(access, pk)
    if payload.sent_on > timezone.localdate():
        message = _("Log a sending once it has happened (the date is in the future).")
        return unprocessable({"sent_on": [message]})
    try:
        sending = services.communication_log_sending(
            communication=communication,
            by=acting_user(request),
            sent_on=payload.sent_on,
            note=payload.note,
            link=payload.link,
        )
    except ValidationError as exc:
        return invalid(exc)
    return Status(201, _sending_out(sending))
