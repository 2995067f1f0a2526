"""Server-side SVG for the steering pillar: bar charts, the results-chain diagram and the
competition/cooperation matrix. Complete <svg> elements with presentation attributes only (no script, no
style attribute), so the same markup works on a page, on a phone, in print and in the funder report."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from konbit.core import l10n

BLUE, TEAL, GREY, DARK, ORANGE = "#0172ad", "#2a9d8f", "#c8cdd3", "#333333", "#c05621"
STAGE_COLOURS = ["#9ecae1", "#4292c6", "#2171b5", "#084594"]  # adopt → respond, light → dark
LEVEL_FILL = {
    "activity": "#f1f5f9",
    "output": "#e0f2fe",
    "outcome": "#dcfce7",
    "systemic": "#fef3c7",
    "impact": "#fde2e4",
}


def _t(value: object) -> str:
    return escape(str(value), quote=True)


def _fmt(value: float) -> str:
    return l10n.number(value, decimals=0)


# --- bars ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    name: str
    colour: str


def bar_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    values: Sequence[Sequence[float]],
    unit: str = "",
) -> SafeString:
    """Horizontal grouped bars: one group per label, one bar per series (values[i][j] = label i, series j)."""
    width, label_w, bar_h, gap = 640, 200, 12, 10
    group_h = bar_h * len(series) + gap
    height = 28 + group_h * max(1, len(labels)) + 10
    top = max([v for row in values for v in row] or [0]) or 1
    scale = (width - label_w - 70) / top
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{_t(title)}" width="100%" preserveAspectRatio="xMinYMin meet">',
        f"<title>{_t(title)}</title>",
    ]
    x = label_w
    for s in series:  # legend
        parts.append(f'<rect x="{x}" y="4" width="10" height="10" fill="{s.colour}"/>')
        parts.append(f'<text x="{x + 14}" y="13" font-size="11" fill="{DARK}">{_t(s.name)}</text>')
        x += 14 + 7 * len(s.name) + 16
    for i, label in enumerate(labels):
        y0 = 28 + i * group_h
        short = label if len(label) <= 30 else label[:29] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y0 + group_h / 2 - 2}" font-size="11" text-anchor="end" '
            f'fill="{DARK}"><title>{_t(label)}</title>{_t(short)}</text>'
        )
        for j, s in enumerate(series):
            v = values[i][j]
            w = max(0.0, v * scale)
            y = y0 + j * bar_h
            parts.append(
                f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" fill="{s.colour}">'
                f"<title>{_t(s.name)}: {_fmt(v)}{_t(unit)}</title></rect>"
            )
            parts.append(
                f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 3}" font-size="10" fill="{DARK}">'
                f"{_fmt(v)}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def stage_mix(counts: Sequence[int]) -> SafeString:
    """A small stacked bar of actors per stage (adopt → respond)."""
    total = sum(counts)
    width, height = 120, 14
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{_t(_("Actors per stage"))}">'
    ]
    if not total:
        parts.append(f'<rect x="0" y="2" width="{width}" height="10" fill="#eeeeee"/>')
    x = 0.0
    for count, colour in zip(counts, STAGE_COLOURS, strict=True):
        w = width * count / total if total else 0
        if w:
            parts.append(f'<rect x="{x:.1f}" y="2" width="{w:.1f}" height="10" fill="{colour}"/>')
        x += w
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - numbers only


# --- results chain ------------------------------------------------------------------------------

LEVELS = ["activity", "output", "outcome", "systemic", "impact"]


def chain_svg(
    *, boxes: Sequence[dict[str, Any]], links: Sequence[dict[str, Any]], level_labels: dict[str, str]
) -> SafeString:
    """The chain drawn top to bottom (activities first, impact last). `boxes` are dicts with id,
    level, text; `links` dicts with source, target and number (the arrow's label, its assumption is
    listed under the diagram)."""
    width, pad, gap, line_h = 640, 10, 12, 13
    rows = [(lvl, [b for b in boxes if b["level"] == lvl]) for lvl in LEVELS]
    rows = [(lvl, bs) for lvl, bs in rows if bs]
    if not rows:
        return mark_safe("")
    pos: dict[int, tuple[float, float, float, float]] = {}
    parts: list[str] = []
    y = 8.0
    for level, row in rows:
        parts.append(
            f'<text x="{pad}" y="{y + 10}" font-size="11" font-weight="bold" fill="#555555">'
            f"{_t(level_labels.get(level, level))}</text>"
        )
        y += 16
        n = len(row)
        box_w = (width - 2 * pad - gap * (n - 1)) / n
        chars = max(8, int(box_w / 6.2))
        wrapped = []
        for b in row:
            lines = textwrap.wrap(b["text"], chars) or [""]
            if len(lines) > 5:
                lines = [*lines[:4], lines[4][: chars - 1] + "…"]
            wrapped.append(lines)
        box_h = 10 + line_h * max(len(lines) for lines in wrapped)
        for i, (b, lines) in enumerate(zip(row, wrapped, strict=True)):
            x = pad + i * (box_w + gap)
            pos[b["id"]] = (x, y, box_w, box_h)
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{box_w:.1f}" height="{box_h}" rx="6" '
                f'fill="{LEVEL_FILL.get(level, "#ffffff")}" stroke="#64748b">'
                f"<title>{_t(b['text'])}</title></rect>"
            )
            for k, line in enumerate(lines):
                parts.append(
                    f'<text x="{x + box_w / 2:.1f}" y="{y + 14 + k * line_h:.1f}" font-size="11" '
                    f'text-anchor="middle" fill="{DARK}">{_t(line)}</text>'
                )
        y += box_h + 34
    height = y - 20
    arrows: list[str] = []
    for link in links:
        if link["source"] not in pos or link["target"] not in pos:
            continue
        sx, sy, sw, sh = pos[link["source"]]
        tx, ty, tw, th = pos[link["target"]]
        if ty > sy:  # downwards: bottom centre → top centre
            x1, y1, x2, y2 = sx + sw / 2, sy + sh, tx + tw / 2, ty
            path = f"M{x1:.1f},{y1:.1f} C{x1:.1f},{y1 + 18:.1f} {x2:.1f},{y2 - 18:.1f} {x2:.1f},{y2 - 2:.1f}"
        elif ty < sy:  # back upwards (a feedback arrow): side to side
            x1, y1, x2, y2 = sx + sw, sy + sh / 2, tx + tw, ty + th / 2
            bend = max(x1, x2) + 24
            path = f"M{x1:.1f},{y1:.1f} C{bend:.1f},{y1:.1f} {bend:.1f},{y2:.1f} {x2 + 2:.1f},{y2:.1f}"
        else:  # same level
            left, right = (pos[link["source"]], pos[link["target"]])
            x1, y1 = left[0] + (left[2] if tx > sx else 0), sy + sh / 2
            x2, y2 = right[0] + (0 if tx > sx else right[2]), ty + th / 2
            path = f"M{x1:.1f},{y1:.1f} L{x2 + (-2 if tx > sx else 2):.1f},{y2:.1f}"
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        arrows.append(
            f'<path d="{path}" fill="none" stroke="{BLUE}" stroke-width="1.6" marker-end="url(#arrowhead)"/>'
        )
        arrows.append(
            f'<circle cx="{mx:.1f}" cy="{my:.1f}" r="8" fill="#ffffff" stroke="{BLUE}"/>'
            f'<text x="{mx:.1f}" y="{my + 4:.1f}" font-size="10" text-anchor="middle" fill="{BLUE}">'
            f"{int(link['number'])}</text>"
        )
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width + 40} {height:.0f}" width="100%" '
        f'role="img" aria-label="{_t(_("Results chain"))}"><title>{_t(_("Results chain"))}</title>'
        '<defs><marker id="arrowhead" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{BLUE}"/></marker></defs>'
    )
    return mark_safe(head + "".join(parts) + "".join(arrows) + "</svg>")  # noqa: S308 - texts escaped


# --- competition / cooperation matrix ----------------------------------------------------------


def _axis(level: int, size: float) -> float:
    return size * (level - 0.5) / 4


def matrix_svg(*, history: Sequence[Any], uid: str) -> SafeString:
    """A 2×2 matrix: cooperation left (low) to right (high), competition bottom (low) to top (high).
    The latest assessment as a filled dot with an arrow to the desired position (hollow dot); earlier
    ones as small grey dots joined by a dotted line, so the movement over time shows."""
    size, margin = 280, 34
    total = size + 2 * margin
    title = _("Competition and cooperation")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {total} {total}" width="100%" role="img" '
        f'aria-label="{_t(title)}"><title>{_t(title)}</title>'
        f'<defs><marker id="mx-{_t(uid)}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto-start-reverse">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{ORANGE}"/></marker></defs>'
    ]
    half = size / 2
    quads = [
        (0, 0, _("Competing")),
        (half, 0, _("Competing and cooperating")),
        (0, half, _("Apart")),
        (half, half, _("Cooperating")),
    ]
    fills = ["#fdecea", "#fff6e5", "#f1f5f9", "#ecf7ef"]
    for (qx, qy, label), fill in zip(quads, fills, strict=True):
        parts.append(
            f'<rect x="{margin + qx}" y="{margin + qy}" width="{half}" height="{half}" fill="{fill}" '
            'stroke="#94a3b8"/>'
            + "".join(
                f'<text x="{margin + qx + half / 2}" y="{margin + qy + 16 + 13 * k}" font-size="11" '
                f'text-anchor="middle" fill="#555555">{_t(line)}</text>'
                for k, line in enumerate(textwrap.wrap(str(label), 22))
            )
        )
    parts.append(
        f'<text x="{margin + half}" y="{total - 8}" font-size="11" text-anchor="middle" fill="{DARK}">'
        f"{_t(_('Cooperation'))} →</text>"
        f'<text x="12" y="{margin + half}" font-size="11" text-anchor="middle" fill="{DARK}" '
        f'transform="rotate(-90 12 {margin + half})">{_t(_("Competition"))} →</text>'
    )

    def point(comp: int, coop: int) -> tuple[float, float]:
        return margin + _axis(coop, size), margin + size - _axis(comp, size)

    ordered = list(reversed(list(history)))  # oldest first
    if ordered:
        trail = [point(a.competition, a.cooperation) for a in ordered]
        if len(trail) > 1:
            pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in trail)
            parts.append(f'<polyline points="{pts}" fill="none" stroke="#64748b" stroke-dasharray="3 3"/>')
        for a, (x, y) in zip(ordered[:-1], trail[:-1], strict=True):
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#94a3b8">'
                f"<title>{_t(a.assessed_on)}</title></circle>"
            )
        latest = ordered[-1]
        cx, cy = trail[-1]
        dx, dy = point(latest.desired_competition, latest.desired_cooperation)
        if (dx, dy) != (cx, cy):
            parts.append(
                f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{dx:.1f}" y2="{dy:.1f}" stroke="{ORANGE}" '
                f'stroke-width="2" marker-end="url(#mx-{_t(uid)})"/>'
            )
        parts.append(
            f'<circle cx="{dx:.1f}" cy="{dy:.1f}" r="7" fill="#ffffff" stroke="{ORANGE}" stroke-width="2">'
            f"<title>{_t(_('Wanted'))}</title></circle>"
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="7" fill="{BLUE}"><title>{_t(_("Now"))} '
            f"({_t(latest.assessed_on)})</title></circle>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - texts escaped
