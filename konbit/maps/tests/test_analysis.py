"""The network analysis against independent references: networkx on the same graph for every metric,
and values worked out by hand on small maps. Pure: no database.

networkx's numpy/scipy back ends are not installed, so the references are its pure-Python twins of the
same definitions: _pagerank_python for pagerank (the algorithm nx.pagerank runs through scipy) and
power-iteration eigenvector_centrality for eigenvector_centrality_numpy (same vector, same scaling),
both run to a much tighter tolerance than their defaults.
"""

from __future__ import annotations

import json
import math
import random
import time

import networkx as nx
import pytest
from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

from konbit.maps.analysis import analyze, feedback_loops
from konbit.maps.analysis.build import build
from konbit.maps.analysis.metrics import betweenness_sample_size, diameter
from konbit.maps.graph import DIRECTED, MUTUAL, UNDIRECTED, GConnection, GElement, GMap

REL = 1e-6


# --- building maps and their networkx twins ------------------------------------------------------------


def make_map(nodes, edges, direction=DIRECTED, **element_fields) -> GMap:
    """edges: (source, target) or (source, target, {GConnection fields})."""
    connections = []
    for edge in edges:
        fields = {"direction": direction, **(edge[2] if len(edge) > 2 else {})}
        connections.append(GConnection(source=str(edge[0]), target=str(edge[1]), **fields))
    elements = [GElement(id=str(n), label=f"Element {n}", **element_fields.get(str(n), {})) for n in nodes]
    return GMap(elements=elements, connections=connections)


def reference_graph(gmap: GMap) -> nx.Graph:
    """The graph the analysis is specified on, built independently of konbit's builder."""
    directed = any(c.direction == DIRECTED for c in gmap.connections)
    G: nx.Graph = nx.DiGraph() if directed else nx.Graph()
    G.add_nodes_from(e.id for e in gmap.elements)
    for c in gmap.connections:
        if c.source == c.target:
            continue
        G.add_edge(c.source, c.target)
        if directed and c.direction != DIRECTED:
            G.add_edge(c.target, c.source)
    return G


def by_id(result):
    return {e["id"]: e for e in result["elements"]}


def finite_path_lengths(G):
    return [
        d
        for source, lengths in nx.all_pairs_shortest_path_length(G)
        for t, d in lengths.items()
        if t != source
    ]


def assert_matches_networkx(gmap: GMap, *, seed: int = 0) -> dict:
    """Every metric of analyze(gmap) equals networkx's on the same graph (rel 1e-6)."""
    result = analyze(gmap, seed=seed)
    G = reference_graph(gmap)
    U = nx.Graph(G)  # the undirected simple view
    elements = by_id(result)
    m = result["map"]

    assert m["elements"] == G.number_of_nodes()
    assert m["directed"] == G.is_directed()
    assert m["density"] == pytest.approx(nx.density(G), rel=REL)
    if G.is_directed():
        assert m["reciprocity"] == pytest.approx(nx.overall_reciprocity(G), rel=REL)
        assert m["components"] == nx.number_weakly_connected_components(G)
    else:
        assert m["reciprocity"] is None
        assert m["components"] == nx.number_connected_components(G)
    largest = max(nx.connected_components(U), key=len)
    assert m["largest_component"] == len(largest)
    assert m["diameter"] == nx.diameter(U.subgraph(largest))
    lengths = finite_path_lengths(G)
    assert m["average_path_length"] == pytest.approx(sum(lengths) / len(lengths), rel=REL)
    degrees = dict(U.degree())
    n = len(degrees)
    top = max(degrees.values())
    assert m["degree_centralization"] == pytest.approx(
        sum(top - d for d in degrees.values()) / ((n - 1) * (n - 2)), rel=REL
    )

    betweenness = nx.betweenness_centrality(G, normalized=True)
    closeness = nx.closeness_centrality(G)
    pagerank = _pagerank_python(G, alpha=0.85, tol=1e-15, max_iter=100000)
    eigenvector = nx.eigenvector_centrality(U, max_iter=100000, tol=1e-15)
    constraint = nx.constraint(U)
    for node in G:
        e = elements[node]
        assert e["degree"] == U.degree(node)
        if G.is_directed():
            assert e["in_degree"] == G.in_degree(node)
            assert e["out_degree"] == G.out_degree(node)
        else:
            assert e["in_degree"] == e["out_degree"] == U.degree(node)
        assert e["betweenness"] == pytest.approx(betweenness[node], rel=REL, abs=1e-12), node
        assert e["closeness"] == pytest.approx(closeness[node], rel=REL, abs=1e-12), node
        assert e["pagerank"] == pytest.approx(pagerank[node], rel=REL), node
        assert e["eigenvector"] == pytest.approx(eigenvector[node], rel=1e-5, abs=1e-9), node
        if math.isnan(constraint[node]):
            assert e["constraint"] is None
        else:
            assert e["constraint"] == pytest.approx(constraint[node], rel=REL), node
        assert e["isolated"] == (U.degree(node) == 0)

    # Communities: the reported modularity is the partition's, and Louvain does as well as networkx's.
    partition: dict[int, set[str]] = {}
    for node, e in elements.items():
        partition.setdefault(e["community"], set()).add(node)
    assert m["communities"] == len(partition)
    assert sorted(partition) == list(range(len(partition)))
    if U.number_of_edges():
        ours = nx.community.modularity(U, partition.values())
        assert m["modularity"] == pytest.approx(ours, rel=REL, abs=1e-12)
        theirs = nx.community.modularity(U, nx.community.louvain_communities(U, seed=seed))
        assert m["modularity"] >= theirs - 0.03
    assert m["betweenness"]["method"] == "exact"
    assert m["estimated"] == []
    return result


