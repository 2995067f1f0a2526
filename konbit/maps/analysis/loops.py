"""Feedback loops: directed cycles of influence, with their polarity.

A loop follows directed connections forwards and mutual connections either way; undirected connections
state no influence and close no loop. A self-connection is a loop of one element. A loop is
*reinforcing* when the product of its connections' signs is positive (a connection without a sign counts
as +) and *balancing* when it is negative. When parallel connections with opposite signs join two
elements on a loop, the loop is reported once as reinforcing and once as balancing.

The search is bounded, so that it returns promptly on any map: only loops of at most ``max_length``
elements, at most ``max_loops`` of them, and a search of at most ``time_budget`` seconds (after a
preparation linear in the map's size); ``truncated`` says when the count or the time cut it short.
Loops are found shortest first (all loops of two elements before those of three…). Each is listed
from its element with the smallest id, and the list is sorted by length, then by the elements' ids:
the answer does not depend on the order the map lists its elements in.

Method: cycles only exist inside strongly connected components, so only arcs inside one are kept (a
map whose influences form no cycle costs one linear pass). For each length L and each start s (by
decreasing degree), a backward breadth-first search bounds how far every element is from s, and a
depth-first search from s only steps onto elements ranked after s that can still get back to s within
L steps; loops of two elements are read straight off the arcs. igraph's own simple_cycles cannot be
stopped by count or time from Python and took 70 s on a 100,000-element acyclic map, so it is not used.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import igraph as ig

from .build import MapGraph

MAX_LENGTH = 6
MAX_LOOPS = 500
TIME_BUDGET = 2.0

REINFORCING, BALANCING = "reinforcing", "balancing"


class _Stop(Exception):
    pass


def find_loops(
    mg: MapGraph,
    *,
    max_length: int = MAX_LENGTH,
    max_loops: int = MAX_LOOPS,
    time_budget: float = TIME_BUDGET,
) -> dict[str, Any]:
    """{"count", "truncated", "items": [{"elements": [ids…], "sign": "reinforcing"|"balancing"}]}.

    ``time_budget`` bounds the search, in seconds; preparing it (linear in the map's size) comes first.
    """
    ids = mg.ids
    n = mg.n
    # The signs present on each arc: bit 1 for +, bit 2 for −.
    signs: dict[tuple[int, int], int] = {}
    for s, t, sign in mg.influence_arcs:
        signs[(s, t)] = signs.get((s, t), 0) | (1 if sign > 0 else 2)
    degree = [0] * n
    for s, t in signs:
        degree[s] += 1
        degree[t] += 1
    # Each loop is searched from its best-connected element (ties by id), and only through elements
    # ranked after it: hubs are searched from first and then stay out of every other search, which
    # keeps those small on a map with hubs.
    rank = [0] * n
    for position, v in enumerate(sorted(range(n), key=lambda v: (-degree[v], ids[v]))):
        rank[v] = position
    out, into = _strong_arcs(n, signs, rank)

    items: list[dict[str, Any]] = []
    state = {"truncated": False, "steps": 0}
    deadline = time.monotonic() + time_budget

    def tick(amount: int) -> None:
        state["steps"] += amount
        if state["steps"] >= 1024:
            state["steps"] = 0
            if time.monotonic() >= deadline:
                state["truncated"] = True
                raise _Stop

    def record(cycle: list[int]) -> None:
        product = 1
        both = False
        for i, v in enumerate(cycle):
            present = signs[(v, cycle[(i + 1) % len(cycle)])]
            if present == 3:
                both = True
            elif present == 2:
                product = -product
        polarities = [REINFORCING, BALANCING] if both else [REINFORCING if product > 0 else BALANCING]
        first = min(range(len(cycle)), key=lambda i: ids[cycle[i]])  # listed from the smallest id
        elements = [ids[v] for v in cycle[first:] + cycle[:first]]
        for polarity in polarities:
            if len(items) >= max_loops:
                state["truncated"] = True
                raise _Stop
            items.append({"elements": elements, "sign": polarity})

    try:
        if max_length >= 1:
            for v in sorted((s for (s, t) in signs if s == t), key=rank.__getitem__):
                record([v])
        if max_length >= 2:
            mutual = [(s, t) for (s, t) in signs if rank[s] < rank[t] and (t, s) in signs]
            for s, t in sorted(mutual, key=lambda pair: (rank[pair[0]], rank[pair[1]])):
                record([s, t])
        for length in range(3, max_length + 1):
            for s in range(n):
                if out[s]:
                    _cycles_from(s, length, out, into, rank, record, tick)
    except _Stop:
        pass
    items.sort(key=lambda item: (len(item["elements"]), item["elements"], item["sign"] == BALANCING))
    return {"count": len(items), "truncated": state["truncated"], "items": items}


def _strong_arcs(
    n: int, signs: dict[tuple[int, int], int], rank: list[int]
) -> tuple[list[list[int]], list[list[int]]]:
    """Successors and predecessors through arcs inside a strongly connected component (the only arcs
    a cycle can use), successors in rank order."""
    pairs = [(s, t) for (s, t) in signs if s != t]
    out: list[list[int]] = [[] for _ in range(n)]
    into: list[list[int]] = [[] for _ in range(n)]
    if not pairs:
        return out, into
    strong = ig.Graph(n=n, edges=pairs, directed=True).connected_components(mode="strong").membership
    for s, t in pairs:
        if strong[s] == strong[t]:
            out[s].append(t)
            into[t].append(s)
    for successors in out:
        successors.sort(key=rank.__getitem__)
    return out, into


def _cycles_from(
    s: int,
    length: int,
    out: list[list[int]],
    into: list[list[int]],
    rank: list[int],
    record: Callable[[list[int]], None],
    tick: Callable[[int], None],
) -> None:
    """Record every cycle of exactly ``length`` elements through s whose other elements rank after s."""
    floor = rank[s]
    # Steps from each element back to s, through elements ranked after s, up to length − 1.
    back = {s: 0}
    frontier = [s]
    for depth in range(1, length):
        following = []
        for x in frontier:
            predecessors = into[x]
            tick(len(predecessors))
            for y in predecessors:
                if rank[y] > floor and y not in back:
                    back[y] = depth
                    following.append(y)
        frontier = following
    path = [s]
    on_path = {s}
    stack = [iter(out[s])]
    while stack:
        tick(1)
        size = len(path)
        for y in stack[-1]:
            if y == s:
                if size == length:
                    record(list(path))
                continue
            if size == length or y in on_path or rank[y] <= floor:
                continue
            distance = back.get(y)
            if distance is None or size + distance > length:
                continue
            path.append(y)
            on_path.add(y)
            stack.append(iter(out[y]))
            break
        else:
            stack.pop()
            on_path.discard(path.pop())
