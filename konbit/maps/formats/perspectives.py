"""The perspectives CSV: one row per connection as one perspective (a partner, a workshop group) sees it.

Columns ``from, to, perspective`` and optionally ``sign, type, direction, strength, description``, under
these names or their synonyms (source/target, cause/effect, polarity, participant/respondent/group…; see
columns.py), or under any names the person importing maps to them. Header names are matched ignoring
case, accents, spaces and underscores; a repeated column name is read from its first column; blank lines
are skipped; the delimiter may be "," or ";" (French Excel). Element labels are trimmed and matched
ignoring case and inner spacing; the first spelling seen becomes the label (and the element's id).
Perspective names are matched the same way.

Row-level problems never stop the import; the row numbers are those a spreadsheet shows (header = 1):
- a blank from or to: the row is skipped;
- a blank perspective: the connection is kept, outside every perspective;
- a sign that is none of + plus positive pos 1 ++ -- / - − minus negative neg -1 +- -+ / (blank) 0 none
  n/a / ? unknown (any case): the row is kept with the unknown sign "?";
- an unknown direction or a strength that is not a number: the row is kept without it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from konbit.core.tabular.headers import match_headers
from konbit.maps.graph import DIRECTED, UNKNOWN, GConnection, GElement, GMap

from .base import (
    FormatError,
    Problem,
    cell_text,
    is_blank_row,
    label_key,
    normalise_direction,
    parse_float,
    read_csv_rows,
    write_csv,
)
from .columns import CONNECTION_SYNONYMS, ColumnsNeeded, polarity_sign

REQUIRED = ("from", "to", "perspective")
OPTIONAL = ("sign", "type", "direction", "strength", "description")
_SYNONYMS = {name: CONNECTION_SYNONYMS[name] for name in (*REQUIRED, *OPTIONAL)}


def has_perspective_column(rows: list[list[str]], columns: Mapping[str, str] | None = None) -> bool:
    """Whether a table's first row names From, To and Perspective columns (in any of their synonyms,
    or chosen by the person importing)."""
    if not rows:
        return False
    match = match_headers([h.strip() for h in rows[0]], _SYNONYMS, columns)
    return match.has("from", "to", "perspective")


def read_perspectives_csv(
    data: bytes | str, columns: Mapping[str, str] | None = None
) -> tuple[GMap, list[Problem]]:
    rows = read_csv_rows(data)
    first = next(
        (i for i, row in enumerate(rows) if not is_blank_row(row)), None
    )  # blank lines above the header
    if first is None:
        raise FormatError("The perspectives CSV is empty.")
    header = [h.strip() for h in rows[first]]
    match = match_headers(header, _SYNONYMS, columns)
    if match.missing:
        raise FormatError(
            "The file has no column "
            + ", ".join(f"{column!r} (for {name})" for name, column in match.missing)
            + f"; its columns are: {', '.join(repr(h) for h in header if h) or 'none'}."
        )
    columns_at = match.fields
    missing = [c for c in REQUIRED if c not in columns_at]
    if missing:
        raise ColumnsNeeded(
            "The perspectives CSV needs the columns from, to and perspective (sign is optional); "
            f"missing: {', '.join(missing)} (found: {', '.join(h for h in header if h) or 'no header'})."
        )
    problems: list[Problem] = []
    for _index, title, _renamed in match.repeated:
        problems.append(Problem(first + 1, title, f"the column {title!r} appears twice; the first is read"))
    titles = {name: header[index] for name, index in columns_at.items()}

    def cell(row: list[str], column: str) -> str:
        index = columns_at.get(column)
        return row[index].strip() if index is not None and index < len(row) else ""

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
        blank = [c for c in ("from", "to") if not cell(row, c)]
        for column in blank:
            problems.append(Problem(number, titles[column], f"{titles[column]} is blank; row skipped"))
        if blank:
            continue
        if not cell(row, "perspective"):
            problems.append(
                Problem(
                    number,
                    titles["perspective"],
                    f"{titles['perspective']} is blank; the connection is kept outside every perspective",
                )
            )
        raw_sign = cell(row, "sign")
        sign = polarity_sign(raw_sign)
        if sign is None:
            problems.append(
                Problem(
                    number,
                    titles["sign"],
                    f"unknown sign {raw_sign!r} (use +, - or ?); kept with the unknown sign ?",
                )
            )
            sign = UNKNOWN
        raw_direction = cell(row, "direction")
        direction = normalise_direction(raw_direction)
        if direction is None:
            problems.append(
                Problem(
                    number,
                    titles["direction"],
                    f"unknown direction {raw_direction!r} (use directed, mutual or undirected); "
                    "read as directed",
                )
            )
            direction = DIRECTED
        raw_strength = cell(row, "strength")
        strength = parse_float(raw_strength)
        if raw_strength and strength is None:
            problems.append(
                Problem(number, titles["strength"], f"strength {raw_strength!r} is not a number; ignored")
            )
        name = cell(row, "perspective")
        name = perspective_names.setdefault(label_key(name), name) if name else ""
        source, target = element_for(cell(row, "from")), element_for(cell(row, "to"))
        for element in (source, target):
            if name and name not in element.perspectives:
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
