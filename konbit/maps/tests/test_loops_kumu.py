"""Polarity from Kumu connection types, feedback loops against networkx, and Kumu's named loops.

The fixture kumu_causal_loops.json is a causal-loop map written for these tests: connection types
`++ / -- / +- / -+` (and `+`, `?`, a type that is not a polarity, an explicit konbit:sign), a reinforcing
7-element loop, a balancing 8-element loop, a short balancing loop, a loop through a link with no sign and
one through a "?" link, a mutual and an undirected connection, and two named loops with their narrative.
Every loop the CLI reports is checked against networkx.simple_cycles, with each loop's polarity worked out
here from the file's connection types, independently of Konbit's reader and loop finder.
"""

from __future__ import annotations

import itertools
import json
import random
from io import StringIO
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from django.core.management import call_command
from django.utils.html import strip_tags

from conftest import World, client_for
from konbit.core.access import Access
from konbit.core.models import Membership
from konbit.core.services import tenant_record_restore
from konbit.maps import selectors, services
from konbit.maps.analysis import feedback_loops
from konbit.maps.formats.kumu_backup import backup_to_gmap, read_kumu_backup, write_kumu_backup
from konbit.maps.formats.kumu_blueprint import read_kumu_blueprint, write_kumu_blueprint
from konbit.maps.graph import DIRECTED, MUTUAL, GConnection, GElement, GMap
from konbit.maps.models import Connection, Element, Map

FIXTURE = Path(__file__).parent / "fixtures" / "kumu_causal_loops.json"

# The test's own reading of Kumu polarity tokens (same direction: +; opposite: −; "?": unknown).
SAME, OPPOSITE = {"+", "++", "--"}, {"-", "+-", "-+"}


def analyze_json(path: Path) -> dict[str, Any]:
    out, err = StringIO(), StringIO()
    call_command("map", "analyze", str(path), "--json", stdout=out, stderr=err)
    return json.loads(out.getvalue())


def polarity_of(step_signs: list[set[str | None]]) -> set[str]:
    """Every polarity a loop can have: one connection chosen per step, the product of their signs, or
    unknown when a chosen connection has no sign (None)."""
    outcomes = set()
    for choice in itertools.product(*step_signs):
        if None in choice:
            outcomes.add("unknown")
        else:
            outcomes.add("reinforcing" if choice.count("-") % 2 == 0 else "balancing")
    return outcomes


def canonical(cycle: list[str]) -> tuple[str, ...]:
    first = cycle.index(min(cycle))
    return tuple(cycle[first:] + cycle[:first])


def expected_loops(arcs: dict[tuple[str, str], set[str | None]], nodes: list[str]) -> set[tuple[Any, ...]]:
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(arcs)
    expected = set()
    for cycle in nx.simple_cycles(graph, length_bound=8):
        steps = [arcs[(v, cycle[(i + 1) % len(cycle)])] for i, v in enumerate(cycle)]
        for polarity in polarity_of(steps):
            expected.add((canonical([str(v) for v in cycle]), polarity))
    return expected


# --- the CLI on a Kumu backup, against networkx ----------------------------------------------------------


def test_analyze_json_lists_every_loop_of_the_kumu_backup_with_its_polarity():
    document = json.loads(FIXTURE.read_text())
    arcs: dict[tuple[str, str], set[str | None]] = {}
    for c in document["connections"]:
        attrs = c["attributes"]
        token = attrs.get("konbit:sign", attrs.get("connection type"))
        sign = "+" if token in SAME else "-" if token in OPPOSITE else None
        ends = [(c["from"], c["to"])]
        if c["direction"] == "mutual":
            ends.append((c["to"], c["from"]))
        elif c["direction"] == "undirected":
            ends = []
        for pair in ends:
            arcs.setdefault(pair, set()).add(sign)
    expected = expected_loops(arcs, [e["_id"] for e in document["elements"]])

    loops = analyze_json(FIXTURE)["loops"]

    found = {(tuple(item["elements"]), item["sign"]) for item in loops["items"]}
    assert len(found) == len(loops["items"]) == loops["count"]
    assert found == expected
    assert (loops["truncated"], loops["stopped_by"], loops["max_length"]) == (False, None, 8)
    # What the file was drawn to show: the 7-element investment spiral reinforces (+- and -+ cancel out),
    # the 8-element glut balances, and the two loops through a link without a polarity are unknown.
    spiral = ("elem-hrv", "elem-sal", "elem-sav", "elem-inc", "elem-inv", "elem-yld", "elem-pst")
    glut = ("elem-acc", "elem-hrv", "elem-sup", "elem-prc", "elem-mrg", "elem-stk", "elem-trn", "elem-rds")
    assert (spiral, "reinforcing") in found and (glut, "balancing") in found
    assert (("elem-los", "elem-stk"), "balancing") in found
    assert (("elem-soi", "elem-yld"), "unknown") in found and (("elem-pes", "elem-pst"), "unknown") in found
    assert loops["counts"] == {
        sign: sum(1 for _, s in found if s == sign) for sign in ("reinforcing", "balancing", "unknown")
    }


