"""The perspectives CSV: one row per connection as one perspective (a partner, a workshop group) sees it.

Columns ``from, to, sign, perspective`` and optionally ``type, direction, strength`` (also ``description``).
Headers are matched ignoring case and surrounding spaces; blank lines are skipped; the delimiter may be
"," or ";" (French Excel). Element labels are trimmed and matched ignoring case and inner spacing; the
first spelling seen becomes the label (and the element's id). Perspective names are matched the same way.

Row-level problems never stop the import; the row numbers are those a spreadsheet shows (header = 1):
- a blank from, to or perspective: the row is skipped;
- a sign that is none of + plus positive pos 1 / - − minus negative neg -1 / (blank) 0 none n/a
  (any case): the row is skipped;
- an unknown direction or a strength that is not a number: the row is kept without it.
"""

from __future__ import annotations

from typing import Any

from konbit.maps.graph import DIRECTED, GConnection, GElement, GMap

from .base import (
    FormatError,
    Problem,
    cell_text,
    is_blank_row,
    label_key,
    normalise_direction,
    normalise_sign,
    parse_float,
    read_csv_rows,
    write_csv,
)

REQUIRED = ("from", "to", "perspective")
OPTIONAL = ("sign", "type", "direction", "strength", "description")


def has_perspective_column(rows: list[list[str]]) -> bool:
    return bool(rows) and "perspective" in {h.strip().casefold() for h in rows[0]}


def read_perspectives_csv(data: bytes | str) -> tuple[GMap, list[Problem]]:
    rows = read_csv_rows(data)
    first = next(
        (i for i, row in enumerate(rows) if not is_blank_row(row)), None
    )  # blank lines above the header
    if first is None:
        raise FormatError("The perspectives CSV is empty.")
    header = [h.strip() for h in rows[first]]
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        key = title.casefold()
        if key in (*REQUIRED, *OPTIONAL) and key not in columns:
            columns[key] = index
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise FormatError(
            "The perspectives CSV needs the columns from, to, sign and perspective; "
            f"missing: {', '.join(missing)} (found: {', '.join(h for h in header if h) or 'no header'})."
        )

    def cell(row: list[str], column: str) -> str:
        index = columns.get(column)
        return row[index].strip() if index is not None and index < len(row) else ""

    problems: list[Problem] = []
    gmap = GMap()
    elements: dict[str, GElement] = {}
    perspective_names: dict[str, str] = {}

    def element_for(label: str) -> GElement:
        key = label_key(label)
        if key not in elements:
            elements[key] = GElement(id=label, label=label)
            gmap.elements.append(elements[key])
        return elements[key]

    for number, row in enumerate(rows[first + 1 :], start=first + 2):
        if is_blank_row(row):
            continue
        blank = [c for c in REQUIRED if not cell(row, c)]
        for column in blank:
            problems.append(Problem(number, column, f"{column} is blank; row skipped"))
        if blank:
            continue
        raw_sign = cell(row, "sign")
        sign = normalise_sign(raw_sign)
        if sign is None:
            problems.append(
                Problem(number, "sign", f"unknown sign {raw_sign!r} (use +, - or leave blank); row skipped")
            )
            continue
        raw_direction = cell(row, "direction")
        direction = normalise_direction(raw_direction)
        if direction is None:
            problems.append(
                Problem(
                    number,
                    "direction",
                    f"unknown direction {raw_direction!r} (use directed, mutual or undirected); "
                    "read as directed",
                )
            )
            direction = DIRECTED
        raw_strength = cell(row, "strength")
        strength = parse_float(raw_strength)
        if raw_strength and strength is None:
            problems.append(
                Problem(number, "strength", f"strength {raw_strength!r} is not a number; ignored")
            )
        name = cell(row, "perspective")
        name = perspective_names.setdefault(label_key(name), name)
        source, target = element_for(cell(row, "from")), element_for(cell(row, "to"))
        for element in (source, target):
            if name not in element.perspectives:
                element.perspectives.append(name)
        gmap.connections.append(
            GConnection(
                source=source.id,
                target=target.id,
                type=cell(row, "type"),
                direction=direction,
                sign=sign,
                strength=strength,
                description=cell(row, "description"),
                perspective=name,
            )
        )
    return gmap, problems


def write_perspectives_csv(gmap: GMap) -> bytes:
    """One row per connection: from, to (labels), sign, perspective, type, direction, strength, description.

    Connections with no perspective are written with a blank one (reading such a row back reports it)."""
    labels = {e.id: e.label for e in gmap.elements}
    rows: list[list[Any]] = [
        ["from", "to", "sign", "perspective", "type", "direction", "strength", "description"]
    ]
    for c in gmap.connections:
        rows.append(
            [
                labels.get(c.source, c.source),
                labels.get(c.target, c.target),
                c.sign,
                c.perspective,
                c.type,
                c.direction,
                cell_text(c.strength),
                c.description,
            ]
        )
    return write_csv(rows)
