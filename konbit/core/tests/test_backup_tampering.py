"""A backup file edited by hand must not restore: rows tied to two programmes, rows of models Konbit
does not back up and bad values are refused with one line, and the database stays empty."""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from conftest import World
from konbit.core.backup import BackupError, backed_up_models, backup_restore, backup_write
from konbit.core.models import Membership, Program, Role
from konbit.maps.models import Element, Map

Row = dict[str, Any]


def _lines() -> list[Row]:
    stream = io.BytesIO()
    backup_write(stream)
    return [json.loads(line) for line in gzip.decompress(stream.getvalue()).splitlines()]


def _gzip(lines: list[Row]) -> bytes:
    return gzip.compress(b"".join(json.dumps(line).encode() + b"\n" for line in lines))


def _row(lines: list[Row], model: str, pk: int) -> Row:
    return next(r for r in lines if r.get("model") == model and r.get("pk") == pk)


def _database_is_empty() -> bool:
    return not any(m._base_manager.exists() for m in backed_up_models())


def _refused(lines: list[Row], message: str) -> None:
    call_command("flush", interactive=False, verbosity=0)
    with pytest.raises(BackupError, match=message) as refusal:
        backup_restore(io.BytesIO(_gzip(lines)))
    assert "\n" not in str(refusal.value)
    assert _database_is_empty()


@pytest.fixture
def planted(world: World) -> World:
    plan = Map.objects.create(program=world.program_a, name="Alpha dairy map")
    Element.objects.create(program=world.program_a, map=plan, key="a", label="Alpha farmer")
    return world


def _moved_organisation(lines: list[Row], w: World) -> None:
    # The partner organisation of A handed to B: A's partner membership now points into B.
    _row(lines, "partners.organization", w.partner_org.pk)["fields"]["program"] = w.program_b.pk


def _moved_element(lines: list[Row], w: World) -> None:
    element = Element.objects.get(key="a")
    _row(lines, "maps.element", element.pk)["fields"]["program"] = w.program_b.pk


def _membership_across(lines: list[Row], w: World) -> None:
    membership = Membership.objects.get(user=w.partner_user)
    _row(lines, "core.membership", membership.pk)["fields"]["organization"] = w.org_b.pk


CASES: dict[str, tuple[Callable[[list[Row], World], None], str]] = {
    "organisation moved": (_moved_organisation, r"core\.membership #\d+ .*organization.*another programme"),
    "element moved": (_moved_element, r"maps\.element #\d+ .*another programme"),
    "membership across": (_membership_across, r"core\.membership #\d+ .*organization.*another programme"),
}


def _copy(lines: list[Row]) -> list[Row]:
    return json.loads(json.dumps(lines))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("case", list(CASES))
def test_a_row_tied_to_another_programme_is_refused_and_nothing_restored(planted: World, case: str) -> None:
    tamper, message = CASES[case]
    clean = _lines()
    lines = _copy(clean)
    tamper(lines, planted)
    _refused(lines, message)
    assert backup_restore(io.BytesIO(_gzip(clean))).programs == ["alpha", "bravo"]  # the untampered file


@pytest.mark.django_db(transaction=True)
def test_a_row_of_a_model_konbit_does_not_back_up_is_refused(world: World) -> None:
    lines = _lines()
    header, rows, end = lines[0], lines[1:-1], lines[-1]
    session = {"model": "sessions.session", "fields": ["session_key", "session_data", "expire_date"]}
    header = {**header, "models": [*header["models"], session]}
    planted = {
        "model": "sessions.session",
        "pk": "planted",
        "fields": {"session_data": "x", "expire_date": "2099-01-01T00:00:00+00:00"},
    }
    end = {**end, "rows": {**end["rows"], "sessions.session": 1}}
    _refused([header, *rows, planted, end], r"'sessions\.session', a model Konbit does not back up")


@pytest.mark.django_db(transaction=True)
def test_a_bad_value_is_refused_in_one_line_naming_model_row_and_field(world: World) -> None:
    clean = _lines()
    lines = _copy(clean)
    _row(lines, "partners.organization", world.org_b.pk)["fields"]["created_at"] = "2024-13-45T00:00:00"
    _refused(lines, rf"partners\.organization #{world.org_b.pk} .*field 'created_at'")

    lines = _copy(clean)
    _row(lines, "core.program", world.program_a.pk)["fields"]["created_by"] = 10**30
    _refused(lines, rf"core\.program #{world.program_a.pk} .*field 'created_by'")


@pytest.mark.django_db(transaction=True)
def test_a_non_finite_number_in_the_file_is_refused(planted: World) -> None:
    element = Element.objects.get(key="a")
    clean = _lines()
    lines = _copy(clean)
    _row(lines, "maps.element", element.pk)["fields"]["x"] = "Infinity"
    _refused(lines, rf"maps\.element #{element.pk} .*field 'x'")

    text = gzip.decompress(_gzip(clean)).decode().replace('"attributes": {}', '"attributes": {"w": NaN}', 1)
    call_command("flush", interactive=False, verbosity=0)
    with pytest.raises(BackupError, match="not a number Konbit stores"):
        backup_restore(io.BytesIO(gzip.compress(text.encode())))
    assert _database_is_empty()


@pytest.mark.django_db(transaction=True)
def test_a_clean_file_still_restores_with_its_programmes(planted: World) -> None:
    lines = _lines()
    call_command("flush", interactive=False, verbosity=0)
    assert backup_restore(io.BytesIO(_gzip(lines))).programs == ["alpha", "bravo"]
    assert Program.objects.count() == 2
    assert get_user_model().objects.filter(memberships__role=Role.PARTNER).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_restore_command_says_what_is_wrong_in_one_line(world: World, tmp_path: Path) -> None:
    lines = _lines()
    _row(lines, "partners.organization", world.org_b.pk)["fields"]["created_at"] = "not a date"
    path = tmp_path / "tampered.konbit.gz"
    path.write_bytes(_gzip(lines))
    call_command("flush", interactive=False, verbosity=0)

    with pytest.raises(CommandError) as refusal:
        call_command("restore", str(path))

    message = str(refusal.value)
    assert "\n" not in message and "partners.organization" in message and "created_at" in message
    assert _database_is_empty()


def test_a_gzip_bomb_of_one_endless_line_is_refused_before_it_fills_memory(
    db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from konbit.core import backup

    monkeypatch.setattr(backup, "MAX_LINE_BYTES", 1024 * 1024)
    bomb = gzip.compress(b"a" * (8 * 1024 * 1024))  # 8 MB of one line, ~8 KB on disk
    with pytest.raises(BackupError, match="longer than 1 MB") as refusal:
        backup_restore(io.BytesIO(bomb))
    assert "\n" not in str(refusal.value)
    assert _database_is_empty()
