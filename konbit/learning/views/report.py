"""The funder report: the page (with the period picker), the print view, DOCX and XLSX."""

from __future__ import annotations

import datetime
import logging
import time
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from konbit.core.access import Access, access_for, acting_user, program_view
from konbit.core.roles import Action
from konbit.core.services import export_record
from konbit.partners.io.services import data_export_record

from ..forms import PeriodForm
from ..report import collect_sections
from ..report.documents import docx_bytes, xlsx_bytes
from ..report.periods import QUICK_PICKS, period_for

logger = logging.getLogger(__name__)
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(request: HttpRequest) -> tuple[PeriodForm, datetime.date, datetime.date]:
    today = timezone.localdate()
    pick = request.GET.get("pick", "")
    start, end = period_for(pick, today)
    if not pick and ("start" in request.GET or "end" in request.GET):
        form = PeriodForm(request.GET)
        if form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
            return form, start, end
        return form, start, end
    return PeriodForm(initial={"start": start, "end": end}), start, end


def _sections(access: Access, start: datetime.date, end: datetime.date) -> list[dict[str, Any]]:
    began = time.monotonic()
    sections = collect_sections(access=access, start=start, end=end)
    took = time.monotonic() - began
    if took > 2:
        logger.warning("Funder report for %s took %.1f s", access.program.slug, took)
    return sections


def _context(request: HttpRequest) -> dict[str, Any]:
    access = access_for(request)
    form, start, end = _period(request)
    query = f"start={start.isoformat()}&end={end.isoformat()}"
    return {
        "form": form,
        "start": start,
        "end": end,
        "query": query,
        "picks": QUICK_PICKS,
        "sections": _sections(access, start, end),
        "generated": timezone.localtime(),
        "section": "report",
    }


@require_GET
@program_view(Action.REPORT_VIEW)
def report(request: HttpRequest, program: str) -> HttpResponse:
    return render(request, "learning/report.html", _context(request))


@require_GET
@program_view(Action.REPORT_VIEW)
def report_print(request: HttpRequest, program: str) -> HttpResponse:
    """The same report on a page of its own (no navigation), laid out for A4 by report.css. Printing
    takes the report out of Konbit like a download, so opening this page is recorded as an export."""
    access = access_for(request)
    context = _context(request)
    start, end = context["start"].isoformat(), context["end"].isoformat()
    what = f"{access.program.slug}-report-{start}-{end} (print view)"
    export_record(access=access, by=acting_user(request), what=what)
    return render(request, "learning/report_print.html", context)


@require_GET
@program_view(Action.REPORT_VIEW)
def report_download(request: HttpRequest, program: str, fmt: str) -> HttpResponse:
    access = access_for(request)
    if fmt not in {"docx", "xlsx"}:
        from django.http import Http404

        raise Http404
    _form, start, end = _period(request)
    sections = _sections(access, start, end)
    writer = docx_bytes if fmt == "docx" else xlsx_bytes
    content = writer(program_name=access.program.name, start=start, end=end, sections=sections)
    filename = f"{access.program.slug}-report-{start.isoformat()}-{end.isoformat()}.{fmt}"
    data_export_record(access=access, by=acting_user(request), filename=filename, count=len(sections))
    response = HttpResponse(content, content_type=DOCX_TYPE if fmt == "docx" else XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
