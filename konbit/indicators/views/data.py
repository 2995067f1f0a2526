"""Import (upload → preview → import all or nothing) of indicators and measurements, the XLSX template,
and the exports. The reading, storing and writing machinery is the partner pillar's (partners/io)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from konbit.core.access import access_for, acting_user, program_view
from konbit.core.roles import Action
from konbit.partners.io import exporters, readers, store
from konbit.partners.io.services import data_export_record

from .. import spreadsheets

PREVIEW_ROWS = 500
PREVIEW_ERRORS = 1000
STORE_PREFIX = "indicators-"  # kinds in the shared upload store, apart from the partner pillar's


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What the file holds"),
        choices=list(spreadsheets.KIND_LABELS.items()),
        widget=forms.RadioSelect,
    )
    file = forms.FileField(label=gettext_lazy("File: CSV or Excel (.xlsx), up to 10 MB"))


def _specs() -> list[dict[str, object]]:
    return [
        {"kind": kind, "label": label, "columns": spreadsheets.COLUMNS[kind]}
        for kind, label in spreadsheets.KIND_LABELS.items()
    ]


@require_http_methods(["GET", "POST"])
@program_view(Action.DATA_IMPORT)
def indicator_import(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    kind = request.GET.get("kind", "")
    form = ImportForm(
        request.POST or None,
        request.FILES or None,
        initial={"kind": kind if kind in spreadsheets.COLUMNS else spreadsheets.MEASUREMENTS},
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size is not None and upload.size > readers.MAX_BYTES:
            form.add_error("file", _("The file is larger than 10 MB. Split it into smaller files."))
        else:
            try:
                table = spreadsheets.read_table(
                    kind=form.cleaned_data["kind"],
                    name=upload.name or "",
                    data=upload.read(readers.MAX_BYTES + 1),
                )
            except readers.ReadError as exc:
                form.add_error("file", exc.message)
            else:
                token = store.pending_save(
                    access=access,
                    user=acting_user(request),
                    kind=STORE_PREFIX + form.cleaned_data["kind"],
                    filename=(upload.name or "")[:200],
                    table=table,
                )
                return redirect("indicator_import_preview", program=access.program.slug, token=token)
    return render(
        request,
        "indicators/import_start.html",
        {"form": form, "specs": _specs(), "section": "data"},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@program_view(Action.DATA_IMPORT)
def indicator_import_preview(request: HttpRequest, program: str, token: str) -> HttpResponse:
    access = access_for(request)
    user = acting_user(request)
    pending = store.pending_load(access=access, user=user, token=token)
    kind = pending.kind.removeprefix(STORE_PREFIX) if pending else ""
    if pending is None or not pending.kind.startswith(STORE_PREFIX) or kind not in spreadsheets.COLUMNS:
        messages.error(request, _("This upload has expired or was already imported. Upload the file again."))
        return redirect("indicator_import", program=access.program.slug)
    failure = ""
    if request.method == "POST":
        try:
            plan = spreadsheets.import_commit(access=access, by=user, kind=kind, table=pending.table)
        except spreadsheets.ImportFailed as exc:
            failure = _("Row %(row)s could not be saved: %(message)s Nothing was imported.") % {
                "row": exc.row,
                "message": exc.message,
            }
            plan = spreadsheets.validate(access=access, kind=kind, table=pending.table)
        else:
            if not plan.errors:
                store.pending_delete(access=access, user=user, token=token)
                done = spreadsheets.counts(plan)
                messages.success(
                    request,
                    _("Import done: %(new)s added, %(update)s updated, %(present)s already there.") % done,
                )
                return redirect("indicator_list", program=access.program.slug)
    else:
        plan = spreadsheets.validate(access=access, kind=kind, table=pending.table)
    return render(
        request,
        "indicators/import_preview.html",
        {
            "plan": plan,
            "counts": spreadsheets.counts(plan),
            "pending": pending,
            "kind_label": spreadsheets.KIND_LABELS[kind],
            "columns": spreadsheets.COLUMNS[kind],
            "rows": plan.rows[:PREVIEW_ROWS],
            "hidden_rows": max(0, len(plan.rows) - PREVIEW_ROWS),
            "errors": plan.errors[:PREVIEW_ERRORS],
            "hidden_errors": max(0, len(plan.errors) - PREVIEW_ERRORS),
            "failure": failure,
            "restart_url": reverse("indicator_import", kwargs={"program": access.program.slug})
            + f"?kind={kind}",
            "section": "data",
        },
        status=400 if failure else 200,
    )


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
