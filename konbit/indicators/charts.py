"""The measurements-against-targets chart, drawn on the server as a complete SVG element.

Crisp in print, no JavaScript, no style attributes (presentation attributes only, so the same SVG
works on the page under the CSP and inside the funder report). Accessible: role="img" with a
<title> and a <desc> that says the result in words; each bar and target marker has its own <title>,
and pages show the same numbers in a table beside the chart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.translation import gettext as _

from konbit.core import l10n

from .models import Indicator, Status, TargetMode
from .progress import Point, Progress

WIDTH, HEIGHT = 640, 250
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 44
BAR_FILL = "#0172ad"
TARGET_FILL = "#b3261e"
MILESTONE_STROKE = "#8a5a00"
GRID = "#dddddd"
TEXT = "#444444"


def number(value: float | None) -> str:
    """1234.5 → '1,234.5' (in French '1 234,5'); whole numbers without decimals; None → '—'."""
    return l10n.number(value)


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value:
            return float(candidate)
    return float(10 ** (exponent + 1))


def progress_svg(
    *,
    points: Sequence[Point],
    cumulative: bool,
    baseline: float | None,
    title: str,
    desc: str,
    chart_id: str,
    bar_label: str,
    target_label: str,
    milestone_label: str,
) -> str:
    """Bars: the achieved value by the end of each period (cumulative targets) or the period's value
    (incremental targets). Red dots: targets; hollow dots: milestones; dashed line: the baseline."""

    def bar_value(p: Point) -> float | None:
        return p.achieved if cumulative else p.value

    values = [v for p in points for v in (bar_value(p), p.target, p.milestone) if v is not None]
    if baseline is not None:
        values.append(baseline)
    top = _nice_max(max(values, default=1.0))
    bottom = min(0.0, min(values, default=0.0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        return round(TOP + plot_h - (value - bottom) / (top - bottom) * plot_h, 1)

    band = plot_w / max(1, len(points))
    bar_w = round(max(2.0, min(40.0, band * 0.6)), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="indicator-chart" '
        f'font-family="sans-serif" font-size="11">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]
    for i in range(5):
        value = bottom + (top - bottom) * i / 4
        yy = y(value)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{yy}" y2="{yy}" stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{yy}" text-anchor="end" dominant-baseline="middle" fill="{TEXT}">'
            f"{escape(number(value))}</text>"
        )
    if baseline is not None:
        yy = y(baseline)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{yy}" y2="{yy}" stroke="{TEXT}" '
            f'stroke-width="1" stroke-dasharray="2 3" class="baseline"/>'
        )
    every = max(1, math.ceil(len(points) / 8))
    plan: list[str] = []
    for i, p in enumerate(points):
        cx = round(LEFT + band * i + band / 2, 1)
        bar = bar_value(p)
        if bar is not None:
            y0, y1 = y(max(0.0, bottom)), y(bar)
            parts.append(
                f'<rect class="bar" x="{round(cx - bar_w / 2, 1)}" y="{min(y0, y1)}" width="{bar_w}" '
                f'height="{max(0.5, abs(y0 - y1))}" fill="{BAR_FILL}">'
                f"<title>{escape(p.label)} — {escape(bar_label)}: {escape(number(bar))}</title></rect>"
            )
        if p.target is not None:
            plan.append(f"{cx},{y(p.target)}")
            parts.append(
                f'<circle class="target" cx="{cx}" cy="{y(p.target)}" r="4.5" fill="{TARGET_FILL}">'
                f"<title>{escape(p.label)} — {escape(target_label)}: "
                f"{escape(number(p.target))}</title></circle>"
            )
        if p.milestone is not None:
            if p.target is None:
                plan.append(f"{cx},{y(p.milestone)}")
            parts.append(
                f'<circle class="milestone" cx="{cx}" cy="{y(p.milestone)}" r="4" fill="#ffffff" '
                f'stroke="{MILESTONE_STROKE}" stroke-width="2"><title>{escape(p.label)} — '
                f"{escape(milestone_label)}: {escape(number(p.milestone))}</title></circle>"
            )
        if i % every == 0:
            parts.append(
                f'<text x="{cx}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" fill="{TEXT}">'
                f"{escape(p.label)}</text>"
            )
    if cumulative and len(plan) > 1:
        # The plan line goes under the markers: insert it before the first marker.
        parts.insert(
            3,
            f'<polyline class="plan" points="{" ".join(plan)}" fill="none" stroke="{TARGET_FILL}" '
            f'stroke-width="1.5" stroke-dasharray="5 4"/>',
        )
    legend_y = HEIGHT - 10
    parts.append(
        f'<rect x="{LEFT}" y="{legend_y - 8}" width="10" height="10" fill="{BAR_FILL}"/>'
        f'<text x="{LEFT + 14}" y="{legend_y}" fill="{TEXT}">{escape(bar_label)}</text>'
        f'<circle cx="{LEFT + 160}" cy="{legend_y - 3}" r="4.5" fill="{TARGET_FILL}"/>'
        f'<text x="{LEFT + 170}" y="{legend_y}" fill="{TEXT}">{escape(target_label)}</text>'
        f'<circle cx="{LEFT + 280}" cy="{legend_y - 3}" r="4" fill="#ffffff" stroke="{MILESTONE_STROKE}" '
        f'stroke-width="2"/><text x="{LEFT + 290}" y="{legend_y}" fill="{TEXT}">'
        f"{escape(milestone_label)}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


def indicator_chart(indicator: Indicator, result: Progress, chart_id: str) -> str:
    """The progress chart of one indicator (also used by the funder report)."""
    if result.achieved is not None:
        desc = _(
            "Achieved %(achieved)s %(unit)s by %(period)s; target %(target)s; "
            "progress %(progress)s; %(status)s."
        ) % {
            "achieved": number(result.achieved),
            "unit": indicator.unit,
            "period": result.period_label,
            "target": number(result.target),
            "progress": f"{result.progress:.0f}%" if result.progress is not None else "—",
            "status": Status(result.status).label,
        }
    else:
        desc = _("No measurement yet.")
    cumulative = indicator.target_mode == TargetMode.CUMULATIVE
    return progress_svg(
        points=result.points,
        cumulative=cumulative,
        baseline=float(indicator.baseline_value) if indicator.baseline_value is not None else None,
        title=_("%(name)s: measurements against targets") % {"name": indicator.name},
        desc=desc,
        chart_id=chart_id,
        bar_label=_("Achieved (cumulative)") if cumulative else _("Achieved in the period"),
        target_label=_("Target"),
        milestone_label=_("Milestone"),
    )
