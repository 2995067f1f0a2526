"""Map file formats: every reader turns a file into a `GMap` plus a list of row-level `Problem`s, every
writer turns a `GMap` into bytes. Pure functions, no Django.

    gmap, problems = load("partners.xlsx")          # format from the extension, else from the content
    data = dump(gmap, "konbit")                      # Konbit's own lossless export

Formats (names for `load(format=…)` and `dump`), and the module that holds each:

- ``kumu-json`` (kumu_blueprint): Kumu's blueprint, its JSON import format.
- ``kumu-backup`` (kumu_backup): Kumu's full project backup. Also ``konbit``, Konbit's own export,
  chosen because it already carries custom fields, views with positions, loops and settings, and so
  re-imports losslessly (Konbit's own fields travel as ``konbit:*`` attributes). A project's several
  maps are ``GMap.views`` (decision 10).
- ``xlsx`` (spreadsheet): a Kumu-style workbook with Elements and Connections sheets.
- ``kumu-csv`` (spreadsheet): the same two tables as CSV. Read: a connections CSV alone, a pair of
  files (read_kumu_csv_files) or a zip of both; write: a zip of both.
- ``graphml`` (graphml) and ``gexf`` (gexf): for Gephi, yEd, networkx and igraph (GraphML only: igraph
  reads no GEXF); maps mixing directed, mutual and undirected connections load in networkx too.

Positions are in screen convention (y grows downward) everywhere in Konbit, as in Kumu, yEd and SVG;
only GEXF (Gephi's y grows upward) is negated on reading and writing.
- ``perspectives-csv`` (perspectives): one row per connection as one perspective sees it.

For reading, ``json`` and ``csv`` choose by content: a JSON whose items carry ``_id``/``attributes`` is a
backup, otherwise a blueprint; a CSV with from, to and perspective columns is a perspectives CSV,
otherwise a Kumu connections (or elements) table. Table headers are recognised in the user's own words
(source/target, cause/effect, id/name, polarity, participant…: columns.py), or mapped by the person
importing: ``load(path, columns={"from": "cause", "to": "effect", "sign": "polarity"})``. A table whose
headers say nothing usable raises `ColumnsNeeded` (a FormatError), which the import page answers with a
column-mapping step.

A file that cannot be read as a whole raises `FormatError` (too large, not UTF-8 or holding NUL bytes, not
the format, a zip bomb, XML with a DTD, JSON with NaN, Infinity or text no database can store); everything
else is reported row by row and the rest is still read. Numbers no JSON field can hold (INF in XML, 1e400
in a workbook) are kept as text, never as infinite floats.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from konbit.maps.graph import GMap

from .base import (
    MAX_FILE_BYTES,
    FormatError,
    Problem,
    as_bytes,
    check_size,
    is_blank_row,
    open_zip,
    read_csv_rows,
    read_path,
)
from .columns import FIELDS as COLUMN_FIELDS
from .columns import MAPPED_FIELDS, ColumnsNeeded, guess_columns
from .gexf import read_gexf, write_gexf
from .graphml import read_graphml, write_graphml
from .kumu import is_backup, parse_json
from .kumu_backup import backup_to_gmap, read_kumu_backup, write_kumu_backup
from .kumu_blueprint import blueprint_to_gmap, read_kumu_blueprint, write_kumu_blueprint
from .perspectives import has_perspective_column, read_perspectives_csv, write_perspectives_csv
from .spreadsheet import (
    read_kumu_csv,
    read_kumu_csv_files,
    read_kumu_csv_zip,
    read_kumu_xlsx,
    write_kumu_csv,
    write_kumu_csv_zip,
    write_kumu_xlsx,
)
from .xmlbase import local, parse_xml

__all__ = [
    "COLUMN_FIELDS",
    "FORMATS",
    "MAPPED_FIELDS",
    "guess_columns",
    "TABLE_FORMATS",
    "ColumnsNeeded",
    "table_headers",
    "MAX_FILE_BYTES",
    "FormatError",
    "Problem",
    "check_size",
    "detect_format",
    "dump",
    "load",
    "read_gexf",
    "read_graphml",
    "read_kumu_backup",
    "read_kumu_blueprint",
    "read_kumu_csv",
    "read_kumu_csv_files",
    "read_kumu_csv_zip",
    "read_kumu_xlsx",
    "read_perspectives_csv",
    "write_gexf",
    "write_graphml",
    "write_kumu_backup",
    "write_kumu_blueprint",
    "write_kumu_csv",
    "write_kumu_csv_zip",
    "write_kumu_xlsx",
    "write_perspectives_csv",
]

# Writable formats: name → (file extension, media type).
FORMATS: dict[str, tuple[str, str]] = {
    "konbit": (".json", "application/json"),
    "kumu-backup": (".json", "application/json"),
    "kumu-json": (".json", "application/json"),
    "xlsx": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "kumu-csv": (".zip", "application/zip"),
    "graphml": (".graphml", "application/graphml+xml"),
    "gexf": (".gexf", "application/gexf+xml"),
    "perspectives-csv": (".csv", "text/csv"),
}

# Formats that are tables, whose columns a person may map (load(columns=…)).
TABLE_FORMATS = ("xlsx", "kumu-csv", "perspectives-csv")

_ALIASES = {
    "blueprint": "kumu-json",
    "kumu": "kumu-json",
    "backup": "kumu-backup",
    "kumu-xlsx": "xlsx",
    "excel": "xlsx",
    "zip": "kumu-csv",
    "connections-csv": "kumu-csv",
    "perspectives": "perspectives-csv",
}
# Read-only pseudo-formats that look at the content to choose.
_AUTO = {"json", "csv", "xml"}

_EXTENSIONS = {
    ".json": "json",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".csv": "csv",
    ".txt": "csv",
    ".zip": "zip-auto",
    ".graphml": "graphml",
    ".gexf": "gexf",
    ".xml": "xml",
}


def load(
    source: str | os.PathLike[str] | bytes,
    format: str | None = None,
    filename: str = "",
    columns: Mapping[str, str] | None = None,
) -> tuple[GMap, list[Problem]]:
    """Read a map file (a path, or its bytes with an optional filename to guess the format from).

    `columns`: which column holds which field, in the person's words ({"from": "cause", "sign":
    "polarity"}; field names in columns.FIELDS); for tables only (CSV, XLSX, a zip of CSV files)."""
    if isinstance(source, bytes):
        data = as_bytes(source)
    else:
        data = read_path(source)
        filename = filename or os.fspath(source)
    columns = dict(columns or {})
    name = _canonical(format) if format else detect_format(data, filename, columns)
    return _read(name, data, columns)


def dump(gmap: GMap, format: str) -> bytes:
    """Write a map in one of FORMATS."""
    writers = {
        "konbit": write_kumu_backup,
        "kumu-backup": write_kumu_backup,
        "kumu-json": write_kumu_blueprint,
        "xlsx": write_kumu_xlsx,
        "kumu-csv": write_kumu_csv_zip,
        "graphml": write_graphml,
        "gexf": write_gexf,
        "perspectives-csv": write_perspectives_csv,
    }
    name = _ALIASES.get(format.casefold(), format.casefold())
    if name == "json":
        name = "konbit"
    if name not in writers:
        raise FormatError(f"Unknown format {format!r}; use one of: {', '.join(FORMATS)}.")
    return writers[name](gmap)


def detect_format(data: bytes, filename: str = "", columns: Mapping[str, str] | None = None) -> str:
    """The format name for some bytes: from the filename's extension, else from the content."""
    guess = _EXTENSIONS.get(Path(filename).suffix.casefold()) if filename else None
    if guess is None:
        guess = _sniff(data)
    if guess in _AUTO or guess == "zip-auto":
        return _refine(guess, data, columns)
    return guess


