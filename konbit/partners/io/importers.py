"""What each import file holds and how its rows are checked.

`validate` turns a Table (plain text read from the file) into a Plan: every row with its status (new,
already there, repeated in the file, or in error) and every error as (row, column, message). It only
reads; `services.data_import_commit` writes the new rows through the partner services.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from konbit.core.access import Access
from konbit.core.ids import is_id
from konbit.core.models import Membership
from konbit.core.roles import Role

from ..models import (
    Interaction,
    InteractionKind,
    Organization,
    OrganizationSize,
    OrganizationType,
    Partnership,
    Segment,
)
from ..names import normalize_name, similar_names
from .readers import Table

ORGANIZATIONS = "organizations"
PARTNERSHIPS = "partnerships"
INTERACTIONS = "interactions"

KIND_LABELS: dict[str, StrOrPromise] = {
    ORGANIZATIONS: gettext_lazy("Organisations"),
    PARTNERSHIPS: gettext_lazy("Partnerships"),
    INTERACTIONS: gettext_lazy("Interactions"),
}

# Row statuses in a plan.
NEW = "new"
EXISTING = "existing"
REPEATED = "repeated"
ERROR = "error"

FUNCTIONS = {
    "performs_core": ("core", gettext_lazy("core exchange")),
    "performs_supporting": ("supporting", gettext_lazy("supporting function")),
    "performs_rules": ("rules", gettext_lazy("rules and regulation")),
}


# The ref under which an interaction logged in Konbit (not imported) is exported.
OWN_REF_PREFIX = "konbit-"


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

COLUMNS: dict[str, list[Column]] = {
    ORGANIZATIONS: [
        Column("name", gettext_lazy("The organisation's name."), required=True),
        Column("acronym", gettext_lazy("Short name, up to 30 characters.")),
        Column(
            "type",
            gettext_lazy("The kind of organisation (the value or its label). Empty: Other."),
            choices=OrganizationType,
        ),
        Column("sector", gettext_lazy("Sectors, separated by commas.")),
        Column("region", gettext_lazy("Region.")),
        Column("town", gettext_lazy("Town.")),
        Column("size", gettext_lazy("Size (the value or its label)."), choices=OrganizationSize),
        Column("website", gettext_lazy("Web address, e.g. example.org.")),
        Column(
            "functions",
            gettext_lazy("What it does in the market system, separated by commas: core, supporting, rules."),
        ),
        Column("tags", gettext_lazy("Free tags, separated by commas.")),
        Column("notes", gettext_lazy("Notes.")),
    ],
    PARTNERSHIPS: [
        Column(
            "organisation",
            gettext_lazy("The name of an organisation already in the programme (import it first)."),
            required=True,
            aliases=("organization",),
        ),
        Column(
            "segment", gettext_lazy("The segment (the value or its label). Empty: Prospect."), choices=Segment
        ),
        Column("since", DATE_HELP),
        Column(
            "facilitator",
            gettext_lazy("Email of the owner, facilitator or MEL officer of the programme responsible."),
        ),
        Column("notes", gettext_lazy("Notes.")),
    ],
    INTERACTIONS: [
        Column("date", DATE_HELP, required=True),
        Column(
            "kind",
            gettext_lazy("The kind of interaction (the value or its label)."),
            required=True,
            choices=InteractionKind,
        ),
        Column(
            "organisations",
            gettext_lazy("One or more organisations already in the programme, separated by “;”."),
            required=True,
            aliases=("organizations", "organisation", "organization"),
        ),
        Column("title", gettext_lazy("Title.")),
        Column("duration", gettext_lazy("Duration in minutes (a whole number).")),
        Column("sentiment", gettext_lazy("From -2 (hostile) to 2 (enthusiastic).")),
        Column("notes", gettext_lazy("Notes.")),
        Column("topics", gettext_lazy("Topics.")),
        Column(
            "ref",
            gettext_lazy(
                "Optional: your own identifier of the interaction. Importing the same one twice adds it once."
            ),
        ),
    ],
}


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
    organizations: list[Organization] = field(default_factory=list)


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


def _key(text: str) -> str:
    """'Lead firm', 'lead_firm' and 'LEAD-FIRM' are the same choice."""
    return " ".join(text.replace("_", " ").replace("-", " ").split()).casefold()


def choice_lookup(pairs: Iterable[tuple[str, StrOrPromise]]) -> dict[str, str]:
    """Value or label (in every language of the site) → value."""
    pairs = list(pairs)
    lookup: dict[str, str] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            lookup.update({_key(str(label)): value for value, label in pairs})
    lookup.update({_key(value): value for value, _label in pairs})
    return lookup


def function_lookup() -> dict[str, str]:
    """'core', 'core exchange' (or its translation) → 'performs_core'."""
    lookup = choice_lookup((name, code) for name, (code, _label) in FUNCTIONS.items())
    lookup.update(choice_lookup((name, label) for name, (_code, label) in FUNCTIONS.items()))
    return lookup


class _RowReader:
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
        found = lookup.get(_key(value))
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

    def functions(self, column: str, lookup: dict[str, str]) -> dict[str, bool]:
        flags = dict.fromkeys(FUNCTIONS, False)
        for part in self.text(column).split(","):
            if not part.strip():
                continue
            name = lookup.get(_key(part))
            if name is None:
                self.error(
                    column,
                    _("unknown function “%(value)s” (use core, supporting or rules)")
                    % {"value": part.strip()},
                )
            else:
                flags[name] = True
        return flags

    def organization(
        self, column: str, name: str, known: dict[str, list[Organization]]
    ) -> Organization | None:
        matches = known.get(normalize_name(name), [])
        if not matches:
            self.error(column, _("unknown organisation “%(name)s”") % {"name": name})
            return None
        if len(matches) > 1:
            self.error(
                column,
                _("several organisations are called “%(name)s”: merge them first") % {"name": name},
            )
            return None
        return matches[0]


def _classify(
    row: PlanRow, reader: _RowReader, key: str, existing: Container[str], seen: dict[str, int]
) -> None:
    if reader.failed:
        row.status = ERROR
    elif key in existing:
        row.status = EXISTING
    elif key in seen:
        row.status = REPEATED
        row.note = _("same as row %(row)s") % {"row": seen[key]}
    else:
        seen[key] = row.number


def _organizations_by_key(access: Access) -> dict[str, list[Organization]]:
    known: dict[str, list[Organization]] = {}
    for organization in Organization.objects.filter(program=access.program).order_by("pk"):
        known.setdefault(organization.normalized_name, []).append(organization)
    return known


# --- the three kinds ------------------------------------------------------------------------------

Rows = list[tuple[int, dict[str, str]]]


def _validate_organizations(
    access: Access, rows: Rows, errors: list[RowError], spec: list[Column]
) -> list[PlanRow]:
    existing = set(
        Organization.objects.filter(program=access.program).values_list("normalized_name", flat=True)
    )
    types = choice_lookup(OrganizationType.choices)
    sizes = choice_lookup(OrganizationSize.choices)
    functions = function_lookup()
    seen: dict[str, int] = {}
    plan_rows = []
    for number, cells in rows:
        reader = _RowReader(number, cells, errors)
        name = reader.text("name", required=True, max_length=200)
        key = normalize_name(name)
        if name and not key:
            reader.error("name", _("needs at least one letter or digit"))
        data: dict[str, Any] = {
            "name": name,
            "acronym": reader.text("acronym", max_length=30),
            "type": reader.choice("type", types, default=OrganizationType.OTHER),
            "sector": reader.text("sector", max_length=200),
            "region": reader.text("region", max_length=100),
            "town": reader.text("town", max_length=100),
            "size": reader.choice("size", sizes),
            "website": reader.website("website"),
            **reader.functions("functions", functions),
            "tags": reader.text("tags", max_length=300),
            "notes": reader.text("notes"),
        }
        row = PlanRow(number, [cells.get(c.name, "") for c in spec], data=data)
        _classify(row, reader, key, existing, seen)
        plan_rows.append(row)
    _flag_near_duplicates(access, plan_rows)
    return plan_rows


NEAR_DUPLICATE_CHECK_LIMIT = 2000


def _flag_near_duplicates(access: Access, plan_rows: list[PlanRow]) -> None:
    """Note new rows whose name is very close to one already in the register (a typo, an accent),
    so the person importing can fix the file or merge afterwards. Not an error: it may be a
    different organisation. Skipped for very large files, where it would dominate the import time."""
    new_rows = [row for row in plan_rows if row.status == NEW]
    if not new_rows or len(new_rows) > NEAR_DUPLICATE_CHECK_LIMIT:
        return
    candidates = list(
        Organization.objects.filter(program=access.program).values_list("pk", "normalized_name")
    )
    names = dict(Organization.objects.filter(program=access.program).values_list("pk", "name"))
    for row in new_rows:
        matches = similar_names(row.data["name"], candidates)
        if matches:
            row.note = _("very close to “%(name)s”, already in the register") % {"name": names[matches[0][0]]}


def _validate_partnerships(
    access: Access, rows: Rows, errors: list[RowError], spec: list[Column]
) -> list[PlanRow]:
    known = _organizations_by_key(access)
    partnered = {
        str(pk)
        for pk in Partnership.objects.filter(program=access.program).values_list("organization_id", flat=True)
    }
    facilitators: dict[str, User] = {}
    for membership in Membership.objects.filter(
        program=access.program, role__in=[Role.OWNER, Role.FACILITATOR, Role.MEL]
    ).select_related("user"):
        if membership.user.email:
            facilitators[membership.user.email.casefold()] = membership.user
    segments = choice_lookup(Segment.choices)
    seen: dict[str, int] = {}
    plan_rows = []
    for number, cells in rows:
        reader = _RowReader(number, cells, errors)
        name = reader.text("organisation", required=True)
        organization = reader.organization("organisation", name, known) if name else None
        segment = reader.choice("segment", segments, default=Segment.PROSPECT)
        since = reader.date("since")
        email = reader.text("facilitator")
        facilitator = facilitators.get(email.casefold()) if email else None
        if email and facilitator is None:
            reader.error(
                "facilitator",
                _("no owner, facilitator or MEL officer of this programme has the email “%(email)s”")
                % {"email": email},
            )
        notes = reader.text("notes")
        row = PlanRow(
            number,
            [cells.get(c.name, "") for c in spec],
            data={"segment": segment, "since": since, "facilitator": facilitator, "notes": notes},
            organizations=[organization] if organization else [],
        )
        _classify(row, reader, str(organization.pk) if organization else "", partnered, seen)
        plan_rows.append(row)
    return plan_rows


def interaction_key(
    *, occurred_on: datetime.date, kind: str, organization_names: Iterable[str], title: str, notes: str
) -> str:
    """The identity of an imported interaction that has no `ref`: same day, kind, organisations, title
    and notes → same key, so importing the same file again adds nothing."""
    names = sorted({normalize_name(n) for n in organization_names})
    payload = json.dumps([occurred_on.isoformat(), kind, names, title, notes], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def _validate_interactions(
    access: Access, rows: Rows, errors: list[RowError], spec: list[Column]
) -> list[PlanRow]:
    known = _organizations_by_key(access)
    kinds = choice_lookup(InteractionKind.choices)
    checked: list[tuple[PlanRow, _RowReader, str]] = []
    for number, cells in rows:
        reader = _RowReader(number, cells, errors)
        occurred_on = reader.date("date", required=True)
        kind = reader.choice("kind", kinds, required=True)
        names = [n.strip() for n in reader.text("organisations", required=True).split(";") if n.strip()]
        if cells.get("organisations") and not names:
            reader.error("organisations", _("required"))
        organizations = [o for o in (reader.organization("organisations", n, known) for n in names) if o]
        title = reader.text("title", max_length=200)
        duration = reader.integer("duration", minimum=0, maximum=1_000_000)
        sentiment = reader.integer("sentiment", minimum=-2, maximum=2)
        notes = reader.text("notes")
        topics = reader.text("topics", max_length=300)
        ref = reader.text("ref", max_length=64)
        key = ""
        if occurred_on is not None and not reader.failed:
            key = ref or interaction_key(
                occurred_on=occurred_on, kind=kind, organization_names=names, title=title, notes=notes
            )
        data = {
            "kind": kind,
            "occurred_on": occurred_on,
            "title": title,
            "duration_minutes": duration,
            "sentiment": sentiment,
            "notes": notes,
            "topics": topics,
            "import_key": key,
        }
        row = PlanRow(number, [cells.get(c.name, "") for c in spec], data=data, organizations=organizations)
        checked.append((row, reader, key))
    keys = [key for _row, _reader, key in checked if key]
    existing: set[str] = set()
    for start in range(0, len(keys), 500):
        existing.update(
            Interaction.objects.filter(
                program=access.program, import_key__in=keys[start : start + 500]
            ).values_list("import_key", flat=True)
        )
    # Interactions logged in Konbit itself are exported with the ref "konbit-<id>": a re-import of
    # that file finds them by id.
    own_ids = [key.removeprefix(OWN_REF_PREFIX) for key in keys if key.startswith(OWN_REF_PREFIX)]
    own_ids = [pk for pk in own_ids if is_id(pk)]
    for start in range(0, len(own_ids), 500):
        existing.update(
            f"{OWN_REF_PREFIX}{pk}"
            for pk in Interaction.all_objects.filter(
                program=access.program, pk__in=own_ids[start : start + 500]
            ).values_list("pk", flat=True)
        )
    seen: dict[str, int] = {}
    for row, reader, key in checked:
        _classify(row, reader, key, existing, seen)
    return [row for row, _reader, _key_ in checked]


Validator = Callable[[Access, Rows, list[RowError], list[Column]], list[PlanRow]]
VALIDATORS: dict[str, Validator] = {
    ORGANIZATIONS: _validate_organizations,
    PARTNERSHIPS: _validate_partnerships,
    INTERACTIONS: _validate_interactions,
}


def _map_headers(
    spec: list[Column], headers: list[str], errors: list[RowError]
) -> tuple[dict[int, str], list[str]]:
    """Which file column holds which of our columns; the file's other columns are ignored."""
    names = {name: column.name for column in spec for name in (column.name, *column.aliases)}
    mapping: dict[int, str] = {}
    ignored = []
    for index, header in enumerate(headers):
        name = names.get(header)
        if name is None:
            if header:
                ignored.append(header)
        elif name in mapping.values():
            errors.append(RowError(1, header, _("this column appears twice")))
        else:
            mapping[index] = name
    for column in spec:
        if column.required and column.name not in mapping.values():
            errors.append(RowError(1, column.name, _("missing column")))
    return mapping, ignored


def validate(*, access: Access, kind: str, table: Table) -> Plan:
    """Check every row of the file against the programme's data as it is now."""
    spec = COLUMNS[kind]
    errors: list[RowError] = []
    mapping, ignored = _map_headers(spec, table.headers, errors)
    if errors:
        return Plan(kind=kind, rows=[], errors=errors, ignored_columns=ignored)
    rows = [(number, {name: cells[index] for index, name in mapping.items()}) for number, cells in table.rows]
    if not rows:
        errors.append(RowError(2, "", _("there are no rows under the column names")))
    plan_rows = VALIDATORS[kind](access, rows, errors, spec)
    return Plan(kind=kind, rows=plan_rows, errors=errors, ignored_columns=ignored)
