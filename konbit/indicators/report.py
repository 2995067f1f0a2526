"""The indicators section of the funder report (the report contract is in docs/architecture.md):
plain data only — a table "Indicators against targets" and one progress chart per indicator.

Each indicator is evaluated as of the report's end date: the achieved value is the one of the latest
period measured up to `end` (for cumulative targets it counts everything since the baseline, as the
progress rules in progress.py say); `start` decides which partner benchmarks fell due in the period.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.utils.translation import gettext as _

from konbit.core import l10n
from konbit.core.access import Access

from . import charts, progress, selectors, services
from .models import BenchmarkStatus, Indicator, Measurement, Status, Target

MAX_CHARTS = 12


def _evaluate_all(indicators: list[Indicator], end: datetime.date) -> dict[int, progress.Progress]:
    """Every indicator's progress from three queries, whatever their number."""
    ids = [i.pk for i in indicators]
    measurements: dict[int, list[Measurement]] = defaultdict(list)
    for m in (
        Measurement.objects.filter(indicator_id__in=ids).select_related("category").order_by("period_end")
    ):
        measurements[m.indicator_id].append(m)
    targets: dict[int, list[Target]] = defaultdict(list)
    for t in Target.objects.filter(indicator_id__in=ids).order_by("period_end"):
        targets[t.indicator_id].append(t)
    orders: dict[int, list[int]] = defaultdict(list)
    for indicator_id, dimension_id in (
        Indicator.dimensions.through.objects.filter(indicator_id__in=ids, dimension__deleted_at__isnull=True)
        .order_by("dimension__name", "dimension_id")
        .values_list("indicator_id", "dimension_id")
    ):
        orders[indicator_id].append(dimension_id)
    results = {}
    for indicator in indicators:
        spec, readings, goals, order = services.indicator_inputs(
            indicator, measurements[indicator.pk], targets[indicator.pk], orders[indicator.pk]
        )
        results[indicator.pk] = progress.evaluate(spec, readings, goals, dimension_order=order, as_of=end)
    return results


def report_section(*, access: Access, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    indicators = list(selectors.indicator_list(access=access, sort="code"))
    results = _evaluate_all(indicators, end)
    rows: list[list[str | int | float | None]] = []
    statuses: dict[str, int] = defaultdict(int)
    for indicator in indicators:
        result = results[indicator.pk]
        statuses[result.status] += 1
        rows.append(
            [
                str(indicator),
                indicator.unit,
                float(indicator.baseline_value) if indicator.baseline_value is not None else None,
                result.target,
                result.achieved,
                round(result.progress, 1) if result.progress is not None else None,
                str(Status(result.status).label),
            ]
        )
    due = selectors.benchmark_list(access=access).filter(due_on__gte=start, due_on__lte=end)
    met = due.filter(status=BenchmarkStatus.MET).count()
    charts_out = [
        {
            "title": str(indicator),
            "svg": charts.indicator_chart(
                indicator, results[indicator.pk], f"report-indicator-{indicator.pk}"
            ),
        }
        for indicator in indicators[:MAX_CHARTS]
    ]
    return {
        "key": "indicators",
        "title": _("Indicators"),
        "intro": _(
            "Each indicator as of %(end)s: the value achieved by the latest period measured, against its "
            "baseline and the target being worked towards. Progress = (achieved − baseline) / "
            "(target − baseline); the status compares the achieved value with what the plan expected by then."
        )
        % {"end": l10n.day(end)},
        "figures": [
            [_("Indicators"), len(indicators)],
            [_("On track"), statuses[Status.ON_TRACK]],
            [_("At risk"), statuses[Status.AT_RISK]],
            [_("Off track"), statuses[Status.OFF_TRACK]],
            [_("Partner benchmarks due in the period"), due.count()],
            [_("Partner benchmarks met"), met],
        ],
        "tables": [
            {
                "title": "Indicators against targets",
                "headers": [
                    _("Indicator"),
                    _("Unit"),
                    _("Baseline"),
                    _("Target"),
                    _("Achieved"),
                    _("Progress %"),
                    _("Status"),
                ],
                "rows": rows,
            }
        ],
        "charts": charts_out,
    }
