"""Small SVG charts for the report, as complete <svg> strings: presentation attributes and classes
only (no style attributes, no scripts), so they pass the CSP and print crisply."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH, HEIGHT, PAD, LEFT = 600, 200, 24, 150


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="report-chart"><title>{escape(title)}</title>{"".join(body)}</svg>'
    )


def bar_chart(title: str, bars: Sequence[tuple[str, float]], *, maximum: float | None = None) -> str:
    """Horizontal bars with their label on the left and the value at the end."""
    row = 24
    height = PAD + row * max(1, len(bars))
    top = max([maximum or 0.0, *(value for _label, value in bars)]) or 1.0
    usable = WIDTH - LEFT - 60
    body: list[str] = []
    for i, (label, value) in enumerate(bars):
        y = PAD / 2 + i * row
        width = max(0.0, value) / top * usable
        shown = f"{value:g}" if isinstance(value, int) or float(value).is_integer() else f"{value:.1f}"
        body.append(
            f'<text x="{LEFT - 6}" y="{y + 12}" text-anchor="end" class="axis">{escape(label[:24])}</text>'
            f'<rect x="{LEFT}" y="{y + 2}" width="{width:.1f}" height="{row - 8}" class="bar" '
            f'fill="#3c71b8"/>'
            f'<text x="{LEFT + width + 6:.1f}" y="{y + 12}" class="value">{escape(shown)}</text>'
        )
    return _svg(WIDTH, int(height), title, body)


def line_chart(
    title: str, points: Sequence[tuple[str, float]], *, low: float = 0.0, high: float = 100.0
) -> str | None:
    """A line over labelled points (e.g. months); None with fewer than two points."""
    if len(points) < 2:
        return None
    step = (WIDTH - 2 * PAD - 20) / (len(points) - 1)
    span = (high - low) or 1.0

    def y(value: float) -> float:
        return HEIGHT - PAD - (value - low) / span * (HEIGHT - 2 * PAD)

    coords = [(PAD + 20 + i * step, y(v)) for i, (_label, v) in enumerate(points)]
    body = [
        f'<line x1="{PAD + 20}" x2="{WIDTH - PAD}" y1="{y(g):.1f}" y2="{y(g):.1f}" class="grid" '
        f'stroke="#d0d7de"/><text x="2" y="{y(g) + 4:.1f}" class="axis">{g:g}</text>'
        for g in (low, (low + high) / 2, high)
    ]
    polyline = " ".join(f"{x:.1f},{yy:.1f}" for x, yy in coords)
    body.append(f'<polyline points="{polyline}" class="line" fill="none" stroke="#3c71b8" stroke-width="2"/>')
    every = max(1, len(points) // 6)
    for i, ((label, value), (x, yy)) in enumerate(zip(points, coords, strict=True)):
        body.append(
            f'<circle cx="{x:.1f}" cy="{yy:.1f}" r="3" class="dot" fill="#3c71b8">'
            f"<title>{escape(label)}: {value:.0f}</title></circle>"
        )
        if i % every == 0 or i == len(points) - 1:
            anchor = "end" if i == len(points) - 1 else "start" if i == 0 else "middle"
            body.append(
                f'<text x="{x:.1f}" y="{HEIGHT - 4}" text-anchor="{anchor}" class="axis">'
                f"{escape(label)}</text>"
            )
    return _svg(WIDTH, HEIGHT, title, body)
