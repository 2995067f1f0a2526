"""Import (upload → preview → import all or nothing), import templates and list exports."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from konbit.core import services as core_services
from konbit.core.access import access_for, acting_user, program_view
from konbit.core.roles import Action
from konbit.core.tasks import kind_of

from . import exporters, importers, readers, services, store, tasks
from .forms import ImportForm

# The preview lists this many rows and errors; a larger file says how many more there are.
PREVIEW_ROWS = 500
PREVIEW_ERRORS = 1000

# A file with more rows than this is imported by the background worker, with a progress bar (100,000
# interactions take tens of seconds); a smaller one is imported within the request.
BACKGROUND_IMPORT_ROWS = 2_000


def _specs() -> list[dict[str, object]]:
    return [
        {"kind": kind, "label": label, "columns": importers.COLUMNS[kind]}
        for kind, label in importers.KIND_LABELS.items()
    ]


@require_http_methods(["GET", "POST"])
@program_view(Action.DATA_IMPORT)
def import_start(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    kind = request.GET.get("kind", "")
    form = ImportForm(
        request.POST or None,
        request.FILES or None,
        initial={"kind": kind if kind in importers.COLUMNS else importers.ORGANIZATIONS},
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size is not None and upload.size > readers.MAX_BYTES:
            form.add_error("file", _("The file is larger than 10 MB. Split it into smaller files."))
        else:
            try:
                table = readers.read_upload(name=upload.name or "", data=upload.read(readers.MAX_BYTES + 1))
            except readers.ReadError as exc:
                form.add_error("file", exc.message)
            else:
                token = store.pending_save(
                    access=access,
                    user=acting_user(request),
                    kind=form.cleaned_data["kind"],
                    filename=(upload.name or "")[:200],
                    table=table,
                )
                return redirect("import_preview", program=access.program.slug, token=token)
    status = 400 if form.errors else 200
    return render(
        request,
        "partners/io/import_start.html",
        {"form": form, "specs": _specs(), "section": "data"},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@program_view(Action.DATA_IMPORT)
def import_preview(request: HttpRequest, program: str, token: str) -> HttpResponse:
    access = access_for(request)
    user = acting_user(request)
    pending = store.pending_load(access=access, user=user, token=token)
    if pending is None or pending.kind not in importers.COLUMNS:
        messages.error(request, _("This upload has expired or was already imported. Upload the file again."))
        return redirect("import_start", program=access.program.slug)
    failure = ""
    if request.method == "POST" and len(pending.table.rows) > BACKGROUND_IMPORT_ROWS:
        job = core_services.job_start(
            access=access,
            kind=kind_of(tasks.data_import),
            label=_("Import of “%(file)s” (%(kind)s)")
            % {"file": pending.filename, "kind": importers.KIND_LABELS[pending.kind]},
            params={"token": token, "kind": pending.kind},
            by=user,
        )
        return redirect("job_detail", program=access.program.slug, pk=job.pk)
    if request.method == "POST":
        try:
            plan = services.data_import_commit(access=access, by=user, kind=pending.kind, table=pending.table)
        except services.ImportFailed as exc:
            failure = _("Row %(row)s could not be saved: %(message)s Nothing was imported.") % {
                "row": exc.row,
                "message": exc.message,
            }
            plan = importers.validate(access=access, kind=pending.kind, table=pending.table)
        else:
            if not plan.errors:
                store.pending_delete(access=access, user=user, token=token)
                messages.success(
                    request,
                    _("Import done: %(new)s added, %(present)s already there.")
                    % {"new": plan.new_count, "present": plan.present_count},
                )
                return redirect(services.LIST_PAGES[pending.kind], program=access.program.slug)
    else:
        plan = importers.validate(access=access, kind=pending.kind, table=pending.table)
    return render(
        request,
        "partners/io/import_preview.html",
        {
            "plan": plan,
            "pending": pending,
            "kind_label": importers.KIND_LABELS[pending.kind],
            "columns": importers.COLUMNS[pending.kind],
            "rows": plan.rows[:PREVIEW_ROWS],
            "hidden_rows": max(0, len(plan.rows) - PREVIEW_ROWS),
            "errors": plan.errors[:PREVIEW_ERRORS],
            "hidden_errors": max(0, len(plan.errors) - PREVIEW_ERRORS),
            "failure": failure,
            "restart_url": reverse("import_start", kwargs={"program": access.program.slug})
            + f"?kind={pending.kind}",
            "section": "data",
        },
        status=400 if failure else 200,
    )


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
