"""How fast is the network analysis of a large map, against what igraph alone needs and against networkx?

    .venv/bin/python -m bench.map_analysis [--quick]

On power-law maps of 10,000 elements / 50,000 connections and (without --quick) 100,000 / 500,000
(konbit.maps.synthetic.power_law_map), it measures:

- Konbit: `analyze(gmap)` end to end, as the map pages call it, with the time of each analysis step
  (the functions `analyze` calls, timed by wrapping them for the run; nothing in analysis/ changes).
- The floor: the igraph calls alone for the same metric set, with the same parameters Konbit reports
  in its result (betweenness sources, closeness pivots, Louvain or Leiden), on the igraph.Graph that
  Konbit's own `build` made beforehand (not timed): no GMap → igraph shaping, no result shaping. Konbit
  minus floor is the price of loading and shaping. Gaps and suggestions have no igraph call (the floor
  counts nothing for them); for loops the floor is the strong-components pass.
- networkx (pure Python: numpy and scipy are not installed) on the same graphs and the same metric set,
  betweenness on the same number of sources. Where a full networkx run would take many minutes, a metric
  is measured on part of its work and scaled up, and the output says which and how.
- On the 10,000 map: igraph's exact betweenness, Konbit's betweenness when exact, and the error of
  Konbit's sampled betweenness against the exact values.

Writes bench/out/map_analysis.md (with the machine, date and commit) and prints the same Markdown.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import gc
import heapq
import inspect
import itertools
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import igraph as ig
import networkx as nx
from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

from konbit.maps.analysis import analyze
from konbit.maps.analysis import metrics as konbit_metrics
from konbit.maps.analysis import network as konbit_network
from konbit.maps.analysis.build import MapGraph, build
from konbit.maps.graph import GMap
from konbit.maps.synthetic import power_law_map

OUT = Path(__file__).resolve().parent / "out"
ROOT = Path(__file__).resolve().parent.parent
SEED = 1
TARGETS = {10_000: 3.0, 100_000: 60.0}  # seconds for the interactive set (from the issue)
TARGET_NX_RATIO = 20.0
TARGET_OVERHEAD = 1.5
TARGET_EXACT_RATIO = 1.3
# A floor betweenness call projected to take longer than this is measured on PROBE_SOURCES of its
# sources and scaled up (betweenness from k sources costs k single-source passes). The cost of one
# source varies a lot on a directed map (what it reaches): on the 100,000 map, 500-source probes
# ranged over ±20 %, so the probe is 1,000 sources (about ±15 %).
FLOOR_FULL_SECONDS = 90.0
PROBE_SOURCES = 1000
PROBE_UNCERTAINTY = "±15 %"
CLOSENESS_CHUNK = 32  # pivots per igraph.distances call, as Konbit does (bounds the Python lists)
ACCURACY_EPSILONS = (0.05, 0.1)  # sampled betweenness checked against exact on the 10k map
# analyze()'s own defaults (the interactive set uses them).
_DEFAULTS = inspect.signature(analyze).parameters
DEFAULT_EPSILON = float(_DEFAULTS["epsilon"].default)
DEFAULT_DELTA = float(_DEFAULTS["delta"].default)


@dataclass(frozen=True)
class Plan:
    """How much of each measurement one size gets (runs, and how much networkx work is sampled)."""

    n: int
    m: int
    konbit_runs: int
    floor_runs: int
    nx_runs: int
    nx_sources: int  # betweenness sources and closeness pivots networkx really runs from
    nx_constraint_step: int  # networkx constraint on every step-th element by cost, scaled up
    nx_suggestion_step: int  # Adamic–Adar from every step-th candidate, scaled up
    nx_communities: bool  # networkx Louvain measured (minutes at 100k)
    nx_exact_diameter: bool  # networkx's bounded exact diameter (minutes at 100k)


PLANS = [
    Plan(10_000, 50_000, 3, 3, 3, 40, 100, 1, True, True),
    Plan(100_000, 500_000, 1, 1, 1, 3, 2000, 25, False, False),
]


# --- measuring --------------------------------------------------------------------------------------


@dataclass
class Runs:
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # this process's CPU time, run by run

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def low(self) -> float:
        return min(self.seconds)

    @property
    def high(self) -> float:
        return max(self.seconds)


@dataclass
class Step:
    """One step of a metric set, as measured (or estimated) for one library."""

    seconds: float  # wall clock
    how: str = ""  # "" = measured in full; otherwise how it was sampled and scaled
    values: list[float] | None = None  # exact betweenness, kept for the accuracy check
    cpu: float = math.nan  # this process's CPU time (other load on the machine barely changes it)


def clock(fn: Callable[[], Any]) -> tuple[float, Any]:
    step, value = timed(fn)
    return step.seconds, value


def timed(fn: Callable[[], Any]) -> tuple[Step, Any]:
    gc.collect()
    cpu = time.process_time()
    start = time.perf_counter()
    value = fn()
    return Step(time.perf_counter() - start, cpu=time.process_time() - cpu), value


class StepTimer:
    """Times the steps of `analyze` without changing its code: while installed, every public function
    of konbit.maps.analysis that `analyze` reaches through its module's names (build, the metrics,
    loops, gaps, suggestions) is wrapped; only outermost calls count, so nested ones are not counted
    twice. What is left of the run is `analyze`'s own body (degrees, components, PageRank, shaping)."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self._depth = 0

    def _wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            if self._depth:
                return fn(*args, **kwargs)
            self._depth += 1
            cpu = time.process_time()
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.totals[name] = self.totals.get(name, 0.0) + time.perf_counter() - start
                self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - cpu
                self._depth -= 1

        return timed

    @contextmanager
    def installed(self) -> Iterator[None]:
        patched: list[tuple[Any, str, Any]] = []
        for module in (konbit_network, konbit_metrics):
            for name, value in list(vars(module).items()):
                if (
                    inspect.isfunction(value)
                    and value.__module__.startswith("konbit.maps.analysis")
                    and not name.startswith("_")
                    and value is not analyze
                    and not hasattr(value, "__wrapped__")  # context managers and the like
                ):
                    patched.append((module, name, value))
                    setattr(module, name, self._wrap(name, value))
        try:
            yield
        finally:
            for module, name, value in patched:
                setattr(module, name, value)


