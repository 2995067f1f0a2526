"""Import (upload → preview → import all or nothing) of indicators and measurements, the XLSX template,
and the exports. The import pages are the shared import component's (konbit/core/tabular/views.py);
the writers are the partner pillar's (partners/io/exporters.py)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from konbit.core.access import Access, access_for, acting_user, program_view
from konbit.core.roles import Action
from konbit.core.tabular.rows import Plan
from konbit.core.tabular.views import ImportPages, upload_preview, upload_start
from konbit.partners.io import exporters
from konbit.partners.io.services import data_export_record

from .. import spreadsheets

STORE_PREFIX = "indicators-"  # kinds in the shared upload store, apart from the partner pillar's


def _done(access: Access, kind: str, plan: Plan) -> tuple[str, str]:
    message = _("Import done: %(new)s added, %(update)s updated, %(present)s already there.") % (
        spreadsheets.counts(plan)
    )
    return message, reverse("indicator_list", kwargs={"program": access.program.slug})


PAGES = ImportPages(
    kinds=spreadsheets.KIND_LABELS,
    columns=spreadsheets.COLUMNS,
    default_kind=spreadsheets.MEASUREMENTS,
    start_url="indicator_import",
    preview_url="indicator_import_preview",
    start_template="indicators/import_start.html",
    preview_template="indicators/import_preview.html",
    read=lambda kind, name, data: spreadsheets.read_table(kind=kind, name=name, data=data),
    validate=lambda access, kind, table: spreadsheets.validate(access=access, kind=kind, table=table),
    commit=lambda access, by, kind, table: spreadsheets.import_commit(
        access=access, by=by, kind=kind, table=table
    ),
    done=_done,
    store_prefix=STORE_PREFIX,
    preview_context=lambda plan: {"counts": spreadsheets.counts(plan)},
)


@require_http_methods(["GET", "POST"])
@program_view(Action.DATA_IMPORT)
def indicator_import(request: HttpRequest, program: str) -> HttpResponse:
    return upload_start(request, PAGES)


@require_http_methods(["GET", "POST"])
@program_view(Action.DATA_IMPORT)
def indicator_import_preview(request: HttpRequest, program: str, token: str) -> HttpResponse:
    return upload_preview(request, PAGES, token)


@require_GET
@program_view(Action.DATA_IMPORT)
def indicator_template(request: HttpRequest, program: str) -> HttpResponse:
    return exporters.file_response(
        sheets=spreadsheets.template_sheets(), fmt="xlsx", filename="konbit-indicators-template.xlsx"
    )


def _export(request: HttpRequest, what: str, fmt: str) -> HttpResponse:
    if fmt not in exporters.FORMATS:
        raise Http404
    access = access_for(request)
    indicators = spreadsheets.indicators_sheet(access=access, params=request.GET)
    measurements = spreadsheets.measurements_sheet(access=access)
    sheets = [indicators, measurements] if what == "indicators" else [measurements, indicators]
    if fmt == "csv":
        sheets = sheets[:1]
    filename = f"{what}.{fmt}"
    data_export_record(
        access=access, by=acting_user(request), filename=filename, count=sum(len(s.rows) for s in sheets)
    )
    return exporters.file_response(sheets=sheets, fmt=fmt, filename=filename)


@require_GET
@program_view(Action.DATA_EXPORT)
def indicator_export(request: HttpRequest, program: str, fmt: str) -> HttpResponse:
    """Indicators (with the list's filter); the Excel file also holds every measurement."""
    return _export(request, "indicators", fmt)


@require_GET
@program_view(Action.DATA_EXPORT)
def measurement_export(request: HttpRequest, program: str, fmt: str) -> HttpResponse:
    return _export(request, "measurements", fmt)
