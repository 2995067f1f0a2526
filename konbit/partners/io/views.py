"""Import (upload → preview → import all or nothing), import templates and list exports."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from konbit.core import services as core_services
from konbit.core.access import Access, access_for, acting_user, program_view
from konbit.core.roles import Action
from konbit.core.tabular import readers
from konbit.core.tabular.rows import Plan
from konbit.core.tabular.store import Pending
from konbit.core.tabular.views import ImportPages, upload_preview, upload_start
from konbit.core.tasks import kind_of

from . import exporters, importers, services, tasks

# A file with more rows than this is imported by the background worker, with a progress bar (100,000
# interactions take tens of seconds); a smaller one is imported within the request.
BACKGROUND_IMPORT_ROWS = 2_000


def _in_background(
    request: HttpRequest, access: Access, user: User, pending: Pending, kind: str, token: str
) -> HttpResponse | None:
    if len(pending.table.rows) <= BACKGROUND_IMPORT_ROWS:
        return None
    job = core_services.job_start(
        access=access,
        kind=kind_of(tasks.data_import),
        label=_("Import of “%(file)s” (%(kind)s)")
        % {"file": pending.filename, "kind": importers.KIND_LABELS[kind]},
        params={"token": token, "kind": kind},
        by=user,
    )
    return redirect("job_detail", program=access.program.slug, pk=job.pk)


def _done(access: Access, kind: str, plan: Plan) -> tuple[str, str]:
    message = _("Import done: %(new)s added, %(present)s already there.") % {
        "new": plan.new_count,
        "present": plan.present_count,
    }
    return message, reverse(services.LIST_PAGES[kind], kwargs={"program": access.program.slug})


PAGES = ImportPages(
    kinds=importers.KIND_LABELS,
    columns=importers.COLUMNS,
    default_kind=importers.ORGANIZATIONS,
    start_url="import_start",
    preview_url="import_preview",
    start_template="partners/io/import_start.html",
    preview_template="partners/io/import_preview.html",
    read=lambda kind, name, data: readers.read_upload(name=name, data=data),
    validate=lambda access, kind, table: importers.validate(access=access, kind=kind, table=table),
    commit=lambda access, by, kind, table: services.data_import_commit(
        access=access, by=by, kind=kind, table=table
    ),
    done=_done,
    background=_in_background,
)


@require_http_methods(["GET", "POST"])
@program_view(Action.DATA_IMPORT)
def import_start(request: HttpRequest, program: str) -> HttpResponse:
    return upload_start(request, PAGES)


@require_http_methods(["GET", "POST"])
@program_view(Action.DATA_IMPORT)
def import_preview(request: HttpRequest, program: str, token: str) -> HttpResponse:
    return upload_preview(request, PAGES, token)


@require_GET
@program_view(Action.DATA_IMPORT)
def import_template(request: HttpRequest, program: str, kind: str, fmt: str) -> HttpResponse:
    """An empty file with the column names, and for Excel a second sheet listing the allowed values."""
    if kind not in importers.COLUMNS or fmt not in exporters.FORMATS:
        raise Http404
    columns = importers.COLUMNS[kind]
    sheets = [exporters.Sheet(kind, [c.name for c in columns], [])]
    allowed: list[list[exporters.Cell]] = [
        [c.name, value, label] for c in columns for value, label in c.allowed
    ]
    if allowed:
        sheets.append(exporters.Sheet(_("allowed values"), ["column", "value", "label"], allowed))
    return exporters.file_response(sheets=sheets, fmt=fmt, filename=f"konbit-{kind}-template.{fmt}")


@require_GET
@program_view(Action.DATA_EXPORT)
def export(request: HttpRequest, program: str, what: str, fmt: str) -> HttpResponse:
    """A list with the filter the user has on screen (the same query parameters as the list page)."""
    if what not in exporters.EXPORTS or fmt not in exporters.FORMATS:
        raise Http404
    access = access_for(request)
    sheet = exporters.EXPORTS[what](access=access, params=request.GET)
    filename = f"{what}.{fmt}"
    services.data_export_record(
        access=access, by=acting_user(request), filename=filename, count=len(sheet.rows)
    )
    return exporters.file_response(sheets=[sheet], fmt=fmt, filename=filename)
