"""Indicators and measurements in and out of spreadsheets, on the shared import component
(konbit/core/tabular): its readers (size limits, zip-bomb guard, encodings), header names in the
user's own words, its server-side store of the parsed upload between preview and commit, its row
checks (errors as row / column / message); and the partner pillar's writers (formula cells
neutralised).

Identity on re-import: an indicator is the same when its code (or, without a code, its name) is the
same, case ignored; a measurement is the same when its indicator, period end and category (or total)
are the same. Importing the same file again adds nothing; a changed value updates the measurement.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any, cast

import openpyxl
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from konbit.core.access import Access
from konbit.core.models import Program
from konbit.core.tabular import readers
from konbit.core.tabular.rows import (
    DATE_HELP,
    ERROR,
    EXISTING,
    FIRST_YEAR,
    LAST_YEAR,
    NEW,
    REPEATED,
    Column,
    ImportFailed,
    Plan,
    PlanRow,
    RowError,
    Rows,
    Validator,
    choice_lookup,
    with_aliases,
)
from konbit.core.tabular.rows import RowReader as _Reader
from konbit.core.tabular.rows import validate as rows_validate
from konbit.core.transactions import service
from konbit.partners.io.exporters import Cell, Sheet
from konbit.results.models import Intervention

from . import selectors, services
from .charts import number as format_number
from .models import (
    Aggregation,
    Category,
    Dimension,
    Direction,
    Indicator,
    IndicatorType,
    Measurement,
    TargetMode,
)
from .periods import parse_period

INDICATORS = "indicators"
MEASUREMENTS = "measurements"
UPDATE = "update"  # a measurement already there with another value: the import replaces the value

KIND_LABELS: dict[str, StrOrPromise] = {
    INDICATORS: gettext_lazy("Indicators"),
    MEASUREMENTS: gettext_lazy("Measurements"),
}

COLUMNS: dict[str, list[Column]] = {
    INDICATORS: [
        Column("name", gettext_lazy("The indicator's name."), required=True),
        Column("code", gettext_lazy("Optional short reference, e.g. O1.2. Indicators are matched by it.")),
        Column(
            "type",
            gettext_lazy("Output, outcome, systemic change or impact."),
            required=True,
            choices=IndicatorType,
        ),
        Column("unit", gettext_lazy("What is counted or measured, e.g. farmers, HTG, %."), required=True),
        Column("definition", gettext_lazy("What exactly is counted, and how.")),
        Column("direction", gettext_lazy("Higher or lower is better. Empty: higher."), choices=Direction),
        Column(
            "targets",
            gettext_lazy("Cumulative or incremental targets. Empty: cumulative."),
            choices=TargetMode,
            aliases=("target mode",),
        ),
        Column(
            "aggregation",
            gettext_lazy("Sum (values are new each period) or latest (values are levels). Empty: sum."),
            choices=Aggregation,
        ),
        Column("baseline", gettext_lazy("The baseline value (a number).")),
        Column("baseline date", DATE_HELP),
        Column("data source", gettext_lazy("Where the data comes from.")),
        Column("collection method", gettext_lazy("How it is collected.")),
        Column("intervention", gettext_lazy("The title of an intervention of the programme (optional).")),
        Column(
            "disaggregations",
            gettext_lazy("Programme-wide dimensions it is split by, separated by “;”, e.g. Sex; Region."),
        ),
    ],
    MEASUREMENTS: [
        Column("indicator", gettext_lazy("The indicator's code, or its name."), required=True),
        Column(
            "period", gettext_lazy("The period, e.g. 2025-Q2 or 2025 (fills the dates when they are empty).")
        ),
        Column("period start", DATE_HELP),
        Column("period end", gettext_lazy("The period's last day (needed unless the period gives it).")),
        Column("dimension", gettext_lazy("The dimension of the category, e.g. Sex (empty: the total).")),
        Column("category", gettext_lazy("The category, e.g. Women (empty: the total).")),
        Column("value", gettext_lazy("The value (a number)."), required=True),
        Column("evidence link", gettext_lazy("A web address where the evidence is kept.")),
        Column("note", gettext_lazy("A note.")),
    ],
}

# Other names people give these columns (matched ignoring case, accents, spaces and underscores).
_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    INDICATORS: {
        "name": ("indicator", "indicator name", "title"),
        "code": ("indicator code", "reference", "ref"),
        "type": ("indicator type", "level"),
        "unit": ("units", "unit of measure"),
        "definition": ("description",),
        "baseline": ("baseline value",),
        "data source": ("source", "source of data"),
        "collection method": ("method", "data collection method"),
        "disaggregations": ("disaggregation", "disaggregated by"),
    },
    MEASUREMENTS: {
        "indicator": ("indicator code", "indicator name", "code"),
        "period start": ("start", "start date"),
        "period end": ("end", "end date"),
        "value": ("amount", "result", "actual", "actual value"),
        "evidence link": ("evidence", "link", "source link"),
        "note": ("notes", "comment", "comments"),
    },
}
COLUMNS = with_aliases(COLUMNS, _ALIASES)


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


# --- reading ---------------------------------------------------------------------------------------


def read_table(*, kind: str, name: str, data: bytes) -> readers.Table:
    """The sheet named after the kind (as in our template), else the file's first sheet. Every limit
    of the partner readers applies (they read the file first)."""
    first = readers.read_upload(name=name, data=data)
    if not (name.casefold().endswith(".xlsx") or data[:4] == b"PK\x03\x04"):
        return first
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            if _key(sheet.title) == kind:
                sheet.reset_dimensions()
                return readers._table(sheet.iter_rows(values_only=True))
    except readers.ReadError:
        raise
    except Exception:  # a damaged sheet fails while it is read
        raise readers.ReadError(
            _("This Excel file cannot be opened: it is damaged or not really an .xlsx file.")
        ) from None
    finally:
        workbook.close()
    return first


# --- checking --------------------------------------------------------------------------------------


def _indicator_lookup(access: Access) -> dict[str, list[Indicator]]:
    known: dict[str, list[Indicator]] = {}
    for indicator in Indicator.objects.filter(program=access.program).order_by("pk"):
        if indicator.code:
            known.setdefault(_key(indicator.code), []).append(indicator)
        known.setdefault(_key(indicator.name), []).append(indicator)
    return known


def _validate_indicators(
    access: Access, rows: Rows, errors: list[RowError], spec: list[Column]
) -> list[PlanRow]:
    known = _indicator_lookup(access)
    types, directions = choice_lookup(IndicatorType.choices), choice_lookup(Direction.choices)
    modes, aggregations = choice_lookup(TargetMode.choices), choice_lookup(Aggregation.choices)
    interventions = {
        _key(i.title): i for i in Intervention.objects.filter(program=access.program).order_by("-pk")
    }
    dimensions = {
        _key(d.name): d for d in Dimension.objects.filter(program=access.program, indicator__isnull=True)
    }
    seen: dict[str, int] = {}
    plan_rows = []
    for number, cells in rows:
        reader = _Reader(number, cells, errors)
        name = reader.text("name", required=True, max_length=300)
        code = reader.text("code", max_length=30)
        data: dict[str, Any] = {
            "name": name,
            "code": code,
            "type": reader.choice("type", types, required=True),
            "unit": reader.text("unit", required=True, max_length=60),
            "definition": reader.text("definition"),
            "direction": reader.choice("direction", directions, default=Direction.HIGHER),
            "target_mode": reader.choice("targets", modes, default=TargetMode.CUMULATIVE),
            "aggregation": reader.choice("aggregation", aggregations, default=Aggregation.SUM),
            "baseline_value": reader.decimal("baseline"),
            "baseline_date": reader.date("baseline date"),
            "data_source": reader.text("data source", max_length=300),
            "collection_method": reader.text("collection method", max_length=300),
            "intervention": None,
        }
        title = reader.text("intervention")
        if title:
            data["intervention"] = interventions.get(_key(title))
            if data["intervention"] is None:
                reader.error("intervention", _("unknown intervention “%(name)s”") % {"name": title})
        chosen = []
        for part in reader.text("disaggregations").split(";"):
            if part.strip():
                dimension = dimensions.get(_key(part))
                if dimension is None:
                    reader.error(
                        "disaggregations",
                        _("unknown dimension “%(name)s” (add it on the Disaggregations page first)")
                        % {"name": part.strip()},
                    )
                else:
                    chosen.append(dimension)
        row = PlanRow(number, [cells.get(c.name, "") for c in spec], data=data)
        row.organizations = chosen  # the dimensions, carried to the commit
        key = _key(code or name)
        if reader.failed:
            row.status = ERROR
        elif key in known or _key(name) in known:
            row.status = EXISTING
        elif key in seen:
            row.status = REPEATED
            row.note = _("same as row %(row)s") % {"row": seen[key]}
        else:
            seen[key] = number
        plan_rows.append(row)
    return plan_rows


def _validate_measurements(
    access: Access, rows: Rows, errors: list[RowError], spec: list[Column]
) -> list[PlanRow]:
    known = _indicator_lookup(access)
    categories: dict[int, list[Category]] = {}
    for category in Category.objects.filter(
        program=access.program, dimension__deleted_at__isnull=True
    ).select_related("dimension"):
        categories.setdefault(category.dimension_id, []).append(category)
    links: dict[int, set[int]] = {}
    for indicator_id, dimension_id in Indicator.dimensions.through.objects.filter(
        indicator__program=access.program
    ).values_list("indicator_id", "dimension_id"):
        links.setdefault(indicator_id, set()).add(dimension_id)
    existing = {
        (m.indicator_id, m.period_end, m.category_id or 0): m
        for m in Measurement.objects.filter(program=access.program).only(
            "pk", "indicator_id", "period_end", "category_id", "value"
        )
    }
    seen: dict[tuple[int, Any, int], int] = {}
    plan_rows = []
    for number, cells in rows:
        reader = _Reader(number, cells, errors)
        reference = reader.text("indicator", required=True)
        indicator = None
        if reference:
            matches = known.get(_key(reference), [])
            if not matches:
                reader.error("indicator", _("unknown indicator “%(name)s”") % {"name": reference})
            elif len({m.pk for m in matches}) > 1:
                reader.error(
                    "indicator",
                    _("several indicators are called “%(name)s”: use the code") % {"name": reference},
                )
            else:
                indicator = matches[0]
        label = reader.text("period", max_length=40)
        start = reader.date("period start")
        end = reader.date("period end")
        parsed = parse_period(label) if label else None
        if parsed and not FIRST_YEAR <= parsed[1].year <= LAST_YEAR:
            reader.error(
                "period",
                _("%(value)s is not a period between %(first)s and %(last)s")
                % {"value": label, "first": FIRST_YEAR, "last": LAST_YEAR},
            )
            parsed = None
        if parsed and not cells.get("period end"):
            end = parsed[1]
        if parsed and not cells.get("period start"):
            start = parsed[0]
        if end is None and not cells.get("period end"):
            reader.error("period end", _("required (or a period such as 2025-Q2 in “period”)"))
        if start and end and end < start:
            reader.error("period end", _("the period ends before it starts"))
        dimension_name, category_name = reader.text("dimension"), reader.text("category")
        category = None
        if category_name and indicator is not None:
            allowed = [
                c
                for dim_id in links.get(indicator.pk, set())
                for c in categories.get(dim_id, [])
                if _key(c.name) == _key(category_name)
                and (not dimension_name or _key(c.dimension.name) == _key(dimension_name))
            ]
            if not allowed:
                reader.error(
                    "category",
                    _("“%(category)s” is not a category this indicator is split by")
                    % {"category": category_name},
                )
            elif len(allowed) > 1:
                reader.error("dimension", _("several dimensions have this category: name the dimension"))
            else:
                category = allowed[0]
        elif dimension_name and not category_name:
            reader.error("category", _("required when a dimension is given"))
        value = reader.decimal("value", required=True)
        link = reader.text("evidence link", max_length=500)
        if link and not re.match(r"https?://", link):
            link = "https://" + link
        data = {
            "period_label": label,
            "period_start": start,
            "period_end": end,
            "category": category,
            "value": value,
            "evidence_link": link,
            "note": reader.text("note"),
        }
        row = PlanRow(number, [cells.get(c.name, "") for c in spec], data=data)
        row.organizations = [indicator] if indicator else []
        if reader.failed or indicator is None:
            row.status = ERROR
        else:
            key = (indicator.pk, end, category.pk if category else 0)
            stored = existing.get(key)
            if key in seen:
                row.status = REPEATED
                row.note = _("same indicator, period and category as row %(row)s") % {"row": seen[key]}
            elif stored is not None:
                seen[key] = number
                if value is not None and stored.value == value:
                    row.status = EXISTING
                else:
                    row.status = UPDATE
                    row.note = _("replaces %(value)s") % {"value": format_number(float(stored.value))}
            else:
                seen[key] = number
        plan_rows.append(row)
    return plan_rows


VALIDATORS: dict[str, Validator] = {
    INDICATORS: _validate_indicators,
    MEASUREMENTS: _validate_measurements,
}


def validate(*, access: Access, kind: str, table: readers.Table) -> Plan:
    return rows_validate(
        access=access, kind=kind, table=table, spec=COLUMNS[kind], validator=VALIDATORS[kind]
    )


def counts(plan: Plan) -> dict[str, int]:
    return {
        "new": sum(r.status == NEW for r in plan.rows),
        "update": sum(r.status == UPDATE for r in plan.rows),
        "present": sum(r.status in {EXISTING, REPEATED} for r in plan.rows),
    }


@service
def import_commit(*, access: Access, by: User, kind: str, table: readers.Table) -> Plan:
    """Check the file again and, when no row has an error, write every new (or changed) row; all or
    nothing. Raises ImportFailed (nothing written) when a service refuses a row."""
    list(Program.objects.select_for_update().filter(pk=access.program.pk).values_list("pk"))
    plan = validate(access=access, kind=kind, table=table)
    if plan.errors:
        return plan
    touched: dict[int, Indicator] = {}
    for row in plan.rows:
        if row.status not in {NEW, UPDATE}:
            continue
        try:
            if kind == INDICATORS:
                services.indicator_create(
                    access=access, by=by, data=row.data, dimensions=cast("list[Dimension]", row.organizations)
                )
            else:
                indicator = cast(Indicator, row.organizations[0])
                services.measurement_record(indicator=indicator, by=by, data=row.data, refresh=False)
                touched[indicator.pk] = indicator
        except ValidationError as exc:
            raise ImportFailed(row.number, " ".join(exc.messages)) from exc
    for indicator in touched.values():
        services.indicator_refresh(indicator=indicator)
    return plan


# --- writing ---------------------------------------------------------------------------------------


def _plain(value: Decimal | None) -> int | float | None:
    """7 rather than 7.0 or 7.0000 in the file."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def indicators_sheet(*, access: Access, params: QueryDict | None = None) -> Sheet:
    params = params or QueryDict()
    qs = selectors.indicator_list(
        access=access,
        query=params.get("q", "").strip(),
        type=params.get("type", ""),
        intervention=params.get("intervention", ""),
        status=params.get("status", ""),
        sort=params.get("sort", "code"),
    ).prefetch_related("dimensions")
    rows: list[list[Cell]] = []
    for i in qs:
        rows.append(
            [
                i.name,
                i.code,
                i.get_type_display(),
                i.unit,
                i.definition,
                i.direction,
                i.target_mode,
                i.aggregation,
                _plain(i.baseline_value),
                i.baseline_date,
                i.data_source,
                i.collection_method,
                i.intervention.title if i.intervention else "",
                "; ".join(d.name for d in i.dimensions.all() if d.indicator_id is None),
            ]
        )
    return Sheet(INDICATORS, [c.name for c in COLUMNS[INDICATORS]], rows)


