"""Konbit's own backup file: every programme (or some) in one portable file, restored into an empty
database on SQLite or PostgreSQL alike.

What is in it. Every concrete model of the `konbit.*` apps, found through `apps.get_models()` (so an
app added later is covered without a change here), including soft-deleted rows (the trash), the
many-to-many through rows, the audit trail, memberships, invitations and API tokens (their hashes:
Konbit never stores the secrets), jobs, and the users they need (`auth.User`, all columns: the
password is the hash Django stores, never plain text). Not in it: Django's sessions, login
throttling (axes), the task queue of django-tasks (a job queued or running at backup time is
restored as it was but will not run), groups and permissions (Konbit does not use them), and
content types, which are written as their natural key (`["partners", "organization"]`) and mapped
back to the target database's ids on restore. A `FileField` keeps the file's *name* only: the files
themselves live in MEDIA_ROOT, which is backed up by copying that folder.

With `program_slugs`, only those programmes' rows (every row whose foreign keys lead to one of
them, e.g. a through row of an interaction) and the users those rows reference are written; rows
that belong to no programme (API tokens, sign-in events) are left out.

The format (version 1): gzip-compressed JSON Lines.
- line 1, the header: `{"format": "konbit-backup", "version": 1, "created_with": "konbit 0.1.0",
  "scope": "all" | "programs", "programs": [slugs], "migrations": {app: [applied migrations]},
  "models": [{"model": "app.model", "fields": [names]}, ...]}` with the models in dependency order
  (users first, then a topological order of the foreign keys);
- one line per row: `{"model": "app.model", "pk": 1, "fields": {...}}` (foreign keys as the raw
  id, dates and times ISO 8601, decimals as strings, JSON fields as JSON, binary as base64), rows by
  primary key;
- a last line `{"end": "konbit-backup", "rows": {"app.model": count}}`: a file without it is
  truncated, and restore refuses it.
Nothing in the file depends on when it was written (no timestamp, gzip's own mtime is zero), so the
same database always gives the same bytes.
"""

from __future__ import annotations

import base64
import datetime
import gzip
import importlib.metadata
import json
import math
import uuid
import zlib
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any, cast

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils.duration import duration_iso_string

from .numbers import finite_float, refuse_json_constant

FORMAT = "konbit-backup"
VERSION = 1
BATCH_SIZE = 500
GZIP_LEVEL = 6


class BackupError(Exception):
    """A backup that cannot be written or a file that cannot be restored; the message says why."""


@dataclass
class BackupSummary:
    programs: list[str]
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


# --- which models, in which order ------------------------------------------------------------------


def dependency_order(graph: Mapping[str, Iterable[str]]) -> list[str]:
    """The nodes of `graph` (node → the nodes it depends on) so that each comes after what it depends
    on; ties and cycles are broken by name, so the order is the same on every run. Self-references
    and the edges of a cycle are left to the caller (see `_deferred_fields`)."""
    deps = {node: {d for d in targets if d != node and d in graph} for node, targets in graph.items()}
    dependents: dict[str, set[str]] = defaultdict(set)
    for node, targets in deps.items():
        for target in targets:
            dependents[target].add(node)
    remaining = {node: len(targets) for node, targets in deps.items()}
    order: list[str] = []
    while remaining:
        ready = sorted(node for node, count in remaining.items() if count == 0)
        # A cycle: nothing is ready; take the first by name and defer its unresolved references.
        chosen = ready[0] if ready else min(remaining)
        order.append(chosen)
        del remaining[chosen]
        for dependent in dependents[chosen]:
            if dependent in remaining:
                remaining[dependent] -= 1
    return order


def _is_backed_up(model: type[models.Model]) -> bool:
    meta = model._meta
    return bool(
        meta.app_config is not None
        and meta.app_config.name.startswith("konbit.")
        and meta.managed
        and not meta.proxy
    )


def _foreign_keys(model: type[models.Model]) -> list[models.ForeignKey[Any, Any]]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]


def _target(fk: models.ForeignKey[Any, Any]) -> type[models.Model]:
    return cast(type[models.Model], fk.related_model)  # a class once the app registry is ready


