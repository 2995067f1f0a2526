"""What every format shares: the problem report, the error for unreadable files, the size limits,
text decoding and the small vocabularies (signs, directions, tags) that several formats normalise."""

from __future__ import annotations

import csv
import io
import math
import os
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.utils.translation import gettext as _

from konbit.core import uploads
from konbit.core.text import fold
from konbit.maps.graph import DIRECTED, DIRECTIONS, NEGATIVE, NO_SIGN, POSITIVE, UNKNOWN, spelled_sign

# A file larger than this is refused before it is parsed. The rest of the limits (zip expansion,
# shared strings, cells, XML elements, JSON values, parse time) are konbit.core.uploads', the same
# guard every upload passes.
MAX_FILE_BYTES = 50 * 1024 * 1024
LIMITS = uploads.MAP_FILE

KINDS = ("actor", "factor")
# What an element type (or a field named "kind") says about Konbit's kind, when a file gives no
# konbit:kind: Kumu's causal-loop and systems templates call their elements factors, variables, stocks,
# drivers or issues; its stakeholder templates actors, organisations and people.
FACTOR_WORDS = frozenset({"factor", "variable", "stock", "driver", "issue"})
ACTOR_WORDS = frozenset({"actor", "organisation", "organization", "person"})
FUNCTIONS = ("core", "supporting", "rules", "")

# Konbit's own fields, under these keys wherever a format has only free custom fields (Kumu JSON).
KONBIT_KIND = "konbit:kind"
KONBIT_FUNCTION = "konbit:function"
KONBIT_PERSPECTIVES = "konbit:perspectives"
KONBIT_SIGN = "konbit:sign"
KONBIT_STRENGTH = "konbit:strength"
KONBIT_PERSPECTIVE = "konbit:perspective"


def kind_word(value: Any) -> str | None:
    """ "factor" or "actor" for a word that names one (any case, surrounding spaces, a plural "s"),
    else None."""
    if not isinstance(value, str):
        return None
    word = value.strip().casefold()
    for candidate in (word, word[:-1] if word.endswith("s") else word):
        if candidate in FACTOR_WORDS:
            return "factor"
        if candidate in ACTOR_WORDS:
            return "actor"
    return None


def implied_kind(element_type: str, attributes: dict[str, Any]) -> str:
    """The kind an element's type, or else a field named "kind", says; "actor" when neither says."""
    kind_field = next((v for k, v in attributes.items() if k.casefold() == "kind"), None)
    return kind_word(element_type) or kind_word(kind_field) or "actor"


