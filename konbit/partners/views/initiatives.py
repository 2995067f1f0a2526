from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from konbit.core.access import access_for, acting_user, program_view
from konbit.core.forms import rebase_form
from konbit.core.roles import Action
from konbit.core.services import (
    ConflictError,
    tenant_record_create,
    tenant_record_delete,
    tenant_record_update,
)

from .. import selectors, services
from ..forms import InitiativeForm, InitiativeSupportForm
from ..models import Initiative


@program_view(Action.PARTNERSHIP_VIEW)
def initiative_list(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    return render(
        request,
        "partners/initiative_list.html",
        {
            "initiatives": selectors.initiative_list(access=access),
            "matrix": selectors.overlap_matrix(access=access),
        },
    )


@program_view(Action.PARTNERSHIP_CHANGE)
def initiative_create(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    form = InitiativeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        initiative = tenant_record_create(
            model=Initiative, program=access.program, by=acting_user(request), data=form.changed_data_dict()
        )
        messages.success(request, _("Initiative added. Now record which partners it supports."))
        return redirect("initiative_detail", program=access.program.slug, pk=initiative.pk)
    return render(request, "partners/initiative_form.html", {"form": form})


@program_view(Action.PARTNERSHIP_VIEW)
def initiative_detail(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    initiative = selectors.initiative_get(access=access, pk=pk)
    form = InitiativeSupportForm(
        request.POST or None, organizations=selectors.organization_choices(access=access)
    )
    if request.method == "POST":
        access.require(Action.PARTNERSHIP_CHANGE)
        if form.is_valid():
            services.initiative_support_add(
                access=access,
                by=acting_user(request),
                initiative=initiative,
                organization=form.cleaned_data["organization"],
                how=form.cleaned_data["how"],
            )
            messages.success(request, _("Added."))
            return redirect("initiative_detail", program=access.program.slug, pk=initiative.pk)
    supports = selectors.initiative_supports(access=access, initiative=initiative)
    return render(
        request,
        "partners/initiative_detail.html",
        {"initiative": initiative, "supports": supports, "form": form},
    )


@program_view(Action.PARTNERSHIP_CHANGE)
def initiative_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    initiative = selectors.initiative_get(access=access, pk=pk)
    form = InitiativeForm(request.POST or None, instance=initiative)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            tenant_record_update(
                instance=initiative,
                by=acting_user(request),
                data=form.changed_data_dict(),
                expected_version=form.cleaned_data.get("version"),
            )
        except ConflictError as exc:
            conflict = exc.current
            form = rebase_form(InitiativeForm, request.POST, exc.current)
        else:
            messages.success(request, _("Saved."))
            return redirect("initiative_detail", program=access.program.slug, pk=initiative.pk)
    return render(
        request,
        "partners/initiative_form.html",
        {"form": form, "initiative": initiative, "conflict": conflict},
    )


@require_POST
@program_view(Action.PARTNERSHIP_CHANGE)
def initiative_support_remove(request: HttpRequest, program: str, pk: int, child: int) -> HttpResponse:
    access = access_for(request)
    initiative = selectors.initiative_get(access=access, pk=pk)
    support = selectors.get_one(selectors.initiative_supports(access=access, initiative=initiative), child)
    tenant_record_delete(instance=support, by=acting_user(request))
    messages.success(request, _("Removed."))
    return redirect("initiative_detail", program=access.program.slug, pk=initiative.pk)
