"""Adopt–adapt–expand–respond: entries per intervention and actor, the board and the summary."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from konbit.core.access import Access, access_for, acting_user, program_view
from konbit.core.forms import rebase_form
from konbit.core.roles import Action
from konbit.core.services import ConflictError
from konbit.partners import selectors as partner_selectors

from .. import selectors, services
from ..forms import AaerEntryForm
from ..models import Stage


def _data(access: Access, form: AaerEntryForm, request: HttpRequest) -> dict[str, Any]:
    data = form.changed_data_dict()
    if not data.get("organization"):
        data["organization"] = services.actor_quick_create(
            access=access,
            by=acting_user(request),
            name=form.cleaned_data.get("new_actor", ""),
            type=form.cleaned_data.get("new_actor_type") or "other",
        )
    return data


@program_view(Action.CHANGE_VIEW)
def aaer_intervention(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    """The board of one intervention, its entries, and (for editors) the form to add one."""
    access = access_for(request)
    intervention = selectors.intervention_get(access=access, pk=pk)
    organizations = partner_selectors.organization_choices(access=access)
    form = None
    if access.can(Action.INTERVENTION_CHANGE):
        form = AaerEntryForm(request.POST or None, organizations=organizations)
        if request.method == "POST" and form.is_valid():
            try:
                entry = services.aaer_entry_create(
                    intervention=intervention, by=acting_user(request), data=_data(access, form, request)
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(
                    request,
                    _("%(actor)s recorded at the stage “%(stage)s”.")
                    % {"actor": entry.organization.name, "stage": entry.get_stage_display()},
                )
                return redirect("aaer_intervention", program=access.program.slug, pk=intervention.pk)
    elif request.method == "POST":
        return redirect("aaer_intervention", program=access.program.slug, pk=intervention.pk)
    return render(
        request,
        "results/aaer_intervention.html",
        {
            "intervention": intervention,
            "board": selectors.aaer_board(access=access, intervention=intervention),
            "entries": selectors.aaer_entries(access=access, intervention=intervention),
            "form": form,
            "section": "interventions",
        },
    )


@program_view(Action.INTERVENTION_CHANGE)
def aaer_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    entry = selectors.aaer_entry_get(access=access, pk=pk)
    organizations = partner_selectors.organization_choices(access=access)
    form = AaerEntryForm(request.POST or None, instance=entry, organizations=organizations)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.aaer_entry_update(
                entry=entry,
                by=acting_user(request),
                data=_data(access, form, request),
                expected_version=form.cleaned_data.get("version"),
            )
        except ConflictError as exc:
            conflict = exc.current
            form = rebase_form(AaerEntryForm, request.POST, exc.current, organizations=organizations)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Saved."))
            return redirect("aaer_intervention", program=access.program.slug, pk=entry.intervention_id)
    return render(
        request,
        "results/aaer_form.html",
        {
            "form": form,
            "entry": entry,
            "intervention": entry.intervention,
            "conflict": conflict,
            "section": "interventions",
        },
    )


@require_POST
@program_view(Action.INTERVENTION_CHANGE)
def aaer_delete(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    entry = selectors.aaer_entry_get(access=access, pk=pk)
    services.aaer_entry_delete(entry=entry, by=acting_user(request))
    messages.success(request, _("Entry moved to the trash."))
    return redirect("aaer_intervention", program=access.program.slug, pk=entry.intervention_id)


@program_view(Action.CHANGE_VIEW)
def aaer_summary(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    return render(
        request,
        "results/aaer_summary.html",
        {
            "aaer": selectors.aaer_summary(access=access),
            "stage_labels": Stage.labels,
            "recent": selectors.aaer_entries(access=access)[:15],
            "section": "aaer",
        },
    )