def measurements_sheet(*, access: Access, params: QueryDict | None = None) -> Sheet:
    qs = selectors.measurement_list(access=access)
    rows: list[list[Cell]] = []
    for m in qs.iterator(chunk_size=2000):
        rows.append(
            [
                m.indicator.code or m.indicator.name,
                m.period_label,
                m.period_start,
                m.period_end,
                m.category.dimension.name if m.category else "",
                m.category.name if m.category else "",
                _plain(m.value),
                m.evidence_link,
                m.note,
            ]
        )
    return Sheet(MEASUREMENTS, [c.name for c in COLUMNS[MEASUREMENTS]], rows)


def template_sheets() -> list[Sheet]:
    """The import template: instructions first (what each column takes), then the two empty sheets."""
    rows: list[list[Cell]] = [
        [
            _(
                "Fill the “indicators” sheet first, then the “measurements” sheet; "
                "upload the file once for each sheet."
            ),
            "",
            "",
            "",
        ],
        ["", "", "", ""],
    ]
    for kind, columns in COLUMNS.items():
        for column in columns:
            allowed = ", ".join(value for value, _label in column.allowed)
            rows.append(
                [
                    kind,
                    column.name,
                    _("required") if column.required else _("optional"),
                    f"{column.help} {allowed}".strip(),
                ]
            )
    return [
        Sheet(_("instructions"), [_("sheet"), _("column"), _("required"), _("what to write")], rows),
        Sheet(INDICATORS, [c.name for c in COLUMNS[INDICATORS]], []),
        Sheet(MEASUREMENTS, [c.name for c in COLUMNS[MEASUREMENTS]], []),
    ]