# --- maps worked out by hand -----------------------------------------------------------------------------


def test_directed_path_of_four_by_hand():
    result = analyze(make_map("abcd", [("a", "b"), ("b", "c"), ("c", "d")]))
    e = by_id(result)
    assert [e[x]["degree"] for x in "abcd"] == [1, 2, 2, 1]
    assert [e[x]["in_degree"] for x in "abcd"] == [0, 1, 1, 1]
    assert [e[x]["out_degree"] for x in "abcd"] == [1, 1, 1, 0]
    # b lies on a→c and a→d, c on a→d and b→d: 2 of the (n−1)(n−2) = 6 ordered pairs.
    assert [e[x]["betweenness"] for x in "abcd"] == pytest.approx([0, 1 / 3, 1 / 3, 0])
    # Incoming closeness with Wasserman–Faust: (r−1)/Σd · (r−1)/(n−1).
    assert [e[x]["closeness"] for x in "abcd"] == pytest.approx([0, 1 / 3, 4 / 9, 1 / 2])
    # The undirected path's leading eigenvector is (1, φ, φ, 1), normalised.
    phi = (1 + math.sqrt(5)) / 2
    norm = math.sqrt(2 + 2 * phi * phi)
    assert [e[x]["eigenvector"] for x in "abcd"] == pytest.approx(
        [1 / norm, phi / norm, phi / norm, 1 / norm]
    )
    # An end's only contact constrains it fully; a middle element's two unconnected contacts, ¼ each.
    assert [e[x]["constraint"] for x in "abcd"] == pytest.approx([1, 0.5, 0.5, 1])
    m = result["map"]
    assert m["density"] == pytest.approx(3 / 12)
    assert m["reciprocity"] == 0
    assert m["components"] == 1 and m["largest_component"] == 4
    assert m["diameter"] == 3
    assert m["average_path_length"] == pytest.approx((1 + 2 + 3 + 1 + 2 + 1) / 6)
    assert m["degree_centralization"] == pytest.approx(2 / 6)
    assert sum(x["pagerank"] for x in result["elements"]) == pytest.approx(1)
    assert result["loops"] == {
        "count": 0,
        "counts": {"reinforcing": 0, "balancing": 0, "unknown": 0},
        "listed": 0,
        "truncated": False,
        "stopped_by": None,
        "max_length": 8,
        "max_loops": 1000,
        "max_counted": 20_000,
        "time_budget": 2.0,
        "items": [],
    }


