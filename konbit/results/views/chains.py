"""An intervention's results chain, edited on its page with htmx (every form also works without it)."""

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
from konbit.core.htmx import wants_fragment
from konbit.core.roles import Action
from konbit.core.services import ConflictError

from .. import charts, selectors, services
from ..forms import AssumptionForm, ChainBoxForm, ChainLinkForm, ChainVersionForm
from ..models import ChainLevel, Intervention


def level_labels() -> dict[str, str]:
    return {value: str(label) for value, label in ChainLevel.choices}


def chain_context(access: Access, intervention: Intervention, **extra: Any) -> dict[str, Any]:
    data = selectors.chain(access=access, intervention=intervention)
    boxes, links = data["boxes"], data["links"]
    numbered = [{"link": link, "number": i} for i, link in enumerate(links, start=1)]
    svg = charts.chain_svg(
        boxes=[{"id": b.pk, "level": b.level, "text": b.text} for b in boxes],
        links=[
            {"source": n["link"].source_id, "target": n["link"].target_id, "number": n["number"]}
            for n in numbered
        ],
        level_labels=level_labels(),
    )
    by_level = [
        {"level": value, "label": label, "boxes": [b for b in boxes if b.level == value]}
        for value, label in ChainLevel.choices
    ]
    box_qs = selectors.chain_boxes(access=access, intervention=intervention)
    context: dict[str, Any] = {
        "intervention": intervention,
        "svg": svg,
        "by_level": by_level,
        "links": numbered,
        "box_count": len(boxes),
        "box_form": ChainBoxForm(),
        "link_form": ChainLinkForm(boxes=box_qs),
        "version_form": ChainVersionForm(),
        "versions": selectors.chain_versions(access=access, intervention=intervention),
    }
    context.update(extra)
    return context


def _chain_response(
    request: HttpRequest, access: Access, intervention: Intervention, **extra: Any
) -> HttpResponse:
    if wants_fragment(request):
        return render(request, "results/_chain.html", chain_context(access, intervention, **extra))
    for message in extra.get("errors", []):
        messages.error(request, message)
    return redirect("chain_detail", program=access.program.slug, pk=intervention.pk)


@program_view(Action.CHANGE_VIEW)
def chain_detail(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    intervention = selectors.intervention_get(access=access, pk=pk)
    return render(
        request, "results/chain.html", {**chain_context(access, intervention), "section": "interventions"}
    )


def _errors(form: Any) -> list[str]:
    return [
        f"{form.fields[f].label if f in form.fields else ''} {' '.join(e)}".strip()
        for f, e in form.errors.items()
    ]


@require_POST
@program_view(Action.INTERVENTION_CHANGE)
def box_add(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    intervention = selectors.intervention_get(access=access, pk=pk)
    form = ChainBoxForm(request.POST)
    if form.is_valid():
        services.chain_box_create(
            intervention=intervention, by=acting_user(request), data=form.changed_data_dict()
        )
        return _chain_response(request, access, intervention)
    return _chain_response(request, access, intervention, box_form=form, errors=_errors(form))


@program_view(Action.INTERVENTION_CHANGE)
def box_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    box = selectors.box_get(access=access, pk=pk)
    form = ChainBoxForm(request.POST or None, instance=box)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.chain_box_update(
                box=box,
                by=acting_user(request),
                data=form.changed_data_dict(),
                expected_version=form.cleaned_data.get("version"),
            )
        except ConflictError as exc:
            conflict = exc.current
            form = rebase_form(ChainBoxForm, request.POST, exc.current)
        else:
            return _chain_response(request, access, box.intervention)
    template = "results/_box_form.html" if wants_fragment(request) else "results/box_form.html"
    return render(
        request,
        template,
        {
            "form": form,
            "box": box,
            "intervention": box.intervention,
            "conflict": conflict,
            "section": "interventions",
        },
    )


@require_POST
@program_view(Action.INTERVENTION_CHANGE)
def box_delete(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    box = selectors.box_get(access=access, pk=pk)
    services.chain_box_delete(box=box, by=acting_user(request))
    return _chain_response(request, access, box.intervention)


@require_POST
@program_view(Action.INTERVENTION_CHANGE)
def link_add(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    intervention = selectors.intervention_get(access=access, pk=pk)
    form = ChainLinkForm(request.POST, boxes=selectors.chain_boxes(access=access, intervention=intervention))
    if form.is_valid():
        try:
            services.chain_link_create(
                intervention=intervention,
                by=acting_user(request),
                source=form.cleaned_data["source"],
                target=form.cleaned_data["target"],
                assumption=form.cleaned_data["assumption"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
            return _chain_response(request, access, intervention, link_form=form, errors=exc.messages)
        return _chain_response(request, access, intervention)
    return _chain_response(request, access, intervention, link_form=form, errors=_errors(form))


@program_view(Action.INTERVENTION_CHANGE)
def link_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    link = selectors.link_get(access=access, pk=pk)
    form = AssumptionForm(request.POST or None, instance=link)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.chain_link_update(
                link=link,
                by=acting_user(request),
                assumption=form.cleaned_data["assumption"],
                expected_version=form.cleaned_data.get("version"),
            )
        except ConflictError as exc:
            conflict = exc.current
            form = rebase_form(AssumptionForm, request.POST, exc.current)
        else:
            return _chain_response(request, access, link.intervention)
    template = "results/_link_form.html" if wants_fragment(request) else "results/link_form.html"
    return render(
        request,
        template,
        {
            "form": form,
            "link": link,
            "intervention": link.intervention,
            "conflict": conflict,
            "section": "interventions",
        },
    )


@require_POST
@program_view(Action.INTERVENTION_CHANGE)
def link_delete(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    link = selectors.link_get(access=access, pk=pk)
    services.chain_link_delete(link=link, by=acting_user(request))
    return _chain_response(request, access, link.intervention)


@require_POST
@program_view(Action.INTERVENTION_CHANGE)
def version_save(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    intervention = selectors.intervention_get(access=access, pk=pk)
    form = ChainVersionForm(request.POST)
    if not form.is_valid():
        return _chain_response(request, access, intervention, version_form=form, errors=_errors(form))
    services.chain_version_save(
        intervention=intervention,
        by=acting_user(request),
        review_date=form.cleaned_data["review_date"],
        note=form.cleaned_data["note"],
    )
    if not wants_fragment(request):
        messages.success(request, _("Version saved."))
    return _chain_response(request, access, intervention, saved=True)


@program_view(Action.CHANGE_VIEW)
def version_detail(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    version = selectors.chain_version_get(access=access, pk=pk)
    data = version.data or {}
    boxes = data.get("boxes", [])
    links = [{**link, "number": i} for i, link in enumerate(data.get("links", []), start=1)]
    texts = {b["id"]: b["text"] for b in boxes}
    labels = level_labels()
    return render(
        request,
        "results/version_detail.html",
        {
            "version": version,
            "intervention": version.intervention,
            "svg": charts.chain_svg(boxes=boxes, links=links, level_labels=labels),
            "by_level": [
                {"label": label, "boxes": [b for b in boxes if b["level"] == value]}
                for value, label in labels.items()
            ],
            "links": [
                {
                    **link,
                    "source_text": texts.get(link["source"], "?"),
                    "target_text": texts.get(link["target"], "?"),
                }
                for link in links
            ],
            "section": "interventions",
        },
    )
