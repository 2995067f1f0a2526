"""`analyze`: the network analysis of one map, as JSON-ready plain data."""

from __future__ import annotations

import random
from typing import Any

from konbit.maps.graph import GMap

from . import metrics
from .build import build
from .gaps import find_gaps, suggest_links
from .loops import find_loops


def analyze(
    gmap: GMap,
    *,
    betweenness: str = "auto",
    epsilon: float = 0.1,
    delta: float = 0.1,
    seed: int = 0,
) -> dict[str, Any]:
    """Network analysis of a map: map-level figures, per-element centralities, feedback loops, gaps and
    suggested connections. Deterministic for a given map and seed (but for loops cut short by time).

    The graph (see `build`): one vertex per element (first of a repeated id; connections to unknown
    elements are skipped); directed when ``gmap.directed``, where a mutual or undirected connection is
    two opposite arcs; parallel connections and self-connections are dropped for every metric except
    ``weighted_degree``. The "undirected view" ignores directions.

    ``betweenness``: "auto" (exact up to 5,000 elements, sampled above), "exact" or "sampled"; with
    sampling, every normalised betweenness is within ±``epsilon`` of the exact value with probability
    at least 1 − ``delta`` (see metrics.betweenness_sample_size; when that bound needs as many sources
    as there are elements, betweenness is exact). Closeness and the average path length are exact
    when betweenness is "exact", or "auto" on up to 5,000 elements; otherwise they are estimated from
    256 random pivots per large component (metrics.closeness). ``seed`` fixes the sampling, the
    community detection and igraph's eigenvector start.

    Measured cost on this machine kind (2 cores, one used), for a power-law map (Barabási–Albert):
    10,000 elements and 50,000 connections: 12–16 s with exact betweenness (most of it); with the
    default epsilon=0.1 (611 sources) betweenness is about a second of the whole (epsilon=0.05 needs
    2,442 sources, ~3.5 s; the largest error measured against exact values was 0.003 there). bench/
    reports the measured error of the default against exact values. 100,000 and 500,000: betweenness
    costs ~26 ms per source, so epsilon=0.1 (726 sources) takes about 20 s; the map pages then run the
    analysis as a background job (views.common.analysis_or_job). Exact values for a big map are computed
    on demand as a background job too (konbit/maps/tasks.py, metrics.betweenness_exact).

    Result::

        {"map": {
            "elements": n, "connections": m (connections between known elements, all of them),
            "directed": bool,
            "density": metrics.density, "reciprocity": metrics.reciprocity (None if undirected),
            "components": number of weakly connected components (an isolated element is one),
            "largest_component": elements in the largest of them,
            "average_path_length": mean shortest-path length over the ordered pairs joined by a path
                (following directions in a directed map; igraph's unconn=True), None if no pair is,
            "diameter": longest shortest path inside the largest weak component, on the undirected
                view (the first such component in map order when several are as large),
            "degree_centralization": metrics.degree_centralization,
            "communities": k, "modularity": metrics.communities,
            "betweenness": {"method": "exact"|"sampled", "sources", "epsilon", "delta"},
            "closeness": {"method": "exact"|"sampled", "sources"}  (see metrics.closeness),
            "community_method": "louvain"|"leiden",
            "estimated": the names of the figures above that are estimates in this result
                ("betweenness", "closeness", "average_path_length", "diameter"), sorted},
         "elements": [{"id", "label",
            "degree": distinct neighbours (predecessors and successors together),
            "in_degree", "out_degree": distinct predecessors / successors (both equal degree when the
                map is undirected),
            "weighted_degree": sum of the strengths of its connections (1 when unset), parallel ones
                included, a self-connection once,
            "betweenness", "closeness", "pagerank" (networkx.pagerank, alpha 0.85, dangling elements
                spread uniformly), "eigenvector" (undirected view), "constraint" (Burt, undirected
                view; None when isolated), "community", "isolated": degree == 0}, …] in map order,
         "loops": loops.find_loops, "gaps": gaps.find_gaps, "suggestions": gaps.suggest_links}
    """
    mg = build(gmap)
    n = mg.n
    graph, undirected = mg.graph, mg.undirected
    components: list[list[int]] = [list(c) for c in undirected.connected_components()]
    degree: list[int] = undirected.degree()
    if mg.directed:
        in_degree: list[int] = graph.indegree()
        out_degree: list[int] = graph.outdegree()
    else:
        in_degree = out_degree = degree

    # Seeded generators: the sampling must be reproducible, not secret.
    between, between_info = metrics.betweenness(
        graph,
        method=betweenness,
        epsilon=epsilon,
        delta=delta,
        rng=random.Random(seed),  # noqa: S311
    )
    close, average_path, close_info = metrics.closeness(
        graph,
        components,
        # Exact in the regime where everything is (or when exact betweenness, which costs more, is asked).
        exact=betweenness == "exact"
        or (betweenness == "auto" and n <= metrics.EXACT_BETWEENNESS_MAX_ELEMENTS),
        rng=random.Random(f"closeness-{seed}"),  # noqa: S311
    )
    largest = max(components, key=len) if components else []
    diameter, diameter_exact = metrics.diameter(undirected, largest)
    pagerank: list[float] = graph.pagerank(directed=mg.directed, damping=0.85) if n else []
    eigenvector = metrics.eigenvector(undirected, components, seed)
    constraint = metrics.constraint(undirected)
    membership, modularity, community_method = metrics.communities(undirected, seed)

    estimated = []
    if between_info["method"] == "sampled":
        estimated.append("betweenness")
    if close_info["method"] == "sampled":
        estimated += ["average_path_length", "closeness"]
    if not diameter_exact:
        estimated.append("diameter")

    elements = [
        {
            "id": mg.ids[v],
            "label": mg.labels[v],
            "degree": degree[v],
            "in_degree": in_degree[v],
            "out_degree": out_degree[v],
            "weighted_degree": mg.weighted_degree[v],
            "betweenness": between[v],
            "closeness": close[v],
            "pagerank": pagerank[v],
            "eigenvector": eigenvector[v],
            "constraint": constraint[v],
            "community": membership[v],
            "isolated": degree[v] == 0,
        }
        for v in range(n)
    ]
    return {
        "map": {
            "elements": n,
            "connections": mg.connection_count,
            "directed": mg.directed,
            "density": metrics.density(graph),
            "reciprocity": metrics.reciprocity(graph),
            "components": len(components),
            "largest_component": len(largest),
            "average_path_length": average_path,
            "diameter": diameter if n else None,
            "degree_centralization": metrics.degree_centralization(degree),
            "communities": len(set(membership)),
            "modularity": modularity,
            "betweenness": between_info,
            "closeness": close_info,
            "community_method": community_method,
            "estimated": sorted(estimated),
        },
        "elements": elements,
        "loops": find_loops(mg),
        "gaps": find_gaps(mg, degree),
        "suggestions": suggest_links(mg),
    }
