"""Rolling exit: the status of every partner against the criteria, the criteria, a 'what if' view that
saves nothing, and exit decisions."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from konbit.core.access import access_for, acting_user, program_view
from konbit.core.forms import rebase_form
from konbit.core.roles import Action
from konbit.core.services import ConflictError

from .. import exit as exit_rules
from .. import selectors, services
from ..forms import ExitCriteriaForm, ExitDecisionForm, WhatIfForm
from ..models import ExitCriteria, Stage

CRITERION_LABELS = {
    exit_rules.ENGAGEMENT: gettext_lazy("Engagement"),
    exit_rules.COINVESTMENT: gettext_lazy("Co-investment"),
    exit_rules.ATTENDANCE: gettext_lazy("Round tables"),
    exit_rules.AAER: gettext_lazy("AAER stage"),
}
STATUS_LABELS = {
    exit_rules.MET: gettext_lazy("met"),
    exit_rules.NEARLY: gettext_lazy("nearly"),
    exit_rules.FAILED: gettext_lazy("not met"),
}
OVERALL_LABELS = {
    exit_rules.QUALIFIES: gettext_lazy("Meets every criterion"),
    exit_rules.NEARLY_QUALIFIES: gettext_lazy("Nearly there"),
    exit_rules.NOT_YET: gettext_lazy("Not yet"),
}


def _rows(evaluation: dict[str, Any], decisions: dict[int, Any] | None = None) -> list[dict[str, Any]]:
    stage_labels = dict(Stage.choices)
    rows = []
    for result in evaluation["results"]:
        cells = []
        for criterion in evaluation["criteria"]:
            r = result.results[criterion]
            value = r.value
            if criterion == exit_rules.AAER:
                shown = str(stage_labels.get(str(value), "—")) if value else "—"
            elif criterion == exit_rules.COINVESTMENT:
                shown = f"{value:.0f} %" if value is not None else "—"
            elif value is None:
                shown = "—"
            else:
                shown = f"{float(value):.0f}"
            cells.append(
                {
                    "status": r.status,
                    "label": STATUS_LABELS[r.status],
                    "value": shown,
                    "header": CRITERION_LABELS[criterion],  # names the cell when a phone stacks the row
                }
            )
        rows.append(
            {
                "result": result,
                "overall_label": OVERALL_LABELS[result.overall],
                "cells": cells,
                "decision": (decisions or {}).get(result.organization_id),
            }
        )
    return rows


def _headers(evaluation: dict[str, Any]) -> list[dict[str, Any]]:
    t: exit_rules.Thresholds = evaluation["thresholds"]
    stage = dict(Stage.choices).get(t.aaer_min_stage, t.aaer_min_stage)
    rule = {
        exit_rules.ENGAGEMENT: _("≥ %(x)s for %(n)s months")
        % {"x": t.engagement_min, "n": t.engagement_months},
        exit_rules.COINVESTMENT: _("≥ %(y)s %% of the ledger") % {"y": t.coinvestment_min},
        exit_rules.ATTENDANCE: _("≥ %(k)s of the last %(m)s") % {"k": t.attendance_min, "m": t.attendance_of},
        exit_rules.AAER: _("at least %(stage)s") % {"stage": stage},
    }
    return [{"label": CRITERION_LABELS[c], "rule": rule[c]} for c in evaluation["criteria"]]


def _overall_filter(request: HttpRequest, rows: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    show = request.GET.get("show", "")
    if show in OVERALL_LABELS:
        rows = [r for r in rows if r["result"].overall == show]
    return show, rows


@require_GET
@program_view(Action.CHANGE_VIEW)
def exit_status(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    evaluation = selectors.exit_evaluation(access=access)
    show, rows = _overall_filter(request, _rows(evaluation, selectors.latest_exit_decisions(access=access)))
    return render(
        request,
        "results/exit_status.html",
        {
            "evaluation": evaluation,
            "rows": rows,
            "headers": _headers(evaluation),
            "show": show,
            "overall_labels": OVERALL_LABELS,
            "criteria_saved": selectors.exit_criteria(access=access) is not None,
            "section": "exit",
        },
    )


@require_GET
@program_view(Action.CHANGE_VIEW)
def exit_what_if(request: HttpRequest, program: str) -> HttpResponse:
    """Try other thresholds: who would qualify. A GET form; nothing is written."""
    access = access_for(request)
    saved = selectors.thresholds_of(selectors.exit_criteria(access=access))
    initial = dataclasses.asdict(saved)
    form = WhatIfForm(request.GET if "margin" in request.GET else None, initial=initial)
    thresholds = saved
    if form.is_bound and form.is_valid():
        thresholds = exit_rules.Thresholds(**form.cleaned_data)
    current = selectors.exit_evaluation(access=access)
    trial = selectors.exit_evaluation(access=access, thresholds=thresholds)
    before = {r.organization_id: r.overall for r in current["results"]}
    rows = _rows(trial)
    for row in rows:
        was = before.get(row["result"].organization_id)
        row["changed"] = was is not None and was != row["result"].overall
        row["was_label"] = OVERALL_LABELS.get(was or "", "")
    show, rows = _overall_filter(request, rows)
    return render(
        request,
        "results/exit_what_if.html",
        {
            "form": form,
            "evaluation": trial,
            "current_summary": current["summary"],
            "rows": rows,
            "headers": _headers(trial),
            "overall_labels": OVERALL_LABELS,
            "changed_count": sum(1 for r in rows if r["changed"]),
            "show": show,
            "section": "exit",
        },
    )


@program_view(Action.EXIT_CRITERIA)
def exit_criteria_edit(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    instance = selectors.exit_criteria(access=access) or ExitCriteria(program=access.program)
    form = ExitCriteriaForm(request.POST or None, instance=instance)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.exit_criteria_save(
                access=access,
                by=acting_user(request),
                data=form.changed_data_dict(),
                expected_version=form.cleaned_data.get("version"),
            )
        except ConflictError as exc:
            conflict = exc.current
            form = rebase_form(ExitCriteriaForm, request.POST, exc.current)
        else:
            messages.success(request, _("Exit criteria saved."))
            return redirect("exit_status", program=access.program.slug)
    return render(
        request, "results/exit_criteria_form.html", {"form": form, "conflict": conflict, "section": "exit"}
    )


@program_view(Action.EXIT_DECIDE)
def exit_decide(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    """Record an exit decision about one partner (pk: the partner organisation)."""
    access = access_for(request)
    organization = selectors.partner_get(access=access, pk=pk)
    form = ExitDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.exit_decision_record(
                access=access, organization=organization, by=acting_user(request), data=form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Decision recorded for %(name)s.") % {"name": organization.name})
            return redirect("exit_decide", program=access.program.slug, pk=organization.pk)
    evaluation = selectors.exit_evaluation(access=access)
    mine = [r for r in _rows(evaluation) if r["result"].organization_id == organization.pk]
    headers = _headers(evaluation)
    return render(
        request,
        "results/exit_decide.html",
        {
            "organization": organization,
            "form": form,
            "row": mine[0] if mine else None,
            "pairs": list(zip(headers, mine[0]["cells"], strict=True)) if mine else [],
            "decisions": selectors.exit_decisions(access=access, organization=organization),
            "section": "exit",
        },
    )


@require_POST
@program_view(Action.EXIT_DECIDE)
def exit_decision_delete(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    decision = selectors.exit_decision_get(access=access, pk=pk)
    services.exit_decision_delete(decision=decision, by=acting_user(request))
    messages.success(request, _("Decision moved to the trash."))
    return redirect("exit_decide", program=access.program.slug, pk=decision.organization_id)
