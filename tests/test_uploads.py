"""Every upload refuses hostile files quickly, with a clear message, and writes nothing.

One test per finding of the security issue (each failed on the code before the fix), then one walk of
every upload endpoint with every hostile file (tests/hostile.py builds them in memory)."""

from __future__ import annotations

import html
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import World, client_for
from konbit.core import uploads
from konbit.core.tabular import readers
from konbit.indicators import services as indicator_services
from konbit.indicators.forms import evidence_max_bytes
from konbit.indicators.models import Indicator, Measurement
from konbit.maps.formats.base import MAX_FILE_BYTES as MAP_MAX_BYTES
from konbit.maps.models import Element, Map
from konbit.partners.io.importers import INTERACTIONS, ORGANIZATIONS, PARTNERSHIPS
from konbit.partners.models import Interaction, Organization, Partnership
from tests import hostile

PARTNER_IMPORT = "/p/alpha/partners/data/import/"
INDICATOR_IMPORT = "/p/alpha/change/indicators/data/"
MAP_IMPORT = "/p/alpha/maps/import/"
QUICK_SECONDS = 2.0


@pytest.fixture(autouse=True)
def private_dirs(settings: Any, tmp_path: Path) -> Path:
    settings.KONBIT_IMPORT_DIR = tmp_path / "imports"
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def rows() -> dict[str, int]:
    models = (Organization, Partnership, Interaction, Indicator, Measurement, Map, Element)
    return {
        m.__name__: m.all_objects.count() if hasattr(m, "all_objects") else m.objects.count() for m in models
    }


# --- finding 1: a small XLSX of shared strings held a worker for minutes --------------------------


@pytest.mark.parametrize("build", [hostile.shared_strings_bomb, hostile.shared_strings_flood])
@pytest.mark.parametrize(
    "url,kind",
    [(PARTNER_IMPORT, ORGANIZATIONS), (INDICATOR_IMPORT, "indicators")],
    ids=["partner import", "indicator import"],
)
def test_a_shared_strings_bomb_is_refused_within_two_seconds(
    world: World, url: str, kind: str, build: Callable[[], bytes]
) -> None:
    data = build()
    assert len(data) < 4 * 1024 * 1024
    client = client_for(world.owner)
    client.get("/p/alpha/")  # the first request's warm-up is not the upload's
    started = time.perf_counter()
    response = client.post(url, {"kind": kind, "file": SimpleUploadedFile("s.xlsx", data)})
    elapsed = time.perf_counter() - started
    assert response.status_code == 400
    message = response.context["form"].errors["file"][0]
    assert "zip bomb" in message or "shared strings" in message
    assert elapsed < QUICK_SECONDS


# --- finding 2: abandoned map previews were never deleted and were world-readable ------------------


def test_abandoned_previews_of_every_kind_are_swept_after_a_day(world: World, private_dirs: Path) -> None:
    client = client_for(world.owner)
    graph = hostile.graphml_with_doctype(b"", "amp").replace(b"&amp;", b"A")
    client.post(MAP_IMPORT, {"file": SimpleUploadedFile("m.graphml", graph)})
    client.post(PARTNER_IMPORT, {"kind": ORGANIZATIONS, "file": SimpleUploadedFile("o.csv", b"name\nAcme\n")})
    stored = files_under(private_dirs / "imports")
    assert len(stored) == 2 and any(p.parent.name == "maps" for p in stored)
    day_old = time.time() - uploads.STORE_MAX_AGE_SECONDS - 60
    for path in stored:
        os.utime(path, (day_old, day_old))
    client.post(PARTNER_IMPORT, {"kind": ORGANIZATIONS, "file": SimpleUploadedFile("o.csv", b"name\nAcme\n")})
    assert not set(stored) & set(files_under(private_dirs / "imports"))


def test_stored_previews_and_evidence_are_readable_by_the_server_user_only(
    world: World, private_dirs: Path
) -> None:
    old_umask = os.umask(0o022)
    try:
        client = client_for(world.owner)
        graph = hostile.graphml_with_doctype(b"", "amp").replace(b"&amp;", b"A")
        client.post(MAP_IMPORT, {"file": SimpleUploadedFile("m.graphml", graph)})
        client.post(
            PARTNER_IMPORT, {"kind": ORGANIZATIONS, "file": SimpleUploadedFile("o.csv", b"name\nA\n")}
        )
    finally:
        os.umask(old_umask)
    stored = files_under(private_dirs / "imports")
    assert len(stored) == 2
    for path in stored:
        assert path.stat().st_mode & 0o077 == 0, path
        assert path.parent.stat().st_mode & 0o077 == 0, path.parent
    assert settings.FILE_UPLOAD_PERMISSIONS == 0o600


# --- finding 3: nginx refused map files between 25 and 50 MB ---------------------------------------


def test_nginx_accepts_the_largest_upload_konbit_accepts() -> None:
    conf = (Path(settings.BASE_DIR) / "deploy" / "nginx" / "konbit.conf").read_text()
    match = re.search(r"client_max_body_size\s+(\d+)([km]?);", conf)
    assert match
    size = int(match.group(1)) * {"": 1, "k": 1024, "m": 1024 * 1024}[match.group(2)]
    assert size > max(MAP_MAX_BYTES, readers.MAX_BYTES, evidence_max_bytes())


# --- every endpoint, every hostile file -----------------------------------------------------------

