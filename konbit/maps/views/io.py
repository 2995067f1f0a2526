from __future__ import annotations

import secrets
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

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


@program_view(Action.MAP_CHANGE)
def map_import(request: HttpRequest, program: str) -> HttpResponse:
    """Upload → preview (counts, row-level problems) → import, all or nothing."""
    from ..formats import FormatError, load

    access = access_for(request)
    user = acting_user(request)
    form = MapImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            form.add_error("file", _("The file is larger than 50 MB."))
        else:
            data = upload.read()
            try:
                gmap, problems = load(data, filename=upload.name)
            except FormatError as exc:
                form.add_error("file", str(exc))
            else:
                uploads.store_sweep()
                token = secrets.token_hex(16)
                uploads.store_write(_stored(access, user.pk, token), data)
                request.session[f"map-import-{token}"] = {
                    "filename": upload.name,
                    # A file's own name may be longer than a map's: the prefilled field must pass.
                    "name": (form.cleaned_data["name"] or gmap.name or Path(upload.name).stem)[:200],
                }
                return render(
                    request,
                    "maps/map_import_preview.html",
                    {
                        "token": token,
                        "gmap": gmap,
                        "problems": problems,
                        "perspectives": sorted({c.perspective for c in gmap.connections if c.perspective}),
                        "name": request.session[f"map-import-{token}"]["name"],
                        "sample": gmap.elements[:20],
                    },
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
        gmap, problems = load(stored.read_bytes(), filename=meta["filename"])
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
