"""Deterministic large maps for the benchmarks.

`power_law_map(n, m, seed)` grows a map by preferential attachment (Barabási–Albert, as
igraph.Graph.Barabasi): each new element links to earlier ones chosen in proportion to their degree
(plus a small uniform share, so late elements still get picked now and then). The result has the
heavy-tailed degrees of real system maps — a few hubs, many elements with a handful of ties — and
exactly ``m`` connections between distinct pairs, plus about 0.5 % isolated elements.

Pure Python with its own ``random.Random(seed)``: the same (n, m, seed) gives the same map on any
machine and any igraph version. 100,000 / 500,000 takes a few seconds.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

from konbit.maps.graph import (
    DIRECTED,
    MUTUAL,
    NEGATIVE,
    NO_SIGN,
    POSITIVE,
    UNDIRECTED,
    GConnection,
    GElement,
    GMap,
)

PERSPECTIVES = ("Team", "Farmers", "Traders", "Processors", "Government", "Women's group")
TYPES = ("Lead firm", "Input supplier", "Producer group", "Trader", "Processor", "Regulator", "NGO")
FACTOR_TYPES = ("Price", "Rainfall", "Trust", "Access to credit")
CONNECTION_TYPES = ("sells to", "buys from", "finances", "advises", "regulates", "influences")
TAGS = ("maize", "dairy", "youth", "women", "export", "digital", "north", "south")

ISOLATED_SHARE = 0.005  # elements without any connection
UNIFORM_SHARE = 0.1  # share of attachments made uniformly rather than by degree


def _quotas(core: int, m: int) -> list[int]:
    """How many earlier elements each new element links to, summing to m (element v can link to at most
    v earlier ones; what the first few cannot take goes to the last ones)."""
    if core < 2:
        return [0] * core
    most = core * (core - 1) // 2
    if m > most:
        raise ValueError(f"{m} connections do not fit between {core} elements")
    base, extra = divmod(m, core - 1)
    quota = [0] + [base + (1 if v > core - 1 - extra else 0) for v in range(1, core)]
    spill = 0
    for v in range(1, core):
        if quota[v] > v:
            spill += quota[v] - v
            quota[v] = v
    v = core - 1
    while spill:
        room = v - quota[v]
        take = min(room, spill)
        quota[v] += take
        spill -= take
        v -= 1
    return quota


def power_law_map(n: int, m: int, seed: int = 1, *, positions: bool = False) -> GMap:
    """A map of ``n`` elements and ``m`` connections (distinct unordered pairs, no self-connection).

    Connections: 60 % directed (either way), 30 % mutual, 10 % undirected; 25 % "+", 15 % "−", the rest
    unsigned; 30 % with a strength 1–5; half recorded by one of six perspectives. Elements: 85 % actors
    with a market function (core / supporting / rules, or none for a fifth of them), 15 % factors;
    ``partner`` attribute on about 10 %; a third of them in one or two perspectives. Element ids are
    shuffled, so the hubs are spread through map order. With ``positions``, each element sits near the
    first element it linked to (a cheap deterministic layout with mostly short connections, enough for
    the map view not to run its own layout).
    """
    rng = random.Random(seed)  # noqa: S311 (reproducible, not secret)
    isolated = round(n * ISOLATED_SHARE) if n >= 200 else 0
    core = n - isolated
    quota = _quotas(core, m)
    ends: list[int] = []  # every endpoint so far, once per connection: picking from it is by degree
    pairs: list[tuple[int, int]] = []
    anchor = [-1] * core
    for v in range(1, core):
        want = quota[v]
        chosen: set[int] = set()
        if want == v:
            chosen = set(range(v))
        while len(chosen) < want:
            if ends and rng.random() >= UNIFORM_SHARE:
                t = ends[int(rng.random() * len(ends))]
            else:
                t = int(rng.random() * v)
            chosen.add(t)
        targets = sorted(chosen)
        if targets:
            anchor[v] = targets[0]
        for t in targets:
            pairs.append((v, t))
            ends.append(v)
            ends.append(t)
    # Map order: shuffle which element each grown vertex becomes (isolated ones included).
    order = list(range(n))
    rng.shuffle(order)  # vertex g is element order[g]; isolated vertices are core..n-1

    coords: list[tuple[float, float]] = [(0.0, 0.0)] * n
    if positions:
        for g in range(n):
            if g >= core:  # isolated: a ring around the map
                angle = 2 * math.pi * (g - core) / max(isolated, 1)
                coords[g] = (1200 * math.cos(angle), 1200 * math.sin(angle))
            elif anchor[g] < 0:
                coords[g] = (0.0, 0.0)
            else:
                ax, ay = coords[anchor[g]]
                spread = 600 / math.sqrt(1 + g / 50)  # early (hub) elements spread wide, late ones stay close
                coords[g] = (round(ax + rng.gauss(0, spread), 2), round(ay + rng.gauss(0, spread), 2))

    elements: list[GElement | None] = [None] * n
    for g in range(n):
        index = order[g]
        is_factor = rng.random() < 0.15
        roll = rng.random()
        function = "" if is_factor or roll < 0.2 else ("core", "supporting", "rules")[int(roll * 10) % 3]
        groups = rng.random()
        perspectives = (
            []
            if groups >= 1 / 3
            else sorted({PERSPECTIVES[int(rng.random() * 6)] for _ in range(1 + int(groups * 6))})
        )
        tags = [TAGS[int(rng.random() * len(TAGS))]] if rng.random() < 0.4 else []
        elements[index] = GElement(
            id=f"e{index:06d}",
            label=f"{'Factor' if is_factor else 'Actor'} {index}",
            type=FACTOR_TYPES[index % 4] if is_factor else TYPES[int(rng.random() * len(TYPES))],
            kind="factor" if is_factor else "actor",
            function=function,
            tags=tags,
            attributes={"partner": True} if not is_factor and rng.random() < 0.12 else {},
            position=coords[g] if positions else None,
            perspectives=perspectives,
        )
    connections = []
    for j, (a, b) in enumerate(pairs):
        roll = rng.random()
        direction = DIRECTED if roll < 0.6 else MUTUAL if roll < 0.9 else UNDIRECTED
        if direction == DIRECTED and rng.random() < 0.5:
            a, b = b, a
        sign_roll = rng.random()
        sign = POSITIVE if sign_roll < 0.25 else NEGATIVE if sign_roll < 0.4 else NO_SIGN
        connections.append(
            GConnection(
                source=f"e{order[a]:06d}",
                target=f"e{order[b]:06d}",
                id=f"c{j:07d}",
                type=CONNECTION_TYPES[int(rng.random() * len(CONNECTION_TYPES))],
                direction=direction,
                sign=sign,
                strength=float(1 + int(rng.random() * 5)) if rng.random() < 0.3 else None,
                perspective=PERSPECTIVES[int(rng.random() * 6)] if rng.random() < 0.5 else "",
            )
        )
    return GMap(
        name=f"Power-law map {n:,} / {m:,} (seed {seed})",
        elements=[e for e in elements if e is not None],
        connections=connections,
    )


def write_map_fixture(path: str | Path, n: int, m: int, seed: int = 1, *, format: str = "konbit") -> Path:
    """Write ``power_law_map(n, m, seed, positions=True)`` as a map file (any format of
    konbit.maps.formats.dump; the default is Konbit's own JSON), to import by hand or with `konbit map`."""
    from konbit.maps.formats import dump

    target = Path(path)
    target.write_bytes(dump(power_law_map(n, m, seed, positions=True), format))
    return target