def test_star_is_fully_centralised_and_its_hub_is_the_only_broker():
    result = analyze(make_map("habcd", [("h", x) for x in "abcd"], direction=UNDIRECTED))
    e = by_id(result)
    assert result["map"]["degree_centralization"] == pytest.approx(1)
    assert e["h"]["betweenness"] == pytest.approx(1)
    assert e["a"]["betweenness"] == 0
    assert e["h"]["constraint"] == pytest.approx(0.25)  # four contacts with no ties between them


def test_weighted_degree_sums_strengths_of_parallel_connections_but_degree_counts_neighbours():
    gmap = make_map(
        "abc",
        [
            ("a", "b", {"strength": 2.5}),
            ("a", "b", {"strength": 1.5}),
            ("b", "a"),  # no strength: 1
            ("a", "a", {"strength": 4}),  # a self-connection counts once
            ("a", "c", {"direction": UNDIRECTED}),
        ],
    )
    e = by_id(analyze(gmap))
    assert e["a"]["weighted_degree"] == pytest.approx(2.5 + 1.5 + 1 + 4 + 1)
    assert e["b"]["weighted_degree"] == pytest.approx(5)
    assert e["a"]["degree"] == 2
    assert e["a"]["in_degree"] == 2 and e["a"]["out_degree"] == 2  # b→a, and c both ways
    assert e["b"]["in_degree"] == 1 and e["b"]["out_degree"] == 1


def test_connections_to_unknown_elements_are_skipped():
    gmap = make_map("ab", [("a", "b"), ("a", "ghost")])
    result = analyze(gmap)
    assert result["map"]["connections"] == 1
    assert result["map"]["elements"] == 2


def test_result_is_strict_json():
    edges = [(0, 1), (1, 2), (2, 0), (3, 3)]
    result = analyze(make_map(range(6), edges), betweenness="sampled", epsilon=0.5)
    assert json.loads(json.dumps(result, allow_nan=False)) == result


def test_empty_map_and_lone_element():
    empty = analyze(GMap())
    assert empty["map"]["elements"] == 0 and empty["elements"] == [] and empty["map"]["diameter"] is None
    alone = analyze(GMap(elements=[GElement(id="x", label="X")]))
    x = alone["elements"][0]
    assert x["isolated"] and x["constraint"] is None and x["pagerank"] == pytest.approx(1)
    assert alone["map"]["average_path_length"] is None and alone["map"]["modularity"] is None


# --- against networkx --------------------------------------------------------------------------------------


def test_small_directed_signed_map_matches_networkx():
    edges = [
        ("a", "b", {"sign": "+"}),
        ("b", "c", {"sign": "-"}),
        ("c", "a", {"sign": "+"}),
        ("c", "d", {"sign": "+"}),
        ("d", "e", {"sign": "-"}),
        ("e", "c", {"sign": "-"}),
        ("e", "f"),
        ("f", "g", {"direction": MUTUAL}),
        ("b", "a", {"sign": "-"}),
    ]
    assert_matches_networkx(make_map("abcdefg", edges))


def test_undirected_map_matches_networkx():
    G = nx.karate_club_graph()
    assert_matches_networkx(make_map(G.nodes, G.edges, direction=UNDIRECTED))


def test_map_with_isolated_elements_and_two_components_matches_networkx():
    edges = [(0, 1), (1, 2), (2, 0), (2, 3), (5, 6), (6, 7), (7, 5), (7, 8)]
    for direction in (DIRECTED, UNDIRECTED):
        result = assert_matches_networkx(make_map(range(11), edges, direction=direction))
        assert result["map"]["components"] == 5  # two groups and three isolated elements
        assert result["gaps"]["isolated"] == ["10", "4", "9"]
        # Two identical components share the leading eigenvalue: split as power iteration splits them.
        e = by_id(result)
        assert e["0"]["eigenvector"] == pytest.approx(e["5"]["eigenvector"])
        assert e["4"]["eigenvector"] == 0