@dataclass(frozen=True)
class Problem:
    """One thing in the input that was skipped or guessed at; the rest of the file was still read.

    `row` is the row a person sees (spreadsheet rows count the header as row 1; JSON and XML items
    count from 1 within their list), `column` the column or key concerned."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class FormatError(ValueError):
    """The file as a whole cannot be read (wrong format, not UTF-8, too large, unsafe XML…)."""


def check_size(size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise FormatError(
            f"The file is {size / 1024 / 1024:.1f} MB; map files may be at most "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB."
        )


def as_bytes(data: bytes | str) -> bytes:
    if isinstance(data, str):
        data = data.encode("utf-8")
    check_size(len(data))
    return data


def decode_text(data: bytes | str) -> str:
    """UTF-8 text (a leading byte-order mark, as Excel writes, is accepted)."""
    if isinstance(data, str):
        return data
    check_size(len(data))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FormatError(
            f"The file is not valid UTF-8 text (first bad byte on line {line}). "
            "Save it as UTF-8 (in Excel: 'CSV UTF-8') and try again."
        ) from None
    # No text format holds NUL bytes, and PostgreSQL cannot store them; they mostly come from a UTF-16
    # file without a byte-order mark, which decodes as "UTF-8" with a NUL after every letter.
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise FormatError(
            f"The file is not valid UTF-8 text (a NUL byte on line {line}; UTF-16 files look like this). "
            "Save it as UTF-8 (in Excel: 'CSV UTF-8') and try again."
        )
    return text


ZIP_ERRORS = uploads.ZIP_ERRORS


def read_zip_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    try:
        return archive.read(info)
    except ZIP_ERRORS as exc:
        raise FormatError(f"The archive member {info.filename!r} cannot be read ({exc}).") from None


def open_zip(data: bytes) -> zipfile.ZipFile:
    """Open a zip after the shared guard checked, from its directory, that it does not expand
    suspiciously (zipfile stops decompressing a member at its declared size)."""
    with refused_as_format_error():
        return uploads.open_zip(data, LIMITS)


@contextmanager
def refused_as_format_error() -> Iterator[None]:
    """The shared guard's refusals, as this package's FormatError (same message)."""
    try:
        yield
    except uploads.DamagedFile:
        raise FormatError(
            _("The file is not a readable zip archive: it is damaged or not what its name says.")
        ) from None
    except uploads.UnsafeUpload as exc:
        raise FormatError(exc.message) from None


# --- vocabularies -------------------------------------------------------------------------------


def normalise_sign(value: Any) -> str | None:
    """ "+", "-", "" or "?" (unknown) for the spellings people use; None when the value is not a sign
    (the caller decides whether that row keeps an unknown sign, with a problem listed, or is refused)."""
    if value is None:
        return NO_SIGN
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):  # spreadsheets give 1, -1 and 0 as numbers
        signs: dict[float, str] = {1: POSITIVE, -1: NEGATIVE, 0: NO_SIGN}
        return signs.get(value) if math.isfinite(value) else None
    return spelled_sign(str(value))


# Causal-loop polarity tokens: the change at the cause, then at the effect. Pairs of one style:
# (same direction = +, opposite direction = −). Kumu's causal-loop maps carry them as the connection
# type; sign and polarity columns hold them too. The same tokens typed with a true minus sign count.
POLARITY_STYLES = (
    ("+", "-"),
    ("++", "+-"),
    ("--", "-+"),
    ("+/+", "+/-"),
    ("-/-", "-/+"),
    ("positive", "negative"),
    ("pos", "neg"),
    ("plus", "minus"),
    ("same", "opposite"),
    ("s", "o"),
    ("positif", "negatif"),
)
_POLARITY_TOKENS: dict[str, str] = {"?": UNKNOWN}
for _same, _opposite in POLARITY_STYLES:
    _POLARITY_TOKENS[_same], _POLARITY_TOKENS[_opposite] = POSITIVE, NEGATIVE


def polarity_key(value: Any) -> str:
    """A token as looked up: case, accents, spaces and the true minus sign (U+2212) set aside."""
    return "".join(c for c in fold(str(value)).replace("\u2212", "-") if not c.isspace())


def polarity_token_sign(value: Any) -> str | None:
    """The sign ("+", "-" or "?") a polarity token stands for ("++", "+-", "opposite", "négatif"…);
    None when the value is not one."""
    return _POLARITY_TOKENS.get(polarity_key(value)) if value not in (None, "") else None


_DIRECTION_ALIASES = {
    "directed": "directed",
    "->": "directed",
    "one-way": "directed",
    "mutual": "mutual",
    "<->": "mutual",
    "two-way": "mutual",
    "undirected": "undirected",
    "--": "undirected",
}


def normalise_direction(value: Any) -> str | None:
    """A direction from graph.DIRECTIONS ("" means the Kumu default, directed); None when unknown."""
    if value is None:
        return DIRECTED
    text = str(value).strip().casefold()
    if not text:
        return DIRECTED
    direction = _DIRECTION_ALIASES.get(text)
    return direction if direction in DIRECTIONS else None


def split_tags(value: Any) -> list[str]:
    """Tags from a cell: Kumu separates several values with "|"; a cell without any "|" is split on
    commas, the way people type tags by hand. (join_tags writes "Food, drink|" for a lone tag holding a
    comma, so it survives.)"""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        items = [str(v) for v in value]
    else:
        text = str(value)
        items = text.split("|") if "|" in text else text.split(",")
    tags: list[str] = []
    for item in items:
        tag = item.strip()
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def join_tags(tags: Iterable[str]) -> str:
    tags = list(tags)
    text = "|".join(tags)
    if len(tags) == 1 and "," in tags[0]:
        text += "|"
    return text


def label_key(label: str) -> str:
    """How labels are matched when a format says so: trimmed, inner spaces collapsed, case-insensitive."""
    return " ".join(label.split()).casefold()


def unique_id(base: str, taken: set[str]) -> str:
    """`base`, or `base#2`, `base#3`… whichever is free; the result is added to `taken`."""
    candidate = base
    n = 1
    while candidate in taken:
        n += 1
        candidate = f"{base}#{n}"
    taken.add(candidate)
    return candidate


def plain_value(value: Any) -> Any:
    """A cell value as something JSON can hold (dates as ISO text; "inf" and "nan", which a workbook
    can hold but JSON and the database cannot, as text)."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def cell_text(value: Any) -> str:
    """A cell shown as text: numbers without a spurious ".0", dates as ISO text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    value = plain_value(value)
    return str(value).strip()


def parse_float(value: Any) -> float | None:
    """A finite number from a cell ("0,5" accepted, as French Excel writes it); None when not a number."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        if isinstance(value, int | float):
            number = float(value)
        else:
            text = str(value).strip().replace(",", ".")
            if not text:
                return None
            number = float(text)
    except (ValueError, OverflowError):  # OverflowError: an integer too large for a float
        return None
    return number if math.isfinite(number) else None


def sniff_delimiter(text: str) -> str:
    """ "," unless the header line is clearly separated by ";" (French Excel) or tabs."""
    first_line = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(first_line, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def read_csv_rows(data: bytes | str) -> list[list[str]]:
    """All records of a CSV (blank lines included as []), so that index + 1 is the row Excel shows."""
    text = decode_text(data)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text)))
    except csv.Error as exc:
        raise FormatError(f"The CSV file cannot be read: {exc}.") from None
    return [[_csv_unguard(cell) for cell in row] for row in rows]


def write_csv(rows: Iterable[Iterable[Any]]) -> bytes:
    """CSV as Excel opens it correctly: UTF-8 with a byte-order mark, comma-separated. Text that a
    spreadsheet would run as a formula gets a leading apostrophe, which read_csv_rows removes again."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([_csv_guard(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def _looks_like_formula(text: str) -> bool:
    if not text or text[0] not in "=+-@\t\r":
        return False
    if text[0] in "+-":  # "+", "-", "-1" and "+0.5" are signs and numbers, not formulas
        return len(text) > 1 and parse_float(text) is None
    return True


def _csv_guard(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and (
        _looks_like_formula(value) or (value[:1] == "'" and _looks_like_formula(value[1:]))
    ):
        return "'" + value
    return value


def _csv_unguard(cell: str) -> str:
    return cell[1:] if cell[:1] == "'" and _looks_like_formula(cell[1:]) else cell


def read_path(path: str | os.PathLike[str]) -> bytes:
    """A file's bytes, refusing it before reading when it is too large."""
    try:
        with open(path, "rb") as handle:
            check_size(os.fstat(handle.fileno()).st_size)
            return handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise FormatError(f"Cannot read the file: {exc.strerror or exc}.") from None


def is_blank_row(row: Iterable[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)