def test_analyze_text_output_states_the_bound_and_the_polarities():
    out = StringIO()
    call_command("map", "analyze", str(FIXTURE), stdout=out, stderr=StringIO())
    text = out.getvalue()
    assert "Feedback loops: 7 (3 reinforcing, 2 balancing, 2 unknown)" in text
    assert "Loops of up to 8 elements are searched; longer loops are not listed." in text
    assert "balancing    Storage losses → Trader stock" in text


@pytest.mark.parametrize("seed", range(12))
def test_random_signed_maps_loops_match_networkx(seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - a reproducible test map
    n = 30
    nodes = [f"n{i:02d}" for i in range(n)]
    connections = []
    arcs: dict[tuple[str, str], set[str | None]] = {}
    for _ in range(rng.randint(55, 75)):
        a, b = rng.sample(nodes, 2) if rng.random() > 0.03 else [rng.choice(nodes)] * 2
        sign = rng.choice(["+", "+", "-", "-", "", "?"])
        direction = MUTUAL if rng.random() < 0.1 else DIRECTED
        connections.append(GConnection(source=a, target=b, sign=sign, direction=direction))
        for pair in [(a, b), (b, a)] if direction == MUTUAL else [(a, b)]:
            arcs.setdefault(pair, set()).add(sign if sign in ("+", "-") else None)
    gmap = GMap(elements=[GElement(id=v, label=v) for v in nodes], connections=connections)

    loops = feedback_loops(gmap, max_loops=100_000, time_budget=60)

    assert not loops["truncated"]
    found = [(tuple(item["elements"]), item["sign"]) for item in loops["items"]]
    assert len(found) == len(set(found))
    assert set(found) == expected_loops(arcs, nodes)


# --- polarity in Kumu connection types ----------------------------------------------------------------


def test_kumu_polarity_types_are_read_as_signs_and_kept_as_types():
    gmap, problems = read_kumu_backup(FIXTURE.read_bytes())
    assert problems == []
    by_id = {c.id: c for c in gmap.connections}
    read = {cid: (by_id[cid].type, by_id[cid].sign) for cid in ["conn-r1", "conn-r3", "conn-r4", "conn-r6"]}
    assert read == {
        "conn-r1": ("++", "+"),
        "conn-r3": ("+-", "-"),
        "conn-r4": ("-+", "-"),
        "conn-r6": ("--", "+"),
    }
    assert (by_id["conn-m1"].type, by_id["conn-m1"].sign) == ("+", "+")
    assert (by_id["conn-q1"].type, by_id["conn-q1"].sign) == ("?", "?")
    assert (by_id["conn-u2"].type, by_id["conn-u2"].sign) == ("depletes", "")
    # An explicit konbit:sign wins over the type.
    assert (by_id["conn-k1"].type, by_id["conn-k1"].sign) == ("++", "-")
    assert "konbit:sign" not in by_id["conn-k1"].attributes


@pytest.mark.parametrize(
    ("type_", "sign"),
    [
        ("positive", "+"),
        ("Negative", "-"),
        ("same", "+"),
        ("opposite", "-"),
        ("s", "+"),
        ("o", "-"),
        (" + ", "+"),
        ("\u2212", "-"),
        ("Trade", ""),
    ],
)
def test_other_spellings_of_polarity(type_: str, sign: str) -> None:
    document = {
        "elements": [{"_id": "a", "attributes": {"label": "A"}}, {"_id": "b", "attributes": {"label": "B"}}],
        "connections": [{"_id": "c", "from": "a", "to": "b", "attributes": {"connection type": type_}}],
    }
    gmap, _ = backup_to_gmap(document)
    assert (gmap.connections[0].type, gmap.connections[0].sign) == (type_, sign)


def test_kumu_backup_round_trip_keeps_types_and_signs_and_adds_no_field():
    gmap, _ = read_kumu_backup(FIXTURE.read_bytes())
    written = json.loads(write_kumu_backup(gmap))
    original = {c["_id"]: c["attributes"] for c in json.loads(FIXTURE.read_text())["connections"]}
    for c in written["connections"]:
        if c["_id"] == "conn-k1":
            # Its type said + but its sign is −: the type now says so, in the same style.
            assert c["attributes"] == {"connection type": "+-"}
        else:
            assert c["attributes"] == original[c["_id"]]
    again, _ = backup_to_gmap(written)
    assert [(c.id, c.type, c.sign) for c in again.connections if c.id != "conn-k1"] == [
        (c.id, c.type, c.sign) for c in gmap.connections if c.id != "conn-k1"
    ]
    assert write_kumu_backup(again) == write_kumu_backup(gmap)


@pytest.mark.parametrize(
    ("type_", "new_sign", "written_type", "written_sign"),
    [
        ("++", "-", "+-", None),
        ("+-", "+", "++", None),
        ("--", "-", "-+", None),
        ("-+", "+", "--", None),
        ("+", "-", "-", None),
        ("-", "+", "+", None),
        ("Positive", "-", "Negative", None),
        ("same", "-", "opposite", None),
        ("++", "?", "?", None),
        ("?", "-", "-", None),
        ("++", "", "++", ""),  # the sign removed: said by konbit:sign, as the type alone reads as +
        ("Trade", "-", "Trade", "-"),  # not a polarity token: the sign travels in konbit:sign as before
    ],
)
def test_a_changed_sign_is_written_back_in_the_type_style(
    type_: str, new_sign: str, written_type: str, written_sign: str | None
) -> None:
    gmap = GMap(
        elements=[GElement(id="a", label="A"), GElement(id="b", label="B")],
        connections=[GConnection(source="a", target="b", id="c", type=type_, sign=new_sign)],
    )
    for write, read, type_key in (
        (write_kumu_backup, read_kumu_backup, "connection type"),
        (write_kumu_blueprint, read_kumu_blueprint, "type"),
    ):
        document = json.loads(write(gmap))
        item = document["connections"][0]
        attrs = item.get("attributes", item)
        assert attrs[type_key] == written_type
        assert attrs.get("konbit:sign") == written_sign
        back, problems = read(json.dumps(document))
        assert problems == []
        assert (back.connections[0].type, back.connections[0].sign) == (written_type, new_sign)


# --- the analysis page and Kumu's named loops (database) --------------------------------------------------


def import_fixture(world: World, document: dict[str, Any] | None = None) -> Map:

    membership = Membership.objects.get(program=world.program_a, user=world.owner)
    gmap, _ = backup_to_gmap(document or json.loads(FIXTURE.read_text()))
    return services.map_import(
        access=Access(program=world.program_a, membership=membership),
        by=world.owner,
        gmap=gmap,
        name=gmap.name,
    )


def page_text(world: World, map: Map) -> str:

    response = client_for(world.facilitator).get(f"/p/alpha/maps/{map.pk}/analysis/")
    assert response.status_code == 200
    return " ".join(strip_tags(response.content.decode()).split())


def test_analysis_page_lists_the_loops_with_their_polarity_and_states_the_bound(world: World) -> None:
    map = import_fixture(world)
    text = page_text(world, map)
    assert "7 loops found: 3 reinforcing, 2 balancing, 2 of unknown polarity." in text
    assert "Loops of up to 8 elements are searched; longer loops are not listed." in text
    assert (
        "balancing Market access → Harvest volume → Market supply → Farm-gate price → Trader margin → "
        "Trader stock → Transport trips → Feeder road use" in text
    )
    assert (
        "reinforcing Harvest volume → Sales → Household savings → Farm income → Investment in inputs → "
        "Yield → Pest pressure" in text
    )
    assert "unknown polarity Soil fertility → Yield" in text
    assert "The search stopped" not in text and "Only the" not in text


def test_analysis_page_shows_the_named_loops_with_their_narrative_and_polarity(world: World) -> None:
    map = import_fixture(world)
    text = page_text(world, map)
    assert "Named loops" in text
    assert (
        "R1 Investment spiral reinforcing Income pays for inputs; better yields bring more income. "
        "Farm income → Investment in inputs → Yield → Pest pressure → Harvest volume → Sales → "
        "Household savings" in text
    )
    assert "B1 Glut balancing A big harvest floods the market and lowers the price." in text


def test_named_loop_polarity_follows_the_current_signs(world: World) -> None:
    map = import_fixture(world)
    link = Connection.objects.get(map=map, key="conn-b2")  # supply +- price: the glut's only minus
    services.connection_update(connection=link, by=world.facilitator, data={"sign": "+"})
    assert "B1 Glut reinforcing" in page_text(world, map)
    services.connection_update(connection=link, by=world.facilitator, data={"sign": ""})
    assert "B1 Glut unknown polarity" in page_text(world, map)


def test_a_named_loop_that_lost_an_element_is_broken_and_exports_leave_it_out(world: World) -> None:
    map = import_fixture(world)
    margin = Element.objects.get(map=map, key="elem-mrg")
    services.element_delete(element=margin, by=world.facilitator)

    text = page_text(world, map)
    assert "B1 Glut broken" in text
    assert (
        "No longer in the map (deleted or merged): Farm-gate price → Trader margin, "
        "Trader margin → Trader stock" in text
    )
    assert "R1 Investment spiral reinforcing" in text  # untouched

    exported = json.loads(
        client_for(world.facilitator).get(f"/p/alpha/maps/{map.pk}/export.kumu.json").content
    )
    loops = {loop["_id"]: loop for loop in exported["loops"]}
    assert loops["loop-b1"]["members"] == ["conn-b1", "conn-b2", "conn-b5", "conn-b6", "conn-b7", "conn-b8"]
    assert loops["loop-b1"]["attributes"]["label"] == "B1 Glut"
    assert len(loops["loop-r1"]["members"]) == 7
    assert "elem-mrg" not in json.dumps(exported)

    # Restored from the trash, the loop is whole again.
    tenant_record_restore(instance=Element.all_objects.get(pk=margin.pk), by=world.facilitator)
    for link in Connection.all_objects.filter(map=map, key__in=["conn-b3", "conn-b4"]):
        tenant_record_restore(instance=link, by=world.facilitator)
    assert "B1 Glut balancing" in page_text(world, map)


def test_a_named_loop_of_elements_follows_a_merge(world: World) -> None:
    document = {
        "name": "Debt trap",
        "elements": [
            {"_id": e, "attributes": {"label": label}}
            for e, label in [("d", "Debt"), ("r", "Repayments"), ("s", "Savings"), ("s2", "Savings (dup)")]
        ],
        "connections": [
            {
                "_id": "c1",
                "from": "d",
                "to": "r",
                "direction": "directed",
                "attributes": {"connection type": "++"},
            },
            {
                "_id": "c2",
                "from": "r",
                "to": "s2",
                "direction": "directed",
                "attributes": {"connection type": "+-"},
            },
            {
                "_id": "c3",
                "from": "s",
                "to": "d",
                "direction": "directed",
                "attributes": {"connection type": "+-"},
            },
        ],
        "loops": [{"_id": "l1", "label": "R2 Debt trap", "elements": ["d", "r", "s2"]}],
    }
    map = import_fixture(world, document)
    text = page_text(world, map)
    assert "R2 Debt trap unknown polarity" in text
    assert "No connection for these steps: Savings (dup) → Debt" in text

    access = Access(
        program=world.program_a, membership=Membership.objects.get(program=world.program_a, user=world.owner)
    )
    record = services.element_merge(
        access=access,
        keep=Element.objects.get(map=map, key="s"),
        merge=Element.objects.get(map=map, key="s2"),
        by=world.owner,
    )
    text = page_text(world, map)
    assert "R2 Debt trap reinforcing" in text and "Debt → Repayments → Savings" in text
    assert "broken" not in text
    map.refresh_from_db()
    exported = json.loads(write_kumu_backup(selectors.to_gmap(access=access, map=map)))
    assert exported["loops"][0]["elements"] == ["d", "r", "s"]

    # Undoing the merge gives the loop its own member back.
    services.element_merge_undo(access=access, record=record, by=world.owner)
    map.refresh_from_db()
    exported = json.loads(write_kumu_backup(selectors.to_gmap(access=access, map=map)))
    assert exported["loops"][0]["elements"] == ["d", "r", "s2"]
    assert "No connection for these steps: Savings (dup) → Debt" in page_text(world, map)


def test_a_dense_map_says_where_the_loop_search_stopped_on_the_page_and_in_the_cli(
    world: World, tmp_path: Path
) -> None:
    complete = nx.complete_graph(24, create_using=nx.DiGraph)
    gmap = GMap(
        name="Dense",
        elements=[GElement(id=f"e{v}", label=f"Factor {v}") for v in complete.nodes],
        connections=[GConnection(source=f"e{a}", target=f"e{b}", sign="+") for a, b in complete.edges],
    )
    path = tmp_path / "dense.json"
    path.write_bytes(write_kumu_backup(gmap))

    out = StringIO()
    call_command("map", "analyze", str(path), "--top", "3", stdout=out, stderr=StringIO())
    text = out.getvalue()
    assert "Feedback loops: at least " in text
    assert "Loops of up to 8 elements are searched; longer loops are not listed." in text
    assert (
        "The search stopped after counting 20000 loops: there are more, and longer loops may be missing."
        in text
        or "The search stopped after 2 s on this dense map" in text
    )
    assert "Only the 1000 shortest loops are listed; the others are counted." in text

    text = page_text(world, import_fixture(world, json.loads(path.read_text())))
    assert "At least " in text and " loops found: " in text
    assert "Loops of up to 8 elements are searched; longer loops are not listed." in text
    assert "The search stopped after" in text and "the longest ones may be missing." in text
    assert "Only the 1000 shortest loops are listed; the others are counted above." in text
    assert "The first 100 of 1000 listed loops are shown; the full list is in the analysis JSON." in text
