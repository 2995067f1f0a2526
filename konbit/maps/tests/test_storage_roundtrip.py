"""A map file imported into Konbit and exported again gives back the same file: nothing is lost in
the database (elements, connections, every custom field, positions, Kumu's views and loops)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import World
from konbit.core.access import Access
from konbit.core.models import Membership
from konbit.maps import selectors, services
from konbit.maps.formats import dump, load

FIXTURE = (
    Path(__file__).resolve().parents[3].parent / "shared" / "fixtures" / "kumu-project-backup-sample.json"
)
OWN = Path(__file__).resolve().parent / "fixtures"


def _access(world: World) -> Access:
    membership = Membership.objects.select_related("program").get(
        program=world.program_a, user=world.facilitator
    )
    return Access(program=world.program_a, membership=membership)


@pytest.mark.skipif(not FIXTURE.exists(), reason="../shared/fixtures is not beside this checkout")
def test_real_kumu_backup_survives_import_into_konbit_and_export(world: World) -> None:
    original = FIXTURE.read_bytes()
    gmap, problems = load(original, filename=FIXTURE.name)
    assert problems == []
    access = _access(world)
    map = services.map_import(access=access, by=world.facilitator, gmap=gmap, name=gmap.name)
    stored = selectors.to_gmap(access=access, map=map)
    assert len(stored.elements) == 51 and len(stored.connections) == 113
    exported = dump(stored, "kumu-backup")
    assert json.loads(exported) == json.loads(original)
    again, _problems = load(exported, filename="again.json")
    map2 = services.map_import(access=access, by=world.facilitator, gmap=again, name=again.name)
    assert dump(selectors.to_gmap(access=access, map=map2), "kumu-backup") == exported


def test_konbit_fields_survive_export_and_import_through_the_database(world: World) -> None:
    access = _access(world)
    from konbit.maps import graph as g

    gmap = g.GMap(
        name="Own",
        elements=[
            g.GElement(
                id="a",
                label="Seed Co",
                type="Lead firm",
                kind="actor",
                function="core",
                tags=["seed", "inputs"],
                position=(1.5, -2.0),
                perspectives=["Team"],
            ),
            g.GElement(
                id="b",
                label="Rainfall",
                kind="factor",
                attributes={"source": "survey 2025"},
                perspectives=["Team"],
            ),
        ],
        connections=[
            g.GConnection(
                id="c1", source="b", target="a", type="causal", sign="-", strength=2.5, perspective="Team"
            )
        ],
    )
    map = services.map_import(access=access, by=world.facilitator, gmap=gmap, name="Own")
    exported = dump(selectors.to_gmap(access=access, map=map), "kumu-backup")
    back, problems = load(exported, filename="own.json")
    assert problems == []
    a = next(e for e in back.elements if e.id == "a")
    assert (a.label, a.type, a.kind, a.function, a.tags, a.position, a.perspectives) == (
        "Seed Co",
        "Lead firm",
        "actor",
        "core",
        ["seed", "inputs"],
        (1.5, -2.0),
        ["Team"],
    )
    rain = next(e for e in back.elements if e.id == "b")
    assert rain.kind == "factor" and rain.attributes.get("source") == "survey 2025"
    (c,) = back.connections
    assert (c.source, c.target, c.type, c.sign, c.strength, c.perspective) == (
        "b",
        "a",
        "causal",
        "-",
        2.5,
        "Team",
    )


def test_importing_a_file_from_the_page_previews_then_saves_all(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from conftest import client_for
    from konbit.maps.models import Connection, Element, Map

    client = client_for(world.facilitator)
    rows = (
        "from,to,sign,perspective\n"
        "Seed Co,Agro-dealer,+,Team\n"
        "agro-dealer,Farmers,plsu,Team\n"
        "Seed Co,Farmers,-,Partner A\n"
    )
    upload = SimpleUploadedFile("views.csv", rows.encode(), content_type="text/csv")
    preview = client.post("/p/alpha/maps/import/", {"file": upload, "name": "Workshop views"})
    body = preview.content.decode()
    assert "row 3, column sign: unknown sign &#x27;plsu&#x27;" in body
    assert not Map.objects.filter(name="Workshop views").exists()
    token = preview.context["token"]
    refused = client.post(f"/p/alpha/maps/import/{token}/", {"name": "Workshop views"})
    assert refused.status_code == 302 and not Map.objects.filter(name="Workshop views").exists()
    client.post(f"/p/alpha/maps/import/{token}/", {"name": "Workshop views", "accept_problems": "1"})
    map = Map.objects.get(name="Workshop views")
    assert Element.objects.filter(map=map).count() == 3
    # the row with an unreadable sign is kept, with the unknown sign
    assert Connection.objects.filter(map=map).count() == 3
    assert Connection.objects.filter(map=map, sign="?").count() == 1