def test_mutual_connections_match_networkx():
    edges = [
        (0, 1, {"direction": MUTUAL}),
        (1, 2, {"direction": MUTUAL}),
        (2, 3),
        (3, 0),
        (3, 4, {"direction": UNDIRECTED}),
    ]
    result = assert_matches_networkx(make_map(range(6), edges))
    assert result["map"]["reciprocity"] == pytest.approx(6 / 8)


def test_parallel_connections_and_self_connections_do_not_change_the_metrics():
    edges = [(0, 1), (0, 1), (1, 2), (2, 0), (2, 2), (2, 3), (3, 1)]
    assert_matches_networkx(make_map(range(4), edges))


@pytest.mark.parametrize("direction", [DIRECTED, UNDIRECTED])
def test_random_map_of_300_elements_matches_networkx(direction):
    G = nx.gnm_random_graph(300, 900, seed=7, directed=direction == DIRECTED)
    assert_matches_networkx(make_map(G.nodes, G.edges, direction=direction), seed=3)


def test_random_map_with_mixed_directions_matches_networkx():
    rng = random.Random(5)
    G = nx.gnm_random_graph(120, 260, seed=11)
    edges = [(u, v, {"direction": rng.choice([DIRECTED, DIRECTED, MUTUAL, UNDIRECTED])}) for u, v in G.edges]
    assert_matches_networkx(make_map(G.nodes, edges))


# --- components and the diameter --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "G",
    [
        nx.cycle_graph(301),
        nx.grid_2d_graph(13, 17),
        nx.random_labeled_tree(400, seed=2),
        nx.barabasi_albert_graph(800, 2, seed=4),
        nx.path_graph(2),
        nx.complete_graph(6),
    ],
    ids=["cycle", "grid", "tree", "power-law", "edge", "complete"],
)
def test_bounding_diameter_is_exact(G):
    G = nx.convert_node_labels_to_integers(G)
    mg = build(make_map(G.nodes, G.edges, direction=UNDIRECTED))
    assert diameter(mg.undirected, list(range(mg.n))) == (nx.diameter(G), True)


# --- sampled betweenness ---------------------------------------------------------------------------------


def test_sample_size_follows_hoeffding_and_the_union_bound():
    n, epsilon, delta = 100_000, 0.02, 0.1
    plain = math.log(2 * n / delta) / (2 * epsilon**2)
    assert math.ceil(plain) <= betweenness_sample_size(n, epsilon, delta) <= math.ceil(plain * 1.0001)


def _power_law_map(n: int, directed: bool) -> GMap:
    G = nx.barabasi_albert_graph(n, 3, seed=1)
    rng = random.Random(2)
    edges = [(u, v) if rng.random() < 0.5 else (v, u) for u, v in G.edges]
    return make_map(G.nodes, edges, direction=DIRECTED if directed else UNDIRECTED)


@pytest.mark.parametrize(
    ("directed", "epsilon", "delta"), [(False, 0.05, 0.5), (False, 0.1, 0.1), (True, 0.1, 0.1)]
)
def test_sampled_betweenness_is_within_epsilon_of_exact(directed, epsilon, delta):
    gmap = _power_law_map(2000, directed)
    exact = analyze(gmap, betweenness="exact")
    sampled = analyze(gmap, betweenness="sampled", epsilon=epsilon, delta=delta, seed=42)
    info = sampled["map"]["betweenness"]
    assert info == {
        "method": "sampled",
        "sources": betweenness_sample_size(2000, epsilon, delta),
        "epsilon": epsilon,
        "delta": delta,
    }
    assert info["sources"] < 2000
    assert sampled["map"]["estimated"] == ["average_path_length", "betweenness", "closeness"]
    errors = [
        abs(s["betweenness"] - e["betweenness"])
        for s, e in zip(sampled["elements"], exact["elements"], strict=True)
    ]
    assert max(errors) <= epsilon
    # Sampled closeness and average path length (pivots) stay close to exact.
    relative = [
        abs(s["closeness"] - e["closeness"]) / e["closeness"]
        for s, e in zip(sampled["elements"], exact["elements"], strict=True)
        if e["closeness"]
    ]
    assert sum(relative) / len(relative) < 0.03 and max(relative) < 0.15
    assert sampled["map"]["average_path_length"] == pytest.approx(
        exact["map"]["average_path_length"], rel=0.03
    )
    assert sampled["map"]["diameter"] == exact["map"]["diameter"]


