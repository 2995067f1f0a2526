"""Interventions: list, detail, create, edit, trash; the facilitator's role history; the portfolio."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from konbit.core.access import access_for, acting_user, program_view
from konbit.core.forms import rebase_form
from konbit.core.htmx import wants_fragment
from konbit.core.roles import Action
from konbit.core.selectors import history_for
from konbit.core.services import ConflictError

from .. import charts, selectors, services
from ..forms import FacilitatorRoleForm, InterventionForm
from ..models import FacilitatorRoleKind, InterventionStatus, Lever, Stage, SystemFunction

PAGE_SIZE = 25


def _form_errors(form: InterventionForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@vary_on_headers("HX-Request")
@program_view(Action.CHANGE_VIEW)
def intervention_list(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    filters: dict[str, str] = {
        "query": request.GET.get("q", "").strip(),
        "status": request.GET.get("status", ""),
        "function": request.GET.get("function", ""),
        "lever": request.GET.get("lever", ""),
        "sort": request.GET.get("sort", "title"),
    }
    page = Paginator(
        selectors.intervention_list(
            access=access,
            query=filters["query"],
            status=filters["status"],
            function=filters["function"],
            lever=filters["lever"],
            sort=filters["sort"],
        ),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    template = (
        "results/_intervention_rows.html" if wants_fragment(request) else "results/intervention_list.html"
    )
    return render(
        request,
        template,
        {
            "page": page,
            "filters": filters,
            "statuses": InterventionStatus.choices,
            "functions": SystemFunction.choices,
            "levers": Lever.choices,
            "role_labels": dict(FacilitatorRoleKind.choices),
            "filtered": any(filters[k] for k in ("query", "status", "function", "lever")),
            "section": "interventions",
        },
    )


@program_view(Action.CHANGE_VIEW)
def intervention_detail(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    intervention = selectors.intervention_get(access=access, pk=pk)
    context = {
        "intervention": intervention,
        **selectors.intervention_detail(access=access, intervention=intervention),
        "role_form": FacilitatorRoleForm() if access.can(Action.INTERVENTION_CHANGE) else None,
        "history": history_for(access=access, instance=intervention)[:30],
        "section": "interventions",
    }
    return render(request, "results/intervention_detail.html", context)


@program_view(Action.INTERVENTION_CHANGE)
def intervention_create(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    partners = selectors.partner_organizations(access=access)
    form = InterventionForm(request.POST or None, partners=partners)
    if request.method == "POST" and form.is_valid():
        data = form.changed_data_dict()
        try:
            intervention = services.intervention_create(
                access=access,
                by=acting_user(request),
                data=data,
                organizations=form.cleaned_data["organizations"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("“%(title)s” added.") % {"title": intervention.title})
            return redirect("intervention_detail", program=access.program.slug, pk=intervention.pk)
    return render(request, "results/intervention_form.html", {"form": form, "section": "interventions"})


@program_view(Action.INTERVENTION_CHANGE)
def intervention_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    intervention = selectors.intervention_get(access=access, pk=pk)
    partners = selectors.partner_organizations(access=access)
    form = InterventionForm(request.POST or None, instance=intervention, partners=partners)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.intervention_update(
                intervention=intervention,
                by=acting_user(request),
                data=form.changed_data_dict(),
                organizations=form.cleaned_data["organizations"],
                expected_version=form.cleaned_data.get("version"),
            )
        except ConflictError as exc:
            conflict = exc.current
            form = rebase_form(InterventionForm, request.POST, exc.current, partners=partners)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("intervention_detail", program=access.program.slug, pk=intervention.pk)
    return render(
        request,
        "results/intervention_form.html",
        {"form": form, "intervention": intervention, "conflict": conflict, "section": "interventions"},
    )


@require_POST
@program_view(Action.INTERVENTION_DELETE)
def intervention_delete(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    intervention = selectors.intervention_get(access=access, pk=pk)
    services.intervention_delete(intervention=intervention, by=acting_user(request))
    messages.success(
        request, _("“%(title)s” moved to the trash. An owner can restore it.") % {"title": intervention.title}
    )
    return redirect("intervention_list", program=access.program.slug)


@require_POST
@program_view(Action.INTERVENTION_CHANGE)
def role_add(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    intervention = selectors.intervention_get(access=access, pk=pk)
    form = FacilitatorRoleForm(request.POST)
    if form.is_valid():
        services.facilitator_role_add(
            intervention=intervention, by=acting_user(request), data=form.cleaned_data
        )
        messages.success(request, _("Role recorded."))
    else:
        messages.error(request, _("Choose a role and the date it starts."))
    return redirect("intervention_detail", program=access.program.slug, pk=intervention.pk)


@require_POST
@program_view(Action.INTERVENTION_CHANGE)
def role_delete(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    role = selectors.role_get(access=access, pk=pk)
    services.facilitator_role_delete(role=role, by=acting_user(request))
    messages.success(request, _("Role moved to the trash."))
    return redirect("intervention_detail", program=access.program.slug, pk=role.intervention_id)


@program_view(Action.CHANGE_VIEW)
def portfolio(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    data = selectors.portfolio(access=access)
    money = [charts.Series(_("Planned"), charts.GREY), charts.Series(_("Given so far"), charts.BLUE)]

    def support_chart(title: str, groups: list[dict[str, Any]], planned: bool = True) -> object:
        if not groups:
            return None
        return charts.bar_chart(
            title=title,
            labels=[str(g["label"]) for g in groups],
            series=money if planned else money[1:],
            values=[
                [float(g["planned"]), float(g["actual"])] if planned else [float(g["actual"])] for g in groups
            ],
            unit=f" {access.program.currency}",
        )

    for group in [*data["by_lever"], *data["by_function"], *data["by_partner"]]:
        group["mix"] = charts.stage_mix(group["counts"])
    for row in data["rows"]:
        row["mix"] = charts.stage_mix(row["counts"])
    return render(
        request,
        "results/portfolio.html",
        {
            **data,
            "lever_chart": support_chart(_("Support by lever"), data["by_lever"]),
            "function_chart": support_chart(_("Support by system function"), data["by_function"]),
            "partner_chart": support_chart(
                _("Support by partner (top 15)"), data["by_partner"], planned=False
            ),
            "stages": Stage.choices,
            "stage_colours": list(zip(Stage.labels, charts.STAGE_COLOURS, strict=True)),
            "section": "portfolio",
        },
    )
