"""Kumu projects move in whole: a project with several maps becomes one Konbit map with one view per
Kumu map (its own positions, elements and connections), element kinds come from the file, named loops
are kept, and Kumu JSON → Konbit (through the real import into the database) → Kumu JSON gives back the
same project, each map with its positions. The map page offers the views and draws the chosen one."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import World, client_for
from konbit.core.access import Access
from konbit.core.models import Membership
from konbit.maps import selectors, services
from konbit.maps.formats import dump, load
from konbit.maps.models import Element, Map, MapView

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "kumu_two_maps.json"
SAMPLE = (
    Path(__file__).resolve().parents[3].parent / "shared" / "fixtures" / "kumu-project-backup-sample.json"
)


def _access(world: World) -> Access:
    membership = Membership.objects.select_related("program").get(
        program=world.program_a, user=world.facilitator
    )
    return Access(program=world.program_a, membership=membership)


def _import(world: World, data: bytes) -> Map:
    gmap, problems = load(data, filename="project.json")
    assert problems == []
    return services.map_import(access=_access(world), by=world.facilitator, gmap=gmap, name=gmap.name)


def _export(world: World, map: Map) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(dump(selectors.to_gmap(access=_access(world), map=map), "kumu-backup"))
    return data


def _positions(document: dict[str, Any], map_id: str) -> dict[str, tuple[float, float]]:
    kumu_map = next(m for m in document["maps"] if m["_id"] == map_id)
    return {e["element"]: (e["position"]["x"], e["position"]["y"]) for e in kumu_map["elements"]}


def test_two_map_kumu_project_survives_import_into_konbit_and_export(world: World) -> None:
    original = FIXTURE.read_bytes()
    map = _import(world, original)
    # One map, one view per Kumu map, in the project's order, with its own positions and members.
    market, actors = MapView.objects.filter(map=map)
    assert (market.name, actors.name) == ("Market", "Who trades")
    assert actors.positions["elem-price"] == [400.0, -120.0]
    assert market.positions["elem-price"] == [0.0, -200.0]
    assert actors.element_keys == ["elem-coop", "elem-trader", "elem-price", "elem-policy"]
    assert actors.connection_keys == ["conn-3", "conn-4"]
    # Element kinds read from the type, a kind field, or konbit:kind; the types kept as written.
    kinds = dict(Element.objects.filter(map=map).values_list("label", "kind"))
    assert kinds == {
        "Bean price": "factor",  # type Variable
        "Demand": "factor",  # type factor
        "Coop Lavi": "actor",  # type Organisation
        "Trader": "actor",  # kind field Person
        "Rainfall": "factor",  # type Weather, kind field driver
        "Export ban": "actor",  # type Issue, but konbit:kind says actor
    }
    assert Element.objects.get(map=map, key="elem-price").type == "Variable"
    # Named loops kept with their narrative and the connections they name.
    (loop,) = map.extra["kumu:project"]["loops"]
    assert loop["attributes"]["label"] == "B1 Price and demand"
    assert loop["attributes"]["description"].startswith("When prices rise")
    assert loop["connections"] == ["conn-1", "conn-2"]

    exported = _export(world, map)
    assert exported == json.loads(original)  # elements, connections, types, fields, loops, maps

    # Laying out one view changes that Kumu map only, and the elements' own layout not at all.
    saved = services.view_positions_save(
        access=_access(world), view=actors, positions={"elem-trader": (10.0, 20.0), "elem-demand": (1.0, 1.0)}
    )
    assert saved == 1  # Demand is not in that view
    again = _export(world, map)
    assert _positions(again, "map-actors")["elem-trader"] == (10.0, 20.0)
    assert _positions(again, "map-market") == _positions(json.loads(original), "map-market")
    assert Element.objects.get(map=map, key="elem-trader").x is None

    # Export → import → export gives the same bytes.
    first = dump(selectors.to_gmap(access=_access(world), map=map), "kumu-backup")
    map2 = _import(world, first)
    assert dump(selectors.to_gmap(access=_access(world), map=map2), "kumu-backup") == first


def test_a_deleted_element_leaves_every_kumu_map_of_the_export(world: World) -> None:
    map = _import(world, FIXTURE.read_bytes())
    price = Element.objects.get(map=map, key="elem-price")
    services.element_delete(element=price, by=world.facilitator)
    exported = _export(world, map)
    for kumu_map in exported["maps"]:
        assert "elem-price" not in {e["element"] for e in kumu_map["elements"]}
        assert not {"conn-1", "conn-2", "conn-4", "conn-5"} & {
            c["connection"] for c in kumu_map["connections"]
        }


@pytest.mark.skipif(not SAMPLE.exists(), reason="../shared/fixtures is not beside this checkout")
def test_real_one_map_project_needs_no_view_and_comes_back_the_same(world: World) -> None:
    original = SAMPLE.read_bytes()
    map = _import(world, original)
    assert not MapView.objects.filter(map=map).exists()  # one Kumu map: its positions are the elements'
    assert Element.objects.filter(map=map, x__isnull=False).count() == 51
    assert _export(world, map) == json.loads(original)


def _data(client: Any, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200
    body = response.content
    return dict(json.loads(gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body))


def test_the_map_page_offers_each_kumu_map_and_draws_only_its_elements_at_its_positions(world: World) -> None:
    map = _import(world, FIXTURE.read_bytes())
    actors = MapView.objects.get(map=map, key="map-actors")
    client = client_for(world.facilitator)
    page = client.get(f"/p/alpha/maps/{map.pk}/").content.decode()
    market = MapView.objects.get(map=map, name="Market")
    assert '<option value="">All elements</option>' in page
    assert f'<option value="{actors.pk}">{actors.name}</option>' in page
    assert f'<option value="{market.pk}">Market</option>' in page
    chosen = client.get(f"/p/alpha/maps/{map.pk}/?view={actors.pk}").content.decode()
    assert f'data-src="/p/alpha/maps/{map.pk}/data.json?view={actors.pk}"' in chosen
    assert f'data-positions="/p/alpha/maps/{map.pk}/positions/?view={actors.pk}"' in chosen

    whole = _data(client, f"/p/alpha/maps/{map.pk}/data.json")
    assert len(whole["nodes"]) == 6 and len(whole["edges"]) == 5
    data = _data(client, f"/p/alpha/maps/{map.pk}/data.json?view={actors.pk}")
    nodes = {n[0]: (n[6], n[7]) for n in data["nodes"]}
    assert nodes == {
        "elem-coop": (300.5, 40.25),
        "elem-trader": (500.0, 40.0),
        "elem-price": (400.0, -120.0),
        "elem-policy": (620.0, 200.0),
    }
    # A view changes where elements stand, not what the side panel tells of them.
    full = {n[0]: n for n in whole["nodes"]}
    assert all(n[:6] + n[8:] == full[n[0]][:6] + full[n[0]][8:] for n in data["nodes"])
    keys = [n[0] for n in data["nodes"]]
    assert sorted((keys[e[0]], keys[e[1]], e[2]) for e in data["edges"]) == [
        ("elem-coop", "elem-price", "mutual"),
        ("elem-coop", "elem-trader", "undirected"),
    ]

    # A connection added in Konbit shows in every view that holds both its ends.
    services.connection_create(
        access=_access(world),
        map=map,
        by=world.facilitator,
        data={
            "source": Element.objects.get(map=map, key="elem-trader"),
            "target": Element.objects.get(map=map, key="elem-policy"),
        },
    )
    data = _data(client, f"/p/alpha/maps/{map.pk}/data.json?view={actors.pk}")
    assert len(data["edges"]) == 3

    # Saving positions with the view stores them in the view, not in the elements' own layout.
    response = client.post(
        f"/p/alpha/maps/{map.pk}/positions/?view={actors.pk}",
        json.dumps({"positions": {"elem-coop": [1.5, -2.5]}}),
        content_type="application/json",
    )
    assert response.json() == {"saved": 1}
    actors.refresh_from_db()
    assert actors.positions["elem-coop"] == [1.5, -2.5]
    assert Element.objects.get(map=map, key="elem-coop").x is None
    redrawn = _data(client, f"/p/alpha/maps/{map.pk}/data.json?view={actors.pk}")["nodes"]
    assert next(n[6:8] for n in redrawn if n[0] == "elem-coop") == [1.5, -2.5]


def test_a_view_of_another_map_or_programme_is_not_found(world: World) -> None:
    map = _import(world, FIXTURE.read_bytes())
    other = _import(world, FIXTURE.read_bytes())
    view = MapView.objects.get(map=other, key="map-actors")
    client = client_for(world.facilitator)
    assert client.get(f"/p/alpha/maps/{map.pk}/data.json?view={view.pk}").status_code == 404
    assert client.get(f"/p/alpha/maps/{map.pk}/?view=x").status_code == 404
    outsider = client_for(world.outsider)
    assert outsider.get(f"/p/alpha/maps/{map.pk}/data.json?view={view.pk}").status_code == 404
