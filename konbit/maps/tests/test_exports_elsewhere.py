"""GraphML and GEXF exports open where people take them — networkx (read_graphml, read_gexf) and
igraph (Read_GraphML; igraph has no GEXF reader) — with every element, connection and attribute, and
Konbit reads its own files back as the same map, mutual connections included."""

from __future__ import annotations

import io
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import igraph as ig
import networkx as nx
import pytest

from konbit.maps.formats import dump, load
from konbit.maps.graph import GConnection, GElement, GMap


def mixed_map() -> GMap:
    """Directed, undirected and mutual connections; custom fields of text, number, boolean and list."""
    return GMap(
        name="Mixed",
        elements=[
            GElement(
                id="a",
                label="Seed Co",
                type="Lead firm",
                function="core",
                tags=["seed", "inputs"],
                description="Sells seed",
                attributes={"region": "Nord", "staff": 40, "certified": True, "crops": ["maize", "beans"]},
                position=(10.0, -25.5),
                perspectives=["Team"],
            ),
            GElement(
                id="b",
                label="Farmers",
                type="Producer",
                attributes={"region": "Sud", "staff": 2.5, "certified": False, "crops": []},
                position=(-40.0, 60.0),
                perspectives=["Farmers", "Team"],
            ),
            GElement(
                id="c",
                label="Rainfall",
                kind="factor",
                attributes={"region": "Ouest", "staff": 0, "certified": True, "crops": ["all"]},
            ),
        ],
        connections=[
            GConnection(
                "a",
                "b",
                id="ab",
                type="Trade",
                sign="+",
                strength=3.0,
                perspective="Team",
                description="Seed sales",
                tags=["market"],
                attributes={"note": "weekly", "volume": 12, "formal": True, "months": ["may", "june"]},
            ),
            GConnection(
                "b",
                "c",
                id="bc",
                direction="undirected",
                type="Exposure",
                sign="?",
                attributes={"note": "", "volume": 1.5, "formal": False, "months": []},
            ),
            GConnection(
                "c",
                "a",
                id="ca",
                direction="mutual",
                type="Influence",
                sign="-",
                perspective="Farmers",
                attributes={"note": "both ways", "volume": 0, "formal": True, "months": ["all"]},
            ),
        ],
    )


def content(gmap: GMap) -> dict[str, Any]:
    return {
        "name": gmap.name,
        "elements": [asdict(e) for e in gmap.elements],
        "connections": [asdict(c) for c in gmap.connections],
    }


@pytest.mark.parametrize("format", ["graphml", "gexf"])
def test_konbit_reads_its_own_graphml_and_gexf_back_as_the_same_map(format: str) -> None:
    original = mixed_map()
    gmap, problems = load(dump(original, format), format=format)
    assert problems == []
    assert content(gmap) == content(original)


NODE_VALUES = {
    "a": {"label": "Seed Co", "type": "Lead firm", "function": "core", "tags": "seed|inputs"},
    "b": {"label": "Farmers", "type": "Producer", "perspectives": "Farmers|Team"},
    "c": {"label": "Rainfall", "kind": "factor"},
}


def _check_nodes(nodes: dict[str, dict[str, Any]], positions: dict[str, tuple[float, float]]) -> None:
    assert set(nodes) == {"a", "b", "c"}
    for key, expected in NODE_VALUES.items():
        for name, value in expected.items():
            assert nodes[key][name] == value, (key, name)
    assert (nodes["a"]["region"], nodes["a"]["staff"], nodes["a"]["certified"]) == ("Nord", 40, True)
    assert json.loads(nodes["a"]["crops"]) == ["maize", "beans"]
    assert (nodes["b"]["staff"], nodes["b"]["certified"], json.loads(nodes["b"]["crops"])) == (2.5, False, [])
    assert nodes["a"]["description"] == "Sells seed"
    assert positions == {"a": (10.0, -25.5), "b": (-40.0, 60.0)}  # c has none


def test_graphml_opens_in_networkx_with_every_node_edge_and_attribute() -> None:
    graph = nx.read_graphml(io.BytesIO(dump(mixed_map(), "graphml")))
    assert graph.is_directed()
    nodes = dict(graph.nodes(data=True))
    _check_nodes(nodes, {k: (v["x"], v["y"]) for k, v in nodes.items() if "x" in v})
    assert "x" not in nodes["c"]
    # A directed connection is one arc; undirected and mutual ones are two, the second flagged.
    arcs = sorted((s, t, d.get("konbit:mirror", False)) for s, t, d in graph.edges(data=True))
    assert arcs == [
        ("a", "b", False),
        ("a", "c", True),
        ("b", "c", False),
        ("c", "a", False),
        ("c", "b", True),
    ]
    connections = {d["id"]: d for _s, _t, d in graph.edges(data=True) if not d.get("konbit:mirror")}
    assert set(connections) == {"ab", "bc", "ca"}
    ab, bc, ca = connections["ab"], connections["bc"], connections["ca"]
    assert (ab["direction"], ab["type"], ab["sign"], ab["weight"], ab["perspective"]) == (
        "directed",
        "Trade",
        "+",
        3.0,
        "Team",
    )
    assert (ab["description"], ab["tags"], ab["note"], ab["volume"], ab["formal"]) == (
        "Seed sales",
        "market",
        "weekly",
        12.0,
        True,
    )
    assert json.loads(ab["months"]) == ["may", "june"]
    assert (bc["direction"], bc["sign"], bc["volume"], bc["formal"]) == ("undirected", "?", 1.5, False)
    assert (ca["direction"], ca["sign"], ca["perspective"], json.loads(ca["months"])) == (
        "mutual",
        "-",
        "Farmers",
        ["all"],
    )
    assert graph.graph["name"] == "Mixed"


