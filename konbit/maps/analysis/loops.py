"""Feedback loops: directed cycles of influence, with their polarity.

A loop follows directed connections forwards and mutual connections either way; undirected connections
state no influence and close no loop. A self-connection is a loop of one element. A loop is
*reinforcing* when the product of its connections' signs is positive, *balancing* when it is negative,
and *unknown* when any connection on it has no sign or an unknown sign ("?"): its polarity cannot be
told. When parallel connections join two consecutive elements of a loop with different signs (one +
and one −, or one signed and one without a sign), the loop is listed once for each polarity it can
have: once as reinforcing and once as balancing, and once more as unknown when one of them has no sign.

The search is bounded, so that it returns promptly on any map, and the result says which bound applied:

- only loops of at most ``max_length`` elements (8) are searched: longer loops are neither counted nor
  listed;
- only the first ``max_loops`` (1,000) are listed, shortest first; loops beyond that are still counted
  (``count`` and ``counts`` cover them): ``listed`` < ``count`` says the list is cut;
- the search stops once ``max_counted`` loops (20,000) are counted, or after ``time_budget`` seconds (2;
  after a preparation linear in the map's size); ``stopped_by`` is then "count" or "time", ``count`` is
  a lower bound, and loops of the longest lengths searched may be missing (loops are found shortest
  first, all loops of two elements before those of three…).

``truncated`` is true when ``items`` does not hold every loop of up to ``max_length`` elements. Each
loop is listed from its element with the smallest id, and the list is sorted by length, then by the
elements' ids, then reinforcing / balancing / unknown: the answer does not depend on the order the map
lists its elements in.

Measured on this machine kind (one core free), on synthetic power-law maps (konbit/maps/synthetic.py,
30 % of connections mutual and 60 % unsigned, which makes loops far more frequent than on a drawn
causal-loop map), every loop of up to 8 elements: 200 elements / 400 connections, 2,871 loops in 0.08 s;
300 / 600, 4,261 in 0.1 s; 500 / 1,000, 8,109 in 0.3 s, all counted and the 1,000 shortest listed.
Denser maps have far more loops (300 / 900: 110,297; 500 / 1,500: 142,207, about 2–4 s to count them
all), so the search stops at 20,000 or at 2 s and says so.

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

MAX_LENGTH = 8
MAX_LOOPS = 1000
MAX_COUNTED = 20_000
TIME_BUDGET = 2.0

REINFORCING, BALANCING, UNKNOWN = "reinforcing", "balancing", "unknown"
POLARITIES = (REINFORCING, BALANCING, UNKNOWN)
STOPPED_BY_COUNT, STOPPED_BY_TIME = "count", "time"

# The signs present on an arc, as bits.
_PLUS, _MINUS, _UNSIGNED = 1, 2, 4


class _Stop(Exception):
    pass


def loop_polarities(arc_signs: list[set[str]]) -> list[str]:
    """The polarities a loop can have, given for each of its steps the set of signs ("+", "-", or "" for
    no sign or an unknown sign) of the connections making that step: reinforcing / balancing / unknown,
    in that order, each once. A loop of plain single connections has exactly one."""
    bits = []
    for present in arc_signs:
        b = 0
        for sign in present:
            b |= _PLUS if sign == "+" else _MINUS if sign == "-" else _UNSIGNED
        bits.append(b)
    return _polarities(bits)


def _polarities(bits: list[int]) -> list[str]:
    out: list[str] = []
    if all(b & (_PLUS | _MINUS) for b in bits):
        if any(b & _PLUS and b & _MINUS for b in bits):
            out = [REINFORCING, BALANCING]
        else:
            negatives = sum(1 for b in bits if b & _MINUS)
            out = [REINFORCING if negatives % 2 == 0 else BALANCING]
    if any(b & _UNSIGNED for b in bits):
        out.append(UNKNOWN)
    return out


def find_loops(
    mg: MapGraph,
    *,
    max_length: int = MAX_LENGTH,
    max_loops: int = MAX_LOOPS,
    max_counted: int = MAX_COUNTED,
    time_budget: float = TIME_BUDGET,
) -> dict[str, Any]:
    """The map's feedback loops (see the module docstring for the bounds)::

        {"count": loops found (each polarity of a loop counted once, as listed),
         "counts": {"reinforcing": r, "balancing": b, "unknown": u} (summing to count),
         "listed": len(items), "truncated": bool, "stopped_by": None | "count" | "time",
         "max_length", "max_loops", "max_counted", "time_budget": the bounds this search ran with,
         "items": [{"elements": [ids…], "sign": "reinforcing"|"balancing"|"unknown"}, …]}

    ``time_budget`` bounds the search, in seconds; preparing it (linear in the map's size) comes first.
    """
    ids = mg.ids
    n = mg.n
    # The signs present on each arc: bit 1 for +, bit 2 for −, bit 4 for no sign or an unknown sign.
    signs: dict[tuple[int, int], int] = {}
    for s, t, sign in mg.influence_arcs:
        signs[(s, t)] = signs.get((s, t), 0) | (_PLUS if sign > 0 else _MINUS if sign < 0 else _UNSIGNED)
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
    counts = dict.fromkeys(POLARITIES, 0)
    state: dict[str, Any] = {"stopped_by": None, "steps": 0, "counted": 0}
    deadline = time.monotonic() + time_budget

    def tick(amount: int) -> None:
        state["steps"] += amount
        if state["steps"] >= 1024:
            state["steps"] = 0
            if time.monotonic() >= deadline:
                state["stopped_by"] = STOPPED_BY_TIME
                raise _Stop

    def record(cycle: list[int]) -> None:
        size = len(cycle)
        polarities = _polarities([signs[(v, cycle[(i + 1) % size])] for i, v in enumerate(cycle)])
        for polarity in polarities:
            if state["counted"] >= max_counted:
                state["stopped_by"] = STOPPED_BY_COUNT
                raise _Stop
            state["counted"] += 1
            counts[polarity] += 1
            if len(items) < max_loops:
                first = min(range(size), key=lambda i: ids[cycle[i]])  # listed from the smallest id
                elements = [ids[v] for v in cycle[first:] + cycle[:first]]
                items.append({"elements": elements, "sign": polarity})
        tick(size)

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
    order = {polarity: i for i, polarity in enumerate(POLARITIES)}
    items.sort(key=lambda item: (len(item["elements"]), item["elements"], order[item["sign"]]))
    count = sum(counts.values())
    return {
        "count": count,
        "counts": counts,
        "listed": len(items),
        "truncated": state["stopped_by"] is not None or len(items) < count,
        "stopped_by": state["stopped_by"],
        "max_length": max_length,
        "max_loops": max_loops,
        "max_counted": max_counted,
        "time_budget": time_budget,
        "items": items,
    }


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
