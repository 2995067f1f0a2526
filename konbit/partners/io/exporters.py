"""Lists as spreadsheets: the rows of each list (with the user's filter) and the CSV/XLSX writers.

Every text cell that a spreadsheet would run as a formula gets a leading apostrophe, so an exported
note such as "=HYPERLINK(…)" stays text when the file is opened. The column names are the import
columns, so an exported file can be imported again (extra columns are ignored)."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import openpyxl
from django.db.models import Prefetch
from django.http import HttpResponse, QueryDict
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from konbit.core.access import Access
from konbit.core.tabular.readers import FORMULA_PREFIXES

from .. import selectors
from ..models import Participation
from .importers import FUNCTIONS, OWN_REF_PREFIX

Cell = str | int | float | datetime.date | None

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass
class Sheet:
    title: str
    headers: list[str]
    rows: list[list[Cell]]


def neutralize(text: str) -> str:
    """'=1+1' → "'=1+1": shown as text, never run as a formula."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


# --- the lists ------------------------------------------------------------------------------------


def organizations_sheet(*, access: Access, params: QueryDict) -> Sheet:
    qs = selectors.organization_list(
        access=access,
        query=params.get("q", "").strip(),
        type=params.get("type", ""),
        region=params.get("region", ""),
        sort=params.get("sort", "name"),
    )
    rows: list[list[Cell]] = []
    for org in qs.iterator(chunk_size=2000):
        functions = [code for name, (code, _label) in FUNCTIONS.items() if getattr(org, name)]
        rows.append(
            [
                org.name,
                org.acronym,
                org.get_type_display(),
                org.sector,
                org.region,
                org.town,
                org.get_size_display() if org.size else "",
                org.website,
                ", ".join(functions),
                org.tags,
                org.notes,
            ]
        )
    headers = ["name", "acronym", "type", "sector", "region", "town", "size", "website", "functions"]
    return Sheet("organizations", [*headers, "tags", "notes"], rows)


def partners_sheet(*, access: Access, params: QueryDict) -> Sheet:
    qs = selectors.partnership_list(
        access=access,
        query=params.get("q", "").strip(),
        segment=params.get("segment", ""),
        type=params.get("type", ""),
        facilitator=params.get("facilitator", ""),
        warning=params.get("warning", ""),
        sort=params.get("sort", "name"),
    )
    rows: list[list[Cell]] = []
    for p in qs.iterator(chunk_size=2000):
        rows.append(
            [
                p.organization.name,
                p.organization.acronym,
                p.organization.get_type_display(),
                p.get_segment_display(),
                p.since,
                p.facilitator.email if p.facilitator else "",
                round(p.score, 1) if p.score is not None else None,
                p.last_contact_on,
                ", ".join(p.warnings),
                p.notes,
            ]
        )
    headers = ["organisation", "acronym", "type", "segment", "since", "facilitator", "score"]
    return Sheet("partners", [*headers, "last contact", "warnings", "notes"], rows)


def interactions_sheet(*, access: Access, params: QueryDict) -> Sheet:
    qs = selectors.interaction_list(
        access=access, kind=params.get("kind", ""), query=params.get("q", "").strip()
    ).prefetch_related(
        Prefetch(
            "participations",
            queryset=Participation.objects.select_related("organization").order_by("organization__name"),
        )
    )
    rows: list[list[Cell]] = []
    for i in qs.iterator(chunk_size=2000):
        rows.append(
            [
                i.occurred_on,
                i.get_kind_display(),
                "; ".join(p.organization.name for p in i.participations.all()),
                i.title,
                i.duration_minutes,
                i.sentiment,
                i.notes,
                i.topics,
                i.import_key or f"{OWN_REF_PREFIX}{i.pk}",
            ]
        )
    headers = ["date", "kind", "organisations", "title", "duration", "sentiment", "notes", "topics", "ref"]
    return Sheet("interactions", headers, rows)


EXPORTS: dict[str, Callable[..., Sheet]] = {
    "organizations": organizations_sheet,
    "partners": partners_sheet,
    "interactions": interactions_sheet,
}


# --- writers --------------------------------------------------------------------------------------


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return neutralize(value)
    return str(value)


def _xlsx_cell(value: Cell) -> Cell:
    if isinstance(value, str):
        # Control characters are not allowed in the XML of a workbook.
        return neutralize(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def csv_bytes(sheet: Sheet) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(sheet.headers)
    writer.writerows([_csv_cell(v) for v in row] for row in sheet.rows)
    # The byte order mark tells Excel the file is UTF-8 (accents survive a double click).
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(sheets: Iterable[Sheet]) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    for sheet in sheets:
        worksheet = workbook.create_sheet(title=sheet.title[:31])
        worksheet.append(sheet.headers)
        for row in sheet.rows:
            worksheet.append([_xlsx_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def file_response(*, sheets: list[Sheet], fmt: str, filename: str) -> HttpResponse:
    """The first sheet as CSV, or every sheet as one workbook."""
    content = csv_bytes(sheets[0]) if fmt == "csv" else xlsx_bytes(sheets)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
