"""The competition/cooperation matrix: pairs or groups of actors, dated assessments of where they
stand and where the team wants them to go."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from konbit.core.access import access_for, acting_user, program_view
from konbit.core.forms import rebase_form
from konbit.core.roles import Action
from konbit.core.services import ConflictError
from konbit.partners import selectors as partner_selectors

from .. import charts, selectors, services
from ..forms import RelationshipAssessmentForm, RelationshipGroupForm


@program_view(Action.CHANGE_VIEW)
def matrix_list(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    groups = selectors.relationship_groups(access=access)
    cards = [
        {"group": g, "svg": charts.matrix_svg(history=g.history, uid=str(g.pk))}  # type: ignore[attr-defined]
        for g in groups
    ]
    return render(request, "results/matrix_list.html", {"cards": cards, "section": "matrix"})


@program_view(Action.INTERVENTION_CHANGE)
def matrix_create(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    organizations = partner_selectors.organization_choices(access=access)
    form = RelationshipGroupForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.relationship_group_create(
                access=access,
                by=acting_user(request),
                data=form.changed_data_dict(),
                organizations=form.cleaned_data["organizations"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Added. Now record where they stand and where they should go."))
            return redirect("matrix_detail", program=access.program.slug, pk=group.pk)
    return render(request, "results/matrix_form.html", {"form": form, "section": "matrix"})


@program_view(Action.CHANGE_VIEW)
def matrix_detail(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    group = selectors.relationship_group_get(access=access, pk=pk)
    form = None
    if access.can(Action.INTERVENTION_CHANGE):
        form = RelationshipAssessmentForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            services.relationship_assessment_add(group=group, by=acting_user(request), data=form.cleaned_data)
            messages.success(request, _("Assessment recorded."))
            return redirect("matrix_detail", program=access.program.slug, pk=group.pk)
    elif request.method == "POST":
        return redirect("matrix_detail", program=access.program.slug, pk=group.pk)
    return render(
        request,
        "results/matrix_detail.html",
        {
            "group": group,
            "organizations": group.organizations.filter(deleted_at__isnull=True).order_by("name"),
            "history": group.history,  # type: ignore[attr-defined]
            "svg": charts.matrix_svg(history=group.history, uid=str(group.pk)),  # type: ignore[attr-defined]
            "form": form,
            "section": "matrix",
        },
    )


@program_view(Action.INTERVENTION_CHANGE)
def matrix_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    group = selectors.relationship_group_get(access=access, pk=pk)
    organizations = partner_selectors.organization_choices(access=access)
    form = RelationshipGroupForm(request.POST or None, instance=group, organizations=organizations)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.relationship_group_update(
                group=group,
                by=acting_user(request),
                data=form.changed_data_dict(),
                organizations=form.cleaned_data["organizations"],
                expected_version=form.cleaned_data.get("version"),
            )
        except ConflictError as exc:
            conflict = exc.current
            form = rebase_form(RelationshipGroupForm, request.POST, exc.current, organizations=organizations)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Saved."))
            return redirect("matrix_detail", program=access.program.slug, pk=group.pk)
    return render(
        request,
        "results/matrix_form.html",
        {"form": form, "group": group, "conflict": conflict, "section": "matrix"},
    )


@require_POST
@program_view(Action.INTERVENTION_DELETE)
def matrix_delete(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    group = selectors.relationship_group_get(access=access, pk=pk)
    services.relationship_group_delete(group=group, by=acting_user(request))
    messages.success(request, _("“%(name)s” moved to the trash.") % {"name": group.name})
    return redirect("matrix_list", program=access.program.slug)


@require_POST
@program_view(Action.INTERVENTION_CHANGE)
def assessment_delete(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    assessment = selectors.relationship_assessment_get(access=access, pk=pk)
    services.relationship_assessment_delete(assessment=assessment, by=acting_user(request))
    messages.success(request, _("Assessment moved to the trash."))
    return redirect("matrix_detail", program=access.program.slug, pk=assessment.group_id)
