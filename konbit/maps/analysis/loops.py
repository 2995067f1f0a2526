"""Feedback loops: directed cycles of influence, with their polarity.

A loop follows directed connections forwards and mutual connections either way; undirected connections
state no influence and close no loop. A self-connection is a loop of one element. A loop is
*reinforcing* when the product of its connections' signs is positive (a connection without a sign counts
as +) and *balancing* when it is negative. When parallel connections with opposite signs join two
elements on a loop, the loop is reported once as reinforcing and once as balancing.

The search is bounded, so that it returns promptly on any map: only loops of at most ``max_length``
elements, at most ``max_loops`` of them, and within ``time_budget`` seconds; ``truncated`` says when
the count or the time cut it short. Loops are found shortest first (all loops of two elements before
those of three…), and each is listed from its element with the smallest id, so the answer is the same
whatever order the map lists its elements in.

Method: cycles only exist inside strongly connected components, so only arcs inside one are kept (a
map whose influences form no cycle costs one linear pass). For each length L and each start s, a
backward breadth-first search bounds how far every element is from s, and a depth-first search from s
only steps onto elements with a larger id that can still get back to s within L steps. igraph's own
simple_cycles cannot be stopped by count or time from Python and took 70 s on a 100,000-element acyclic
map, so it is not used.
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
    """{"count", "truncated", "items": [{"elements": [ids…], "sign": "reinforcing"|"balancing"}]}."""
    deadline = time.monotonic() + time_budget
    ids = mg.ids
    # Work in id order: vertex v is compared by rank[v].
    rank = [0] * mg.n
    for position, v in enumerate(sorted(range(mg.n), key=ids.__getitem__)):
        rank[v] = position
    signs: dict[tuple[int, int], set[int]] = {}
    for s, t, sign in mg.influence_arcs:
        signs.setdefault((s, t), set()).add(sign)

    items: list[dict[str, Any]] = []
    state = {"truncated": False, "steps": 0}

    def tick(amount: int) -> None:
        state["steps"] += amount
        if state["steps"] >= 1024:
            state["steps"] = 0
            if time.monotonic() >= deadline:
                state["truncated"] = True
                raise _Stop

    def record(cycle: list[int]) -> None:
        arcs = [signs[(cycle[i], cycle[(i + 1) % len(cycle)])] for i in range(len(cycle))]
        product = 1
        both = False
        for arc_signs in arcs:
            if len(arc_signs) > 1:
                both = True
            else:
                product *= next(iter(arc_signs))
        polarities = [REINFORCING, BALANCING] if both else [REINFORCING if product > 0 else BALANCING]
        for polarity in polarities:
            if len(items) >= max_loops:
                state["truncated"] = True
                raise _Stop
            items.append({"elements": [ids[v] for v in cycle], "sign": polarity})

    try:
        for v in sorted((s for (s, t) in signs if s == t), key=rank.__getitem__):
            if max_length >= 1:
                record([v])
        _search(mg.n, signs, rank, max_length, record, tick)
    except _Stop:
        pass
    return {"count": len(items), "truncated": state["truncated"], "items": items}


def _search(
    n: int,
    signs: dict[tuple[int, int], set[int]],
    rank: list[int],
    max_length: int,
    record: Callable[[list[int]], None],
    tick: Callable[[int], None],
) -> None:
    pairs = [(s, t) for (s, t) in signs if s != t]
    if not pairs:
        return
    strong = ig.Graph(n=n, edges=pairs, directed=True).connected_components(mode="strong").membership
    out: list[list[int]] = [[] for _ in range(n)]
    into: list[list[int]] = [[] for _ in range(n)]
    for s, t in pairs:
        if strong[s] == strong[t]:
            out[s].append(t)
            into[t].append(s)
    for neighbours in out:
        neighbours.sort(key=rank.__getitem__)
    starts = sorted((v for v in range(n) if out[v]), key=rank.__getitem__)
    tick(n)
    for length in range(2, max_length + 1):
        for s in starts:
            floor = rank[s]
            # Steps from each element back to s, through elements ranked above s, up to length − 1.
            back = {s: 0}
            frontier = [s]
            for depth in range(1, length):
                following = []
                for x in frontier:
                    for y in into[x]:
                        if rank[y] > floor and y not in back:
                            back[y] = depth
                            following.append(y)
                tick(len(frontier))
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