def table_headers(data: bytes, filename: str = "") -> list[tuple[str, list[str]]] | None:
    """The tables of a CSV or a zip of CSV files as (name, header row), for a person to map their
    columns; None for every other format (an XLSX workbook's sheets are recognised by their names)."""
    try:
        name = detect_format(data, filename)
    except FormatError:
        return None
    if name == "perspectives-csv" or (name == "kumu-csv" and data[:4] != b"PK\x03\x04"):
        rows = read_csv_rows(data)
        first = next((row for row in rows if not is_blank_row(row)), [])
        return [(Path(filename).name or "CSV", [h.strip() for h in first])]
    return None


def _canonical(format: str) -> str:
    name = format.strip().casefold()
    name = _ALIASES.get(name, name)
    if name == "konbit":
        return "kumu-backup"
    if name not in FORMATS and name not in _AUTO:
        raise FormatError(f"Unknown format {format!r}; use one of: {', '.join([*FORMATS, *sorted(_AUTO)])}.")
    return name


def _sniff(data: bytes) -> str:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"PK\x03\x04"):
        return "zip-auto"
    if head[:1] in (b"{", b"["):
        return "json"
    if head[:1] == b"<":
        return "xml"
    return "csv"


def _refine(guess: str, data: bytes, columns: Mapping[str, str] | None = None) -> str:
    if guess == "json":
        return "kumu-backup" if is_backup(parse_json(data)) else "kumu-json"
    if guess == "csv":
        rows = read_csv_rows(data)
        first = next((row for row in rows if not is_blank_row(row)), [])
        return "perspectives-csv" if has_perspective_column([first], columns) else "kumu-csv"
    if guess == "xml":
        root_name = _xml_root_name(data)
        if root_name in ("graphml", "gexf"):
            return root_name
        raise FormatError(f"The XML file is neither GraphML nor GEXF (its root element is <{root_name}>).")
    # a zip: an XLSX workbook or a zip of CSV files
    with open_zip(data) as archive:
        names = set(archive.namelist())
    return "xlsx" if "[Content_Types].xml" in names or "xl/workbook.xml" in names else "kumu-csv"


def _xml_root_name(data: bytes) -> str:
    return local(parse_xml(data).tag)


def _read(name: str, data: bytes, columns: dict[str, str]) -> tuple[GMap, list[Problem]]:
    if name in _AUTO:
        name = _refine(name, data, columns)
    if any(columns.values()) and name not in TABLE_FORMATS:
        raise FormatError("Columns can be named only for tables: CSV, XLSX or a zip of CSV files.")
    if name == "kumu-json":
        document: Any = parse_json(data)
        if is_backup(document):
            return backup_to_gmap(document)
        return blueprint_to_gmap(document)
    if name == "kumu-backup":
        return backup_to_gmap(parse_json(data))
    if name == "xlsx":
        return read_kumu_xlsx(data, columns)
    if name == "kumu-csv":
        if data[:4] == b"PK\x03\x04":
            return read_kumu_csv_zip(data, columns)
        return read_kumu_csv(connections=data, columns=columns)
    if name == "graphml":
        return read_graphml(data)
    if name == "gexf":
        return read_gexf(data)
    if name == "perspectives-csv":
        return read_perspectives_csv(data, columns)
    raise FormatError(f"Unknown format {name!r}.")  # pragma: no cover - _canonical checks names