def test_sampling_that_would_need_every_source_is_exact_and_says_so():
    gmap = _power_law_map(2000, False)
    result = analyze(gmap, betweenness="sampled", epsilon=0.05)  # ⌈ln(40000/0.1)/0.005⌉ > 2000
    assert result["map"]["betweenness"] == {"method": "exact", "sources": 2000, "epsilon": 0.0, "delta": 0.0}
    assert result["map"]["estimated"] == ["average_path_length", "closeness"]


def test_auto_samples_above_5000_elements():
    gmap = _power_law_map(6000, False)
    result = analyze(gmap, epsilon=0.2)
    assert result["map"]["betweenness"]["method"] == "sampled"
    assert result["map"]["betweenness"]["sources"] == betweenness_sample_size(6000, 0.2, 0.1)


def test_bad_betweenness_arguments_are_refused():
    gmap = make_map("ab", [("a", "b")])
    with pytest.raises(ValueError):
        analyze(gmap, betweenness="fast")
    with pytest.raises(ValueError):
        analyze(gmap, epsilon=0)


def test_same_seed_same_result():
    G = nx.gnm_random_graph(200, 600, seed=9)
    gmap = make_map(G.nodes, G.edges, direction=UNDIRECTED)
    assert analyze(gmap, seed=5) == analyze(gmap, seed=5)


# --- loops ---------------------------------------------------------------------------------------------


def test_one_reinforcing_one_balancing_and_one_unknown_loop():
    edges = [
        # Reinforcing: more sales, more income, more stock bought, more sales.
        ("sales", "income", {"sign": "+"}),
        ("income", "stock", {"sign": "+"}),
        ("stock", "sales", {"sign": "+"}),
        # Balancing: more stock, more storage cost, less stock (a plus and a minus: −).
        ("stock", "cost", {"sign": "+"}),
        ("cost", "stock", {"sign": "-"}),
        # Undirected connections close no loop.
        ("cost", "income", {"direction": UNDIRECTED, "sign": "-"}),
        # A link without a sign: the loop's polarity cannot be told.
        ("sales", "rain"),
        ("rain", "sales", {"sign": "-"}),
    ]
    loops = analyze(make_map(["sales", "income", "stock", "cost", "rain"], edges))["loops"]
    assert loops["items"] == [
        {"elements": ["cost", "stock"], "sign": "balancing"},
        {"elements": ["rain", "sales"], "sign": "unknown"},
        {"elements": ["income", "stock", "sales"], "sign": "reinforcing"},
    ]
    assert loops["counts"] == {"reinforcing": 1, "balancing": 1, "unknown": 1}
    assert (loops["count"], loops["truncated"], loops["stopped_by"]) == (3, False, None)


def test_an_unknown_sign_makes_the_loop_unknown():
    edges = [("a", "b", {"sign": "?"}), ("b", "c", {"sign": "-"}), ("c", "a", {"sign": "-"})]
    items = feedback_loops(make_map("abc", edges))["items"]
    assert items == [{"elements": ["a", "b", "c"], "sign": "unknown"}]


