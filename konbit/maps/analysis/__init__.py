"""Pure analysis of system maps: plain data in (`konbit.maps.graph`), JSON-ready plain data out. No
Django; the heavy work runs in igraph (C).

- `analyze(gmap)`: network analysis — map figures, element centralities, feedback loops, gaps,
  suggested connections (network.py; metrics.py holds each metric's definition).
- `compare(connections)`: agreement between the perspectives recorded on a map (compare.py).
- `feedback_loops(gmap)`: the loops alone, with their bounds adjustable (loops.py).
"""

from __future__ import annotations

from typing import Any

from konbit.maps.graph import GMap

from .build import build as build_graph
from .compare import compare
from .loops import MAX_COUNTED, MAX_LENGTH, MAX_LOOPS, TIME_BUDGET, find_loops
from .network import analyze


def feedback_loops(
    gmap: GMap,
    *,
    max_length: int = MAX_LENGTH,
    max_loops: int = MAX_LOOPS,
    max_counted: int = MAX_COUNTED,
    time_budget: float = TIME_BUDGET,
) -> dict[str, Any]:
    """The map's feedback loops, as in ``analyze(gmap)["loops"]`` (see loops.find_loops)."""
    return find_loops(
        build_graph(gmap),
        max_length=max_length,
        max_loops=max_loops,
        max_counted=max_counted,
        time_budget=time_budget,
    )


__all__ = ["analyze", "compare", "feedback_loops"]
