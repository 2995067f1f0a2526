"""Every write to core data, and the generic create/update/delete/restore that other apps' services
use for tenant-owned rows, so that audit, versioning and soft delete happen in exactly one place."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .access import Access
from .models import (
    ApiToken,
    AuditAction,
    Invitation,
    Job,
    JobStatus,
    Membership,
    Program,
    TenantModel,
    job_key,
)
from .roles import Role
from .transactions import service

T = TypeVar("T", bound=TenantModel)

# A running job that has not reported for this long lost its worker (stopped or killed mid-job).
JOB_STALE_AFTER = timedelta(minutes=30)
Versioned = Program | TenantModel


class ConflictError(Exception):
    """The record changed since the user loaded it; `current` is what is stored now."""

    def __init__(self, current: Program | TenantModel) -> None:
        super().__init__("stale version")
        self.current = current


def token_hash(raw: str) -> str:
    # The tokens are 256-bit random strings, so a fast hash is enough (no dictionary to attack).
    return hashlib.sha256(raw.encode()).hexdigest()


# --- generic writes for tenant-owned rows -------------------------------------------------------


def unique_check(*, instance: models.Model) -> None:
    """Raise ValidationError, naming the fields, when saving `instance` would break one of the
    uniqueness rules the database enforces (UniqueConstraint, with its condition, unique fields,
    unique_together): the person gets a sentence instead of an IntegrityError (a 500)."""
    model = type(instance)
    meta = model._meta
    rules: list[tuple[Any, list[str]]] = [
        (c, list(c.fields)) for c in meta.constraints if isinstance(c, models.UniqueConstraint) and c.fields
    ]
    for constraint, fields in rules:
        try:
            constraint.validate(model, instance)
        except ValidationError:
            _refuse_duplicate(instance, fields)
    try:
        instance.validate_unique()
    except ValidationError as error:
        fields = [name for name in error.error_dict if name != NON_FIELD_ERRORS] or ["id"]
        _refuse_duplicate(instance, fields)


def _refuse_duplicate(instance: models.Model, fields: list[str]) -> None:
    meta = instance._meta
    shown = [
        str(getattr(meta.get_field(name), "verbose_name", name))
        for name in fields
        if name not in ("program", "map")
    ]
    raise ValidationError(
        _(
            "“%(record)s” cannot be saved: a %(kind)s with the same %(fields)s already exists. Change or "
            "delete that one first."
        )
        % {"record": instance, "kind": meta.verbose_name, "fields": ", ".join(shown) or _("name")}
    )


@service
def tenant_record_create(*, model: type[T], program: Program, by: User, data: dict[str, Any]) -> T:
    instance = model(program=program, created_by=by, updated_by=by, **data)
    unique_check(instance=instance)
    instance.full_clean()
    instance.save()
    audit.record(
        program=program,
        actor=by,
        action=AuditAction.CREATE,
        instance=instance,
        changes={
            name: [None, value]
            for name, value in audit.field_values(instance, data).items()
            if value not in (None, "", [])
        },
    )
    return instance


def _apply_update(
    *, instance: Versioned, program: Program, by: User, data: dict[str, Any], expected_version: int | None
) -> audit.Changes:
    model = type(instance)
    manager = getattr(model, "all_objects", model._default_manager)
    current: Versioned = manager.select_for_update().get(pk=instance.pk)
    if expected_version is not None and current.version != expected_version:
        raise ConflictError(current)
    before = audit.field_values(current, data)
    for name, value in data.items():
        setattr(instance, name, value)
    changes = audit.diff(before, audit.field_values(instance, data))
    if not changes:
        return {}
    unique_check(instance=instance)
    instance.full_clean()
    instance.version = current.version + 1
    instance.updated_at = timezone.now()
    instance.updated_by = by
    instance.save(update_fields=[*changes, "version", "updated_at", "updated_by"])
    audit.record(program=program, actor=by, action=AuditAction.UPDATE, instance=instance, changes=changes)
    return changes


@service
def tenant_record_update(
    *, instance: TenantModel, by: User, data: dict[str, Any], expected_version: int | None = None
) -> audit.Changes:
    """Apply `data`, bump the version and record old → new. With `expected_version`, refuse with
    ConflictError when someone else saved in between (no silent overwrite)."""
    return _apply_update(
        instance=instance, program=instance.program, by=by, data=data, expected_version=expected_version
    )


@service
def tenant_record_delete(*, instance: TenantModel, by: User) -> None:
    """Move to trash. Nothing is destroyed; an owner can restore it from the trash page."""
    instance.deleted_at = timezone.now()
    instance.deleted_by = by
    instance.version += 1
    instance.save(update_fields=["deleted_at", "deleted_by", "version"])
    audit.record(program=instance.program, actor=by, action=AuditAction.DELETE, instance=instance)


@service
def tenant_record_restore(*, instance: TenantModel, by: User) -> None:
    """Bring a row back from the trash. Raises ValidationError (with a message for the person) when a
    live row already holds what the database keeps unique (a measurement of the same period, a
    perspective of the same name…): checked first, so the restore never ends in an IntegrityError."""
    instance.deleted_at = None
    instance.deleted_by = None
    unique_check(instance=instance)
    instance.version += 1
    instance.save(update_fields=["deleted_at", "deleted_by", "version"])
    audit.record(program=instance.program, actor=by, action=AuditAction.RESTORE, instance=instance)


@service
def trash_empty(*, access: Access, by: User, rows: list[TenantModel]) -> tuple[int, list[TenantModel]]:
    """Delete trashed rows for good (owners only). Rows that other records still point to are kept
    and returned, so the owner learns why they stayed. One transaction; each row in a savepoint, so a
    kept row does not undo the others."""
    purged = 0
    kept: list[TenantModel] = []
    for row in rows:
        if row.program_id != access.program.pk or row.deleted_at is None:
            continue
        try:
            with transaction.atomic():
                description = str(row)
                audit.record(
                    program=access.program,
                    actor=by,
                    action=AuditAction.PURGE,
                    instance=row,
                    object_repr=description,
                )
                row.delete()
                purged += 1
        except ProtectedError:
            kept.append(row)
    return purged, kept


# --- programmes ---------------------------------------------------------------------------------


@service
def program_create(*, owner: User, name: str, slug: str, **fields: Any) -> Program:
    program = Program(name=name, slug=slug, **fields)
    program.full_clean()
    program.save()
    Membership.objects.create(program=program, user=owner, role=Role.OWNER)
    audit.record(
        program=program,
        actor=owner,
        action=AuditAction.CREATE,
        instance=program,
        changes={k: [None, v] for k, v in audit.field_values(program, ["name", "slug", *fields]).items()},
    )
    return program


@service
def program_update(
    *, program: Program, by: User, data: dict[str, Any], expected_version: int | None = None
) -> audit.Changes:
    return _apply_update(
        instance=program, program=program, by=by, data=data, expected_version=expected_version
    )


# --- members and invitations -------------------------------------------------------------------


def _owners_left(program: Program, excluding: Membership) -> int:
    return Membership.objects.filter(program=program, role=Role.OWNER).exclude(pk=excluding.pk).count()


@service
def membership_change_role(
    *, access: Access, membership: Membership, role: str, organization: Any, by: User
) -> None:
    if membership.role == Role.OWNER and role != Role.OWNER and _owners_left(access.program, membership) == 0:
        raise ValidationError(_("A programme needs at least one owner."))
    if role == Role.PARTNER and organization is None:
        raise ValidationError(_("A partner member must speak for an organisation."))
    before = audit.field_values(membership, ["role", "organization"])
    membership.role = role
    membership.organization = organization if role == Role.PARTNER else None
    membership.save(update_fields=["role", "organization"])
    changes = audit.diff(before, audit.field_values(membership, ["role", "organization"]))
    audit.record(
        program=access.program, actor=by, action=AuditAction.UPDATE, instance=membership, changes=changes
    )


@service
def membership_remove(*, access: Access, membership: Membership, by: User) -> None:
    if membership.role == Role.OWNER and _owners_left(access.program, membership) == 0:
        raise ValidationError(_("A programme needs at least one owner."))
    audit.record(program=access.program, actor=by, action=AuditAction.PURGE, instance=membership)
    membership.delete()


@service
def invitation_create(
    *, access: Access, email: str, role: str, organization: Any, by: User
) -> tuple[Invitation, str]:
    """Create an invitation and email its link. Returns the invitation and the link."""
    if role == Role.PARTNER and organization is None:
        raise ValidationError({"organization": _("Choose the organisation this partner user speaks for.")})
    raw = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        program=access.program,
        email=email.strip().lower(),
        role=role,
        organization=organization if role == Role.PARTNER else None,
        token_hash=token_hash(raw),
        invited_by=by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    link = settings.SITE_URL.rstrip("/") + reverse("invitation_accept", kwargs={"token": raw})
    send_mail(
        subject=_("You are invited to %(program)s on Konbit") % {"program": access.program.name},
        message=_(
            "%(inviter)s invited you to join %(program)s on Konbit.\n\nOpen this link to accept "
            "(it works for %(days)s days):\n%(link)s\n"
        )
        % {
            "inviter": by.get_full_name() or by.get_username(),
            "program": access.program.name,
            "days": settings.INVITATION_VALID_DAYS,
            "link": link,
        },
        from_email=None,
        recipient_list=[invitation.email],
    )
    audit.record(
        program=access.program,
        actor=by,
        action=AuditAction.CREATE,
        instance=invitation,
        changes={"email": [None, invitation.email], "role": [None, role]},
    )
    return invitation, link


def invitation_by_token(*, raw: str) -> Invitation | None:
    invitation = Invitation.objects.select_related("program").filter(token_hash=token_hash(raw)).first()
    if invitation is None or not invitation.is_open:
        return None
    return invitation


@service
def invitation_revoke(*, access: Access, invitation: Invitation, by: User) -> None:
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit.record(program=access.program, actor=by, action=AuditAction.DELETE, instance=invitation)


def invitation_is_for(*, invitation: Invitation, user: User) -> bool:
    """An invitation is bound to the address it was sent to (e-mail addresses compared without case)."""
    return bool(user.email) and user.email.strip().lower() == invitation.email.strip().lower()


@service
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """`user` joins with the invited role. Only the invitee may (anyone else holding the link gets a
    ValidationError and the invitation stays open), and only once (the row is locked and re-read, so
    two accepts at once cannot both pass)."""
    if not invitation_is_for(invitation=invitation, user=user):
        raise ValidationError(_("This invitation was sent to another address."))
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise ValidationError(_("This invitation has been used, withdrawn or has expired."))
    membership, created = Membership.objects.get_or_create(
        program=invitation.program,
        user=user,
        defaults={"role": invitation.role, "organization": invitation.organization},
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    if created:
        audit.record(
            program=invitation.program,
            actor=user,
            action=AuditAction.CREATE,
            instance=membership,
            changes={"role": [None, membership.role]},
        )
    return membership


@service
def user_create(*, email: str, password: str, first_name: str = "", last_name: str = "") -> User:
    email = email.strip().lower()
    return User.objects.create_user(
        username=email, email=email, password=password, first_name=first_name, last_name=last_name
    )


# --- the audit trail of sign-ins, exports and downloads (decision 7) ---------------------------


@service
def sign_in_record(*, user: User, action: AuditAction = AuditAction.SIGN_IN) -> None:
    """A sign-in (or a failed one) goes to the trail of every programme the user belongs to, so each
    owner sees that a member signed in and nothing of what the member does elsewhere. Someone with no
    programme gets one row without a programme, for site administrators."""
    program_ids = list(Membership.objects.filter(user=user).values_list("program_id", flat=True))
    audit.record_for_programs(program_ids=program_ids or [None], actor=user, action=action)


@service
def sign_in_failed_record(*, username: str, locked_out: bool) -> None:
    """A wrong password for an existing account, or the attempt that locked it (django-axes). Names
    that match no account leave no row: they tell an owner nothing and would let anyone fill the
    trail."""
    user = User.objects.filter(username__iexact=username.strip()).first() if username.strip() else None
    if user is not None:
        sign_in_record(user=user, action=AuditAction.LOCKED_OUT if locked_out else AuditAction.SIGN_IN_FAILED)


def export_record(*, access: Access, by: User, what: str) -> None:
    """Data that left Konbit (a file or a print view): who and what, in the programme's trail."""
    audit.record(program=access.program, actor=by, action=AuditAction.EXPORT, object_repr=what)


