"""Reading an uploaded CSV or XLSX file into rows of plain text, every limit checked before the work.

The result is deliberately plain (text cells, spreadsheet row numbers) so that it can be kept on the
server between the preview and the import, and validated again at import time."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass

import openpyxl
from django.utils.translation import gettext as _

from konbit.core import uploads

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 100
# An XLSX file is a zip archive of XML: konbit.core.uploads refuses one that would expand, or hold
# more shared strings, cells or rows, far beyond what 100,000 rows need, before openpyxl opens it.
LIMITS = uploads.Limits(max_bytes=MAX_BYTES, max_rows=MAX_ROWS + 10_000)

# Text a spreadsheet would run as a formula. Exports put an apostrophe before it; imports take it away.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class ReadError(Exception):
    """The file cannot be read; `message` says why in words a user can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Table:
    """The first row's column names (trimmed, lower case) and every non-empty row after it, each with
    its spreadsheet row number (the header is row 1) and one text per column."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]


def normalize_header(value: str) -> str:
    return " ".join(value.split()).casefold()


def unquote(text: str) -> str:
    """Undo the apostrophe that exports put before formula-like text ("'=1+1" → "=1+1")."""
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_PREFIXES:
        return text[1:]
    return text


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unquote(str(value).strip())


def read_upload(*, name: str, data: bytes) -> Table:
    """Read a CSV or XLSX file (chosen by its extension, or by its content when it has none)."""
    if len(data) > MAX_BYTES:
        raise ReadError(uploads.too_large(MAX_BYTES))
    if not data.strip():
        raise ReadError(_("The file is empty."))
    lower = name.casefold()
    # A zip archive is an .xlsx whatever its name says; no CSV file starts with these bytes.
    if lower.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if lower.endswith(".xls") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ReadError(_("Old Excel files (.xls) are not supported. Save the file as .xlsx or CSV."))
    return _read_csv(data)


def _table(records: Iterable[Iterable[object]], budget: uploads.Budget | None = None) -> Table:
    """Build a Table from records (sequences of cell values), stopping at the limits."""
    budget = budget or uploads.Budget(LIMITS.seconds)
    iterator = iter(records)
    header_cells = next(iterator, None)
    headers = [normalize_header(cell_text(c)) for c in (header_cells or ())]
    while headers and not headers[-1]:
        headers.pop()
    if not any(headers):
        raise ReadError(_("The first row must hold the column names."))
    if len(headers) > MAX_COLUMNS:
        raise ReadError(_("The file has more than %(max)s columns.") % {"max": MAX_COLUMNS})
    width = len(headers)
    rows: list[tuple[int, list[str]]] = []
    for number, record in enumerate(iterator, start=2):
        if number % 1000 == 0:
            budget.check()
        cells = [cell_text(c) for c in list(record)[:width]]
        if not any(cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ReadError(
                _("The file has more than %(max)s rows. Split it into smaller files.")
                % {"max": f"{MAX_ROWS:,}"}
            )
        rows.append((number, cells + [""] * (width - len(cells))))
    return Table(headers=headers, rows=rows)


def _read_csv(data: bytes) -> Table:
    not_utf8 = _(
        "The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8” "
        "(or as an Excel .xlsx file) and upload it again."
    )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReadError(not_utf8) from None
    # No text file holds NUL characters (and PostgreSQL cannot store them): UTF-16 without a
    # byte-order mark decodes as "UTF-8" with a NUL after every letter.
    if "\x00" in text:
        raise ReadError(not_utf8)
    first_line = text.split("\n", 1)[0]
    # Spreadsheets set to French and other languages save CSV with semicolons: take the separator
    # the header row uses most.
    delimiter = max([",", ";", "\t"], key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _table(reader)
    except uploads.UnsafeUpload as exc:
        raise ReadError(exc.message) from None
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise ReadError(
                _(
                    "Line %(line)s holds a cell of more than %(max)s characters. "
                    "Shorten it and upload the file again."
                )
                % {"line": reader.line_num, "max": f"{csv.field_size_limit():,}"}
            ) from None
        raise ReadError(_("The CSV file is malformed: %(error)s") % {"error": exc}) from None


def _read_xlsx(data: bytes) -> Table:
    unreadable = _("This Excel file cannot be opened: it is damaged or not really an .xlsx file.")
    buffer = io.BytesIO(data)
    budget = uploads.Budget(LIMITS.seconds)
    try:
        uploads.check_xlsx(data, LIMITS, budget)
    except uploads.DamagedFile:
        raise ReadError(unreadable) from None
    except uploads.UnsafeUpload as exc:
        raise ReadError(exc.message) from None
    try:
        workbook = openpyxl.load_workbook(buffer, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors on a damaged file; all mean "unreadable"
        raise ReadError(unreadable) from None
    try:
        if not workbook.worksheets:
            raise ReadError(unreadable)
        sheet = workbook.worksheets[0]
        # Some programs write wrong sheet dimensions; read what is really there.
        sheet.reset_dimensions()
        return _table(sheet.iter_rows(values_only=True), budget)
    except ReadError:
        raise
    except uploads.UnsafeUpload as exc:
        raise ReadError(exc.message) from None
    except Exception:  # a damaged sheet fails while it is read, not when the file is opened
        raise ReadError(unreadable) from None
    finally:
        workbook.close()
