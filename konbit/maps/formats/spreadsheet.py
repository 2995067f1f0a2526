"""Kumu-style spreadsheets: an XLSX workbook with an "Elements" and a "Connections" sheet, or the same
two tables as CSV files (a pair of files, or a zip holding both; a connections CSV alone is enough, its
elements are implied by the From/To labels).

Elements: Label (or ID + Label), Type, Description, Tags, and any other column as a custom field.
Konbit also reads and writes Kind (actor/factor), Function (core/supporting/rules), Perspectives, X, Y.
Connections: From, To, ID?, Type, Direction, Description, Tags, Sign, Strength, Perspective, + custom.

Rules, following Kumu's import:
- column headers are matched ignoring case and surrounding spaces; sheets whose name contains
  "(ignore)" are skipped; "Element Type"/"Connection Type" are accepted for Type;
- several values in a cell (Tags, Perspectives, or several labels in From/To) are separated by "|";
  a Tags cell without any "|" is split on commas, as people type tags by hand;
- From/To name an element by ID first, then by label (exact, then ignoring case and spacing); a label
  that no element row has creates the element (reported when there is an Elements table);
- duplicate labels without IDs: both rows are kept, connections go to the first (reported);
- rows are numbered as the spreadsheet shows them (the header is row 1).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from konbit.core import uploads
from konbit.core.tabular.headers import match_headers
from konbit.maps.graph import DIRECTED, UNKNOWN, GConnection, GElement, GMap

from .base import (
    FUNCTIONS,
    KINDS,
    LIMITS,
    FormatError,
    Problem,
    as_bytes,
    cell_text,
    is_blank_row,
    join_tags,
    label_key,
    normalise_direction,
    open_zip,
    parse_float,
    plain_value,
    read_csv_rows,
    read_path,
    read_zip_member,
    refused_as_format_error,
    split_tags,
    unique_id,
    write_csv,
)
from .columns import (
    CONNECTION_SYNONYMS,
    ELEMENT_SYNONYMS,
    ColumnsNeeded,
    is_connections_header,
    is_elements_header,
    polarity_sign,
    split_chosen,
    type_holds_signs,
)

ELEMENT_COLUMNS = {
    "label": "label",
    "id": "id",
    "type": "type",
    "element type": "type",
    "description": "description",
    "tags": "tags",
    "kind": "kind",
    "function": "function",
    "perspectives": "perspectives",
    "x": "x",
    "y": "y",
}
CONNECTION_COLUMNS = {
    "from": "from",
    "to": "to",
    "id": "id",
    "type": "type",
    "connection type": "type",
    "direction": "direction",
    "description": "description",
    "tags": "tags",
    "sign": "sign",
    "strength": "strength",
    "perspective": "perspective",
}


@dataclass
class Table:
    """One sheet or CSV file: its header and its rows, each with the row number a person sees."""

    name: str
    header: list[str]
    rows: list[tuple[int, list[Any]]]

    @classmethod
    def from_rows(cls, name: str, rows: list[list[Any]] | list[tuple[Any, ...]]) -> Table:
        if not rows:
            return cls(name, [], [])
        header = [cell_text(h) for h in rows[0]]
        body = [(n, list(r)) for n, r in enumerate(rows[1:], start=2) if not is_blank_row(r)]
        return cls(name, header, body)

    def columns(
        self,
        synonyms: dict[str, tuple[str, ...]],
        problems: list[Problem],
        chosen: Mapping[str, str] | None = None,
    ) -> tuple[dict[str, int], dict[str, int]]:
        """(field → column index, custom field name → column index). Header names in the user's own
        words are recognised (columns.py); a column chosen by the person importing wins. A repeated
        column name is kept under a numbered name ("notes (2)"), with a problem listed."""
        match = match_headers(self.header, synonyms, chosen)
        if match.missing:
            raise FormatError(
                f"The {self.name} table has no column "
                + ", ".join(f"{column!r} (for {name})" for name, column in match.missing)
                + f"; its columns are: {', '.join(repr(h) for h in self.header if h) or 'none'}."
            )
        for index, title, renamed in match.repeated:
            kept = f"kept as {renamed!r}" if index not in match.fields.values() else "read as a field"
            problems.append(Problem(1, title, f"{self.name}: the column {title!r} appears twice; {kept}"))
        return match.fields, {title: index for index, title in match.others}

    def is_connections(self, chosen: Mapping[str, str] | None = None) -> bool:
        return is_connections_header(self.header, chosen)

    def is_elements(self, chosen: Mapping[str, str] | None = None) -> bool:
        return is_elements_header(self.header, chosen)


def _cell(row: list[Any], index: int | None) -> Any:
    if index is None or index >= len(row):
        return None
    value = row[index]
    if isinstance(value, str) and not value.strip():
        return None
    return value


def tables_to_gmap(
    elements: Table | None,
    connections: Table | None,
    name: str = "",
    columns: Mapping[str, str] | None = None,
) -> tuple[GMap, list[Problem]]:
    """`columns`: the person's own column mapping (field → column name), split between the tables."""
    problems: list[Problem] = []
    chosen_elements, chosen_connections = split_chosen(columns, with_connections=connections is not None)
    gmap = GMap(name=name)
    by_id: dict[str, GElement] = {}
    explicit_ids: set[str] = set()
    by_label: dict[str, GElement] = {}
    by_key: dict[str, GElement] = {}
    taken: set[str] = set()

    if elements is not None:
        fields, custom = elements.columns(ELEMENT_SYNONYMS, problems, chosen_elements)
        if "label" not in fields and "id" not in fields:
            raise ColumnsNeeded(
                f"The {elements.name} table needs a Label (or Name) column; "
                f"its columns are: {', '.join(repr(h) for h in elements.header if h) or 'none'}."
            )
        id_col = fields.get("id")
        for _, row in elements.rows:
            raw_id = cell_text(_cell(row, id_col))
            if raw_id:
                explicit_ids.add(raw_id)
        taken |= explicit_ids
        first_row: dict[str, int] = {}
        for number, row in elements.rows:
            label = cell_text(_cell(row, fields.get("label")))
            raw_id = cell_text(_cell(row, id_col))
            if not label and not raw_id:
                title = elements.header[fields.get("label", id_col or 0)]
                problems.append(Problem(number, title, "element skipped: no label"))
                continue
            if raw_id and raw_id in by_id:
                problems.append(
                    Problem(
                        number, elements.header[id_col or 0], f"element skipped: ID {raw_id!r} used twice"
                    )
                )
                continue
            element_id = raw_id or unique_id(label, taken)
            label = label or element_id
            attrs: dict[str, Any] = {}
            for title, index in custom.items():
                value = _cell(row, index)
                if value is not None:
                    attrs[title] = plain_value(value)
            element = GElement(
                id=element_id,
                label=label,
                type=cell_text(_cell(row, fields.get("type"))),
                description=cell_text(_cell(row, fields.get("description"))),
                tags=split_tags(_cell(row, fields.get("tags"))),
                perspectives=split_tags(_cell(row, fields.get("perspectives"))),
                attributes=attrs,
            )
            for field, vocabulary in (("kind", KINDS), ("function", FUNCTIONS)):
                raw = _cell(row, fields.get(field))
                if raw is None:
                    continue
                value = cell_text(raw).casefold()
                if value in vocabulary:
                    setattr(element, field, value)
                else:
                    title = elements.header[fields[field]]
                    attrs[title] = plain_value(raw)
                    allowed = ", ".join(v for v in vocabulary if v)
                    problems.append(
                        Problem(number, title, f"unknown {field} {raw!r} (use {allowed}); kept as a field")
                    )
            raw_x, raw_y = _cell(row, fields.get("x")), _cell(row, fields.get("y"))
            x, y = parse_float(raw_x), parse_float(raw_y)
            if x is not None and y is not None:
                element.position = (x, y)
            else:
                for field, raw in (("x", raw_x), ("y", raw_y)):
                    if raw is not None:
                        attrs[elements.header[fields[field]]] = plain_value(raw)
            by_id[element_id] = element
            if label in by_label and not raw_id:
                problems.append(
                    Problem(
                        number,
                        elements.header[fields.get("label", id_col or 0)],
                        f"the label {label!r} is also on row {first_row[label]}; both are kept and "
                        f"connections naming {label!r} go to row {first_row[label]} (add an ID column to "
                        "tell them apart)",
                    )
                )
            if label not in by_label:
                by_label[label] = element
                first_row[label] = number
            by_key.setdefault(label_key(element.label), element)
            gmap.elements.append(element)

    if connections is None:
        return gmap, problems

    fields, custom = connections.columns(CONNECTION_SYNONYMS, problems, chosen_connections)
    if "from" not in fields or "to" not in fields:
        raise ColumnsNeeded(
            f"The {connections.name} table needs From and To columns (or Source and Target, Cause and "
            f"Effect); its columns are: {', '.join(repr(h) for h in connections.header if h) or 'none'}."
        )
    # A type column holding only signs ("+", "-", "++", "+-", "positive"…) and no sign column: Kumu's
    # causal-loop maps carry polarity that way. Read it as the sign, and keep it as the type.
    sign_from_type = "sign" not in fields and "type" in fields
    if sign_from_type:
        sign_from_type = type_holds_signs(_cell(row, fields["type"]) for _, row in connections.rows)
        if sign_from_type:
            fields["sign"] = fields["type"]

    def resolve(reference: str, number: int, column: str) -> GElement:
        element = by_id.get(reference) if reference in explicit_ids else None
        element = element or by_label.get(reference) or by_key.get(label_key(reference))
        if element is None:
            element = GElement(id=unique_id(reference, taken), label=reference)
            gmap.elements.append(element)
            by_id[element.id] = element
            by_label[reference] = element
            by_key[label_key(reference)] = element
            if elements is not None:
                problems.append(
                    Problem(
                        number,
                        column,
                        f"{reference!r} is not in the {elements.name} table; the element was added",
                    )
                )
        return element

    for number, row in connections.rows:
        ends: dict[str, list[str]] = {}
        for end in ("from", "to"):
            title = connections.header[fields[end]]
            references = [r.strip() for r in cell_text(_cell(row, fields[end])).split("|") if r.strip()]
            if not references:
                problems.append(Problem(number, title, f"connection skipped: {title} is empty"))
                break
            ends[end] = [resolve(r, number, title).id for r in references]
        if len(ends) != 2:
            continue
        attrs = {}
        for title, index in custom.items():
            value = _cell(row, index)
            if value is not None:
                attrs[title] = plain_value(value)
        raw_direction = _cell(row, fields.get("direction"))
        direction = normalise_direction(raw_direction)
        if direction is None:
            title = connections.header[fields["direction"]]
            problems.append(
                Problem(
                    number,
                    title,
                    f"unknown direction {raw_direction!r} (use directed, mutual or undirected); "
                    "read as directed",
                )
            )
            direction = DIRECTED
        raw_sign = _cell(row, fields.get("sign"))
        sign = polarity_sign(raw_sign)
        if sign is None:
            title = connections.header[fields["sign"]]
            if fields["sign"] != fields.get("type"):
                attrs[title] = plain_value(raw_sign)  # what was typed, for the person to correct
            problems.append(
                Problem(
                    number, title, f"unknown sign {raw_sign!r} (use +, - or ?); kept with the unknown sign ?"
                )
            )
            sign = UNKNOWN
        raw_strength = _cell(row, fields.get("strength"))
        strength = parse_float(raw_strength)
        if raw_strength is not None and strength is None:
            title = connections.header[fields["strength"]]
            attrs[title] = plain_value(raw_strength)
            problems.append(
                Problem(number, title, f"strength {raw_strength!r} is not a number; kept as a field")
            )
        raw_id = cell_text(_cell(row, fields.get("id")))
        for source in ends["from"]:
            for target in ends["to"]:
                gmap.connections.append(
                    GConnection(
                        source=source,
                        target=target,
                        id=raw_id,
                        type=cell_text(_cell(row, fields.get("type"))),
                        direction=direction,
                        sign=sign,
                        strength=strength,
                        description=cell_text(_cell(row, fields.get("description"))),
                        tags=split_tags(_cell(row, fields.get("tags"))),
                        attributes=dict(attrs),
                        perspective=cell_text(_cell(row, fields.get("perspective"))),
                    )
                )
                raw_id = ""  # a row with several From/To labels: only the first connection keeps the ID
    return gmap, problems