def download_record(*, access: Access, by: User, what: str) -> None:
    """A file someone opened (measurement evidence). Not tied to the record itself, so the record's
    history, which the whole team sees, does not show who looked at it."""
    audit.record(program=access.program, actor=by, action=AuditAction.DOWNLOAD, object_repr=what)


@service
def backup_record(*, program_slugs: list[str]) -> None:
    """`konbit backup` wrote these programmes to a file (run on the server: no person to name)."""
    program_ids = Program.objects.filter(slug__in=program_slugs).values_list("pk", flat=True)
    audit.record_for_programs(
        program_ids=list(program_ids),
        actor=None,
        action=AuditAction.EXPORT,
        object_repr="backup file (konbit backup)",
    )


# --- API tokens ---------------------------------------------------------------------------------


@service
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    raw = "kbt_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip() or _("API token"), prefix=raw[:12], key_hash=token_hash(raw)
    )
    return token, raw


@service
def api_token_revoke(*, user: User, pk: int) -> bool:
    return bool(
        ApiToken.objects.filter(user_id=user.pk, pk=pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def api_token_authenticate(*, raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=token_hash(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # Record use at most once a minute, so reads do not turn into writes on every call.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@service
def job_start(*, access: Access, kind: str, label: str, params: dict[str, Any], by: User) -> Job:
    """Queues a background job (see konbit.core.tasks). The same job already waiting or running for this
    programme is returned instead of starting a second one."""
    from .tasks import run_job

    jobs_fail_stale(program=access.program)
    key = job_key(params)
    running = Job.objects.filter(
        program=access.program, kind=kind, key=key, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
    ).first()
    if running is not None:
        return running
    job = Job.objects.create(
        program=access.program, kind=kind, label=label, params=params, key=key, requested_by=by
    )
    # The task row is written in this same transaction: the job and its task exist together or not at all.
    task_result = run_job.enqueue(job_id=job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(task_result.id))
    job.task_id = str(task_result.id)
    return job


def jobs_fail_stale(*, program: Program) -> int:
    """Marks the programme's running jobs that have gone silent (see JOB_STALE_AFTER) as failed, so their
    page stops waiting and the same job can be started again. Returns how many."""
    now = timezone.now()
    return Job.objects.filter(
        program=program, status=JobStatus.RUNNING, heartbeat_at__lt=now - JOB_STALE_AFTER
    ).update(
        status=JobStatus.FAILED,
        error=_(
            "The worker stopped while this job ran: nothing was heard from it for %(minutes)s minutes. "
            "Start it again."
        )
        % {"minutes": int(JOB_STALE_AFTER.total_seconds() // 60)},
        finished_at=now,
    )
