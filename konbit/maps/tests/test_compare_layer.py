"""The comparison drawn on the map view: maps/<pk>/compare/layer.json."""

from __future__ import annotations

from typing import Any

from conftest import World, client_for
from konbit.maps import graph as g
from konbit.maps import services
from konbit.maps.tests.test_pages import access_of


def test_the_comparison_layer_counts_perspectives_as_a_count_made_here(db: Any, world: World) -> None:
    """Consensus from a number of perspectives, blind spots and disagreements, checked against a count
    made here from the drawn connections."""
    drawn = {  # connection → {perspective: sign}
        ("a", "b"): {"P1": "+", "P2": "+", "P3": "-"},
        ("b", "c"): {"P1": "+", "P2": "?"},
        ("c", "d"): {"P3": ""},
        ("d", "a"): {"P1": "-", "P2": "-", "P3": "-"},
    }
    connections = [
        g.GConnection(source=s, target=t, sign=sign, perspective=p)
        for (s, t), views in drawn.items()
        for p, sign in views.items()
    ]
    elements = [g.GElement(id=k, label=k.upper()) for k in "abcd"]
    map = services.map_import(
        access=access_of(world, world.facilitator),
        by=world.facilitator,
        gmap=g.GMap(elements=elements, connections=connections),
        name="Three views",
    )
    client = client_for(world.facilitator)
    url = f"/p/alpha/maps/{map.pk}/compare/layer.json"
    layer = client.get(url).json()
    assert (layer["total"], layer["threshold"]) == (3, 2)  # at least half by default
    expected = sorted([s, t, True, len(v)] for (s, t), v in drawn.items() if len(v) >= 2)
    assert sorted(layer["consensus"]) == expected
    assert layer["blind_spots"] == [["c", "d", True, "P3"]]
    signs = {sign for views in drawn.values() for sign in views.values()}
    assert {"+", "-", "?"} <= signs
    # Only + against − disagrees: "?" on b→c disagrees with nothing.
    assert [row[:2] for row in layer["disagreements"]] == [["a", "b"]]
    layer = client.get(url, {"threshold": "3"}).json()
    assert sorted(row[:2] for row in layer["consensus"]) == [["a", "b"], ["d", "a"]]
    assert client.get(url, {"threshold": "99"}).json()["threshold"] == 3
    # The map page offers the layer when the map has two perspectives or more.
    page = client.get(f"/p/alpha/maps/{map.pk}/").content.decode()
    assert f'data-compare="/p/alpha/maps/{map.pk}/compare/layer.json"' in page
    assert 'id="map-compare"' in page


def test_a_map_with_one_perspective_offers_no_comparison_layer(db: Any, world: World) -> None:
    """One perspective has nothing to be compared with: the map page has no layer select and no
    comparison address for the script to fetch."""
    map = services.map_import(
        access=access_of(world, world.facilitator),
        by=world.facilitator,
        gmap=g.GMap(
            elements=[g.GElement(id="a", label="A"), g.GElement(id="b", label="B")],
            connections=[g.GConnection(source="a", target="b", perspective="Team")],
        ),
        name="One view",
    )
    page = client_for(world.facilitator).get(f"/p/alpha/maps/{map.pk}/").content.decode()
    assert 'data-compare=""' in page
    assert 'id="map-compare"' not in page
