"""Gaps in the system (what nobody does, who is left out) and suggested new connections."""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from typing import Any

from . import build
from .build import MapGraph

FUNCTIONS = ("core", "supporting", "rules")
SUGGESTIONS = 20


def is_partner(attributes: dict[str, Any]) -> bool:
    """An element is a partner when its ``partner`` attribute is truthy."""
    return bool(attributes.get("partner"))


def find_gaps(mg: MapGraph, degree: Sequence[int]) -> dict[str, list[str]]:
    """{"functions_without_actor", "isolated", "partners_without_partner_tie"}, each sorted.

    - functions_without_actor: the market-system functions (core, supporting, rules) that no element
      of kind "actor" performs; empty when no element has any function set (the map does not record
      functions, so nothing can be said to be missing).
    - isolated: elements without any connection to another element (degree 0).
    - partners_without_partner_tie: partner elements (attribute ``partner`` truthy) with no
      connection, in either direction, to another partner element.
    """
    elements = mg.elements
    recorded = {e.function.strip().casefold() for e in elements if e.function.strip()}
    performed = {e.function.strip().casefold() for e in elements if e.kind == "actor"}
    missing = [f for f in FUNCTIONS if f not in performed] if recorded else []
    isolated = sorted(mg.ids[v] for v in range(mg.n) if degree[v] == 0)
    partner = [is_partner(e.attributes) for e in elements]
    lonely = sorted(
        mg.ids[v]
        for v in range(mg.n)
        if partner[v] and not any(partner[w] for w in mg.undirected.neighbors(v))
    )
    return {"functions_without_actor": missing, "isolated": isolated, "partners_without_partner_tie": lonely}


def suggest_links(mg: MapGraph, limit: int = SUGGESTIONS) -> list[dict[str, Any]]:
    """Connections worth making: the ``limit`` best pairs of candidates that are not yet connected, by
    their Adamic–Adar index on the undirected simple graph (as networkx.adamic_adar_index): the sum of
    1/ln(degree) over their common neighbours, so a shared contact counts more when it has few others.

    Candidates are the partner elements; when none is marked, every element of kind "actor". Listed by
    decreasing score as {"source", "target", "score"} with source < target (ids); among equal scores,
    by ids — except that at the cut-off, pairs tied with the last one listed may be left out.

    Only pairs at distance two are scored (they are the only ones with a common neighbour), and not all
    of them: candidates are visited by decreasing s(u) = Σ 1/ln(degree) over u's neighbours, an upper
    bound of every score u takes part in, and the visit stops once s(u) is no better than the last
    score kept. A hub connects many pairs, but each gets little from it: a hub's contact list is only
    read while the weight u has left could still lift a new pair above the last score kept.
    """
    elements = mg.elements
    n = mg.n
    candidates = [v for v in range(n) if is_partner(elements[v].attributes)]
    if not candidates:
        candidates = [v for v in range(n) if elements[v].kind == "actor"]
    if len(candidates) < 2:
        return []
    adjacency = build.adjacency(mg.undirected)
    weight = [1 / math.log(len(a)) if len(a) >= 2 else 0.0 for a in adjacency]
    id_rank = [0] * n
    for position, v in enumerate(sorted(range(n), key=mg.ids.__getitem__)):
        id_rank[v] = position
    bound = {v: sum(weight[w] for w in adjacency[v]) for v in candidates}
    order = sorted(candidates, key=lambda v: (-bound[v], id_rank[v]))
    visit = [-1] * n  # visiting order of candidates; -1 for others
    for position, v in enumerate(order):
        visit[v] = position
    # Min-heap of the best pairs so far; its root is the worst of them (lowest score, then largest ids).
    best: list[tuple[float, tuple[int, int], tuple[int, int]]] = []
    neighbour_sets: dict[int, set[int]] = {}
    for u in order:
        floor = best[0][0] if len(best) == limit else -math.inf
        if bound[u] <= floor:
            break
        mine = visit[u]
        scores: dict[int, float] = {}
        # Light neighbours (few contacts, high weight) first. Once the weight left is no better than
        # the floor, a pair not met yet cannot get above it: the heavy rest (hubs, with long contact
        # lists) is only looked up for the pairs already met that still could.
        contacts = sorted((w for w in adjacency[u] if weight[w]), key=lambda w: (-weight[w], w))
        left = bound[u]
        for i, w in enumerate(contacts):
            if left <= floor:
                scores = {v: partial for v, partial in scores.items() if partial + left > floor}
                _add_rest(scores, contacts[i:], adjacency, weight, neighbour_sets)
                break
            a = weight[w]
            left -= a
            for v in adjacency[w]:
                if visit[v] > mine:
                    scores[v] = scores.get(v, 0.0) + a
        neighbours = set(adjacency[u])
        for v, score in scores.items():
            if score < floor or v in neighbours:
                continue
            low, high = (u, v) if id_rank[u] < id_rank[v] else (v, u)
            entry = (score, (-id_rank[low], -id_rank[high]), (low, high))
            if len(best) < limit:
                heapq.heappush(best, entry)
            elif entry[:2] > best[0][:2]:
                heapq.heapreplace(best, entry)
    best.sort(key=lambda entry: (-entry[0], -entry[1][0], -entry[1][1]))
    return [{"source": mg.ids[a], "target": mg.ids[b], "score": score} for score, _, (a, b) in best]


def _add_rest(
    scores: dict[int, float],
    rest: list[int],
    adjacency: list[list[int]],
    weight: list[float],
    neighbour_sets: dict[int, set[int]],
) -> None:
    """Add to the pairs already met what the contacts in ``rest`` give them: by looking each pair up in
    each contact's set, or by reading the contacts' lists, whichever is shorter."""
    if len(scores) * len(rest) <= sum(len(adjacency[x]) for x in rest):
        for x in rest:
            if x not in neighbour_sets:
                neighbour_sets[x] = set(adjacency[x])
        for v in scores:
            scores[v] += sum(weight[x] for x in rest if v in neighbour_sets[x])
    else:
        for x in rest:
            a = weight[x]
            for v in adjacency[x]:
                if v in scores:
                    scores[v] += a
