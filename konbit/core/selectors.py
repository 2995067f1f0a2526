"""Reads that cross a permission boundary. Each takes the acting user or Access first and raises 404
for "not found" and "not yours" alike."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import Http404

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


def audit_list(*, access: Access) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.select_related("actor", "content_type").filter(program=access.program)


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
