"""The upload → preview → import pages every table import shares (partners, indicators).

An app describes its import once (`ImportPages`: its kinds of file and their columns, how to read,
check and commit a file, where to go afterwards) and its two views call `upload_start` and
`upload_preview`. The file is read once, kept on the server (store.py) under a token only its uploader
can use in this programme, checked again at import time, and imported all or nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from konbit.core import uploads
from konbit.core.access import Access, access_for, acting_user

from . import readers, store
from .rows import Column, ImportFailed, Plan

# The preview lists this many rows and errors; a larger file says how many more there are.
PREVIEW_ROWS = 500
PREVIEW_ERRORS = 1000


Background = Callable[[HttpRequest, Access, User, store.Pending, str, str], HttpResponse | None]


@dataclass(frozen=True)
class ImportPages:
    """One app's import.

    ``read(kind, filename, data)`` reads the upload (readers.ReadError when it cannot);
    ``validate(access, kind, table)`` checks it; ``commit(access, by, kind, table)`` writes it, all or
    nothing (rows.ImportFailed when a service refuses a row); ``done(access, kind, plan)`` gives the
    success message and the address to go to. ``store_prefix`` keeps the app's uploads apart from
    other apps' in the shared store. ``background(request, access, user, pending, kind, token)`` may
    hand a big file to the task worker (a response), or leave it to the request (None)."""

    kinds: Mapping[str, StrOrPromise]
    columns: Mapping[str, list[Column]]
    default_kind: str
    start_url: str
    preview_url: str
    start_template: str
    preview_template: str
    read: Callable[[str, str, bytes], readers.Table]
    validate: Callable[[Access, str, readers.Table], Plan]
    commit: Callable[[Access, User, str, readers.Table], Plan]
    done: Callable[[Access, str, Plan], tuple[str, str]]
    store_prefix: str = ""
    preview_context: Callable[[Plan], dict[str, Any]] | None = None
    background: Background | None = None

    def specs(self) -> list[dict[str, object]]:
        return [
            {"kind": kind, "label": label, "columns": self.columns[kind]}
            for kind, label in self.kinds.items()
        ]


def import_form(kinds: Mapping[str, StrOrPromise]) -> type[forms.Form]:
    """The upload form: what the file holds, and the file."""

    class ImportForm(forms.Form):
        kind = forms.ChoiceField(
            label=gettext_lazy("What the file holds"), choices=list(kinds.items()), widget=forms.RadioSelect
        )
        file = forms.FileField(label=gettext_lazy("File: CSV or Excel (.xlsx), up to 10 MB"))

    return ImportForm


def upload_start(request: HttpRequest, pages: ImportPages) -> HttpResponse:
    access = access_for(request)
    kind = request.GET.get("kind", "")
    form = import_form(pages.kinds)(
        request.POST or None,
        request.FILES or None,
        initial={"kind": kind if kind in pages.columns else pages.default_kind},
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size is not None and upload.size > readers.MAX_BYTES:
            form.add_error("file", uploads.too_large(readers.MAX_BYTES))
        else:
            try:
                table = pages.read(
                    form.cleaned_data["kind"], upload.name or "", upload.read(readers.MAX_BYTES + 1)
                )
            except readers.ReadError as exc:
                form.add_error("file", exc.message)
            else:
                token = store.pending_save(
                    access=access,
                    user=acting_user(request),
                    kind=pages.store_prefix + form.cleaned_data["kind"],
                    filename=(upload.name or "")[:200],
                    table=table,
                )
                return redirect(pages.preview_url, program=access.program.slug, token=token)
    return render(
        request,
        pages.start_template,
        {"form": form, "specs": pages.specs(), "section": "data"},
        status=400 if form.errors else 200,
    )


def upload_preview(request: HttpRequest, pages: ImportPages, token: str) -> HttpResponse:
    access = access_for(request)
    user = acting_user(request)
    pending = store.pending_load(access=access, user=user, token=token)
    kind = pending.kind.removeprefix(pages.store_prefix) if pending else ""
    if pending is None or not pending.kind.startswith(pages.store_prefix) or kind not in pages.columns:
        messages.error(request, _("This upload has expired or was already imported. Upload the file again."))
        return redirect(pages.start_url, program=access.program.slug)
    failure = ""
    if request.method == "POST" and pages.background is not None:
        response = pages.background(request, access, user, pending, kind, token)
        if response is not None:
            return response
    if request.method == "POST":
        try:
            plan = pages.commit(access, user, kind, pending.table)
        except ImportFailed as exc:
            failure = _("Row %(row)s could not be saved: %(message)s Nothing was imported.") % {
                "row": exc.row,
                "message": exc.message,
            }
            plan = pages.validate(access, kind, pending.table)
        else:
            if not plan.errors:
                store.pending_delete(access=access, user=user, token=token)
                message, url = pages.done(access, kind, plan)
                messages.success(request, message)
                return redirect(url)
    else:
        plan = pages.validate(access, kind, pending.table)
    context: dict[str, Any] = {
        "plan": plan,
        "pending": pending,
        "kind_label": pages.kinds[kind],
        "columns": pages.columns[kind],
        "rows": plan.rows[:PREVIEW_ROWS],
        "hidden_rows": max(0, len(plan.rows) - PREVIEW_ROWS),
        "errors": plan.errors[:PREVIEW_ERRORS],
        "hidden_errors": max(0, len(plan.errors) - PREVIEW_ERRORS),
        "failure": failure,
        "restart_url": reverse(pages.start_url, kwargs={"program": access.program.slug}) + f"?kind={kind}",
        "section": "data",
    }
    if pages.preview_context is not None:
        context.update(pages.preview_context(plan))
    return render(request, pages.preview_template, context, status=400 if failure else 200)
