"""Small SVG charts drawn on the server (crisp in print, no JavaScript)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from konbit.core import l10n

WIDTH, HEIGHT, PAD = 600, 160, 28


def score_chart(scores: Sequence[Any]) -> dict[str, Any] | None:
    """A line of monthly totals (0–100). `scores` have .month and .total."""
    points = [(s.month, s.total) for s in scores if s.total is not None]
    if len(points) < 2:
        return None
    step = (WIDTH - 2 * PAD) / (len(points) - 1)

    def y(value: float) -> float:
        return round(HEIGHT - PAD - value / 100 * (HEIGHT - 2 * PAD), 1)

    coords = [(round(PAD + i * step, 1), y(v)) for i, (_m, v) in enumerate(points)]
    every = max(1, len(points) // 6)
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "polyline": " ".join(f"{x},{yy}" for x, yy in coords),
        "dots": [
            {"x": x, "y": yy, "label": f"{l10n.month(m)}: {l10n.number(v, decimals=0)}"}
            for (x, yy), (m, v) in zip(coords, points, strict=True)
        ],
        "ticks": [
            {"x": coords[i][0], "label": l10n.month(points[i][0])} for i in range(0, len(points), every)
        ],
        "gridlines": [{"y": y(v), "label": v} for v in (0, 50, 100)],
        "left": PAD,
        "right": WIDTH - PAD,
        "bottom": HEIGHT - PAD + 14,
    }