def backed_up_models() -> list[type[models.Model]]:
    """The user model, then every concrete model of the konbit apps, in dependency order."""
    user_model = get_user_model()
    by_label: dict[str, type[models.Model]] = {user_model._meta.label_lower: user_model}
    for model in apps.get_models(include_auto_created=True):
        if _is_backed_up(model):
            by_label[model._meta.label_lower] = model
    graph: dict[str, set[str]] = {}
    for label, model in by_label.items():
        graph[label] = set()
        if model is user_model:
            continue  # the user model's own relations (groups, permissions) are not backed up
        for fk in _foreign_keys(model):
            target = _target(fk)
            if target is ContentType:
                continue  # written as a natural key
            if target._meta.label_lower not in by_label:
                raise BackupError(
                    f"{model._meta.label}.{fk.name} points to {target._meta.label}, which backups do "
                    "not cover; teach konbit/core/backup.py about it."
                )
            graph[label].add(target._meta.label_lower)
    order = dependency_order(graph)
    order.remove(user_model._meta.label_lower)
    return [user_model] + [by_label[label] for label in order]


def _deferred_fields(
    model: type[models.Model], placed: set[type[models.Model]]
) -> list[models.Field[Any, Any]]:
    """Nullable foreign keys to the model itself or to a model not restored yet (a cycle): inserted
    as NULL, then set once every row is in. (Django creates foreign keys DEFERRABLE INITIALLY
    DEFERRED on PostgreSQL and SQLite, so a non-nullable one is checked at commit and needs nothing.)"""
    return [
        fk
        for fk in _foreign_keys(model)
        if fk.null
        and fk.related_model is not ContentType
        and (fk.related_model is model or fk.related_model not in placed)
    ]


# --- which rows ------------------------------------------------------------------------------------


def _program_path(model: type[models.Model]) -> str | None:
    """The lookup from `model` to its programme (`"program"`, `"interaction__program"`, …), by the
    shortest chain of foreign keys through konbit models; None when the rows belong to no programme."""
    from .models import Program

    if model is Program:
        return "pk"
    queue: deque[tuple[type[models.Model], str]] = deque([(model, "")])
    seen = {model}
    while queue:
        current, path = queue.popleft()
        for fk in sorted(_foreign_keys(current), key=lambda f: f.name):
            target = _target(fk)
            lookup = f"{path}__{fk.name}" if path else fk.name
            if target is Program:
                return lookup
            if target not in seen and _is_backed_up(target):
                seen.add(target)
                queue.append((target, lookup))
    return None


def _rows(model: type[models.Model], program_ids: list[int] | None) -> models.QuerySet[Any] | None:
    """The rows of `model` in the backup (the base manager: soft-deleted rows too), or None for none."""
    qs = model._base_manager.all()
    if program_ids is None:
        return qs
    path = _program_path(model)
    if path is None:
        return None
    return qs.filter(**{f"{path}__in": program_ids})


def _referenced_users(backed: list[type[models.Model]], program_ids: list[int]) -> set[Any]:
    user_model = get_user_model()
    ids: set[Any] = set()
    for model in backed:
        qs = _rows(model, program_ids)
        if qs is None:
            continue
        for fk in _foreign_keys(model):
            if fk.related_model is user_model:
                ids.update(qs.exclude(**{fk.attname: None}).values_list(fk.attname, flat=True).distinct())
    return ids


# --- values ----------------------------------------------------------------------------------------


class _ContentTypes:
    """Content type id ↔ natural key, cached for one backup or restore."""

    def __init__(self) -> None:
        self._keys: dict[int, list[str]] = {}
        self._ids: dict[tuple[str, str], int] = {}

    def key(self, pk: int) -> list[str]:
        if pk not in self._keys:
            ct = ContentType.objects.get_for_id(pk)
            self._keys[pk] = [ct.app_label, ct.model]
        return self._keys[pk]

    def id(self, key: Any) -> int:
        if not (isinstance(key, list) and len(key) == 2 and all(isinstance(k, str) for k in key)):
            raise BackupError(f"A content type in the file is not an [app, model] pair: {key!r}.")
        app_label, model = key
        try:
            apps.get_model(app_label, model)
        except (LookupError, ValueError):
            raise BackupError(
                f"A content type in the file names {key!r}, a model this Konbit does not have."
            ) from None
        if (app_label, model) not in self._ids:
            ct, _created = ContentType.objects.get_or_create(app_label=app_label, model=model)
            self._ids[(app_label, model)] = ct.pk
        return self._ids[(app_label, model)]


def _is_content_type_fk(f: models.Field[Any, Any]) -> bool:
    return isinstance(f, models.ForeignKey) and f.related_model is ContentType