def konbit_run(gmap: GMap, **options: Any) -> tuple[Step, dict[str, Any], StepTimer]:
    """One `analyze` run: its time, its result and the time of each step (the rest of the run is
    `analyze`'s own body)."""
    timer = StepTimer()
    with timer.installed():
        run, result = timed(lambda: analyze(gmap, **options))
    timer.totals["analyze itself"] = run.seconds - sum(timer.totals.values())
    return run, result, timer


# Konbit's steps gathered into the rows of the breakdown (the floor and networkx use the same rows).
ROWS = {
    "build": "GMap → igraph (build)",
    "betweenness": "betweenness",
    "closeness": "closeness + average path",
    "diameter": "diameter",
    "analyze itself": "degrees, components, PageRank, shaping",
    "eigenvector": "eigenvector",
    "constraint": "constraint",
    "communities": "communities",
    "find_loops": "loops (bounded)",
    "find_gaps": "gaps",
    "suggest_links": "suggestions",
}
FIGURES = "map figures"
FIGURE_STEPS = {"density", "reciprocity", "degree_centralization"}


def row_of(step: str) -> str:
    """The breakdown row of one of Konbit's steps (a step this script does not know keeps its name)."""
    return FIGURES if step in FIGURE_STEPS else ROWS.get(step, step)


def konbit_rows(steps: dict[str, float]) -> dict[str, float]:
    rows: dict[str, float] = {}
    for step, seconds in steps.items():
        rows[row_of(step)] = rows.get(row_of(step), 0.0) + seconds
    return rows


# --- the floor: igraph alone ------------------------------------------------------------------------


def floor_betweenness(graph: ig.Graph, k: int, rng: random.Random) -> Step:
    n = graph.vcount()
    directed = graph.is_directed()
    sources = None if k >= n else sorted(rng.sample(range(n), k))
    probe = sorted(rng.sample(range(n), min(PROBE_SOURCES, n)))
    step, _ = timed(lambda: graph.betweenness(directed=directed, sources=probe))
    scale = min(k, n) / len(probe)
    if step.seconds * scale <= FLOOR_FULL_SECONDS:
        step, values = timed(lambda: graph.betweenness(directed=directed, sources=sources))
        step.values = values if sources is None else None
        return step
    how = f"{len(probe):,} of {min(k, n):,} sources, scaled, {PROBE_UNCERTAINTY}"
    return Step(step.seconds * scale, how, cpu=step.cpu * scale)


