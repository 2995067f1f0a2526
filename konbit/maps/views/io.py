from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from konbit.core import audit, uploads
from konbit.core.access import Access, access_for, acting_user, program_view
from konbit.core.models import AuditAction
from konbit.core.roles import Action

from .. import selectors, services
from ..forms import MapImportForm

FORMATS = {
    "kumu.json": ("kumu-backup", "application/json"),
    "graphml": ("graphml", "application/xml"),
    "gexf": ("gexf", "application/xml"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "perspectives.csv": ("perspectives-csv", "text/csv"),
}
MAX_BYTES = 50 * 1024 * 1024


def _stored(access: Access, user_id: int, token: str) -> Path:
    """Where an upload waits between its preview and its import: the shared private store (0700
    folder, 0600 file, swept after a day with every other stored upload)."""
    return uploads.store_directory("maps") / f"{access.program.pk}-{user_id}-{token}"


# The fields a person can map to a table's columns on the preview, with the words shown for each.
FIELD_LABELS: dict[str, StrOrPromise] = {
    "from": gettext_lazy("From (the cause, the source)"),
    "to": gettext_lazy("To (the effect, the target)"),
    "sign": gettext_lazy("Sign (polarity: +, −, ?)"),
    "perspective": gettext_lazy("Perspective (participant, respondent, group)"),
    "type": gettext_lazy("Type"),
    "direction": gettext_lazy("Direction"),
    "strength": gettext_lazy("Strength (weight)"),
    "description": gettext_lazy("Description"),
    "label": gettext_lazy("Element name (label), for a file of elements"),
    "id": gettext_lazy("ID"),
}
_COLUMN_PREFIX = "column-"


def _columns_from(request: HttpRequest) -> dict[str, str]:
    """The column mapping the preview's selects (or the import form's hidden fields) sent back: field →
    column name, "" for "not in the file". The reader checks each name against the file."""
    from ..formats import MAPPED_FIELDS

    return {
        name: request.POST.get(_COLUMN_PREFIX + name, "")[:300]
        for name in MAPPED_FIELDS
        if _COLUMN_PREFIX + name in request.POST
    }


def _mapping(data: bytes, filename: str, columns: dict[str, str]) -> dict[str, Any] | None:
    """The column-mapping step for a table (a CSV): one select per field, prefilled with what is
    chosen or else guessed; None for files whose columns are not mapped (JSON, XML, workbooks)."""
    from ..formats import MAPPED_FIELDS, guess_columns, table_headers

    tables = table_headers(data, filename)
    if not tables:
        return None
    _name, header = tables[0]
    chosen = {**guess_columns(header), **columns} if columns else guess_columns(header)
    fields = [
        {
            "name": name,
            "input": _COLUMN_PREFIX + name,
            "label": FIELD_LABELS[name],
            "value": chosen.get(name, ""),
        }
        for name in MAPPED_FIELDS
    ]
    return {"headers": [h for h in dict.fromkeys(header) if h], "fields": fields}


def _preview(
    request: HttpRequest,
    access: Access,
    *,
    token: str,
    data: bytes,
    filename: str,
    name: str,
    columns: dict[str, str],
) -> HttpResponse:
    """The preview of a stored upload: what was read, the problems, and for a table the column
    mapping (alone, when the header names say too little to read anything)."""
    from ..formats import ColumnsNeeded, FormatError, load

    mapping = _mapping(data, filename, columns)
    context: dict[str, Any] = {
        "token": token,
        "name": name,
        "mapping": mapping,
        # the person's own choices, carried to the import so it reads the file as this preview did
        "chosen": [(_COLUMN_PREFIX + field, column) for field, column in columns.items()],
    }
    try:
        gmap, problems = load(data, filename=filename, columns=columns)
    except ColumnsNeeded as exc:
        context["columns_needed"] = str(exc)
        return render(request, "maps/map_import_preview.html", context, status=200 if mapping else 400)
    except FormatError as exc:
        context["columns_needed"] = str(exc)
        return render(request, "maps/map_import_preview.html", context, status=400)
    context.update(
        {
            "gmap": gmap,
            "problems": problems,
            "perspectives": sorted({c.perspective for c in gmap.connections if c.perspective}),
            "sample": gmap.elements[:20],
        }
    )
    return render(request, "maps/map_import_preview.html", context)


@program_view(Action.MAP_CHANGE)
def map_import(request: HttpRequest, program: str) -> HttpResponse:
    """Upload → preview (counts, row-level problems, for a table the column mapping) → import, all or
    nothing. The preview's "Read again" posts the token and the chosen columns back here."""
    from ..formats import ColumnsNeeded, FormatError, load, table_headers

    access = access_for(request)
    user = acting_user(request)
    token = request.POST.get("token", "")
    if request.method == "POST" and token:
        meta = request.session.get(f"map-import-{token}")
        stored = _stored(access, user.pk, token) if token.isalnum() else None
        if meta is None or stored is None or not stored.exists():
            raise Http404
        return _preview(
            request,
            access,
            token=token,
            data=stored.read_bytes(),
            filename=meta["filename"],
            name=meta["name"],
            columns=_columns_from(request),
        )
    form = MapImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            form.add_error("file", _("The file is larger than 50 MB."))
        else:
            data = upload.read()
            try:
                gmap, _problems = load(data, filename=upload.name)
            except ColumnsNeeded as exc:
                # A table whose header names say too little: the person maps its columns next.
                gmap = None
                if not table_headers(data, upload.name):
                    form.add_error("file", str(exc))
            except FormatError as exc:
                form.add_error("file", str(exc))
            if not form.errors:
                uploads.store_sweep()
                token = secrets.token_hex(16)
                uploads.store_write(_stored(access, user.pk, token), data)
                # A file's own name may be longer than a map's: the prefilled field must pass.
                read_name = gmap.name if gmap is not None else ""
                name = (form.cleaned_data["name"] or read_name or Path(upload.name).stem)[:200]
                request.session[f"map-import-{token}"] = {"filename": upload.name, "name": name}
                return _preview(
                    request, access, token=token, data=data, filename=upload.name, name=name, columns={}
                )
    return render(request, "maps/map_import.html", {"form": form})


@program_view(Action.MAP_CHANGE)
def map_import_commit(request: HttpRequest, program: str, token: str) -> HttpResponse:
    from ..formats import FormatError, load

    access = access_for(request)
    user = acting_user(request)
    meta = request.session.get(f"map-import-{token}")
    if request.method != "POST" or meta is None or not token.isalnum():
        raise Http404
    stored = _stored(access, user.pk, token)
    if not stored.exists():
        raise Http404
    try:
        gmap, problems = load(stored.read_bytes(), filename=meta["filename"], columns=_columns_from(request))
    except FormatError as exc:
        messages.error(request, str(exc))
        return redirect("map_import", program=access.program.slug)
    if problems and not request.POST.get("accept_problems"):
        messages.error(
            request, _("The file has problems: fix them, or confirm that the rows named are left out.")
        )
        return redirect("map_import", program=access.program.slug)
    try:  # the name typed on the preview gets the same checks as on the upload form
        name = MapImportForm.base_fields["name"].clean(request.POST.get("name", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("map_import", program=access.program.slug)
    map = services.map_import(access=access, by=user, gmap=gmap, name=name or meta["name"])
    stored.unlink(missing_ok=True)
    del request.session[f"map-import-{token}"]
    messages.success(
        request,
        _("Imported %(elements)s elements and %(connections)s connections.")
        % {"elements": len(gmap.elements), "connections": len(gmap.connections)},
    )
    return redirect("map_detail", program=access.program.slug, pk=map.pk)


@program_view(Action.MAP_VIEW)
def map_export(request: HttpRequest, program: str, pk: int, fmt: str) -> HttpResponse:
    from ..formats import dump

    access = access_for(request)
    if fmt not in FORMATS or (access.is_partner and fmt != "perspectives.csv" and fmt != "kumu.json"):
        raise Http404
    map = selectors.map_get(access=access, pk=pk)
    gmap = selectors.to_gmap(access=access, map=map)
    format_name, content_type = FORMATS[fmt]
    body = dump(gmap, format_name)
    audit.record(
        program=access.program,
        actor=acting_user(request),
        action=AuditAction.EXPORT,
        object_repr=f"{map.name}.{fmt} ({len(gmap.elements)} elements)",
    )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{access.program.slug}-map-{map.pk}.{fmt}"'
    return response
