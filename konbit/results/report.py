"""The steering pillar's section of the funder report (see the report contract in docs/architecture.md):
interventions, the adopt–adapt–expand–respond summary and the rolling-exit status, as plain data."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext as _

from konbit.core.access import Access

from . import charts, selectors
from . import exit as exit_rules
from .models import FacilitatorRoleKind


def report_section(*, access: Access, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    interventions = list(
        selectors.intervention_list(access=access, sort="title").prefetch_related("organizations")
    )
    actual = selectors.actual_support(access=access, interventions=interventions)
    roles = dict(FacilitatorRoleKind.choices)
    aaer = selectors.aaer_summary(access=access, start=start, end=end)
    evaluation = selectors.exit_evaluation(access=access, as_of=end)
    currency = access.program.currency
    intervention_rows = [
        [
            iv.title,
            str(iv.get_function_display()),
            str(iv.get_lever_display()),
            str(iv.get_status_display()),
            str(roles.get(iv.current_role, "")) if iv.current_role else None,  # type: ignore[attr-defined]
            len(iv.organizations.all()),
            float(iv.planned_amount) if iv.planned_amount is not None else None,
            float(actual.get(iv.pk, 0)),
        ]
        for iv in interventions
    ]
    stage_rows: list[list[str | int | float | None]] = [
        [str(s["label"]), s["partners"], s["others"], s["all"]] for s in aaer["stages"]
    ]
    overall = {
        exit_rules.QUALIFIES: _("Meets every criterion"),
        exit_rules.NEARLY_QUALIFIES: _("Nearly there"),
        exit_rules.NOT_YET: _("Not yet"),
    }
    status = {exit_rules.MET: _("met"), exit_rules.NEARLY: _("nearly"), exit_rules.FAILED: _("not met")}
    exit_rows: list[list[str | int | float | None]] = [
        [r.name, str(overall[r.overall]), *[str(status[r.results[c].status]) for c in evaluation["criteria"]]]
        for r in evaluation["results"]
    ]
    chart = charts.bar_chart(
        title=_("Actors per stage of change (latest stage)"),
        labels=[str(s["label"]) for s in aaer["stages"]],
        series=[
            charts.Series(str(_("Partners")), charts.BLUE),
            charts.Series(str(_("Other actors")), charts.TEAL),
        ],
        values=[[float(s["partners"]), float(s["others"])] for s in aaer["stages"]],
    )
    criterion_names = {
        exit_rules.ENGAGEMENT: _("Engagement"),
        exit_rules.COINVESTMENT: _("Co-investment"),
        exit_rules.ATTENDANCE: _("Round tables"),
        exit_rules.AAER: _("AAER stage"),
    }
    return {
        "key": "results",
        "title": str(_("Steer and measure change")),
        "intro": str(
            _(
                "The interventions, the change actors show (adopt, adapt, expand, respond; entries observed "
                "in the period) and which partners meet the rolling-exit criteria at the end of the period."
            )
        ),
        "figures": [
            [str(_("Interventions")), len(interventions)],
            [str(_("Active interventions")), sum(1 for iv in interventions if iv.status == "active")],
            [str(_("Actors showing change")), aaer["actors"]],
            [str(_("of them not partners")), aaer["non_partner_actors"]],
            [str(_("Partners meeting every exit criterion")), evaluation["summary"][exit_rules.QUALIFIES]],
        ],
        "tables": [
            {
                "title": str(_("Interventions")),
                "headers": [
                    str(_("Title")),
                    str(_("Function")),
                    str(_("Lever")),
                    str(_("Status")),
                    str(_("Our role now")),
                    str(_("Partners")),
                    str(_("Planned (%(currency)s)") % {"currency": currency}),
                    str(_("Given so far (%(currency)s)") % {"currency": currency}),
                ],
                "rows": intervention_rows,
            },
            {
                "title": str(_("Adopt, adapt, expand, respond")),
                "headers": [str(_("Stage")), str(_("Partners")), str(_("Other actors")), str(_("All"))],
                "rows": stage_rows,
            },
            {
                "title": str(_("Rolling exit")),
                "headers": [
                    str(_("Partner")),
                    str(_("Status")),
                    *[str(criterion_names[c]) for c in evaluation["criteria"]],
                ],
                "rows": exit_rows,
            },
        ],
        "charts": [{"title": str(_("Actors per stage of change")), "svg": str(chart)}],
    }