def floor_closeness(
    graph: ig.Graph, components: Sequence[Sequence[int]], info: dict[str, Any], rng: random.Random
) -> None:
    if info.get("method") == "exact":
        graph.closeness(mode="in" if graph.is_directed() else "all", normalized=False)
        return
    pivots = int(info["sources"])
    for comp in components:
        if len(comp) <= pivots:
            continue
        chosen = sorted(rng.sample(list(comp), pivots))
        for i in range(0, pivots, CLOSENESS_CHUNK):
            graph.distances(source=chosen[i : i + CLOSENESS_CHUNK], target=comp, mode="out")


def floor_diameter(undirected: ig.Graph, largest: Sequence[int]) -> None:
    """The four breadth-first sweeps every bounded diameter search starts with (iFUB's later
    certifying searches, when Konbit runs them, count as Konbit's own work)."""
    sub = undirected if len(largest) == undirected.vcount() else undirected.induced_subgraph(largest)
    degree = sub.degree()
    v = max(range(sub.vcount()), key=degree.__getitem__)
    for _ in range(4):
        distance = sub.distances(source=[v])[0]
        v = max(range(len(distance)), key=distance.__getitem__)


def floor_run(mg: MapGraph, summary: dict[str, Any], seed: int) -> dict[str, Step]:
    """The same metric set with igraph calls alone, parameters taken from Konbit's result."""
    graph, undirected = mg.graph, mg.undirected
    directed = graph.is_directed()
    rng = random.Random(seed)
    rows: dict[str, Step] = {}

    def own() -> list[list[int]]:
        undirected.degree()
        if directed:
            graph.indegree()
            graph.outdegree()
        graph.pagerank(directed=directed, damping=0.85)
        return [list(c) for c in undirected.connected_components()]

    rows[ROWS["analyze itself"]], components = timed(own)
    rows[ROWS["betweenness"]] = floor_betweenness(graph, int(summary["betweenness"]["sources"]), rng)
    rows[ROWS["closeness"]] = timed(lambda: floor_closeness(graph, components, summary["closeness"], rng))[0]
    largest = max(components, key=len)
    rows[ROWS["diameter"]] = timed(lambda: floor_diameter(undirected, largest))[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "not connected": Konbit handles components
        rows[ROWS["eigenvector"]] = timed(lambda: undirected.eigenvector_centrality())[0]
    rows[ROWS["constraint"]] = timed(lambda: undirected.constraint())[0]

    def communities() -> None:
        if summary.get("community_method") == "leiden":
            iterations = getattr(konbit_metrics, "LEIDEN_ITERATIONS", 2)
            found = undirected.community_leiden(objective_function="modularity", n_iterations=iterations)
        else:
            found = undirected.community_multilevel()
        undirected.modularity(found.membership)

    rows[ROWS["communities"]] = timed(communities)[0]
    rows[ROWS["find_loops"]] = timed(lambda: graph.connected_components(mode="strong"))[0]
    rows[FIGURES] = timed(lambda: graph.reciprocity(ignore_loops=True) if directed else None)[0]
    return rows


# --- networkx -------------------------------------------------------------------------------------


def nx_graphs(mg: MapGraph) -> tuple[nx.Graph, nx.Graph]:
    """The same simple graphs Konbit analyses, as networkx graphs (built before timing)."""
    n = mg.n
    graph: nx.Graph = nx.DiGraph() if mg.directed else nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(mg.graph.get_edgelist())
    undirected = nx.Graph()
    undirected.add_nodes_from(range(n))
    undirected.add_edges_from(mg.undirected.get_edgelist())
    return graph, undirected


def nx_betweenness(graph: nx.Graph, k: int, measured: int) -> Step:
    n = graph.number_of_nodes()
    k = min(k, n)
    used = min(k, measured)
    seconds, _ = clock(lambda: nx.betweenness_centrality(graph, k=used, seed=SEED))
    if used == k:
        return Step(seconds)
    return Step(seconds * k / used, f"{used} of {k:,} sources, scaled")


def nx_closeness(
    graph: nx.Graph, components: Sequence[set[int]], info: dict[str, Any], measured: int
) -> Step:
    """Konbit's closeness is one breadth-first search per pivot (sampled) or per element (exact)."""
    n = graph.number_of_nodes()
    if info.get("method") == "exact":
        searches = n
        pool: list[int] = list(range(n))
    else:
        pivots = int(info["sources"])
        big = [c for c in components if len(c) > pivots]
        searches = pivots * len(big)
        pool = sorted(v for c in big for v in c)
    if graph.is_directed() and info.get("method") == "exact":
        graph = graph.reverse(copy=False)  # incoming distances, as nx.closeness_centrality does
    used = min(searches, measured)
    sources = random.Random(SEED).sample(pool, used)
    seconds, _ = clock(lambda: [nx.single_source_shortest_path_length(graph, s) for s in sources])
    if used == searches:
        return Step(seconds)
    return Step(seconds * searches / used, f"{used} of {searches:,} searches, scaled")


def nx_constraint(undirected: nx.Graph, step: int) -> Step:
    """networkx's constraint (pure Python) costs about d·(d + d² + Σ neighbours' degrees) for an element
    of degree d. With step > 1 it runs on every step-th element ranked by that cost, and the total is
    scaled by the cost model (a ratio estimate: exact when the model is)."""
    if step <= 1:
        return Step(clock(lambda: nx.constraint(undirected))[0])
    degree = dict(undirected.degree())
    cost = {v: d * (d + d * d + sum(degree[w] for w in undirected[v])) for v, d in degree.items() if d}
    ranked = sorted(cost, key=lambda v: (-cost[v], v))
    sample = ranked[step // 2 :: step]
    seconds, _ = clock(lambda: nx.constraint(undirected, nodes=sample))
    scale = sum(cost.values()) / sum(cost[v] for v in sample)
    return Step(seconds * scale, f"{len(sample)} of {len(cost):,} elements by cost, scaled")


def nx_suggestions(undirected: nx.Graph, candidates: list[int], step: int, limit: int = 20) -> Step:
    """The best Adamic–Adar pairs among candidates at distance two (networkx.adamic_adar_index)."""
    chosen = candidates[::step]
    wanted = set(candidates)

    def run() -> list[tuple[int, int, float]]:
        pairs = set()
        for u in chosen:
            near = undirected[u]
            for w in near:
                for v in undirected[w]:
                    if v in wanted and v != u and v not in near:
                        pairs.add((min(u, v), max(u, v)))
        return heapq.nlargest(limit, nx.adamic_adar_index(undirected, pairs), key=lambda t: t[2])

    seconds, _ = clock(run)
    if step == 1:
        return Step(seconds)
    return Step(seconds * step, f"from {len(chosen):,} of {len(candidates):,} candidates, scaled")


def nx_run(
    graph: nx.Graph, undirected: nx.Graph, gmap: GMap, summary: dict[str, Any], plan: Plan
) -> tuple[dict[str, Step], list[str]]:
    """networkx on the same metric set; returns the rows and the names of the rows not measured."""
    rows: dict[str, Step] = {}
    skipped: list[str] = []
    directed = graph.is_directed()

    def own() -> list[set[int]]:
        dict(undirected.degree())
        if directed:
            dict(graph.in_degree())
            dict(graph.out_degree())
        _pagerank_python(graph, alpha=0.85)
        return list(nx.connected_components(undirected))

    seconds, components = clock(own)
    rows[ROWS["analyze itself"]] = Step(seconds, "PageRank: networkx's pure-Python variant")
    rows[ROWS["betweenness"]] = nx_betweenness(graph, int(summary["betweenness"]["sources"]), plan.nx_sources)
    rows[ROWS["closeness"]] = nx_closeness(graph, components, summary["closeness"], plan.nx_sources)
    largest = undirected.subgraph(max(components, key=len))
    if "diameter" in summary.get("estimated", []):
        rows[ROWS["diameter"]] = Step(clock(lambda: nx.approximation.diameter(largest))[0], "2-sweep bound")
    elif plan.nx_exact_diameter:
        rows[ROWS["diameter"]] = Step(clock(lambda: nx.diameter(largest, usebounds=True))[0])
    else:
        skipped.append(ROWS["diameter"])
    rows[ROWS["eigenvector"]] = Step(clock(lambda: nx.eigenvector_centrality(undirected, max_iter=1000))[0])
    rows[ROWS["constraint"]] = nx_constraint(undirected, plan.nx_constraint_step)
    if plan.nx_communities:

        def communities() -> None:
            found = nx.community.louvain_communities(undirected, seed=SEED)
            nx.community.modularity(undirected, found)

        rows[ROWS["communities"]] = Step(clock(communities)[0])
    else:
        skipped.append(ROWS["communities"])
    loops = getattr(konbit_network, "MAX_LOOPS", None) or 500
    rows[ROWS["find_loops"]] = Step(
        clock(lambda: list(itertools.islice(nx.simple_cycles(graph, length_bound=6), loops)))[0],
        f"first {loops} cycles of ≤ 6 elements",
    )
    partner = [bool(e.attributes.get("partner")) for e in gmap.elements]

    def gaps() -> list[int]:
        return [v for v in undirected if partner[v] and not any(partner[w] for w in undirected[v])]

    rows[ROWS["find_gaps"]] = Step(clock(gaps)[0])
    candidates = [v for v in range(len(partner)) if partner[v]] or [
        v for v, e in enumerate(gmap.elements) if e.kind == "actor"
    ]
    rows[ROWS["suggest_links"]] = nx_suggestions(undirected, candidates, plan.nx_suggestion_step)
    rows[FIGURES] = Step(clock(lambda: (nx.density(graph), nx.overall_reciprocity(graph)))[0])
    return rows, skipped


# --- accuracy of sampled betweenness ------------------------------------------------------------------


@dataclass
class Accuracy:
    epsilon: float
    delta: float
    sources: int
    method: str
    max_error: float
    mean_error: float
    beyond: int  # elements whose error exceeds epsilon


def normalised(graph: ig.Graph, raw: list[float]) -> list[float]:
    """Raw betweenness → networkx's normalisation (as Konbit reports it)."""
    n = graph.vcount()
    norm = (1.0 if graph.is_directed() else 2.0) / ((n - 1) * (n - 2))
    return [x * norm for x in raw]


def accuracy(exact: list[float], epsilon: float, delta: float, result: dict[str, Any]) -> Accuracy:
    info = result["map"]["betweenness"]
    errors = [abs(e["betweenness"] - x) for e, x in zip(result["elements"], exact, strict=True)]
    return Accuracy(
        epsilon=epsilon,
        delta=delta,
        sources=int(info["sources"]),
        method=str(info["method"]),
        max_error=max(errors),
        mean_error=sum(errors) / len(errors),
        beyond=sum(1 for x in errors if x > epsilon),
    )


# --- one size ---------------------------------------------------------------------------------------


@dataclass
class SizeResult:
    plan: Plan
    generate_seconds: float
    konbit: Runs
    konbit_rows: dict[str, list[float]]
    summary: dict[str, Any]
    floor: Runs
    floor_rows: dict[str, list[Step]]
    nx: Runs
    nx_rows: dict[str, list[Step]]
    nx_skipped: list[str]
    exact_igraph: Runs | None = None
    exact_konbit: Runs | None = None
    exact_konbit_how: str = ""
    accuracy: list[Accuracy] = field(default_factory=list)
    load: list[float] = field(default_factory=list)  # 1-minute load average at start and end


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def measure(plan: Plan, *, check_accuracy: bool) -> SizeResult:
    label = f"{plan.n:,} / {plan.m:,}"
    load_at_start = os.getloadavg()[0]
    log(f"{label}: generating the map")
    generate_seconds, gmap = clock(lambda: power_law_map(plan.n, plan.m, SEED))

    konbit = Runs()
    krows: dict[str, list[float]] = {}
    konbit_between_cpu: list[float] = []
    floor = Runs()
    frows: dict[str, list[Step]] = {}
    summary: dict[str, Any] = {}
    elements: list[dict[str, Any]] = []
    mg: MapGraph | None = None
    # Konbit and floor runs alternate, so that other load on the machine weighs on both alike.
    for i in range(max(plan.konbit_runs, plan.floor_runs)):
        if i < plan.konbit_runs:
            run, result, timer = konbit_run(gmap)
            konbit.seconds.append(run.seconds)
            konbit.cpu.append(run.cpu)
            for row, value in konbit_rows(timer.totals).items():
                krows.setdefault(row, []).append(value)
            konbit_between_cpu.append(timer.cpu.get("betweenness", math.nan))
            summary, elements = result["map"], result["elements"]
            del result
            log(f"{label}: Konbit run {i + 1}/{plan.konbit_runs}: {run.seconds:.2f} s")
        if mg is None:
            mg = build(gmap)  # the floor and networkx start from the graph Konbit analyses (not timed)
        if i < plan.floor_runs:
            rows = floor_run(mg, summary, SEED + i)
            floor.seconds.append(sum(s.seconds for s in rows.values()))
            floor.cpu.append(sum(s.cpu for s in rows.values()))
            for row, step in rows.items():
                frows.setdefault(row, []).append(step)
            log(f"{label}: floor run {i + 1}/{plan.floor_runs}: {floor.seconds[-1]:.2f} s")
    assert mg is not None
    konbit_betweenness = Runs(krows.get(ROWS["betweenness"], []), konbit_between_cpu)

    graph, undirected = nx_graphs(mg)
    nxr = Runs()
    nrows: dict[str, list[Step]] = {}
    skipped: list[str] = []
    for i in range(plan.nx_runs):
        rows, skipped = nx_run(graph, undirected, gmap, summary, plan)
        nxr.seconds.append(sum(s.seconds for s in rows.values()))
        for row, step in rows.items():
            nrows.setdefault(row, []).append(step)
        log(f"{label}: networkx run {i + 1}/{plan.nx_runs}: {nxr.seconds[-1]:.1f} s")
    del graph, undirected

    size = SizeResult(plan, generate_seconds, konbit, krows, summary, floor, frows, nxr, nrows, skipped)
    size.load = [load_at_start, os.getloadavg()[0]]
    if not check_accuracy:
        return size

    # Exact betweenness: igraph's call, and Konbit's when it computes it exactly.
    exact_steps = frows[ROWS["betweenness"]]
    size.exact_igraph = Runs()
    raw = exact_steps[-1].values
    if raw is not None:  # the floor ran exactly this call: its times are the exact figure
        size.exact_igraph = Runs([s.seconds for s in exact_steps], [s.cpu for s in exact_steps])
    while raw is None or len(size.exact_igraph.seconds) < plan.floor_runs:
        step, raw = timed(lambda: mg.graph.betweenness(directed=mg.graph.is_directed()))
        size.exact_igraph.seconds.append(step.seconds)
        size.exact_igraph.cpu.append(step.cpu)
    exact = normalised(mg.graph, raw)
    if summary["betweenness"]["method"] == "exact":
        size.exact_konbit = konbit_betweenness
        size.exact_konbit_how = "Konbit's betweenness step in the runs above (auto is exact at this size)"
    else:
        size.exact_konbit = Runs()
        for _ in range(plan.konbit_runs):
            step, _values = timed(
                lambda: konbit_metrics.betweenness_exact(mg.graph, progress=lambda d, t: None)
            )
            size.exact_konbit.seconds.append(step.seconds)
            size.exact_konbit.cpu.append(step.cpu)
        size.exact_konbit_how = (
            "the background job's computation (metrics.betweenness_exact, ~100 slices with progress)"
        )
    log(f"{label}: exact betweenness {size.exact_igraph.median:.1f} s")

    size.accuracy.append(
        accuracy(exact, DEFAULT_EPSILON, DEFAULT_DELTA, {"map": summary, "elements": elements})
    )
    for epsilon in ACCURACY_EPSILONS:
        _, result, _ = konbit_run(gmap, betweenness="sampled", epsilon=epsilon, delta=DEFAULT_DELTA)
        size.accuracy.append(accuracy(exact, epsilon, DEFAULT_DELTA, result))
        log(f"{label}: accuracy at epsilon {epsilon} done")
    size.load[1] = os.getloadavg()[0]
    return size


# --- report -----------------------------------------------------------------------------------------


def fmt(seconds: float) -> str:
    if math.isnan(seconds):
        return "—"
    if seconds >= 100:
        return f"{seconds:,.0f}"
    if seconds >= 10:
        return f"{seconds:.1f}"
    return f"{seconds:.2f}" if seconds >= 0.1 else f"{seconds:.3f}"


def median_step(steps: list[Step]) -> Step:
    ordered = sorted(steps, key=lambda s: s.seconds)
    return ordered[(len(ordered) - 1) // 2]


def machine() -> list[str]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    now = datetime.datetime.now(tz=datetime.UTC)
    return [
        f"- Machine: nproc {len(os.sched_getaffinity(0))}, {model or 'unknown CPU'}",
        f"- Date: {now:%Y-%m-%d %H:%M} UTC; commit {commit or 'unknown'}",
        f"- Python {platform.python_version()}, igraph {ig.__version__}, networkx {nx.__version__} "
        "(pure Python: numpy/scipy not installed)",
    ]


def report(sizes: list[SizeResult], total_seconds: float) -> str:
    lines = ["# Map analysis benchmark", "", *machine(), f"- Whole script: {total_seconds / 60:.1f} min", ""]
    lines += [
        "Konbit = `analyze(gmap)` end to end. Floor = the igraph calls alone for the same metrics on the "
        "already-built igraph graph. networkx = the same metric set with networkx on the same graph "
        "(betweenness from the same number of sources); ≈ marks a total that includes metrics measured "
        "on part of their work and scaled up (see the breakdown). Overhead = Konbit / floor.",
        "",
        "| metric set | size (elements / connections) | Konbit median (s) | min | max | floor (s) "
        "| networkx (s) | networkx / Konbit | Konbit / floor |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s in sizes:
        nx_scaled = any(st.how for steps in s.nx_rows.values() for st in steps)
        approx = "" if s.nx_skipped else "≈ " if nx_scaled else ""
        floor_scaled = any(st.how for steps in s.floor_rows.values() for st in steps)
        lower = "≥ " if s.nx_skipped else ""
        lines.append(
            f"| interactive set (`analyze`) | {s.plan.n:,} / {s.plan.m:,} | {fmt(s.konbit.median)} "
            f"| {fmt(s.konbit.low)} | {fmt(s.konbit.high)} "
            f"| {'≈ ' if floor_scaled else ''}{fmt(s.floor.median)} "
            f"| {lower}{approx}{fmt(s.nx.median)} | {lower}{s.nx.median / s.konbit.median:.0f}× "
            f"| {s.konbit.median / s.floor.median:.2f} |"
        )
    for s in sizes:
        if s.exact_igraph and s.exact_konbit and s.exact_igraph.seconds:
            nx_exact = median_step(s.nx_rows[ROWS["betweenness"]])
            n = s.plan.n
            per_source = nx_exact.seconds / max(1, int(s.summary["betweenness"]["sources"]))
            nx_all = per_source * n
            lines.append(
                f"| betweenness, exact (on demand) | {n:,} / {s.plan.m:,} | {fmt(s.exact_konbit.median)} "
                f"| {fmt(s.exact_konbit.low)} | {fmt(s.exact_konbit.high)} | {fmt(s.exact_igraph.median)} "
                f"| ≈ {fmt(nx_all)} | {nx_all / s.exact_konbit.median:.0f}× "
                f"| {s.exact_konbit.median / s.exact_igraph.median:.2f} |"
            )
    lines += ["", "CPU time of this process (medians; other load on the machine barely changes it):", ""]
    cores = len(os.sched_getaffinity(0))
    for s in sizes:
        text = (
            f"- {s.plan.n:,}: Konbit {fmt(statistics.median(s.konbit.cpu))} s, floor "
            f"{fmt(statistics.median(s.floor.cpu))} s (Konbit / floor {cpu_ratio(s.konbit, s.floor):.2f})"
        )
        if s.exact_igraph and s.exact_konbit and s.exact_igraph.cpu:
            text += (
                f"; exact betweenness: Konbit {fmt(statistics.median(s.exact_konbit.cpu))} s, igraph "
                f"{fmt(statistics.median(s.exact_igraph.cpu))} s "
                f"({cpu_ratio(s.exact_konbit, s.exact_igraph):.2f})"
            )
        text += f". Load average at start / end: {s.load[0]:.1f} / {s.load[1]:.1f} on {cores} cores."
        lines.append(text)
    lines += [
        "",
        "Without betweenness (which is one igraph call in both, and hides the rest at these sizes), from the "
        "step medians below:",
        "",
    ]
    for s in sizes:
        konbit_rest, floor_rest = rest_without_betweenness(s)
        lines.append(
            f"- {s.plan.n:,}: Konbit {fmt(konbit_rest)} s, floor {fmt(floor_rest)} s "
            f"(Konbit / floor {konbit_rest / floor_rest:.2f})"
        )
    lines += ["", "Targets: " + "; ".join(verdicts(sizes)), ""]

    for s in sizes:
        info = s.summary
        lines += [
            f"## Breakdown at {s.plan.n:,} / {s.plan.m:,}",
            "",
            f"Map generated in {s.generate_seconds:.1f} s. Konbit's result: betweenness "
            f"{info['betweenness']['method']} from {info['betweenness']['sources']:,} sources "
            f"(ε {info['betweenness'].get('epsilon')}, δ {info['betweenness'].get('delta')}); closeness "
            f"{info['closeness']['method']} ({info['closeness']['sources']:,} sources); communities "
            f"{info.get('community_method')}; "
            f"estimated: {', '.join(info.get('estimated', [])) or 'nothing'}; "
            f"runs: Konbit {s.plan.konbit_runs}, floor {s.plan.floor_runs}, networkx {s.plan.nx_runs} "
            "(medians below).",
            "",
            "| step | Konbit (s) | floor: igraph alone (s) | networkx (s) | networkx: how |",
            "|---|---|---|---|---|",
        ]
        names = list(dict.fromkeys([*ROWS.values(), FIGURES, *s.konbit_rows]))
        for name in names:
            k = statistics.median(s.konbit_rows[name]) if name in s.konbit_rows else math.nan
            f = median_step(s.floor_rows[name]) if name in s.floor_rows else None
            x = median_step(s.nx_rows[name]) if name in s.nx_rows else None
            floor_text = "—" if f is None else (f"≈ {fmt(f.seconds)} ({f.how})" if f.how else fmt(f.seconds))
            nx_text = "not measured" if name in s.nx_skipped else ("—" if x is None else fmt(x.seconds))
            lines.append(f"| {name} | {fmt(k)} | {floor_text} | {nx_text} | {x.how if x else ''} |")
        lines.append("")
        if s.nx_skipped:
            lines += [
                f"networkx not measured at this size (too slow for the budget): {', '.join(s.nx_skipped)}; "
                "its total is therefore a lower bound.",
                "",
            ]
        if s.accuracy:
            lines += [
                f"### Sampled betweenness against exact ({s.plan.n:,} elements)",
                "",
                "| ε | δ | method | sources | max abs error | mean abs error | elements beyond ε |",
                "|---|---|---|---|---|---|---|",
            ]
            for a in s.accuracy:
                lines.append(
                    f"| {a.epsilon} | {a.delta} | {a.method} | {a.sources:,} | {a.max_error:.2e} "
                    f"| {a.mean_error:.2e} | {a.beyond} |"
                )
            lines += ["", f"Exact on demand: Konbit = {s.exact_konbit_how}; floor = igraph's exact call.", ""]
    return "\n".join(lines) + "\n"


def rest_without_betweenness(s: SizeResult) -> tuple[float, float]:
    """Konbit's and the floor's time for every step but betweenness (sums of the step medians)."""
    skip = ROWS["betweenness"]
    konbit = sum(statistics.median(v) for k, v in s.konbit_rows.items() if k != skip)
    floor = sum(median_step(v).seconds for k, v in s.floor_rows.items() if k != skip)
    return konbit, floor


def cpu_ratio(a: Runs, b: Runs) -> float:
    """Ratio of the median CPU times (wall times when CPU times are missing)."""
    if a.cpu and b.cpu:
        return statistics.median(a.cpu) / statistics.median(b.cpu)
    return a.median / b.median


def verdicts(sizes: list[SizeResult]) -> list[str]:
    out = []
    for s in sizes:
        target = TARGETS.get(s.plan.n)
        if target:
            ok = s.konbit.median <= target
            out.append(
                f"{s.plan.n:,}: ≤ {target:g} s {'met' if ok else 'MISSED'} ({fmt(s.konbit.median)} s"
                f"{'' if ok else f', {s.konbit.median / target:.1f}× the target'})"
            )
        ratio = s.nx.median / s.konbit.median
        out.append(
            f"{s.plan.n:,}: ≥ {TARGET_NX_RATIO:g}× networkx "
            f"{'met' if ratio >= TARGET_NX_RATIO else 'MISSED'} ({ratio:.0f}×)"
        )
        overhead = cpu_ratio(s.konbit, s.floor)
        out.append(
            f"{s.plan.n:,}: Konbit ≤ {TARGET_OVERHEAD:g}× floor "
            f"{'met' if overhead <= TARGET_OVERHEAD else 'MISSED'} ({overhead:.2f}× in CPU time, "
            f"{s.konbit.median / s.floor.median:.2f}× wall; "
            f"{rest_without_betweenness(s)[0] / rest_without_betweenness(s)[1]:.2f}× without betweenness)"
        )
        if s.exact_igraph and s.exact_konbit and s.exact_igraph.seconds:
            ratio = cpu_ratio(s.exact_konbit, s.exact_igraph)
            out.append(
                f"exact betweenness ≤ {TARGET_EXACT_RATIO:g}× igraph "
                f"{'met' if ratio <= TARGET_EXACT_RATIO else 'MISSED'} ({ratio:.2f}× in CPU time, "
                f"{s.exact_konbit.median / s.exact_igraph.median:.2f}× wall)"
            )
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="only the 10,000-element map")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    plans = PLANS[:1] if args.quick else PLANS
    sizes = [measure(plan, check_accuracy=plan is PLANS[0]) for plan in plans]
    text = report(sizes, time.perf_counter() - started)
    OUT.mkdir(exist_ok=True)
    (OUT / "map_analysis.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
