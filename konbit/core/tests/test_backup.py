"""Backup and restore (konbit/core/backup.py): a backup restored into an empty database gives back the
same database (the same bytes when backed up again), trash and history included; `--program` holds
only that programme; a non-empty database or a file that is not a sound Konbit backup is refused
with nothing changed. Runs on SQLite and, with DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import datetime
import gzip
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Max

from conftest import World
from konbit.core.backup import (
    BackupError,
    backed_up_models,
    backup_restore,
    backup_write,
    dependency_order,
)
from konbit.core.demo import DEMO_SLUG, build_demo
from konbit.core.models import ApiToken, AuditAction, AuditEvent, Invitation, Job, JobStatus, Program
from konbit.core.services import api_token_create, tenant_record_delete, tenant_record_update
from konbit.learning.models import Lesson
from konbit.learning.search import ranked
from konbit.maps.models import AnalysisResult, Map
from konbit.partners.models import Interaction, InteractionKind, Organization, SupportEntry
from tests.factories import OrganizationFactory

User = get_user_model()


def _backup(**kwargs: Any) -> bytes:
    stream = io.BytesIO()
    backup_write(stream, **kwargs)
    return stream.getvalue()


def _lines(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in gzip.decompress(data).splitlines()]


def _gzip(lines: list[dict[str, Any]] | list[bytes]) -> bytes:
    raw = b"".join(line if isinstance(line, bytes) else json.dumps(line).encode() + b"\n" for line in lines)
    return gzip.compress(raw)


def _flush() -> None:
    call_command("flush", interactive=False, verbosity=0)


def _row_counts() -> dict[str, int]:
    return {m._meta.label: m._base_manager.count() for m in backed_up_models()}


def test_models_come_after_what_they_reference_and_cycles_do_not_stop_the_order() -> None:
    graph = {"b": {"a"}, "a": set(), "c": {"b", "a", "c"}, "x": {"y"}, "y": {"x"}}
    order = dependency_order(graph)
    assert order.index("a") < order.index("b") < order.index("c")
    assert sorted(order) == ["a", "b", "c", "x", "y"]
    assert dependency_order(graph) == order  # the same every time

    labels = [m._meta.label for m in backed_up_models()]
    assert labels[0] == "auth.User"
    assert (
        labels.index("core.Program") < labels.index("partners.Organization") < labels.index("core.Membership")
    )
    assert labels.index("partners.Interaction") < labels.index("partners.Interaction_facilitators")
    # Every concrete model of the konbit apps is covered, through tables included.
    konbit = {
        m._meta.label
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_config.name.startswith("konbit.")
    }
    assert konbit <= set(labels)
    assert not {"sessions.Session", "contenttypes.ContentType", "axes.AccessAttempt"} & set(labels)


@pytest.mark.django_db(transaction=True)
def test_restoring_a_backup_into_an_empty_database_gives_back_the_same_database() -> None:
    program = build_demo()
    owner = User.objects.get(memberships__program=program, memberships__role="owner")
    organization = Organization.objects.filter(program=program).order_by("pk").first()
    tenant_record_update(instance=organization, by=owner, data={"notes": "Renamed before the backup"})
    tenant_record_delete(instance=organization, by=owner)
    token, raw_token = api_token_create(user=owner, name="Script")
    Invitation.objects.create(
        program=program,
        email="new@example.org",
        role="viewer",
        token_hash="f" * 64,
        invited_by=owner,
        expires_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC),
    )
    Job.objects.create(
        program=program,
        kind="maps.exact",
        label="Exact",
        params={"b": 1, "a": [1.5, None]},
        status=JobStatus.DONE,
    )
    the_map = Map.objects.filter(program=program).first()
    AnalysisResult.objects.create(program=program, map=the_map, content_version=1, result={"z": 1, "a": 2})
    stamped = AnalysisResult.objects.get().created_at
    AnalysisResult.objects.update(
        created_at=stamped - datetime.timedelta(days=3)
    )  # auto_now_add must survive
    money = SupportEntry.objects.filter(program=program).exclude(value=None).order_by("pk").first()
    history = list(
        AuditEvent.objects.order_by("pk").values_list("pk", "action", "content_type__model", "changes")
    )
    assert len(history) >= 2

    first = _backup()
    _flush()
    assert not Program.objects.exists() and not User.objects.exists()
    # The target numbers its content types differently: the history must follow names, not ids.
    ContentType.objects.filter(app_label="partners", model="organization").delete()
    ContentType.objects.clear_cache()
    summary = backup_restore(io.BytesIO(first))
    assert summary.programs == sorted(Program.objects.values_list("slug", flat=True))

    assert _backup() == first  # same database, same bytes
    # The trashed organisation is still in the trash, with who trashed it.
    assert not Organization.objects.filter(pk=organization.pk).exists()
    trashed = Organization.all_objects.get(pk=organization.pk)
    assert trashed.deleted_at is not None and trashed.deleted_by_id == owner.pk
    assert trashed.notes == "Renamed before the backup"
    # The history, pointing at the same records (content types mapped by app and model name).
    restored_history = AuditEvent.objects.order_by("pk").values_list(
        "pk", "action", "content_type__model", "changes"
    )
    assert list(restored_history) == history
    assert AuditEvent.objects.filter(action=AuditAction.DELETE, object_id=str(organization.pk)).exists()
    # Users sign in with their old passwords; API tokens still work; decimals and JSON kept exactly.
    assert User.objects.get(pk=owner.pk).check_password("konbit-demo")
    assert ApiToken.objects.get(pk=token.pk).key_hash == token.key_hash
    assert raw_token not in gzip.decompress(first).decode()
    assert SupportEntry.objects.get(pk=money.pk).value == money.value
    assert isinstance(money.value, Decimal)
    assert Job.objects.get().params == {"a": [1.5, None], "b": 1}
    assert AnalysisResult.objects.get().created_at == stamped - datetime.timedelta(days=3)
    # Search finds the restored lessons (SQLite's index is rebuilt; PostgreSQL's column is generated).
    assert ranked(Lesson.objects.all(), "engag").exists()
    # New rows get fresh ids (PostgreSQL's sequences were moved past the restored ones).
    highest = Organization.all_objects.aggregate(m=Max("pk"))["m"]
    assert OrganizationFactory(program=program).pk > highest


@pytest.mark.django_db(transaction=True)
def test_a_programme_backup_holds_only_that_programme_and_restores_alone(
    world: World, tmp_path: Path
) -> None:
    for program, facilitator in [(world.program_a, world.owner), (world.program_b, world.outsider)]:
        interaction = Interaction.objects.create(
            program=program, kind=InteractionKind.CONVERSATION, occurred_on=datetime.date(2025, 3, 1)
        )
        interaction.facilitators.add(facilitator)
    api_token_create(user=world.outsider, name="Bravo script")
    AuditEvent.objects.create(program=None, actor=world.outsider, action=AuditAction.SIGN_IN)
    path = tmp_path / "alpha.konbit.gz"

    call_command("backup", str(path), "--program", "alpha", verbosity=0, stdout=io.StringIO())

    data = path.read_bytes()
    text = gzip.decompress(data).decode()
    for name in ["Alpha Market Systems", "Alpha Secret Processor", "owner@alpha.example.org"]:
        assert name in text
    for name in ["Bravo", "bravo", "owner@bravo.example.org", "confidential-bravo-note"]:
        assert name not in text
    header = _lines(data)[0]
    assert header["scope"] == "programs" and header["programs"] == ["alpha"]
    facilitator_rows = [r for r in _lines(data) if r.get("model") == "partners.interaction_facilitators"]
    assert [r["fields"]["user"] for r in facilitator_rows] == [world.owner.pk]

    _flush()
    out = io.StringIO()
    call_command("restore", str(path), stdout=out)
    assert "Restored 1 programme(s) (alpha)" in out.getvalue()
    assert list(Program.objects.values_list("slug", flat=True)) == ["alpha"]
    assert not User.objects.filter(email="owner@bravo.example.org").exists()
    assert User.objects.filter(memberships__program__slug="alpha").count() == 5
    assert _backup(program_slugs=["alpha"]) == data


@pytest.mark.django_db
def test_restore_into_a_database_that_holds_a_programme_is_refused_and_changes_nothing(
    world: World, tmp_path: Path
) -> None:
    data = _backup()
    Organization.objects.filter(pk=world.org_b.pk).delete()  # the file now holds a row the database lacks
    before = _row_counts()

    with pytest.raises(BackupError, match=r"already holds programmes \(alpha, bravo\).*empty database"):
        backup_restore(io.BytesIO(data))
    assert _row_counts() == before
    path = tmp_path / "all.konbit.gz"
    path.write_bytes(data)
    with pytest.raises(CommandError, match="already holds programmes"):
        call_command("restore", str(path))  # the command says it too
    assert _row_counts() == before


@pytest.mark.django_db
def test_a_backup_of_an_unknown_programme_is_refused(world: World) -> None:
    with pytest.raises(BackupError, match="No programme with the short name nowhere"):
        _backup(program_slugs=["alpha", "nowhere"])


@pytest.mark.django_db
def test_files_that_are_not_sound_konbit_backups_are_refused_with_a_clear_message(tmp_path: Path) -> None:
    good = _lines(_backup())
    header = good[0]
    cases = {
        "not a Konbit backup": b"id,name\n1,Alpha\n",  # a CSV
        "not a Konbit backup.*not JSON": gzip.compress(b"PK\x03\x04 binary"),
        "is empty": gzip.compress(b""),
        "first line does not say so": _gzip([{"format": "other-tool", "version": 1}]),
        "format version 2.*reads version 1": _gzip([{**header, "version": 2}]),
        "a model this Konbit does not have": _gzip(
            [{**header, "models": [{"model": "nope.gone", "fields": []}]}]
        ),
        "migrations are not applied": _gzip([{**header, "migrations": {"core": ["9999_future"]}}]),
        "ends early.*truncated": _gzip(good[:-1]),
        "damaged or truncated": _backup()[:-12],  # gzip cut short
    }
    for message, data in cases.items():
        with pytest.raises(BackupError, match=message):
            backup_restore(io.BytesIO(data))
    path = tmp_path / "foreign.gz"
    path.write_bytes(cases["first line does not say so"])
    with pytest.raises(CommandError, match="not a Konbit backup"):
        call_command("restore", str(path))


@pytest.mark.django_db(transaction=True)
def test_a_damaged_file_restores_nothing_even_after_rows_were_read(world: World) -> None:
    lines = _lines(_backup())
    _flush()
    damaged = [*lines[:-1], {"model": "partners.organization", "pk": 999, "fields": {}}, lines[-1]]

    with pytest.raises(BackupError, match="out of order"):
        backup_restore(io.BytesIO(_gzip(damaged)))
    assert not Program.objects.exists() and not User.objects.exists()
    miscounted = [*lines[:-1], {**lines[-1], "rows": {**lines[-1]["rows"], "core.program": 3}}]
    with pytest.raises(BackupError, match="row counts"):
        backup_restore(io.BytesIO(_gzip(miscounted)))
    assert not Program.objects.exists() and not User.objects.exists()
    assert backup_restore(io.BytesIO(_gzip(lines))).programs == ["alpha", "bravo"]
    assert DEMO_SLUG not in Program.objects.values_list("slug", flat=True)


@pytest.mark.django_db(transaction=True)
def test_a_reference_to_rows_not_restored_yet_is_set_once_they_are_in(world: World) -> None:
    # Written by hand as a file whose programmes come before the users (as a cycle would force):
    # the programme's `updated_by` is inserted empty, then set once the users are in.
    Program.objects.filter(pk=world.program_a.pk).update(updated_by=world.owner)
    lines = _lines(_backup())
    _flush()
    header, rows, end = lines[0], lines[1:-1], lines[-1]
    models = header["models"]
    program_entry = next(m for m in models if m["model"] == "core.program")
    header = {**header, "models": [program_entry] + [m for m in models if m is not program_entry]}
    rows = [r for r in rows if r["model"] == "core.program"] + [
        r for r in rows if r["model"] != "core.program"
    ]

    backup_restore(io.BytesIO(_gzip([header, *rows, end])))

    assert Program.objects.get(slug="alpha").updated_by == User.objects.get(email="owner@alpha.example.org")
    assert Program.objects.get(slug="bravo").updated_by is None
