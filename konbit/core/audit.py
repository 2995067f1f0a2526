"""Recording changes. Services call these; nothing else writes AuditEvent."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from .models import AuditAction, AuditEvent, Program

Changes = dict[str, list[Any]]


def _plain(value: Any) -> Any:
    """A JSON-safe form of a field value, readable in the history list."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def field_values(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: _plain(getattr(instance, name)) for name in fields}


def editable_field_names(instance: models.Model) -> list[str]:
    return [
        f.name
        for f in instance._meta.concrete_fields
        if f.editable and not f.primary_key and f.name not in {"program"}
    ]


def diff(before: dict[str, Any], after: dict[str, Any]) -> Changes:
    return {name: [before.get(name), after[name]] for name in after if before.get(name) != after[name]}


def record(
    *,
    program: Program | None,
    actor: User | None,
    action: AuditAction | str,
    instance: models.Model | None = None,
    changes: Changes | None = None,
    object_repr: str = "",
) -> AuditEvent:
    content_type = None
    object_id = ""
    if instance is not None:
        content_type = ContentType.objects.get_for_model(instance, for_concrete_model=False)
        object_id = str(instance.pk)
        object_repr = object_repr or str(instance)
    return AuditEvent.objects.create(
        program=program,
        at=timezone.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        content_type=content_type,
        object_id=object_id,
        object_repr=object_repr[:300],
        changes=changes or {},
    )


def record_for_programs(
    *, program_ids: Iterable[int | None], actor: User | None, action: AuditAction | str, object_repr: str = ""
) -> None:
    """The same event (a sign-in, a backup) once in each programme's trail, in one insert."""
    at = timezone.now()
    AuditEvent.objects.bulk_create(
        AuditEvent(program_id=pk, at=at, actor=actor, action=action, object_repr=object_repr[:300])
        for pk in program_ids
    )
