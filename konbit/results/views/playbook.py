"""The Steer change hub and the life-cycle playbook (phase guidance and checklists)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from konbit.core.access import access_for, acting_user, program_view
from konbit.core.forms import rebase_form
from konbit.core.htmx import wants_fragment
from konbit.core.models import Phase
from konbit.core.roles import Action
from konbit.core.services import ConflictError

from .. import selectors, services
from ..forms import PlaybookForm
from ..models import Intervention, PhasePlaybook


@program_view(Action.CHANGE_VIEW)
def change_home(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    progress = selectors.checklist_progress(access=access)
    current = next(p for p in progress if p["current"])
    return render(
        request,
        "results/home.html",
        {
            "progress": progress,
            "current": current,
            "summary": selectors.home_summary(access=access),
            "aaer": selectors.aaer_summary(access=access),
            "statuses": Intervention._meta.get_field("status").choices,
            "section": "home",
        },
    )


@program_view(Action.CHANGE_VIEW)
def playbook(request: HttpRequest, program: str, phase: str = "") -> HttpResponse:
    access = access_for(request)
    phase = selectors.phase_get(phase or access.program.phase)
    return render(
        request,
        "results/playbook.html",
        {
            "view": selectors.phase_playbook(access=access, phase=phase),
            "phase_label": Phase(phase).label,
            "progress": selectors.checklist_progress(access=access),
            "section": "playbook",
        },
    )


@require_POST
@program_view(Action.CHECKLIST_TICK)
def checklist_tick(request: HttpRequest, program: str, phase: str) -> HttpResponse:
    access = access_for(request)
    phase = selectors.phase_get(phase)
    try:
        services.checklist_tick(
            access=access,
            phase=phase,
            item=request.POST.get("item", ""),
            done=request.POST.get("done") == "1",
            by=acting_user(request),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    if wants_fragment(request):
        return render(
            request,
            "results/_checklist.html",
            {"view": selectors.phase_playbook(access=access, phase=phase)},
        )
    return redirect("playbook_phase", program=access.program.slug, phase=phase)


@program_view(Action.PLAYBOOK_EDIT)
def playbook_edit(request: HttpRequest, program: str, phase: str) -> HttpResponse:
    access = access_for(request)
    phase = selectors.phase_get(phase)
    view = selectors.phase_playbook(access=access, phase=phase)
    instance = view["playbook"] or PhasePlaybook(program=access.program, phase=phase)
    initial = {"why": view["why"], "know": view["know"], "tools": view["tools"]}
    initial["items"] = "\n".join(item.text for item in view["items"])
    form = PlaybookForm(request.POST or None, instance=instance, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.playbook_update(
                access=access,
                phase=phase,
                by=acting_user(request),
                data={k: form.cleaned_data[k] for k in ("why", "know", "tools")},
                items=form.cleaned_data["items"].splitlines(),
                expected_version=form.cleaned_data.get("version"),
            )
        except ConflictError as exc:
            conflict = exc.current
            form = rebase_form(PlaybookForm, request.POST, exc.current)
        else:
            messages.success(request, _("The playbook for this phase is saved."))
            return redirect("playbook_phase", program=access.program.slug, phase=phase)
    return render(
        request,
        "results/playbook_form.html",
        {
            "form": form,
            "phase": phase,
            "phase_label": Phase(phase).label,
            "conflict": conflict,
            "section": "playbook",
        },
    )