def _encode(f: models.Field[Any, Any], value: Any, content_types: _ContentTypes) -> Any:
    if value is None or isinstance(f, models.JSONField):
        return value
    if _is_content_type_fk(f):
        return content_types.key(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return duration_iso_string(value)
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, str | int | float | bool):
        return value
    return f.value_to_string(value)  # pragma: no cover - a field type Konbit does not use yet


def _decode(f: models.Field[Any, Any], value: Any, content_types: _ContentTypes) -> Any:
    if value is None or isinstance(f, models.JSONField):
        return value
    if _is_content_type_fk(f):
        return content_types.id(value)
    target = f.target_field if f.is_relation else f  # type: ignore[attr-defined]
    result = target.to_python(value)
    if isinstance(result, float) and not math.isfinite(result):
        raise ValidationError("not a finite number")
    if isinstance(target, models.IntegerField) and result is not None:
        target.run_validators(result)  # the database's integer range (SQLite would overflow in Python)
    if isinstance(target, models.CharField) and target.max_length and len(str(result)) > target.max_length:
        raise ValidationError(f"longer than {target.max_length} characters")
    return result


def _bad_value(label: str, pk: Any, name: str, value: Any, error: Exception) -> BackupError:
    """One line that names the model, the row and the field of a value restore cannot take."""
    reason = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    shown = repr(value)
    shown = shown if len(shown) <= 60 else shown[:57] + "…"
    return BackupError(
        f"The row {label} #{pk} has a bad value in its field {name!r} ({shown}: {reason}). "
        "The file is damaged or was changed; nothing was restored."
    )


