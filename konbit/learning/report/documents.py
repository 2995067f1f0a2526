"""The report as a Word document (python-docx) and as a workbook (openpyxl).

Word: a heading per section, its introduction, the figures and every table as a real Word table;
the SVG charts cannot go into a .docx, so a line points to the web report instead.
Excel: one sheet per section (figures first, then each table under its title); text cells that a
spreadsheet would run as formulas are neutralised exactly as in the partner exports."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal
from typing import Any

import openpyxl
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Cm, Pt
from openpyxl.styles import Font

from konbit.core import l10n
from konbit.partners.io.exporters import _xlsx_cell

SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
# Word refuses the XML control characters too.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _text(value: Any) -> str:
    """A cell of the Word document, numbers written the reader's way (1 234,5 in French)."""
    if value is None:
        return "—"
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return l10n.number(value, decimals=3)
    return CONTROL.sub("", str(value))


def _period(start: datetime.date, end: datetime.date) -> dict[str, str]:
    return {"start": date_format(start, "DATE_FORMAT"), "end": date_format(end, "DATE_FORMAT")}


def docx_bytes(
    *, program_name: str, start: datetime.date, end: datetime.date, sections: list[dict[str, Any]]
) -> bytes:
    document = Document()
    page = document.sections[0]
    page.orientation = WD_ORIENT.PORTRAIT
    page.page_width, page.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(page, side, Cm(2))
    document.styles["Normal"].font.size = Pt(10)
    document.add_heading(_text(program_name), level=0)
    document.add_paragraph(_("Report for %(start)s to %(end)s") % _period(start, end))
    for index, section in enumerate(sections):
        if index:
            document.add_page_break()
        document.add_heading(_text(section["title"]), level=1)
        if section["intro"]:
            document.add_paragraph(_text(section["intro"]))
        if section["figures"]:
            table = document.add_table(rows=0, cols=2)
            table.style = "Light List Accent 1"
            for label, value in section["figures"]:
                cells = table.add_row().cells
                cells[0].text, cells[1].text = _text(label), _text(value)
        for data in section["tables"]:
            document.add_heading(_text(data["title"]), level=2)
            if not data["rows"]:
                document.add_paragraph(_("Nothing to show for this period."))
                continue
            table = document.add_table(rows=1, cols=len(data["headers"]))
            table.style = "Light Grid Accent 1"
            for cell, header in zip(table.rows[0].cells, data["headers"], strict=False):
                cell.text = _text(header)
            for row in data["rows"]:
                cells = table.add_row().cells
                for cell, value in zip(cells, row, strict=False):
                    cell.text = _text(value)
        if section["charts"]:
            document.add_paragraph(
                _("Charts: see the web report (%(titles)s).")
                % {"titles": "; ".join(_text(c["title"]) for c in section["charts"])}
            )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str, used: set[str]) -> str:
    base = SHEET_NAME.sub(" ", title).strip()[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def xlsx_bytes(
    *, program_name: str, start: datetime.date, end: datetime.date, sections: list[dict[str, Any]]
) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    used: set[str] = set()
    for section in sections:
        sheet = workbook.create_sheet(_sheet_title(section["title"], used))
        sheet.append([_xlsx_cell(section["title"])])
        sheet.append([_xlsx_cell("{} · {start} – {end}".format(program_name, **_period(start, end)))])
        sheet["A1"].font = bold
        sheet.append([])
        for label, value in section["figures"]:
            sheet.append([_xlsx_cell(str(label)), _xlsx_cell(value)])
        for data in section["tables"]:
            sheet.append([])
            sheet.append([_xlsx_cell(data["title"])])
            sheet.cell(row=sheet.max_row, column=1).font = bold
            sheet.append([_xlsx_cell(h) for h in data["headers"]])
            for cell in sheet[sheet.max_row]:
                cell.font = bold
            for row in data["rows"]:
                sheet.append([_xlsx_cell(v) for v in row])
        sheet.column_dimensions["A"].width = 40
    if not workbook.sheetnames:
        workbook.create_sheet("Report")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