# --- writing tables --------------------------------------------------------------------------------


def _custom_names(items: list[dict[str, Any]], reserved: dict[str, str]) -> list[str]:
    names: list[str] = []
    for attrs in items:
        for key in attrs:
            if key.casefold() not in reserved and key not in names:
                names.append(key)
    return names


def _cell_out(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return join_tags(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def gmap_to_tables(gmap: GMap) -> tuple[list[list[Any]], list[list[Any]]]:
    """The Elements and Connections tables (header first); Konbit's optional columns only when used."""
    elements = gmap.elements
    labels = {e.id: e.label for e in elements}
    header: list[Any] = ["ID", "Label", "Type", "Description", "Tags"]
    with_kind = any(e.kind != "actor" for e in elements)
    with_function = any(e.function for e in elements)
    with_perspectives = any(e.perspectives for e in elements)
    with_position = any(e.position is not None for e in elements)
    header += ["Kind"] * with_kind + ["Function"] * with_function + ["Perspectives"] * with_perspectives
    header += ["X", "Y"] * with_position
    custom = _custom_names([e.attributes for e in elements], ELEMENT_COLUMNS)
    element_rows: list[list[Any]] = [header + custom]
    for e in elements:
        row: list[Any] = [e.id, e.label, e.type, e.description, join_tags(e.tags)]
        row += [e.kind] * with_kind + [e.function] * with_function
        row += [join_tags(e.perspectives)] * with_perspectives
        if with_position:
            row += list(e.position) if e.position is not None else [None, None]
        row += [_cell_out(e.attributes.get(name)) for name in custom]
        element_rows.append(row)

    conns = gmap.connections
    # From/To hold labels, which people can read, unless a label could be taken for another element's ID
    # or for a second element with that label; then they hold IDs (read first), so nothing is misdirected.
    ids = set(labels)
    by_id_needed = (
        len(set(labels.values())) != len(labels)
        or any(label in ids and label != element_id for element_id, label in labels.items())
        or any(c.source not in labels or c.target not in labels for c in conns)
    )
    cheader: list[Any] = ["From", "To", "ID", "Type", "Direction", "Description", "Tags"]
    with_sign = any(c.sign for c in conns)
    with_strength = any(c.strength is not None for c in conns)
    with_perspective = any(c.perspective for c in conns)
    cheader += ["Sign"] * with_sign + ["Strength"] * with_strength + ["Perspective"] * with_perspective
    ccustom = _custom_names([c.attributes for c in conns], CONNECTION_COLUMNS)
    connection_rows: list[list[Any]] = [cheader + ccustom]
    for c in conns:
        source = c.source if by_id_needed else labels[c.source]
        target = c.target if by_id_needed else labels[c.target]
        crow: list[Any] = [source, target, c.id, c.type, c.direction, c.description, join_tags(c.tags)]
        crow += [c.sign] * with_sign + [c.strength] * with_strength + [c.perspective] * with_perspective
        crow += [_cell_out(c.attributes.get(name)) for name in ccustom]
        connection_rows.append(crow)
    return element_rows, connection_rows


# --- XLSX ------------------------------------------------------------------------------------------


def read_kumu_xlsx(data: bytes, columns: Mapping[str, str] | None = None) -> tuple[GMap, list[Problem]]:
    import openpyxl  # openpyxl parses the workbook's XML with defusedxml when it is installed

    data = as_bytes(data)
    budget = uploads.Budget(LIMITS.seconds)
    with refused_as_format_error():  # zip bombs, shared-strings bombs: refused before openpyxl opens it
        uploads.check_xlsx(data, LIMITS, budget)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:  # read-only sheets are parsed while iterating, so their errors surface here
            tables = [
                Table.from_rows(ws.title, list(_within(budget, ws.iter_rows(values_only=True))))
                for ws in workbook.worksheets
                if "(ignore)" not in ws.title.casefold()
            ]
            name = workbook.properties.title or ""
        finally:
            workbook.close()
    except uploads.UnsafeUpload as exc:  # the parse-time budget ran out
        raise FormatError(exc.message) from None
    except Exception as exc:  # openpyxl raises many kinds of errors on damaged, foreign or unsafe files
        if _caused_by_unsafe_xml(exc):
            raise FormatError(
                "The workbook's XML declares a DTD or entities, which Konbit refuses for safety."
            ) from None
        raise FormatError(f"The file is not a readable Excel workbook (.xlsx): {exc}") from None
    return tables_to_gmap(*_pick_tables(tables, columns), name=name, columns=columns)


def _within(budget: uploads.Budget, rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    for number, row in enumerate(rows):
        if number % 1000 == 0:
            budget.check()
        yield row


def _caused_by_unsafe_xml(exc: BaseException | None) -> bool:
    """Whether defusedxml refused some XML on the way (openpyxl wraps the error in its own)."""
    from defusedxml import DefusedXmlException

    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, DefusedXmlException):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _pick_tables(
    tables: list[Table], columns: Mapping[str, str] | None = None
) -> tuple[Table | None, Table | None]:
    by_name = {t.name.strip().casefold(): t for t in tables}
    elements = by_name.get("elements") or by_name.get("nodes")
    connections = by_name.get("connections") or by_name.get("edges") or by_name.get("links")
    if connections is None:
        connections = next((t for t in tables if t is not elements and t.is_connections(columns)), None)
    if elements is None:
        elements = next((t for t in tables if t is not connections and t.is_elements(columns)), None)
    if elements is None and connections is None:
        raise ColumnsNeeded(
            'No "Elements" or "Connections" sheet found (an Elements sheet needs a Label or Name column, '
            "a Connections sheet From and To columns, or Source and Target, or Cause and Effect)."
        )
    return elements, connections


def write_kumu_xlsx(gmap: GMap) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)  # streams rows instead of holding every cell
    element_rows, connection_rows = gmap_to_tables(gmap)
    _fill(workbook.create_sheet("Elements"), element_rows)
    _fill(workbook.create_sheet("Connections"), connection_rows)
    workbook.properties.title = gmap.name or None
    workbook.properties.creator = "Konbit"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _fill(sheet: Any, rows: list[list[Any]]) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    for row in rows:
        cells: list[Any] = []
        for value in row:
            if value is None or value == "":
                cells.append(None)
                continue
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            elif not isinstance(value, int | float | bool):
                value = str(value)
            if isinstance(value, str) and value.startswith("="):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"  # text that looks like a formula stays text
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)


