"""What each partner import file holds and how its rows are checked, on the shared import component
(konbit/core/tabular: column spec, row reader, header names in the user's own words).

`validate` turns a Table (plain text read from the file) into a Plan: every row with its status (new,
already there, repeated in the file, or in error) and every error as (row, column, message). It only
reads; `services.data_import_commit` writes the new rows through the partner services.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Container, Iterable
from typing import Any

from django.contrib.auth.models import User
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from konbit.core.access import Access
from konbit.core.ids import is_id
from konbit.core.models import Membership
from konbit.core.roles import Role
from konbit.core.tabular.readers import Table
from konbit.core.tabular.rows import (
    DATE_HELP,
    ERROR,
    EXISTING,
    NEW,
    REPEATED,
    Column,
    Plan,
    PlanRow,
    RowError,
    RowReader,
    Rows,
    Validator,
    choice_key,
    choice_lookup,
    with_aliases,
)
from konbit.core.tabular.rows import validate as rows_validate

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

ORGANIZATIONS = "organizations"
PARTNERSHIPS = "partnerships"
INTERACTIONS = "interactions"

KIND_LABELS: dict[str, StrOrPromise] = {
    ORGANIZATIONS: gettext_lazy("Organisations"),
    PARTNERSHIPS: gettext_lazy("Partnerships"),
    INTERACTIONS: gettext_lazy("Interactions"),
}

FUNCTIONS = {
    "performs_core": ("core", gettext_lazy("core exchange")),
    "performs_supporting": ("supporting", gettext_lazy("supporting function")),
    "performs_rules": ("rules", gettext_lazy("rules and regulation")),
}


# The ref under which an interaction logged in Konbit (not imported) is exported.
OWN_REF_PREFIX = "konbit-"


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

# Other names people give these columns (matched ignoring case, accents, spaces and underscores).
_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    ORGANIZATIONS: {
        "name": ("organisation", "organization", "organisation name", "organization name"),
        "acronym": ("abbreviation", "short name", "sigle"),
        "type": ("organisation type", "organization type"),
        "sector": ("sectors", "secteur"),
        "town": ("city", "commune", "ville"),
        "website": ("web site", "web", "url", "site"),
        "tags": ("tag", "keywords"),
        "notes": ("note", "comments", "comment"),
    },
    PARTNERSHIPS: {
        "organisation": ("partner", "organisation name", "organization name", "name"),
        "segment": ("stage",),
        "since": ("start date", "partner since", "start"),
        "facilitator": ("facilitator email", "responsible", "email"),
        "notes": ("note", "comments", "comment"),
    },
    INTERACTIONS: {
        "date": ("occurred on", "day"),
        "kind": ("type", "interaction type"),
        "organisations": ("partners", "participants", "organisation names"),
        "title": ("subject",),
        "duration": ("duration minutes", "minutes"),
        "notes": ("note", "comments", "comment"),
        "topics": ("topic",),
        "ref": ("reference", "id"),
    },
}
COLUMNS = with_aliases(COLUMNS, _ALIASES)


# --- cells ----------------------------------------------------------------------------------------


def function_lookup() -> dict[str, str]:
    """'core', 'core exchange' (or its translation) → 'performs_core'."""
    lookup = choice_lookup((name, code) for name, (code, _label) in FUNCTIONS.items())
    lookup.update(choice_lookup((name, label) for name, (_code, label) in FUNCTIONS.items()))
    return lookup


class _RowReader(RowReader):
    """The row reader, with the partner pillar's own cells: market-system functions, organisations."""

    def functions(self, column: str, lookup: dict[str, str]) -> dict[str, bool]:
        flags = dict.fromkeys(FUNCTIONS, False)
        for part in self.text(column).split(","):
            if not part.strip():
                continue
            name = lookup.get(choice_key(part))
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


VALIDATORS: dict[str, Validator] = {
    ORGANIZATIONS: _validate_organizations,
    PARTNERSHIPS: _validate_partnerships,
    INTERACTIONS: _validate_interactions,
}


def validate(*, access: Access, kind: str, table: Table) -> Plan:
    """Check every row of the file against the programme's data as it is now."""
    return rows_validate(
        access=access, kind=kind, table=table, spec=COLUMNS[kind], validator=VALIDATORS[kind]
    )
