"""Element and map metrics, computed by igraph (C) on the graphs of `build.MapGraph`.

Each function states the definition it computes; the tests check every one against networkx on the same
graph. ``n`` is the number of elements.
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import igraph as ig

# Up to this many elements, betweenness="auto" computes betweenness exactly.
EXACT_BETWEENNESS_MAX_ELEMENTS = 5000
# Sampled closeness: breadth-first searches from this many random pivots per weak component that is
# larger; smaller components are computed exactly.
CLOSENESS_PIVOTS = 256
# ... except for the elements that fewer than this many pivots reach (in a directed map, those few
# others can reach): their estimate would be noisy, and an exact search from them is short.
CLOSENESS_MIN_HITS = 64
# Louvain (igraph's community_multilevel) up to this many elements. Above it, igraph 1.0's
# implementation grows worse than quadratically on sparse maps (measured: 0.4 s at 10,000 elements,
# 4.5 s at 30,000, 65 s at 100,000 with 500,000 connections), so Leiden with the modularity objective
# (Traag et al. 2019, a refinement of Louvain that also keeps communities connected) takes over: 1.8 s
# at 100,000 for a higher modularity. It is also the faster and better one at 10,000 (0.09 s and
# Q = 0.297 against Louvain's 0.75 s and 0.269 on the benchmark's power-law map), so Louvain is kept only
# where every metric is exact, up to EXACT_BETWEENNESS_MAX_ELEMENTS.
LOUVAIN_MAX_ELEMENTS = 5000
LEIDEN_ITERATIONS = 2
# The exact diameter search may visit this many vertices and edges (breadth-first searches × the
# component's size) — about 3 s; every component of up to 5,000 elements and 25,000 connections fits.
DIAMETER_WORK = 300_000_000

_RNG_LOCK = threading.Lock()


@contextmanager
def seeded_igraph(seed: int) -> Iterator[None]:
    """igraph draws random numbers (Louvain's visiting order, ARPACK's start vector) from a
    random.Random(seed) of its own inside this block: results are reproducible and the process-wide
    generator is neither used nor reseeded. A lock keeps concurrent blocks apart, since igraph's
    generator is global."""
    with _RNG_LOCK:
        ig.set_random_number_generator(random.Random(seed))  # noqa: S311 (reproducible, not secret)
        try:
            yield
        finally:
            ig.set_random_number_generator(random)


def betweenness_sample_size(n: int, epsilon: float, delta: float) -> int:
    """How many random sources make every sampled normalised betweenness exact within ±epsilon with
    probability at least 1 − delta.

    Source sampling (Brandes & Pich 2007): the betweenness of v is the sum over sources s of the
    dependency δ_s(v) = Σ_t σ_st(v)/σ_st. Drawing k distinct sources uniformly and scaling by n/k
    estimates the normalised value b(v) by the mean of X_s = n·δ_s(v)/((n−1)(n−2)) (an undirected pair
    is counted once, as networkx does). Since 0 ≤ δ_s(v) ≤ n−2, each X_s lies in [0, R] with
    R = n/(n−1). Hoeffding's inequality (valid for sampling without replacement too) gives
    P(|estimate − b(v)| ≥ ε) ≤ 2·exp(−2kε²/R²); the union bound over the n elements makes the failure
    probability at most delta when

        k = ⌈R² · ln(2n/δ) / (2ε²)⌉

    — the textbook ⌈ln(2n/δ)/(2ε²)⌉ times R², which is below 1.0005 once n > 5000.
    """
    if n < 3:
        return n
    spread = n / (n - 1)
    return math.ceil(spread * spread * math.log(2 * n / delta) / (2 * epsilon * epsilon))


def betweenness(
    graph: ig.Graph, *, method: str, epsilon: float, delta: float, rng: random.Random
) -> tuple[list[float], dict[str, Any]]:
    """Normalised betweenness, as networkx.betweenness_centrality(G, normalized=True): the share of
    shortest paths between other pairs that pass through the element, divided by (n−1)(n−2) for a
    directed graph and by (n−1)(n−2)/2 (unordered pairs) for an undirected one; 0 when n ≤ 2.

    method "exact" is Brandes' algorithm from every element; "sampled" uses
    `betweenness_sample_size` random sources (and falls back to exact, reported as such, when that
    is not fewer than n); "auto" is exact up to EXACT_BETWEENNESS_MAX_ELEMENTS elements, sampled
    above. Returns the values and {"method", "sources", "epsilon", "delta"} (0.0 and 0.0 for exact).
    """
    if method not in ("auto", "exact", "sampled"):
        raise ValueError(f'betweenness must be "auto", "exact" or "sampled", not {method!r}')
    if not 0 < epsilon < 1 or not 0 < delta < 1:
        raise ValueError("epsilon and delta must lie strictly between 0 and 1")
    n = graph.vcount()
    directed = graph.is_directed()
    exact_info: dict[str, Any] = {"method": "exact", "sources": n, "epsilon": 0.0, "delta": 0.0}
    if n < 3:
        return [0.0] * n, exact_info
    wants_sample = method == "sampled" or (method == "auto" and n > EXACT_BETWEENNESS_MAX_ELEMENTS)
    k = betweenness_sample_size(n, epsilon, delta)
    norm = (1.0 if directed else 2.0) / ((n - 1) * (n - 2))
    if wants_sample and k < n:
        sources = sorted(rng.sample(range(n), k))
        raw = graph.betweenness(directed=directed, sources=sources)
        scale = norm * n / k
        info = {"method": "sampled", "sources": k, "epsilon": epsilon, "delta": delta}
    else:
        raw = graph.betweenness(directed=directed)
        scale = norm
        info = exact_info
    return [value * scale for value in raw], info


def betweenness_exact(
    graph: ig.Graph, *, progress: Callable[[int, int], None] | None = None, steps: int = 100
) -> list[float]:
    """Exact normalised betweenness (as `betweenness` with method "exact"), computed in about `steps`
    slices of sources so that `progress(done, total)` can be reported between them.

    Brandes' betweenness is a sum over sources of their dependencies, so the sums over disjoint slices of
    sources add up to the whole; each slice is one igraph call (C), and the slicing costs a few percent
    over the single call (measured in bench/map_analysis.py).
    """
    n = graph.vcount()
    if n < 3:
        return [0.0] * n
    directed = graph.is_directed()
    size = max(1, math.ceil(n / steps))
    total = [0.0] * n
    for start in range(0, n, size):
        sources = range(start, min(n, start + size))
        for v, value in enumerate(graph.betweenness(directed=directed, sources=sources)):
            total[v] += value
        if progress is not None:
            progress(min(n, start + size), n)
    norm = (1.0 if directed else 2.0) / ((n - 1) * (n - 2))
    return [value * norm for value in total]


def closeness(
    graph: ig.Graph, components: Sequence[Sequence[int]], *, exact: bool, rng: random.Random
) -> tuple[list[float], float | None, dict[str, Any]]:
    """Closeness as networkx.closeness_centrality(G) (wf_improved=True), on incoming distances for a
    directed map (how close the others are to the element, as networkx does):

        closeness(v) = (r − 1)² / ((n − 1) · Σ_u d(u, v))

    over the r − 1 elements u that can reach v (Wasserman & Faust's correction for disconnected
    graphs); 0 when none can.

    Also returns the average shortest-path length, over the ordered pairs (u, v) with a path from u to
    v (igraph's average_path_length(unconn=True); following directions in a directed map), None when
    there are no such pairs — and {"method", "sources"}.

    Exact: a breadth-first search from every element. Sampled: a
    weak component larger than CLOSENESS_PIVOTS elements is searched from CLOSENESS_PIVOTS random
    pivots in it, and r − 1 and Σ d(u, v) are scaled up from the pivots that reach v (Eppstein & Wang's
    estimator); smaller components, and elements that fewer than CLOSENESS_MIN_HITS pivots reach, are
    exact. "sources" is then the number of pivots per large component.
    """
    n = graph.vcount()
    values = [0.0] * n
    if n < 2:
        return values, None, {"method": "exact", "sources": n}
    mode = "in" if graph.is_directed() else "all"
    if exact:
        small: list[int] | None = None
        large: list[Sequence[int]] = []
        info: dict[str, Any] = {"method": "exact", "sources": n}
    else:
        small = [v for comp in components if 1 < len(comp) <= CLOSENESS_PIVOTS for v in comp]
        large = [comp for comp in components if len(comp) > CLOSENESS_PIVOTS]
        info = {"method": "sampled" if large else "exact", "sources": CLOSENESS_PIVOTS if large else n}
    total_distance = 0.0
    total_pairs = 0.0

    # In an undirected map, the elements that reach v are the rest of its component.
    reaches: list[int] | None = None
    if not graph.is_directed():
        reaches = [0] * n
        for comp in components:
            for v in comp:
                reaches[v] = len(comp) - 1

    def exact_part(vertices: list[int] | None) -> None:
        nonlocal total_distance, total_pairs
        order = range(n) if vertices is None else vertices
        inverse = graph.closeness(vertices=vertices, mode=mode, normalized=False)  # 1 / Σd, NaN if none
        if reaches is not None:
            reach = [reaches[v] for v in order]
        else:  # igraph does not return the reach; normalised closeness is reach / Σd
            normalised = graph.closeness(vertices=vertices, mode=mode, normalized=True)
            reach = [round(a / b) if b > 0 else 0 for a, b in zip(normalised, inverse, strict=True)]
        for v, r, b in zip(order, reach, inverse, strict=True):
            if b > 0:
                values[v] = r * r * b / (n - 1)
                total_distance += round(1 / b)
                total_pairs += r

    if small is None or small:
        exact_part(small)
    for comp in large:
        size = len(comp)
        pivots = sorted(rng.sample(list(comp), CLOSENESS_PIVOTS))
        counts = [0] * size
        sums = [0] * size
        for start in range(0, len(pivots), 32):
            rows = graph.distances(source=pivots[start : start + 32], target=comp, mode="out")
            for j, column in enumerate(zip(*rows, strict=True)):
                if math.inf in column:
                    finite = [d for d in column if d != math.inf]
                    counts[j] += len(finite)
                    sums[j] += sum(finite)
                else:
                    counts[j] += len(column)
                    sums[j] += sum(column)
        position = {v: j for j, v in enumerate(comp)}
        is_pivot = [False] * size
        for p in pivots:
            counts[position[p]] -= 1  # a pivot's distance to itself
            is_pivot[position[p]] = True
        rare = []
        for j, v in enumerate(comp):
            c, s = counts[j], sums[j]
            if c < CLOSENESS_MIN_HITS:  # few pivots reach v: too noisy, but cheap to search exactly
                rare.append(v)
                continue
            others = CLOSENESS_PIVOTS - is_pivot[j]
            values[v] = (size - 1) * c * c / ((n - 1) * others * s)
            total_distance += (size - 1) * s / others
            total_pairs += (size - 1) * c / others
        if rare:
            exact_part(rare)
    average = total_distance / total_pairs if total_pairs else None
    return values, average, info


def diameter(undirected: ig.Graph, component: Sequence[int]) -> tuple[int, bool]:
    """The diameter of one connected component of the undirected view (the longest shortest path
    between two of its elements, ignoring directions; 0 for a lone element), and whether it is exact.

    iFUB with a 4-sweep start (Crescenzi et al. 2013): a breadth-first search from a central element u
    sorts the others by their distance i from u. Any two elements within distance i of u are at most
    2i apart, so once the eccentricities of all elements farther than i are known, the diameter is the
    largest of them or at most 2i; the search stops when the largest eccentricity found reaches 2i.

    On a large power-law map the outer level can be thousands of elements, each a full search: when the
    levels still to search exceed DIAMETER_WORK, the sweeps' lower bound is returned at once, marked
    not exact (on power-law and random networks it is usually the diameter, or one less).
    """
    size = len(component)
    if size <= 1:
        return 0, True
    sub = undirected if size == undirected.vcount() else undirected.induced_subgraph(component)

    def search(v: int) -> list[int]:
        return [int(d) for d in sub.distances(source=[v])[0]]

    def farthest(distance: list[int]) -> tuple[int, int]:
        """The farthest element and the distance to it (the source's eccentricity)."""
        reach = max(distance)
        return distance.index(reach), reach

    def middle(a: int, b: int) -> int:
        path = sub.get_shortest_path(a, b)
        return int(path[len(path) // 2])

    # 4-sweep: sweep twice from the best-connected element, then twice from the middle of the longest
    # path found. Every eccentricity met is a lower bound. The centre is the middle of the last path
    # or the best-connected element, whichever leaves fewer elements to search.
    degree = sub.degree()
    hub = search(max(range(size), key=lambda v: (degree[v], -v)))
    a, lower = farthest(hub)
    b, reach = farthest(search(a))
    lower = max(lower, reach)
    a, reach = farthest(search(middle(a, b)))
    lower = max(lower, reach)
    b, reach = farthest(search(a))
    lower = max(lower, reach)

    def outer_levels(distance: list[int]) -> list[list[int]]:
        """The elements farther than lower/2 from the centre, by distance, farthest first."""
        radius = max(distance)
        levels: list[list[int]] = [[] for _ in range(radius + 1)]
        for v, d in enumerate(distance):
            levels[d].append(v)
        return [levels[i] for i in range(radius, lower // 2, -1)]

    outer = min(outer_levels(hub), outer_levels(search(middle(a, b))), key=lambda ls: sum(map(len, ls)))
    # Those levels must all be searched (fewer if lower grows): give up at once when they exceed the
    # budget rather than spend it.
    if sum(map(len, outer)) > DIAMETER_WORK // (size + sub.ecount()):
        return lower, False
    level = lower // 2 + len(outer)  # the distance of outer[0]
    for fringe in outer:
        if lower >= 2 * level:
            break
        lower = max(lower, int(max(sub.eccentricity(vertices=fringe))))
        level -= 1
    return lower, True


def eigenvector(undirected: ig.Graph, components: Sequence[Sequence[int]], seed: int = 0) -> list[float]:
    """Eigenvector centrality of the undirected simple graph, as networkx.eigenvector_centrality(_numpy):
    the eigenvector of the adjacency matrix for its largest eigenvalue λ, non-negative, with unit
    Euclidean norm over the whole map.

    Components: the eigenvector lives on the component(s) whose own largest eigenvalue is λ; elements of
    every other component (and isolated elements) get 0. When several components share λ (say two
    identical groups), their vectors are combined as power iteration from a uniform start combines them
    (the limit networkx.eigenvector_centrality reaches): each component's unit vector weighted by the sum
    of its entries, then the whole normalised. A map without connections gets 0 everywhere.
    """
    n = undirected.vcount()
    values = [0.0] * n
    degree = undirected.degree()
    ranked = sorted(
        ((max(degree[v] for v in comp), i, comp) for i, comp in enumerate(components) if len(comp) > 1),
        key=lambda item: (-item[0], item[1]),
    )
    best = 0.0
    found: list[tuple[float, Sequence[int], list[float]]] = []
    for max_degree, _, comp in ranked:
        if max_degree < best * (1 - 1e-9):  # λ ≤ the largest degree
            break
        if len(comp) == 2:
            vector, lam = [1.0, 1.0], 1.0
        else:
            sub = undirected if len(comp) == n else undirected.induced_subgraph(comp)
            with seeded_igraph(seed):
                vector, lam = sub.eigenvector_centrality(return_eigenvalue=True)
        if lam >= best * (1 - 1e-9):
            found.append((lam, comp, [abs(x) for x in vector]))
            best = max(best, lam)
    weighted: list[tuple[Sequence[int], list[float]]] = []
    for lam, comp, vector in found:
        if lam < best * (1 - 1e-9):
            continue
        length = math.sqrt(sum(x * x for x in vector))
        unit = [x / length for x in vector]
        weight = sum(unit)
        weighted.append((comp, [x * weight for x in unit]))
    length = math.sqrt(sum(x * x for _, vector in weighted for x in vector))
    for comp, vector in weighted:
        for v, x in zip(comp, vector, strict=True):
            values[v] = x / length
    return values


def constraint(undirected: ig.Graph) -> list[float | None]:
    """Burt's constraint on the undirected simple graph, as networkx.constraint(G): with p_ij = 1/deg(i)
    for each neighbour j, c(i) = Σ_j (p_ij + Σ_q p_iq·p_qj)² over the neighbours j of i. High when the
    contacts are few or tied to each other; low for a broker between separate groups. None for an
    isolated element (undefined; networkx gives NaN)."""
    return [None if math.isnan(x) else x for x in undirected.constraint()]


def communities(undirected: ig.Graph, seed: int) -> tuple[list[int], float | None, str]:
    """Communities of the undirected simple graph (unweighted): Louvain (Blondel et al. 2008, igraph's
    community_multilevel) up to LOUVAIN_MAX_ELEMENTS elements, Leiden with the modularity objective
    above; deterministic for a seed (`seeded_igraph`).

    Returns the membership (communities numbered from 0 by decreasing size, ties by their first
    element; an isolated element is a community of its own), the modularity of that partition
    (Newman's Q, as networkx.community.modularity; None without connections) and the method name.
    """
    n = undirected.vcount()
    if n == 0:
        return [], None, "louvain"
    louvain = n <= LOUVAIN_MAX_ELEMENTS
    with seeded_igraph(seed):
        if louvain:
            found = undirected.community_multilevel()
        else:
            found = undirected.community_leiden(
                objective_function="modularity", n_iterations=LEIDEN_ITERATIONS
            )
    raw: list[int] = found.membership
    sizes: dict[int, int] = {}
    first: dict[int, int] = {}
    for v, label in enumerate(raw):
        sizes[label] = sizes.get(label, 0) + 1
        first.setdefault(label, v)
    order = sorted(sizes, key=lambda label: (-sizes[label], first[label]))
    renumber = {label: i for i, label in enumerate(order)}
    membership = [renumber[label] for label in raw]
    modularity = undirected.modularity(membership) if undirected.ecount() else None
    return membership, modularity, "louvain" if louvain else "leiden"


def degree_centralization(degrees: Sequence[int]) -> float:
    """Freeman's degree centralisation: Σ_i (max degree − degree_i) divided by its largest possible
    value, (n−1)(n−2), reached by a star; degree is the number of distinct neighbours. 0 when n < 3."""
    n = len(degrees)
    if n < 3:
        return 0.0
    top = max(degrees)
    return sum(top - d for d in degrees) / ((n - 1) * (n - 2))


def density(graph: ig.Graph) -> float:
    """As networkx.density: arcs / (n(n−1)) for a directed map, edges / (n(n−1)/2) for an undirected
    one, on the simple graph; 0 when n ≤ 1."""
    n = graph.vcount()
    if n <= 1:
        return 0.0
    pairs = n * (n - 1) if graph.is_directed() else n * (n - 1) / 2
    return graph.ecount() / pairs


def reciprocity(graph: ig.Graph) -> float | None:
    """As networkx.overall_reciprocity: the share of arcs whose opposite arc exists (a mutual or
    undirected connection counts as two reciprocated arcs). None for an undirected map or no arcs."""
    if not graph.is_directed() or graph.ecount() == 0:
        return None
    return float(graph.reciprocity(ignore_loops=True))
