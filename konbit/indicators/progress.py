"""Progress to target: plain data in, plain data out (no ORM), so every rule is testable by hand.

The rules, in the words a MEL officer would use:

Period totals
    Each period (identified by its end date) has a total. A measurement without a category *is* the
    total. When a period has no total but has category values, the total is derived from ONE
    dimension: the first dimension (in the indicator's order) with values in that period, whose
    categories are added up. Categories of different dimensions are never added together — sex and
    region each split the same people, so adding both would count everyone twice. A derived total is
    marked `derived` so pages can say so.

Achieved value (at the end of a period)
    * Cumulative targets, aggregation "sum" (the readings are what is *new* each period, e.g. farmers
      reached this quarter): achieved = baseline + the sum of the period totals up to that period.
      Targets are levels on the same scale as the baseline (with a baseline of 0 — the usual case for
      counts — achieved is simply the running sum).
    * Cumulative targets, aggregation "latest" (the readings are a *level*, e.g. average yield, share
      of agro-dealers stocking certified seed): achieved = the latest period total up to that period.
    * Incremental targets (each target is for its own period only): achieved = that period's total,
      whatever the aggregation.

Progress %
    progress = (achieved − baseline) / (target − baseline) × 100, with a missing baseline taken as 0.
    The same formula serves "lower is better" indicators (target below baseline: both differences are
    negative). It is undefined (None) when the target equals the baseline. It may exceed 100 or be
    negative (moving the wrong way): pages show it as it is.
    The target compared with: cumulative — the first target (not milestone) due at or after the
    evaluated period, else the last one; incremental — the target of the evaluated period itself.

Status (on track / at risk / off track)
    Compared with what was *expected* by the evaluated period, not with the final target: cumulative —
    the plan line through (baseline date, baseline) and every target and milestone, straight between
    them (by days), flat after the last one; without a baseline date the line starts from the
    baseline (or 0) on the first day of the earliest target's period, when that is known; incremental
    — the target (or milestone) of that period.
    ratio = (achieved − baseline) / (expected − baseline): ≥ 0.9 on track, ≥ 0.7 at risk, else off
    track. When expected equals the baseline, reaching it (or better) is on track. No measurement: no
    data; nothing to compare with: no target.

Disaggregation
    Each category is evaluated like the total with its own readings, a baseline of 0 (baselines are
    recorded for totals only) and its own targets, if any. Its share is its achieved value over the
    total's achieved value (for "sum" indicators the baseline is left out of both).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

ON_TRACK_RATIO = 0.9
AT_RISK_RATIO = 0.7

ON_TRACK, AT_RISK, OFF_TRACK, NO_TARGET, NO_DATA = "on_track", "at_risk", "off_track", "no_target", "no_data"


@dataclass(frozen=True)
class Spec:
    baseline: float | None = None
    baseline_date: datetime.date | None = None
    direction: str = "higher"  # "higher" or "lower"
    target_mode: str = "cumulative"  # or "incremental"
    aggregation: str = "sum"  # or "latest"


@dataclass(frozen=True)
class Reading:
    period_end: datetime.date
    value: float
    category: int | None = None  # None: the total
    dimension: int | None = None  # the category's dimension
    label: str = ""


@dataclass(frozen=True)
class Goal:
    period_end: datetime.date
    value: float
    milestone: bool = False
    category: int | None = None
    label: str = ""
    start: datetime.date | None = None  # the first day of the target's period, if known


@dataclass(frozen=True)
class Point:
    """One period on the chart and in the table."""

    period_end: datetime.date
    label: str
    value: float | None  # the period total (measured or derived)
    derived: bool
    achieved: float | None  # achieved by the end of this period
    target: float | None
    milestone: float | None
    progress: float | None


@dataclass(frozen=True)
class CategoryProgress:
    category: int
    achieved: float | None
    target: float | None
    progress: float | None
    share: float | None  # percent of the total's achieved value


@dataclass(frozen=True)
class Progress:
    period_end: datetime.date | None  # the evaluated period (latest measured)
    period_label: str
    achieved: float | None
    target: float | None
    target_label: str
    expected: float | None
    progress: float | None
    status: str
    points: list[Point]
    categories: dict[int, CategoryProgress] = field(default_factory=dict)


def percent(achieved: float | None, baseline: float | None, target: float | None) -> float | None:
    """(achieved − baseline) / (target − baseline) × 100; None when undefined."""
    if achieved is None or target is None:
        return None
    base = baseline or 0.0
    if target == base:
        return None
    return (achieved - base) / (target - base) * 100


def period_totals(
    readings: Iterable[Reading], dimension_order: Sequence[int] = ()
) -> dict[datetime.date, tuple[float, bool]]:
    """Each period's total and whether it was derived from categories (see the module's rules)."""
    explicit: dict[datetime.date, float] = {}
    by_dimension: dict[datetime.date, dict[int, float]] = {}
    for r in readings:
        if r.category is None:
            explicit[r.period_end] = r.value
        else:
            dims = by_dimension.setdefault(r.period_end, {})
            key = r.dimension if r.dimension is not None else -1
            dims[key] = dims.get(key, 0.0) + r.value
    totals: dict[datetime.date, tuple[float, bool]] = {d: (v, False) for d, v in explicit.items()}
    for period, dims in by_dimension.items():
        if period in totals:
            continue
        order = [d for d in dimension_order if d in dims] + sorted(
            d for d in dims if d not in dimension_order
        )
        totals[period] = (dims[order[0]], True)
    return dict(sorted(totals.items()))


def achieved_series(spec: Spec, totals: dict[datetime.date, float]) -> dict[datetime.date, float]:
    """The achieved value at the end of each measured period (see the module's rules)."""
    series: dict[datetime.date, float] = {}
    running = spec.baseline or 0.0
    for period in sorted(totals):
        value = totals[period]
        if spec.target_mode == "cumulative" and spec.aggregation == "sum":
            running += value
            series[period] = running
        else:
            series[period] = value
    return series


def _plan_points(spec: Spec, goals: Sequence[Goal]) -> list[tuple[datetime.date, float]]:
    points: dict[datetime.date, float] = {}
    for g in sorted(goals, key=lambda g: (g.period_end, not g.milestone)):
        points[g.period_end] = g.value  # a target wins over a milestone of the same period
    if spec.baseline is not None and spec.baseline_date is not None:
        points.setdefault(spec.baseline_date, spec.baseline)
    elif points:
        first = min(goals, key=lambda g: g.period_end)
        if first.start is not None and first.start < first.period_end:
            points.setdefault(first.start, spec.baseline or 0.0)
    return sorted(points.items())


def expected_at(spec: Spec, goals: Sequence[Goal], when: datetime.date) -> float | None:
    """What the plan expects by `when` (totals only; see the module's rules)."""
    goals = [g for g in goals if g.category is None]
    if spec.target_mode == "incremental":
        same = [g for g in goals if g.period_end == when]
        same.sort(key=lambda g: g.milestone)  # the target first
        return same[0].value if same else None
    plan = _plan_points(spec, goals)
    if not plan:
        return None
    if when >= plan[-1][0]:
        return plan[-1][1]
    if when < plan[0][0]:
        return None  # before the plan starts (no baseline date): nothing to compare with
    for (d0, v0), (d1, v1) in zip(plan, plan[1:], strict=False):
        if d0 <= when <= d1:
            span = (d1 - d0).days
            return v1 if span == 0 else v0 + (v1 - v0) * (when - d0).days / span
    return None  # unreachable: the plan covers `when`


def status_of(spec: Spec, achieved: float | None, expected: float | None) -> str:
    if achieved is None:
        return NO_DATA
    if expected is None:
        return NO_TARGET
    base = spec.baseline or 0.0
    if expected == base:
        better = achieved >= base if spec.direction == "higher" else achieved <= base
        return ON_TRACK if better else OFF_TRACK
    ratio = (achieved - base) / (expected - base)
    if ratio >= ON_TRACK_RATIO:
        return ON_TRACK
    if ratio >= AT_RISK_RATIO:
        return AT_RISK
    return OFF_TRACK


def _target_for(spec: Spec, goals: Sequence[Goal], when: datetime.date) -> Goal | None:
    targets = sorted((g for g in goals if not g.milestone), key=lambda g: g.period_end)
    if spec.target_mode == "incremental":
        return next((g for g in targets if g.period_end == when), None)
    return next((g for g in targets if g.period_end >= when), targets[-1] if targets else None)


def evaluate(
    spec: Spec,
    readings: Sequence[Reading],
    goals: Sequence[Goal],
    *,
    dimension_order: Sequence[int] = (),
    as_of: datetime.date | None = None,
) -> Progress:
    """Progress of one indicator at its latest measured period (up to `as_of` when given)."""
    if as_of is not None:
        readings = [r for r in readings if r.period_end <= as_of]
    labels = {r.period_end: r.label for r in readings if r.label}
    labels.update({g.period_end: g.label for g in goals if g.label and g.period_end not in labels})
    totals = period_totals(readings, dimension_order)
    achieved = achieved_series(spec, {d: v for d, (v, _derived) in totals.items()})
    total_goals = [g for g in goals if g.category is None]

    points = []
    periods = sorted(
        set(totals) | {g.period_end for g in total_goals if as_of is None or g.period_end <= as_of}
    )
    for period in periods:
        target = next((g.value for g in total_goals if g.period_end == period and not g.milestone), None)
        milestone = next((g.value for g in total_goals if g.period_end == period and g.milestone), None)
        value, derived = totals.get(period, (None, False))
        got = achieved.get(period)
        compare = target if target is not None else milestone
        points.append(
            Point(
                period_end=period,
                label=labels.get(period, period.isoformat()),
                value=value,
                derived=derived,
                achieved=got,
                target=target,
                milestone=milestone,
                progress=percent(got, spec.baseline, compare),
            )
        )

    if not achieved:
        # Nothing measured yet: the target being worked towards (the first one, without `as_of`).
        target_goal = _target_for(spec, total_goals, as_of or datetime.date.min)
        return Progress(
            period_end=None,
            period_label="",
            achieved=None,
            target=target_goal.value if target_goal else None,
            target_label=target_goal.label if target_goal else "",
            expected=None,
            progress=None,
            status=NO_DATA,
            points=points,
        )
    last = max(achieved)
    current = achieved[last]
    target_goal = _target_for(spec, total_goals, last)
    expected = expected_at(spec, total_goals, last)

    categories: dict[int, CategoryProgress] = {}
    category_ids = sorted({r.category for r in readings if r.category is not None})
    cat_spec = Spec(direction=spec.direction, target_mode=spec.target_mode, aggregation=spec.aggregation)
    total_gain = current - (spec.baseline or 0.0) if spec.aggregation == "sum" else current
    for cat in category_ids:
        cat_totals = {r.period_end: r.value for r in readings if r.category == cat}
        cat_series = achieved_series(cat_spec, cat_totals)
        cat_goals = [g for g in goals if g.category == cat]
        # The category's value at the evaluated period: its own latest reading up to then.
        cat_last = max((d for d in cat_series if d <= last), default=None)
        cat_achieved = cat_series[cat_last] if cat_last is not None else None
        if spec.target_mode == "incremental" and cat_last != last:
            cat_achieved = None
        cat_target = _target_for(cat_spec, cat_goals, last)
        share = None
        if cat_achieved is not None and total_gain:
            share = cat_achieved / total_gain * 100
        categories[cat] = CategoryProgress(
            category=cat,
            achieved=cat_achieved,
            target=cat_target.value if cat_target else None,
            progress=percent(cat_achieved, None, cat_target.value if cat_target else None),
            share=share,
        )

    return Progress(
        period_end=last,
        period_label=labels.get(last, last.isoformat()),
        achieved=current,
        target=target_goal.value if target_goal else None,
        target_label=(target_goal.label or target_goal.period_end.isoformat()) if target_goal else "",
        expected=expected,
        progress=percent(current, spec.baseline, target_goal.value if target_goal else None),
        status=status_of(spec, current, expected),
        points=points,
        categories=categories,
    )