def _line(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode()


def _applied_migrations(labels: Iterable[str]) -> dict[str, list[str]]:
    wanted = set(labels)
    applied: dict[str, list[str]] = defaultdict(list)
    for app_label, name in MigrationRecorder(connection).applied_migrations():
        if app_label in wanted:
            applied[app_label].append(name)
    return {app_label: sorted(names) for app_label, names in sorted(applied.items())}


def _created_with() -> str:
    try:
        return f"konbit {importlib.metadata.version('konbit')}"
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "konbit (unknown version)"


# --- writing ---------------------------------------------------------------------------------------


def backup_write(stream: IO[bytes], *, program_slugs: Iterable[str] | None = None) -> BackupSummary:
    """Write the backup of every programme (or of `program_slugs`) to the binary `stream`.

    Reads in one transaction (REPEATABLE READ on PostgreSQL), so the file is one consistent moment
    of the database while people keep working. (On SQLite, Konbit's transactions are IMMEDIATE: writes wait
    while the backup is written, and fail after the 5 s busy timeout; back up a busy SQLite database at
    a quiet time.)"""
    from .models import Program

    outermost = not connection.in_atomic_block
    with transaction.atomic():
        # Only the first statement of a transaction may set its isolation; inside a caller's
        # transaction (tests, a script), that transaction's snapshot is the one read.
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        if program_slugs is None:
            slugs = sorted(Program.objects.values_list("slug", flat=True))
            program_ids: list[int] | None = None
        else:
            slugs = sorted(set(program_slugs))
            found = dict(Program.objects.filter(slug__in=slugs).values_list("slug", "pk"))
            missing = [slug for slug in slugs if slug not in found]
            if missing:
                raise BackupError(f"No programme with the short name {', '.join(missing)}.")
            program_ids = sorted(found.values())
        return _write(stream, slugs, program_ids)


def _write(stream: IO[bytes], slugs: list[str], program_ids: list[int] | None) -> BackupSummary:
    backed = backed_up_models()
    user_model = get_user_model()
    header = {
        "format": FORMAT,
        "version": VERSION,
        "created_with": _created_with(),
        "scope": "all" if program_ids is None else "programs",
        "programs": slugs,
        "migrations": _applied_migrations({m._meta.app_label for m in backed}),
        "models": [
            {"model": m._meta.label_lower, "fields": [f.name for f in m._meta.concrete_fields]}
            for m in backed
        ],
    }
    summary = BackupSummary(programs=slugs)
    content_types = _ContentTypes()
    users = None if program_ids is None else _referenced_users(backed, program_ids)
    with gzip.GzipFile(filename="", mode="wb", fileobj=stream, mtime=0, compresslevel=GZIP_LEVEL) as out:
        out.write(_line(header))
        for model in backed:
            if model is user_model:
                qs: models.QuerySet[Any] | None = model._base_manager.all()
                if users is not None:
                    qs = model._base_manager.filter(pk__in=sorted(users))
            else:
                qs = _rows(model, program_ids)
            label = model._meta.label_lower
            count = 0
            if qs is not None:
                fields = list(model._meta.concrete_fields)
                pk_name = model._meta.pk.name
                others = [f for f in fields if f.name != pk_name]
                values = qs.order_by("pk").values_list(model._meta.pk.attname, *[f.attname for f in others])
                for row in values.iterator(chunk_size=2000):
                    encoded = {
                        f.name: _encode(f, v, content_types) for f, v in zip(others, row[1:], strict=True)
                    }
                    out.write(_line({"model": label, "pk": row[0], "fields": encoded}))
                    count += 1
            summary.rows[label] = count
        out.write(_line({"end": FORMAT, "rows": summary.rows}))
    return summary


# --- restoring -------------------------------------------------------------------------------------


@dataclass
class _ModelPlan:
    model: type[models.Model]
    fields: dict[str, models.Field[Any, Any]]
    deferred: list[models.Field[Any, Any]]
    auto_now: list[models.Field[Any, Any]]
    pending: list[models.Model] = field(default_factory=list)
    later: list[models.Model] = field(default_factory=list)  # pk + deferred values, set after the inserts
    count: int = 0


# One record per line; the longest Konbit writes is a map's `extra` (an imported file's leftovers, under
# the 50 MB import limit). A longer line is a gzip bomb or a damaged file, refused before it fills memory.
MAX_LINE_BYTES = 64 * 1024 * 1024


def _raw_lines(stream: IO[bytes]) -> Iterator[bytes]:
    unpacked = gzip.GzipFile(fileobj=stream, mode="rb")
    while raw := unpacked.readline(MAX_LINE_BYTES + 1):
        if len(raw) > MAX_LINE_BYTES:
            raise BackupError(
                f"A line of the file is longer than {MAX_LINE_BYTES // 2**20} MB: it is not a Konbit "
                "backup (or it was made to expand without limit)."
            )
        yield raw


def _lines(stream: IO[bytes]) -> Iterator[dict[str, Any]]:
    try:
        for number, raw in enumerate(_raw_lines(stream), start=1):
            try:
                # Konbit never writes NaN/Infinity (nor a number that overflows to it): a file holding one
                # was changed by hand, and such a value would break every page that reads it.
                data = json.loads(raw, parse_constant=refuse_json_constant, parse_float=finite_float)
            except (UnicodeDecodeError, ValueError) as error:
                raise BackupError(
                    f"Line {number} of the file is not JSON ({error}): it is damaged."
                ) from error
            if not isinstance(data, dict):
                raise BackupError(f"Line {number} of the file is not a Konbit record: it is damaged.")
            yield data
    except (OSError, EOFError, zlib.error) as error:
        raise BackupError(
            f"The file is not a Konbit backup, or it is damaged or truncated (it cannot be read: {error})."
        ) from error


def _read_header(lines: Iterator[dict[str, Any]]) -> dict[str, Any]:
    try:
        header = next(lines)
    except StopIteration:
        raise BackupError("The file is empty: it is not a Konbit backup.") from None
    except BackupError as error:
        raise BackupError(f"This file is not a Konbit backup ({error})") from error
    if header.get("format") != FORMAT:
        raise BackupError("This file is not a Konbit backup (its first line does not say so).")
    if header.get("version") != VERSION:
        raise BackupError(
            f"This Konbit backup has format version {header.get('version')!r}, which this version of "
            f"Konbit cannot read (it reads version {VERSION}). Restore it with the Konbit that wrote it "
            f"({header.get('created_with', 'unknown')})."
        )
    if not isinstance(header.get("models"), list) or not isinstance(header.get("migrations"), dict):
        raise BackupError("The header of this Konbit backup is damaged (no list of models).")
    return header


def _plans(header: dict[str, Any]) -> dict[str, _ModelPlan]:
    applied = {(app, name) for app, name in MigrationRecorder(connection).applied_migrations()}
    missing = sorted(
        f"{app}.{name}"
        for app, names in header["migrations"].items()
        for name in names
        if (app, name) not in applied
    )
    if missing:
        raise BackupError(
            "The backup comes from a newer Konbit (or a database not migrated here): these migrations are "
            f"not applied to this database: {', '.join(missing[:5])}{' …' if len(missing) > 5 else ''}. "
            "Upgrade Konbit, run `konbit migrate`, then restore."
        )
    plans: dict[str, _ModelPlan] = {}
    placed: set[type[models.Model]] = set()
    # Only what `backup_write` writes may come back: a planted session, permission or any model of
    # another app would bypass every rule of Konbit's services.
    allowed = {m._meta.label_lower: m for m in backed_up_models()}
    for entry in header["models"]:
        label = entry.get("model") if isinstance(entry, dict) else None
        try:
            model = apps.get_model(str(label))
        except (LookupError, ValueError):
            raise BackupError(
                f"The backup holds rows of {label!r}, a model this Konbit does not have."
            ) from None
        if allowed.get(model._meta.label_lower) is not model:
            raise BackupError(
                f"The backup holds rows of {label!r}, a model Konbit does not back up: the file was "
                "changed by hand. Nothing was restored."
            )
        by_name = {f.name: f for f in model._meta.concrete_fields}
        unknown = sorted(set(entry.get("fields", [])) - set(by_name))
        if unknown:
            raise BackupError(
                f"The backup holds fields {', '.join(unknown)} of {label}, which this Konbit lacks."
            )
        plans[model._meta.label_lower] = _ModelPlan(
            model=model,
            fields=by_name,
            deferred=_deferred_fields(model, placed),
            auto_now=[
                f
                for f in by_name.values()
                if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            ],
        )
        placed.add(model)
    return plans


def _holdings() -> str | None:
    """What the database already holds, or None when it is empty of everything a restore writes."""
    from .models import Program

    slugs = list(Program._base_manager.order_by("slug").values_list("slug", flat=True)[:6])
    if slugs:
        shown = ", ".join(slugs[:5]) + (" …" if len(slugs) > 5 else "")
        return f"programmes ({shown})"
    for model in backed_up_models():
        if model._base_manager.exists():
            return f"rows of {model._meta.verbose_name_plural} ({model._meta.label})"
    return None


def backup_restore(stream: IO[bytes]) -> BackupSummary:
    """Restore a backup written by `backup_write` into an empty database, all or nothing.

    Refuses (BackupError, nothing changed) a file that is not a Konbit backup, has an unknown format
    version, is truncated or damaged, or needs migrations this database lacks, and any database that
    already holds a programme, a user or any other row a restore would write. Rows keep their
    primary keys; PostgreSQL's sequences are moved past them so new rows get fresh ids."""
    lines = _lines(stream)
    header = _read_header(lines)
    plans = _plans(header)
    holding = _holdings()
    if holding is not None:
        raise BackupError(
            f"The database already holds {holding}. Restore only into an empty database: create a new "
            "one and run `konbit migrate`, then restore. Nothing was changed."
        )
    summary = BackupSummary(programs=list(header.get("programs", [])))
    try:
        with transaction.atomic():
            _insert_all(lines, plans, summary)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    for sql in connection.ops.sequence_reset_sql(
                        no_style(), [p.model for p in plans.values()]
                    ):
                        cursor.execute(sql)
            for app_config in apps.get_app_configs():
                hook = getattr(app_config, "backup_restored", None)
                if callable(hook):
                    hook()
    except DatabaseError as error:
        reason = " ".join(str(error).split())  # one line, whatever the engine's message
        raise BackupError(
            f"The database refused the backup's rows, so nothing was restored: {reason}"
        ) from error
    return summary


def _insert_all(
    lines: Iterator[dict[str, Any]], plans: dict[str, _ModelPlan], summary: BackupSummary
) -> None:
    content_types = _ContentTypes()
    order = list(plans)
    position = 0
    trailer: dict[str, Any] | None = None
    for data in lines:
        if trailer is not None:
            raise BackupError("The file goes on after its end marker: it is damaged. Nothing was restored.")
        if "end" in data:
            trailer = data
            continue
        label = data.get("model")
        if label not in plans or not isinstance(data.get("fields"), dict):
            raise BackupError(
                f"The file holds a row of {label!r} its header does not announce: it is damaged."
            )
        index = order.index(label, position) if label in order[position:] else -1
        if index < 0:
            raise BackupError(f"The rows of {label} are out of order in the file: it is damaged.")
        while position < index:
            _flush(plans[order[position]])
            position += 1
        _add(plans[label], data, content_types)
    if trailer is None:
        raise BackupError("The file ends early (no end marker): it is truncated. Nothing was restored.")
    for label in order[position:]:
        _flush(plans[label])
    for plan in plans.values():
        if plan.later:
            plan.model._base_manager.bulk_update(
                plan.later, [f.name for f in plan.deferred], batch_size=BATCH_SIZE
            )
    mismatch = _programme_mismatch([plan.model for plan in plans.values()])
    if mismatch is not None:
        raise BackupError(mismatch)
    counts = {label: plan.count for label, plan in plans.items()}
    expected = trailer.get("rows")
    if not isinstance(expected, dict) or {k: v for k, v in expected.items() if v} != {
        k: v for k, v in counts.items() if v
    }:
        raise BackupError(
            "The file's row counts do not match its end marker: it is damaged. Nothing was restored."
        )
    summary.rows = counts


def _add(plan: _ModelPlan, data: dict[str, Any], content_types: _ContentTypes) -> None:
    values: dict[str, Any] = {}
    label = plan.model._meta.label_lower
    pk = plan.model._meta.pk
    raw_pk = data.get("pk")
    try:
        values[pk.attname] = _decode(pk, raw_pk, content_types)
        if values[pk.attname] is None:
            raise ValidationError("no primary key")
    except (ValidationError, ValueError, TypeError, OverflowError) as error:
        raise _bad_value(label, raw_pk, pk.name, raw_pk, error) from error
    for name, value in data["fields"].items():
        f = plan.fields.get(name)
        if f is None or f.primary_key:
            raise BackupError(f"The row {label} #{raw_pk} holds an unknown field {name!r}.")
        try:
            values[f.attname] = _decode(f, value, content_types)
        except (ValidationError, ValueError, TypeError, OverflowError) as error:
            raise _bad_value(label, raw_pk, name, value, error) from error
    if plan.deferred:
        later = plan.model(**{pk.attname: values[pk.attname]})
        for f in plan.deferred:
            setattr(later, f.attname, values.get(f.attname))
            values[f.attname] = None
        plan.later.append(later)
    plan.pending.append(plan.model(**values))
    plan.count += 1
    if len(plan.pending) >= BATCH_SIZE:
        _flush(plan)


def _flush(plan: _ModelPlan) -> None:
    if not plan.pending:
        return
    objs, plan.pending = plan.pending, []
    saved = {id(obj): [getattr(obj, f.attname) for f in plan.auto_now] for obj in objs}
    plan.model._base_manager.bulk_create(objs, batch_size=BATCH_SIZE)
    if plan.auto_now:
        # bulk_create stamped auto_now(_add) fields with the current time; put the backed-up ones back.
        for obj in objs:
            for f, value in zip(plan.auto_now, saved[id(obj)], strict=True):
                setattr(obj, f.attname, value)
        plan.model._base_manager.bulk_update(objs, [f.name for f in plan.auto_now], batch_size=BATCH_SIZE)


def _programme_mismatch(restored: list[type[models.Model]]) -> str | None:
    """The first restored row that points to a row of another programme, as a one-line message, or
    None. Every foreign key between two rows that belong to programmes is checked (through rows of
    many-to-many fields and memberships' organisation included): a file edited to move one row to
    another programme would otherwise hand that row to the other programme's team. Runs in SQL, one
    query per foreign key, on the rows just inserted."""
    from .models import Program

    paths = {model: _program_path(model) for model in restored}
    for model in restored:
        own = paths[model]
        if own is None or model is Program:
            continue
        for fk in _foreign_keys(model):
            target = _target(fk)
            target_path = paths[target] if target in paths else _program_path(target)
            if target_path is None:
                continue
            theirs = fk.name if target_path == "pk" else f"{fk.name}__{target_path}"
            if theirs == own:
                continue  # the link that defines the row's programme
            bad = (
                model._base_manager.annotate(_own=models.F(own), _theirs=models.F(theirs))
                .filter(_own__isnull=False, _theirs__isnull=False)
                .exclude(_own=models.F("_theirs"))
                .order_by("pk")
                .values_list("pk", fk.attname, "_own", "_theirs")
                .first()
            )
            if bad is not None:
                pk, target_pk, own_program, their_program = bad
                found = Program._base_manager.filter(pk__in=[own_program, their_program])
                slugs = dict(found.values_list("pk", "slug"))
                return (
                    f"The row {model._meta.label_lower} #{pk} (programme "
                    f"{slugs.get(own_program, own_program)}) points through {fk.name!r} to "
                    f"{target._meta.label_lower} #{target_pk} of another programme "
                    f"({slugs.get(their_program, their_program)}): the file was changed by hand. "
                    "Nothing was restored."
                )
    return None