# --- CSV -------------------------------------------------------------------------------------------


def read_kumu_csv(
    connections: bytes | str | None = None,
    elements: bytes | str | None = None,
    columns: Mapping[str, str] | None = None,
) -> tuple[GMap, list[Problem]]:
    """The two Kumu tables as CSV; either may be missing (a connections CSV alone implies its elements).
    A lone CSV without From/To columns (or their synonyms) but with a Label or an ID is an elements
    table. `columns`: the person's own mapping, field → column name."""
    if connections is None and elements is None:
        raise FormatError("No CSV file given.")
    etable = Table.from_rows("Elements", read_csv_rows(elements)) if elements is not None else None
    ctable = Table.from_rows("Connections", read_csv_rows(connections)) if connections is not None else None
    if ctable is not None and not ctable.is_connections(columns):
        if etable is None and ctable.is_elements(columns):
            etable, ctable = Table("Elements", ctable.header, ctable.rows), None
        elif etable is None and not columns:
            raise ColumnsNeeded(
                "The CSV file needs From and To columns (or Source and Target, Cause and Effect) for "
                "connections, or a Label (or Name) column for elements; its columns are: "
                f"{', '.join(repr(h) for h in ctable.header if h) or 'none'}."
            )
    return tables_to_gmap(etable, ctable, columns=columns)