def test_mutual_connection_and_parallel_signs_and_self_loop():
    edges = [
        ("a", "b", {"direction": MUTUAL, "sign": "-"}),  # a hurts b, b hurts a: reinforcing
        ("b", "c", {"sign": "+"}),
        ("b", "c", {"sign": "-"}),  # opposite parallel connection: the loop b→c→b is both
        ("c", "b", {"sign": "+"}),
        ("d", "d", {"sign": "-"}),
        ("e", "e"),  # a self-connection without a sign
        ("c", "e", {"sign": "+"}),
        ("c", "e"),  # a parallel connection without a sign: the loop c→e→c is also unknown
        ("e", "c", {"sign": "-"}),
    ]
    items = feedback_loops(make_map("abcde", edges))["items"]
    assert items == [
        {"elements": ["d"], "sign": "balancing"},
        {"elements": ["e"], "sign": "unknown"},
        {"elements": ["a", "b"], "sign": "reinforcing"},
        {"elements": ["b", "c"], "sign": "reinforcing"},
        {"elements": ["b", "c"], "sign": "balancing"},
        {"elements": ["c", "e"], "sign": "balancing"},
        {"elements": ["c", "e"], "sign": "unknown"},
    ]


def test_loops_are_the_simple_cycles_up_to_eight_elements():
    G = nx.gnm_random_graph(40, 90, seed=3, directed=True)
    loops = feedback_loops(make_map(G.nodes, G.edges), max_loops=100_000, time_budget=60)
    assert not loops["truncated"] and loops["max_length"] == 8
    expected = {tuple(sorted(c)) for c in nx.simple_cycles(G, length_bound=8)}
    assert any(len(c) == 8 for c in expected)
    found = [tuple(int(x) for x in item["elements"]) for item in loops["items"]]
    assert len(found) == len(set(found)) == len(expected)
    assert {tuple(sorted(c)) for c in found} == expected
    for cycle in found:  # listed from the smallest id, following the arcs
        assert str(cycle[0]) == min(str(x) for x in cycle)
        assert all(G.has_edge(cycle[i], cycle[(i + 1) % len(cycle)]) for i in range(len(cycle)))
    lengths = [len(c) for c in found]
    assert lengths == sorted(lengths)


def test_dense_map_lists_the_shortest_loops_and_says_the_list_is_cut():
    G = nx.complete_graph(30, create_using=nx.DiGraph)
    start = time.monotonic()
    loops = analyze(make_map(G.nodes, G.edges))["loops"]
    assert time.monotonic() - start < 5
    assert loops["truncated"] is True
    assert loops["listed"] == len(loops["items"]) == 1000 < loops["count"]
    # Far too many loops of up to 8 to count: the search stops at 20,000 (or at 2 s on a slow machine).
    assert loops["stopped_by"] in ("count", "time") and loops["count"] <= 20_000
    assert loops["count"] == loops["counts"]["unknown"]  # no connection has a sign
    assert len(loops["items"][0]["elements"]) == 2  # shortest first
    assert all(len(item["elements"]) <= 3 for item in loops["items"])  # 435 pairs, then triangles
    # Given time, it is the count that stops it, at exactly 20,000.
    unhurried = feedback_loops(make_map(G.nodes, G.edges), time_budget=60)
    assert (unhurried["count"], unhurried["stopped_by"], unhurried["truncated"]) == (20_000, "count", True)


def test_loops_beyond_the_list_are_still_counted():
    G = nx.gnm_random_graph(40, 100, seed=5, directed=True)
    every = feedback_loops(make_map(G.nodes, G.edges), max_loops=100_000, time_budget=60)
    cut = feedback_loops(make_map(G.nodes, G.edges), max_loops=10, time_budget=60)
    assert every["count"] > 10
    assert (cut["count"], cut["counts"]) == (every["count"], every["counts"])
    assert (cut["listed"], cut["truncated"], cut["stopped_by"]) == (10, True, None)
    capped = feedback_loops(make_map(G.nodes, G.edges), max_loops=10, max_counted=12, time_budget=60)
    assert (capped["count"], capped["listed"], capped["stopped_by"]) == (12, 10, "count")
    # Shortest first: every loop shorter than the longest listed one is listed.
    assert all(item in every["items"] for item in cut["items"])
    longest = max(len(item["elements"]) for item in cut["items"])
    assert [i for i in every["items"] if len(i["elements"]) < longest] == [
        i for i in cut["items"] if len(i["elements"]) < longest
    ]


