"""Reads that cross a permission boundary. Each takes the acting user or Access first and raises 404
for "not found" and "not yours" alike."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import Http404
from django.utils import timezone

from .access import Access
from .models import AuditEvent, Invitation, Job, Membership, Program, TenantModel, job_key
from .roles import Role

UserLike = User | AnonymousUser


def membership_for_user(*, user: UserLike, program_slug: str) -> Membership | None:
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.select_related("program", "organization")
        .filter(user_id=user.pk or 0, program__slug=program_slug)
        .first()
    )


def memberships_of_user(*, user: UserLike) -> models.QuerySet[Membership]:
    return Membership.objects.select_related("program").filter(user_id=user.pk or 0).order_by("program__name")


def programs_of_user(*, user: UserLike) -> models.QuerySet[Program]:
    return Program.objects.filter(memberships__user_id=user.pk or 0).order_by("name")


def member_list(*, access: Access) -> models.QuerySet[Membership]:
    return (
        Membership.objects.select_related("user", "organization")
        .filter(program=access.program)
        .order_by("role", "user__email")
    )


def member_get(*, access: Access, pk: int) -> Membership:
    try:
        return member_list(access=access).get(pk=pk)
    except Membership.DoesNotExist:
        raise Http404 from None


def invitation_list_open(*, access: Access) -> models.QuerySet[Invitation]:
    return Invitation.objects.filter(
        program=access.program, accepted_at__isnull=True, revoked_at__isnull=True
    )


def invitation_get(*, access: Access, pk: int) -> Invitation:
    try:
        return invitation_list_open(access=access).get(pk=pk)
    except Invitation.DoesNotExist:
        raise Http404 from None


def tenant_models() -> list[type[TenantModel]]:
    """Every concrete model that carries a programme through TenantModel."""
    return [m for m in apps.get_models() if issubclass(m, TenantModel)]


def trash_list(*, access: Access) -> list[TenantModel]:
    """Soft-deleted rows of this programme, newest first, across every tenant-owned model."""
    rows: list[TenantModel] = []
    for model in tenant_models():
        rows.extend(model.all_objects.filter(program=access.program, deleted_at__isnull=False))
    rows.sort(key=lambda row: row.deleted_at or row.updated_at, reverse=True)
    return rows


def trashed_get(*, access: Access, model_label: str, pk: int) -> TenantModel:
    model = _tenant_model_by_label(model_label)
    try:
        row: TenantModel = model.all_objects.get(program=access.program, pk=pk, deleted_at__isnull=False)
    except model.DoesNotExist:
        raise Http404 from None
    return row


def _tenant_model_by_label(label: str) -> type[TenantModel]:
    for model in tenant_models():
        if model._meta.label_lower == label:
            return model
    raise Http404


def history_for(*, access: Access, instance: models.Model) -> models.QuerySet[AuditEvent]:
    """The audit trail of one record of this programme (the record itself was read through a selector)."""
    ct = ContentType.objects.get_for_model(instance, for_concrete_model=False)
    return (
        AuditEvent.objects.select_related("actor")
        .filter(program=access.program, content_type=ct, object_id=str(instance.pk))
        .order_by("-at", "-id")
    )


@dataclass(frozen=True)
class AuditFilter:
    """What the owner narrows the audit trail to; empty means everything. Dates are local and
    inclusive."""

    action: str = ""
    actor: User | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None
    query: str = ""

    @property
    def active(self) -> bool:
        return bool(self.action or self.actor or self.start or self.end or self.query)

    def describe(self) -> str:
        """The filter in a few words, for the line an export of the trail leaves in the trail."""
        parts = [
            f"action {self.action}" if self.action else "",
            f"person {self.actor.get_username()}" if self.actor else "",
            f"from {self.start.isoformat()}" if self.start else "",
            f"to {self.end.isoformat()}" if self.end else "",
            f"record containing “{self.query}”" if self.query else "",
        ]
        return ", ".join(part for part in parts if part)


def audit_list(*, access: Access, filters: AuditFilter | None = None) -> models.QuerySet[AuditEvent]:
    """The programme's audit trail, newest first: every change, export and download, and the sign-ins
    of its members (each sign-in is written into the trail of every programme of the person, see
    decision 7, so nothing here comes from another programme)."""
    filters = filters or AuditFilter()
    events = AuditEvent.objects.select_related("actor", "content_type").filter(program=access.program)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.actor is not None:
        events = events.filter(actor=filters.actor)
    if filters.start is not None:
        events = events.filter(at__gte=_local_midnight(filters.start))
    if filters.end is not None:
        events = events.filter(at__lt=_local_midnight(filters.end + datetime.timedelta(days=1)))
    if filters.query:
        events = events.filter(object_repr__icontains=filters.query)
    return events.order_by("-at", "-id")


def _local_midnight(day: datetime.date) -> datetime.datetime:
    # A range on the stored instant (not on a date computed per row), so the (program, -at) index serves.
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def audit_people(*, access: Access) -> models.QuerySet[User]:
    """Whom the trail can be narrowed to: today's members and anyone named in the trail (a member
    who has left still has a past)."""
    named = AuditEvent.objects.filter(program=access.program, actor__isnull=False).values("actor_id")
    return (
        User.objects.filter(models.Q(pk__in=named) | models.Q(memberships__program=access.program))
        .distinct()
        .order_by("email", "pk")
    )


@dataclass
class AuditPage:
    """One page of the trail, paged by keyset: `older`/`newer` are the cursors of the neighbour pages
    (the trail grows without end, and OFFSET at depth is slow; see CONVENTIONS)."""

    rows: list[AuditEvent]
    older: str = ""
    newer: str = ""


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def _cursor(event: AuditEvent) -> str:
    micros = (event.at - _EPOCH) // datetime.timedelta(microseconds=1)
    return f"{micros}-{event.pk}"


def _parse_cursor(raw: str) -> tuple[datetime.datetime, int] | None:
    micros, _sep, pk = raw.partition("-")
    try:
        return _EPOCH + datetime.timedelta(microseconds=int(micros)), int(pk)
    except (ValueError, OverflowError):
        return None


def audit_page(
    *, access: Access, filters: AuditFilter, before: str = "", after: str = "", size: int = 50
) -> AuditPage:
    """The newest `size` entries, or those just older than the cursor `before`, or just newer than
    `after`. An unreadable cursor reads as none (the newest page)."""
    events = audit_list(access=access, filters=filters)
    newer_than = _parse_cursor(after) if after else None
    older_than = _parse_cursor(before) if before and newer_than is None else None
    if newer_than is not None:
        at, pk = newer_than
        rows = list(
            events.filter(models.Q(at__gt=at) | models.Q(at=at, pk__gt=pk)).order_by("at", "id")[: size + 1]
        )
        more_newer = len(rows) > size
        rows = rows[:size][::-1]
        return AuditPage(
            rows=rows,
            newer=_cursor(rows[0]) if rows and more_newer else "",
            older=_cursor(rows[-1]) if rows else "",
        )
    if older_than is not None:
        at, pk = older_than
        events = events.filter(models.Q(at__lt=at) | models.Q(at=at, pk__lt=pk))
    rows = list(events[: size + 1])
    more_older = len(rows) > size
    rows = rows[:size]
    return AuditPage(
        rows=rows,
        older=_cursor(rows[-1]) if rows and more_older else "",
        newer=_cursor(rows[0]) if rows and older_than is not None else "",
    )


def scoped(model: type[Any], *, access: Access) -> models.QuerySet[Any]:
    """Base queryset of a tenant-owned model for this programme (live rows only)."""
    return model.objects.filter(program=access.program)


def job_list(*, access: Access) -> models.QuerySet[Job]:
    """The programme's background jobs; a partner user sees only those it asked for."""
    jobs = Job.objects.filter(program=access.program).select_related("requested_by")
    if access.role == Role.PARTNER:
        jobs = jobs.filter(requested_by_id=access.user_id)
    return jobs


def job_get(*, access: Access, pk: int) -> Job:
    job = job_list(access=access).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


def job_latest(*, access: Access, kind: str, params: dict[str, Any]) -> Job | None:
    """The most recent job of this kind and parameters (to show its progress or result beside the page
    that starts it)."""
    return job_list(access=access).filter(kind=kind, key=job_key(params)).first()
