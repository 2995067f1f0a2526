"""A file's column spec, the reader that checks each row's cells, and `validate`: a table of text
rows (readers.Table) → a Plan, every row with its status (new, already there, repeated in the file, or
in error) and every error as (row, column, message).

An app gives, per kind of file, its columns (`Column`, with the header names it also answers to) and
a row checker (`Validator`) built on `RowReader`; `validate` does the rest: it finds the columns in
the header row in the user's own words (headers.header_key: case, accents, spaces and underscores
ignored), reports a missing or repeated column, and hands the rows, keyed by column name, to the
checker. It only reads; the app's commit service writes.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from konbit.core.access import Access

from .headers import header_key
from .readers import Table

# Row statuses in a plan.
NEW = "new"
EXISTING = "existing"
REPEATED = "repeated"
ERROR = "error"


@dataclass(frozen=True)
class Column:
    name: str
    help: StrOrPromise
    required: bool = False
    choices: type[models.TextChoices] | None = None
    aliases: tuple[str, ...] = ()

    @property
    def allowed(self) -> list[tuple[str, str]]:
        """(value, label) pairs to show on the upload page."""
        if self.choices is None:
            return []
        return [(value, str(label)) for value, label in self.choices.choices if value]


DATE_HELP = gettext_lazy("A date: YYYY-MM-DD, DD/MM/YYYY or an Excel date.")


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class PlanRow:
    number: int
    cells: list[str]  # the row's text in the order of COLUMNS[kind], for the preview
    status: str = NEW
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    # rows of the programme the row refers to (an organisation, an indicator…), carried to the commit
    organizations: list[Any] = field(default_factory=list)


@dataclass
class Plan:
    kind: str
    rows: list[PlanRow]
    errors: list[RowError]
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def new_rows(self) -> list[PlanRow]:
        return [r for r in self.rows if r.status == NEW]

    @property
    def new_count(self) -> int:
        return sum(r.status == NEW for r in self.rows)

    @property
    def present_count(self) -> int:
        """Rows that will be skipped: already in the programme, or repeating an earlier row."""
        return sum(r.status in {EXISTING, REPEATED} for r in self.rows)

    @property
    def error_row_count(self) -> int:
        return sum(r.status == ERROR for r in self.rows)


# --- cells ----------------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DMY_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_INTEGER = re.compile(r"[+-]?\d+")
_URL_VALIDATOR = URLValidator(schemes=["http", "https"])


# Dates outside these years are typing mistakes (0024 for 2024, 01/01/0001 from an empty Excel date),
# and the engagement score's monthly series cannot reach back to year 1.
FIRST_YEAR, LAST_YEAR = 1900, 2100


def parse_date(text: str) -> datetime.date | None:
    """YYYY-MM-DD or DD/MM/YYYY (Excel dates arrive as YYYY-MM-DD from the reader)."""
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = match.groups()
    elif match := _DMY_DATE.fullmatch(text):
        day, month, year = match.groups()
    else:
        return None
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None


def with_aliases(
    columns: dict[str, list[Column]], aliases: dict[str, dict[str, tuple[str, ...]]]
) -> dict[str, list[Column]]:
    """Each kind's columns with the other header names people use for them added
    ({kind: {column name: (alias, …)}})."""
    return {
        kind: [replace(c, aliases=(*c.aliases, *aliases.get(kind, {}).get(c.name, ()))) for c in cols]
        for kind, cols in columns.items()
    }


def choice_key(text: str) -> str:
    """'Lead firm', 'lead_firm', 'LEAD-FIRM' (and 'Coopérative' / 'cooperative') are the same choice."""
    return header_key(text)


def choice_lookup(pairs: Iterable[tuple[str, StrOrPromise]]) -> dict[str, str]:
    """Value or label (in every language of the site) → value."""
    pairs = list(pairs)
    lookup: dict[str, str] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            lookup.update({choice_key(str(label)): value for value, label in pairs})
    lookup.update({choice_key(value): value for value, _label in pairs})
    return lookup


_SPACES = re.compile(r"[\s\u00a0\u202f']")


def parse_number(text: str) -> Decimal | None:
    """'1 234,5', '1,234.5' and '1234.5' are all 1234.5; None when it is not a number."""
    value = _SPACES.sub("", text)
    if "," in value and "." not in value and value.count(",") == 1 and len(value.split(",")[1]) != 3:
        value = value.replace(",", ".")  # a decimal comma
    else:
        value = value.replace(",", "")
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() and abs(number) < Decimal("1e12") else None


class RowReader:
    """Reads one row's cells and collects its errors (every one, not just the first)."""

    def __init__(self, number: int, cells: dict[str, str], errors: list[RowError]) -> None:
        self.number = number
        self.cells = cells
        self.errors = errors
        self.failed = False

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.number, column, message))
        self.failed = True

    def text(self, column: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = self.cells.get(column, "")
        if required and not value:
            self.error(column, _("required"))
        elif max_length is not None and len(value) > max_length:
            self.error(column, _("too long: at most %(max)s characters") % {"max": max_length})
        return value

    def choice(
        self, column: str, lookup: dict[str, str], *, default: str = "", required: bool = False
    ) -> str:
        value = self.text(column, required=required)
        if not value:
            return default
        found = lookup.get(choice_key(value))
        if found is None:
            self.error(column, _("unknown %(column)s “%(value)s”") % {"column": column, "value": value})
            return default
        return found

    def date(self, column: str, *, required: bool = False) -> datetime.date | None:
        value = self.text(column, required=required)
        if not value:
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.error(column, _("bad date “%(value)s” (use YYYY-MM-DD or DD/MM/YYYY)") % {"value": value})
        elif not FIRST_YEAR <= parsed.year <= LAST_YEAR:
            self.error(
                column,
                _("%(value)s is not a date between %(first)s and %(last)s")
                % {"value": value, "first": FIRST_YEAR, "last": LAST_YEAR},
            )
            return None
        return parsed

    def integer(self, column: str, *, minimum: int, maximum: int) -> int | None:
        value = self.text(column)
        if not value:
            return None
        if not _INTEGER.fullmatch(value):
            self.error(column, _("“%(value)s” is not a whole number") % {"value": value})
            return None
        # Python refuses to convert thousands of digits; far fewer are already out of range.
        number = int(value) if len(value) <= 30 else None
        if number is None or not minimum <= number <= maximum:
            self.error(
                column,
                _("%(value)s is not between %(min)s and %(max)s")
                % {"value": value if number is None else number, "min": minimum, "max": maximum},
            )
            return None
        return number

    def website(self, column: str) -> str:
        value = self.text(column)
        if not value:
            return ""
        url = value if "://" in value else f"https://{value}"
        try:
            _URL_VALIDATOR(url)
        except ValidationError:
            self.error(column, _("“%(value)s” is not a web address") % {"value": value})
            return ""
        if len(url) > 200:
            self.error(column, _("too long: at most %(max)s characters") % {"max": 200})
        return url

    def decimal(self, column: str, *, required: bool = False) -> Decimal | None:
        text = self.text(column, required=required)
        if not text:
            return None
        number = parse_number(text)
        if number is None:
            self.error(column, _("“%(value)s” is not a number") % {"value": text})
        return number


class ImportFailed(Exception):
    """A row passed the checks but the service refused it; the whole import was rolled back."""

    def __init__(self, row: int, message: str) -> None:
        super().__init__(f"row {row}: {message}")
        self.row = row
        self.message = message


# --- the file as a whole --------------------------------------------------------------------------

Rows = list[tuple[int, dict[str, str]]]
Validator = Callable[[Access, Rows, list[RowError], list[Column]], list[PlanRow]]


def map_headers(
    spec: list[Column], headers: list[str], errors: list[RowError]
) -> tuple[dict[int, str], list[str]]:
    """Which file column holds which of our columns, in the user's own words (headers.header_key:
    case, accents, spaces and underscores ignored). A column's own name wins over its aliases; a
    second column for the same field is an error; the file's other columns are ignored."""
    names = {header_key(column.name): column.name for column in spec}
    aliases = {header_key(alias): column.name for column in spec for alias in column.aliases}
    keys = [header_key(header) for header in headers]
    mapping: dict[int, str] = {}
    for index, key in enumerate(keys):
        name = names.get(key)
        if name is None:
            continue
        if name in mapping.values():
            errors.append(RowError(1, headers[index], _("this column appears twice")))
        else:
            mapping[index] = name
    for index, key in enumerate(keys):
        name = aliases.get(key)
        if index in mapping or key in names or name is None:
            continue
        if name not in mapping.values():
            mapping[index] = name
        else:
            errors.append(RowError(1, headers[index], _("this column appears twice")))
    ignored = [header for index, header in enumerate(headers) if header and index not in mapping]
    for column in spec:
        if column.required and column.name not in mapping.values():
            errors.append(RowError(1, column.name, _("missing column")))
    return mapping, ignored


def validate(*, access: Access, kind: str, table: Table, spec: list[Column], validator: Validator) -> Plan:
    """Check every row of the file against the programme's data as it is now."""
    errors: list[RowError] = []
    mapping, ignored = map_headers(spec, table.headers, errors)
    if errors:
        return Plan(kind=kind, rows=[], errors=errors, ignored_columns=ignored)
    rows = [(number, {name: cells[index] for index, name in mapping.items()}) for number, cells in table.rows]
    if not rows:
        errors.append(RowError(2, "", _("there are no rows under the column names")))
    plan_rows = validator(access, rows, errors, spec)
    return Plan(kind=kind, rows=plan_rows, errors=errors, ignored_columns=ignored)