def test_loop_search_stops_at_its_time_budget():
    # A sparse random map: one big strongly connected component whose short loops are rare (a few
    # hundred), so only the clock can stop the search early.
    G = nx.gnm_random_graph(20000, 60000, seed=1, directed=True)
    gmap = make_map(G.nodes, G.edges)
    start = time.monotonic()
    loops = feedback_loops(gmap, max_length=6, time_budget=0.3)
    # Without the budget this search runs for minutes; the margin covers building the graph on a
    # loaded two-core machine.
    assert time.monotonic() - start < 10
    assert loops["truncated"] is True


# --- gaps and suggestions ----------------------------------------------------------------------------------


def test_gaps():
    fields = {
        "bank": {"function": "supporting", "attributes": {"partner": True}},
        "coop": {"function": "core", "attributes": {"partner": "yes"}},
        "ngo": {"attributes": {"partner": True}},
        "law": {"kind": "factor", "function": "rules"},
        "alone": {"attributes": {"partner": False}},
    }
    gmap = make_map(["bank", "coop", "ngo", "law", "alone"], [("bank", "coop"), ("ngo", "law")], **fields)
    assert analyze(gmap)["gaps"] == {
        "functions_without_actor": ["rules"],  # only a factor has it
        "isolated": ["alone"],
        "partners_without_partner_tie": ["ngo"],
    }


def test_no_function_gap_when_no_function_is_recorded():
    assert analyze(make_map("ab", [("a", "b")]))["gaps"]["functions_without_actor"] == []


def _adamic_adar_reference(G: nx.Graph, candidates: list[str]):
    pairs = [(u, v) for i, u in enumerate(candidates) for v in candidates[i + 1 :] if not G.has_edge(u, v)]
    return {tuple(sorted((u, v))): p for u, v, p in nx.adamic_adar_index(G, pairs) if p > 0}


def test_suggestions_are_the_best_adamic_adar_pairs_of_partners():
    G = nx.gnm_random_graph(60, 150, seed=8)
    partners = {str(n): {"attributes": {"partner": True}} for n in range(0, 60, 2)}
    gmap = make_map(G.nodes, G.edges, direction=UNDIRECTED, **partners)
    suggestions = analyze(gmap)["suggestions"]
    U = nx.relabel_nodes(G, str)
    reference = _adamic_adar_reference(U, sorted(partners))
    assert len(suggestions) == 20
    for s in suggestions:
        assert s["source"] < s["target"] and s["source"] in partners and s["target"] in partners
        assert s["score"] == pytest.approx(reference[(s["source"], s["target"])], rel=REL)
    assert [s["score"] for s in suggestions] == pytest.approx(
        sorted(reference.values(), reverse=True)[:20], rel=REL
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_suggestions_on_a_map_with_hubs_are_the_exact_top_twenty(seed):
    G = nx.relabel_nodes(nx.barabasi_albert_graph(400, 3, seed=seed), str)
    suggestions = analyze(make_map(G.nodes, G.edges, direction=UNDIRECTED))["suggestions"]
    reference = _adamic_adar_reference(G, sorted(G.nodes))
    for s in suggestions:
        assert s["score"] == pytest.approx(reference[(s["source"], s["target"])], rel=REL)
    assert [s["score"] for s in suggestions] == pytest.approx(
        sorted(reference.values(), reverse=True)[:20], rel=REL
    )


def test_suggestions_fall_back_to_actors_and_skip_connected_pairs():
    edges = [("a", "h"), ("b", "h"), ("c", "h"), ("a", "b"), ("c", "f"), ("d", "f")]
    gmap = make_map("abcdfh", edges, f={"kind": "factor"})
    suggestions = analyze(gmap, seed=1)["suggestions"]
    U = reference_graph(gmap).to_undirected()
    reference = _adamic_adar_reference(U, ["a", "b", "c", "d", "h"])
    assert {(s["source"], s["target"]) for s in suggestions} == set(
        reference
    )  # c–d only via factor f: still a pair
    assert ("a", "b") not in {(s["source"], s["target"]) for s in suggestions}
    for s in suggestions:
        assert s["score"] == pytest.approx(reference[(s["source"], s["target"])])