HOSTILE_SPREADSHEETS: dict[str, Callable[[], tuple[str, bytes]]] = {
    "shared-strings bomb": lambda: ("bomb.xlsx", hostile.shared_strings_bomb()),
    "shared-strings flood": lambda: ("flood.xlsx", hostile.shared_strings_flood()),
    "zip bomb": lambda: ("zip.xlsx", hostile.zip_bomb()),
    "billion laughs": lambda: ("laughs.xlsx", hostile.xlsx_with_doctype(hostile.LAUGHS)),
    "XXE": lambda: ("xxe.xlsx", hostile.xlsx_with_doctype(hostile.XXE)),
    "over-size": lambda: ("big.csv", b"name\n" + b"x" * (readers.MAX_BYTES + 1)),
    "wrong type": lambda: ("program.xlsx", hostile.ELF),
}
HOSTILE_MAPS: dict[str, Callable[[], tuple[str, bytes]]] = {
    "shared-strings bomb": lambda: ("bomb.xlsx", hostile.shared_strings_bomb()),
    "shared-strings flood": lambda: ("flood.xlsx", hostile.shared_strings_flood()),
    "zip bomb": lambda: ("zip.xlsx", hostile.zip_bomb()),
    "billion laughs": lambda: ("laughs.graphml", hostile.graphml_with_doctype(hostile.LAUGHS, "i")),
    "XXE": lambda: ("xxe.gexf", hostile.graphml_with_doctype(hostile.XXE, "leak")),
    "billion laughs in a workbook": lambda: ("laughs.xlsx", hostile.xlsx_with_doctype(hostile.LAUGHS)),
    "element flood": lambda: ("flood.graphml", b"<graphml>" + b"<a/>" * 4_000_000 + b"</graphml>"),
    "JSON nesting": lambda: ("deep.json", b"[" * 100_000),
    "over-size": lambda: ("big.graphml", b"<" + b"x" * MAP_MAX_BYTES),
    "wrong type": lambda: ("program.graphml", hostile.ELF),
    "wrong type (perspectives CSV)": lambda: ("views.perspectives.csv", hostile.ELF),
}
HOSTILE_EVIDENCE: dict[str, Callable[[], tuple[str, bytes]]] = {
    "shared-strings bomb": lambda: ("bomb.xlsx", hostile.shared_strings_bomb()),
    "shared-strings flood": lambda: ("flood.xlsx", hostile.shared_strings_flood()),
    "zip bomb": lambda: ("zip.xlsx", hostile.zip_bomb()),
    "billion laughs": lambda: ("laughs.docx", hostile.docx_with_doctype(hostile.LAUGHS)),
    "XXE": lambda: ("xxe.docx", hostile.docx_with_doctype(hostile.XXE)),
    "over-size": lambda: ("big.pdf", b"%PDF-1.4" + b"x" * evidence_max_bytes()),
    "wrong type": lambda: ("report.pdf", hostile.ELF),
}


def _post_import(url: str, kind: str) -> Callable[[Any, World, str, bytes], tuple[Any, str]]:
    def post(client: Any, world: World, name: str, data: bytes) -> tuple[Any, str]:
        payload: dict[str, Any] = {"file": SimpleUploadedFile(name, data)}
        if kind:
            payload["kind"] = kind
        return client.post(url, payload), "file"

    return post


def _post_evidence(client: Any, world: World, name: str, data: bytes) -> tuple[Any, str]:
    from konbit.core.access import Access
    from konbit.core.models import Membership

    membership = Membership.objects.get(user=world.owner, program=world.program_a)
    access = Access(program=world.program_a, membership=membership)
    indicator = indicator_services.indicator_create(
        access=access, by=world.owner, data={"name": "Seed", "unit": "farmers", "type": "outcome"}
    )
    rows_before = rows()
    response = client.post(
        f"/p/alpha/change/indicators/{indicator.pk}/measurements/",
        {"period_label": "2025-Q1", "value": "1", "evidence": SimpleUploadedFile(name, data)},
    )
    assert rows() == rows_before
    return response, "evidence"


ENDPOINTS: list[tuple[str, Callable[..., tuple[Any, str]], dict[str, Callable[[], tuple[str, bytes]]]]] = [
    *(
        (f"partner import ({k})", _post_import(PARTNER_IMPORT, k), HOSTILE_SPREADSHEETS)
        for k in (ORGANIZATIONS, PARTNERSHIPS, INTERACTIONS)
    ),
    *(
        (f"indicator import ({k})", _post_import(INDICATOR_IMPORT, k), HOSTILE_SPREADSHEETS)
        for k in ("indicators", "measurements")
    ),
    ("map import", _post_import(MAP_IMPORT, ""), HOSTILE_MAPS),
    ("evidence file", _post_evidence, HOSTILE_EVIDENCE),
]
CASES = [
    pytest.param(post, files[label], id=f"{endpoint}: {label}")
    for endpoint, post, files in ENDPOINTS
    for label in files
]


@pytest.mark.parametrize("post,build", CASES)
def test_every_upload_refuses_every_hostile_file_quickly_and_writes_nothing(
    world: World,
    private_dirs: Path,
    post: Callable[..., tuple[Any, str]],
    build: Callable[[], tuple[str, bytes]],
) -> None:
    name, data = build()
    client = client_for(world.owner)
    client.get("/p/alpha/")  # sign-in side effects happen before the counting
    rows_before, files_before = rows(), files_under(private_dirs)
    started = time.perf_counter()
    response, field = post(client, world, name, data)
    elapsed = time.perf_counter() - started
    assert response.status_code in (200, 400) and "Location" not in response
    errors = response.context["form"].errors.get(field)
    assert errors and len(errors[0]) > 15, response.context["form"].errors
    assert html.escape(errors[0]) in response.content.decode()
    assert "/etc/passwd" not in errors[0] and "root:" not in response.content.decode()
    assert files_under(private_dirs) == files_before
    if field == "file":
        assert rows() == rows_before
    assert elapsed < QUICK_SECONDS * (3 if len(data) > 20 * 1024 * 1024 else 1), f"{elapsed:.2f} s"