def test_gexf_opens_in_networkx_with_every_node_edge_and_attribute() -> None:
    graph = nx.read_gexf(io.BytesIO(dump(mixed_map(), "gexf")))
    assert graph.is_directed()
    nodes = dict(graph.nodes(data=True))
    positions = {
        k: (v["viz"]["position"]["x"], -v["viz"]["position"]["y"])  # Gephi's y grows upward
        for k, v in nodes.items()
        if "viz" in v
    }
    assert set(positions) == {"a", "b"}
    _check_nodes(nodes, positions)
    # "mutual" edges are read by networkx as two opposite arcs, which is Konbit's own analysis graph.
    assert sorted((s, t) for s, t in graph.edges()) == [
        ("a", "b"),
        ("a", "c"),
        ("b", "c"),
        ("c", "a"),
        ("c", "b"),
    ]
    by_id = {d["id"]: d for _s, _t, d in graph.edges(data=True)}
    assert set(by_id) == {"ab", "bc", "ca"}
    assert (by_id["ab"]["direction"], by_id["ab"]["weight"], by_id["ab"]["volume"]) == ("directed", 3.0, 12.0)
    assert (by_id["bc"]["direction"], by_id["ca"]["direction"]) == ("undirected", "mutual")
    assert (by_id["ca"]["sign"], by_id["ca"]["formal"], json.loads(by_id["ca"]["months"])) == (
        "-",
        True,
        ["all"],
    )


def test_graphml_opens_in_igraph_with_every_node_edge_and_attribute(tmp_path: Path) -> None:
    path = tmp_path / "mixed.graphml"
    path.write_bytes(dump(mixed_map(), "graphml"))
    graph = ig.Graph.Read_GraphML(str(path))
    assert graph.is_directed() and graph.vcount() == 3 and graph.ecount() == 5
    nodes = {v["id"]: v.attributes() for v in graph.vs}
    _check_nodes(nodes, {k: (v["x"], v["y"]) for k, v in nodes.items() if v["x"] == v["x"]})  # NaN: none
    edges = [
        (graph.vs[e.source]["id"], graph.vs[e.target]["id"], e.attributes())
        for e in graph.es
        if not e["konbit:mirror"]
    ]
    assert [(s, t, d["direction"], d["sign"]) for s, t, d in edges] == [
        ("a", "b", "directed", "+"),
        ("b", "c", "undirected", "?"),
        ("c", "a", "mutual", "-"),
    ]
    assert (edges[0][2]["volume"], edges[0][2]["formal"], json.loads(edges[0][2]["months"])) == (
        12.0,
        True,
        ["may", "june"],
    )


def test_a_map_without_directed_connections_is_an_undirected_graph_everywhere() -> None:
    gmap = mixed_map()
    gmap.connections = gmap.connections[1:]  # undirected and mutual only
    graph = nx.read_graphml(io.BytesIO(dump(gmap, "graphml")))
    assert not graph.is_directed() and graph.number_of_edges() == 2
    assert nx.read_gexf(io.BytesIO(dump(gmap, "gexf"))).number_of_edges() == 2
    for format in ("graphml", "gexf"):
        assert [c.direction for c in load(dump(gmap, format), format=format)[0].connections] == [
            "undirected",
            "mutual",
        ]


@pytest.mark.parametrize("format", ["graphml", "gexf"])
def test_a_stored_map_exported_and_imported_again_is_the_same_map(world: Any, format: str) -> None:
    from konbit.core.access import Access
    from konbit.core.models import Membership
    from konbit.maps import selectors, services

    membership = Membership.objects.select_related("program").get(
        program=world.program_a, user=world.facilitator
    )
    access = Access(program=world.program_a, membership=membership)
    map = services.map_import(access=access, by=world.facilitator, gmap=mixed_map(), name="Mixed")
    stored = selectors.to_gmap(access=access, map=map)
    # (Importing links each end of a connection to the perspective that recorded it.)
    assert content(stored)["connections"] == content(mixed_map())["connections"]
    elements = content(mixed_map())["elements"]
    assert [{**e, "perspectives": None} for e in content(stored)["elements"]] == [
        {**e, "perspectives": None} for e in elements
    ]
    again = services.map_import(
        access=access, by=world.facilitator, gmap=load(dump(stored, format), format=format)[0], name="Again"
    )
    assert content(selectors.to_gmap(access=access, map=again)) == {**content(stored), "name": "Again"}


def test_element_kind_comes_from_the_type_or_a_kind_field_of_graphml_and_gexf() -> None:
    graphml = (
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
        '<key id="t" for="node" attr.name="type" attr.type="string"/>'
        '<key id="k" for="node" attr.name="kind" attr.type="string"/>'
        '<graph edgedefault="directed"><node id="a"><data key="t">Stock</data></node>'
        '<node id="b"><data key="t">Organisation</data></node><node id="c"><data key="k">driver</data></node>'
        '<node id="d"><data key="t">Variable</data><data key="k">actor</data></node>'
        "</graph></graphml>"
    )
    gmap, problems = load(graphml.encode(), filename="kinds.graphml")
    assert problems == []
    assert [(e.id, e.type, e.kind) for e in gmap.elements] == [
        ("a", "Stock", "factor"),
        ("b", "Organisation", "actor"),
        ("c", "", "factor"),
        ("d", "Variable", "actor"),  # a kind value wins over the type
    ]
