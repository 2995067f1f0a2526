"""From a `GMap` to the igraph graphs the metrics run on.

Elements become vertices in map order (vertex ``i`` is ``gmap.elements[i]``; a repeated element id keeps
its first element). A connection whose source or target is not an element of the map is skipped.

Two simple graphs (no self-loops, no parallel edges) are built:

- ``graph``: what direction-aware metrics use. When the map is directed (``gmap.directed``: at least one
  directed connection) it is a directed graph where a directed connection is one arc and a mutual or
  undirected connection is two opposite arcs; otherwise it is undirected.
- ``undirected``: the same graph with direction dropped (for a directed map, the arcs collapsed into one
  edge per connected pair): degree, eigenvector centrality, constraint, communities, components,
  diameter, suggestions.

Parallel connections collapse into one edge for every metric except ``weighted_degree``, which sums the
strength of every connection an element takes part in (a self-loop counts once).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import igraph as ig

from konbit.maps.graph import (
    DIRECTED,
    MUTUAL,
    NEGATIVE,
    NO_SIGN,
    POSITIVE,
    UNKNOWN,
    GElement,
    GMap,
    spelled_sign,
)

_PLAIN_SIGNS = {POSITIVE, NEGATIVE, NO_SIGN, UNKNOWN}


def normalise_sign(value: object) -> str:
    """ "+", "-", "?" or "" ("" for no sign and for anything that is not a recognised sign)."""
    return spelled_sign(str(value if value is not None else "")) or NO_SIGN


def strength_of(value: object) -> float:
    """A connection's strength as a number; 1 when it has none (or one that is not a finite number)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return 1.0
    return float(value)


@dataclass
class MapGraph:
    elements: list[GElement]  # one per vertex, in vertex order
    ids: list[str]
    labels: list[str]
    directed: bool
    graph: ig.Graph
    undirected: ig.Graph
    weighted_degree: list[float]
    connection_count: int
    # Arcs of influence for feedback loops: directed connections one way, mutual ones both ways
    # (undirected connections state no influence and so close no loop), as (source, target, sign) with
    # sign +1 (+), -1 (−) or 0 (no sign, or an unknown sign); parallel arcs are all kept.
    influence_arcs: list[tuple[int, int, int]]

    @property
    def n(self) -> int:
        return len(self.ids)


def build(gmap: GMap) -> MapGraph:
    index: dict[str, int] = {}
    elements: list[GElement] = []
    ids: list[str] = []
    labels: list[str] = []
    for element in gmap.elements:
        if element.id in index:
            continue
        index[element.id] = len(ids)
        elements.append(element)
        ids.append(element.id)
        labels.append(element.label)
    n = len(ids)
    directed = gmap.directed
    weighted = [0.0] * n
    edges: list[tuple[int, int]] = []
    influence: list[tuple[int, int, int]] = []
    count = 0
    get = index.get
    for c in gmap.connections:
        s = get(c.source)
        t = get(c.target)
        if s is None or t is None:
            continue
        count += 1
        strength = c.strength
        w = 1.0 if strength is None else strength_of(strength)
        weighted[s] += w
        one_way = c.direction == DIRECTED
        if t != s:
            weighted[t] += w
            edges.append((s, t))
            if directed and not one_way:
                edges.append((t, s))
        if one_way or c.direction == MUTUAL:
            sign = c.sign
            if sign not in _PLAIN_SIGNS:
                sign = normalise_sign(sign)
            polarity = 1 if sign == POSITIVE else -1 if sign == NEGATIVE else 0
            influence.append((s, t, polarity))
            if not one_way:
                influence.append((t, s, polarity))
    graph = ig.Graph(n=n, edges=edges, directed=directed)
    graph.simplify(multiple=True, loops=True)
    undirected = graph.as_undirected(mode="collapse") if directed else graph
    return MapGraph(
        elements=elements,
        ids=ids,
        labels=labels,
        directed=directed,
        graph=graph,
        undirected=undirected,
        weighted_degree=weighted,
        connection_count=count,
        influence_arcs=influence,
    )


def adjacency(undirected: ig.Graph) -> list[list[int]]:
    """Neighbour lists of an undirected graph (faster than igraph's get_adjlist on large graphs)."""
    neighbours: list[list[int]] = [[] for _ in range(undirected.vcount())]
    for s, t in undirected.get_edgelist():
        neighbours[s].append(t)
        neighbours[t].append(s)
    return neighbours