def read_kumu_csv_files(*paths: str) -> tuple[GMap, list[Problem]]:
    """One or two CSV files (elements and/or connections, told apart by their headers)."""
    return read_kumu_csv_tables([(str(p), read_path(p)) for p in paths])


def read_kumu_csv_tables(
    files: list[tuple[str, bytes]], columns: Mapping[str, str] | None = None
) -> tuple[GMap, list[Problem]]:
    elements: bytes | None = None
    connections: bytes | None = None
    for filename, content in files:
        table = Table.from_rows(filename, read_csv_rows(content))
        if table.is_connections(columns) and connections is None:
            connections = content
        elif table.is_elements(columns) and elements is None:
            elements = content
        else:
            raise ColumnsNeeded(
                f"{filename}: neither an elements table (a Label or Name column) nor a connections table "
                "(From and To, Source and Target, or Cause and Effect columns), or a second table of the "
                "same kind."
            )
    return read_kumu_csv(connections=connections, elements=elements, columns=columns)


def read_kumu_csv_zip(data: bytes, columns: Mapping[str, str] | None = None) -> tuple[GMap, list[Problem]]:
    data = as_bytes(data)
    with open_zip(data) as archive:
        files = [
            (info.filename, read_zip_member(archive, info))
            for info in archive.infolist()
            if info.filename.casefold().endswith(".csv") and not info.filename.startswith("__MACOSX/")
        ]
    if not files:
        raise FormatError("The zip holds no CSV file.")
    if len(files) > 2:
        raise FormatError("The zip should hold two CSV files: elements and connections.")
    return read_kumu_csv_tables(files, columns)


def write_kumu_csv(gmap: GMap) -> tuple[bytes, bytes]:
    """(elements.csv, connections.csv)."""
    element_rows, connection_rows = gmap_to_tables(gmap)
    return write_csv(element_rows), write_csv(connection_rows)


def write_kumu_csv_zip(gmap: GMap) -> bytes:
    """A zip of elements.csv and connections.csv (fixed timestamps, so the same map gives the same bytes)."""
    elements, connections = write_kumu_csv(gmap)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in (("elements.csv", elements), ("connections.csv", connections)):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()
