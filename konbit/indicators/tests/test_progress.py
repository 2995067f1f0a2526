"""The progress rules of konbit/indicators/progress.py, on cases worked out by hand in the comments."""

from __future__ import annotations

import datetime

import pytest

from konbit.indicators import progress
from konbit.indicators.periods import parse_period, quarter_label
from konbit.indicators.progress import Goal, Reading, Spec

D = datetime.date
Q1, Q2, Q3 = D(2025, 3, 31), D(2025, 6, 30), D(2025, 9, 30)
YEAR_END = D(2025, 12, 31)


def test_cumulative_sum_adds_the_periods_to_the_baseline_and_compares_with_the_plan_line() -> None:
    spec = Spec(baseline=100, baseline_date=D(2024, 12, 31), target_mode="cumulative", aggregation="sum")
    readings = [
        Reading(Q1, 50, label="2025-Q1"),
        Reading(Q2, 70, label="2025-Q2"),
        Reading(Q3, 30, label="2025-Q3"),
    ]
    goals = [Goal(YEAR_END, 400, label="2025"), Goal(Q2, 200, milestone=True, label="2025-H1")]
    result = progress.evaluate(spec, readings, goals)

    # Achieved: 100 + 50 = 150, + 70 = 220, + 30 = 250.
    assert [p.achieved for p in result.points if p.value is not None] == [150, 220, 250]
    assert result.achieved == 250 and result.period_label == "2025-Q3"
    # Target: the first target due at or after 2025-Q3 is the 2025 one (400).
    # Progress = (250 − 100) / (400 − 100) = 150 / 300 = 50 %.
    assert result.target == 400 and result.target_label == "2025"
    assert result.progress == pytest.approx(50.0)
    # Expected on 30 Sep: between the milestone (30 Jun, 200) and the target (31 Dec, 400):
    # 92 of 184 days → 200 + 200 × 92 / 184 = 300. Ratio = (250 − 100) / (300 − 100) = 0.75 → at risk.
    assert result.expected == pytest.approx(300.0)
    assert result.status == progress.AT_RISK
    # The 2025-Q2 point against its milestone: (220 − 100) / (200 − 100) = 120 %.
    q2 = next(p for p in result.points if p.period_end == Q2)
    assert q2.milestone == 200 and q2.progress == pytest.approx(120.0)


def test_as_of_evaluates_an_earlier_period() -> None:
    spec = Spec(baseline=100, baseline_date=D(2024, 12, 31))
    readings = [Reading(Q1, 50), Reading(Q2, 70), Reading(Q3, 30)]
    goals = [Goal(YEAR_END, 400), Goal(Q2, 200, milestone=True)]
    result = progress.evaluate(spec, readings, goals, as_of=Q2)
    # Up to 30 Jun: achieved 220; expected = the milestone 200; ratio (220 − 100) / (200 − 100) = 1.2.
    # Progress against the 2025 target: (220 − 100) / 300 = 40 %.
    assert result.achieved == 220
    assert result.status == progress.ON_TRACK
    assert result.progress == pytest.approx(40.0)


def test_cumulative_latest_takes_the_last_reading_and_lower_is_better_works_with_the_same_formula() -> None:
    # Post-harvest loss: baseline 35 % at the end of 2024, target 15 % by the end of 2026.
    spec = Spec(baseline=35, baseline_date=D(2024, 12, 31), direction="lower", aggregation="latest")
    readings = [Reading(D(2025, 6, 30), 31), Reading(YEAR_END, 27)]
    goals = [Goal(D(2026, 12, 31), 15)]
    result = progress.evaluate(spec, readings, goals)
    # Achieved = the latest reading, 27 (not 31 + 27).
    assert result.achieved == 27
    # Progress = (27 − 35) / (15 − 35) = −8 / −20 = 40 %.
    assert result.progress == pytest.approx(40.0)
    # Expected at the end of 2025: 365 of 730 days → 35 − 20 × 0.5 = 25.
    # Ratio = (27 − 35) / (25 − 35) = 0.8 → at risk.
    assert result.expected == pytest.approx(25.0)
    assert result.status == progress.AT_RISK


def test_incremental_targets_compare_each_period_with_its_own_target() -> None:
    spec = Spec(target_mode="incremental", aggregation="sum")
    readings = [Reading(Q1, 90), Reading(Q2, 60)]
    goals = [Goal(Q1, 100), Goal(Q2, 120)]
    result = progress.evaluate(spec, readings, goals)
    # 2025-Q1: 90 of 100 = 90 %. 2025-Q2: 60 of 120 = 50 % (no running sum with incremental targets).
    assert [(p.achieved, p.target, p.progress) for p in result.points] == [(90, 100, 90.0), (60, 120, 50.0)]
    assert result.achieved == 60 and result.target == 120 and result.progress == pytest.approx(50.0)
    # Expected = the period's own target (120): ratio 60 / 120 = 0.5 → off track.
    assert result.status == progress.OFF_TRACK


def test_a_missing_total_comes_from_one_dimension_never_from_two_added_together() -> None:
    sex, region = 1, 2
    women, men, north, south = 11, 12, 21, 22
    spec = Spec(baseline=0, target_mode="cumulative", aggregation="sum")
    readings = [
        # 2025-Q1: no total. Sex: 30 + 20 = 50. Region: 25 + 23 = 48.
        Reading(Q1, 30, category=women, dimension=sex),
        Reading(Q1, 20, category=men, dimension=sex),
        Reading(Q1, 25, category=north, dimension=region),
        Reading(Q1, 23, category=south, dimension=region),
        # 2025-Q2: a total of 80, and the split by sex.
        Reading(Q2, 80),
        Reading(Q2, 50, category=women, dimension=sex),
        Reading(Q2, 30, category=men, dimension=sex),
    ]
    goals = [Goal(YEAR_END, 200), Goal(YEAR_END, 100, category=women)]
    result = progress.evaluate(spec, readings, goals, dimension_order=[sex, region])

    q1, q2 = result.points[0], result.points[1]
    # The first dimension (sex) gives Q1's total: 50, marked derived — not 50 + 48 = 98.
    assert (q1.value, q1.derived) == (50, True)
    assert (q2.value, q2.derived) == (80, False)
    # Achieved = 50 + 80 = 130; progress 130 / 200 = 65 %.
    assert result.achieved == 130 and result.progress == pytest.approx(65.0)
    # Women: 30 + 50 = 80 against their own target 100 → 80 %; share 80 / 130 = 61.5 %.
    assert result.categories[women].achieved == 80
    assert result.categories[women].progress == pytest.approx(80.0)
    assert result.categories[women].share == pytest.approx(61.538, abs=0.01)
    # Men: 20 + 30 = 50, no target of their own; share 50 / 130 = 38.5 %.
    assert result.categories[men].achieved == 50 and result.categories[men].progress is None
    assert result.categories[men].share == pytest.approx(38.462, abs=0.01)
    # With region first, Q1's total is 48: achieved 48 + 80 = 128.
    other = progress.evaluate(spec, readings, goals, dimension_order=[region, sex])
    assert other.achieved == 128


def test_no_measurement_is_no_data_and_a_target_equal_to_the_baseline_has_no_percentage() -> None:
    spec = Spec(baseline=10, baseline_date=D(2024, 12, 31))
    empty = progress.evaluate(spec, [], [Goal(YEAR_END, 40, label="2025")])
    assert empty.status == progress.NO_DATA and empty.achieved is None and empty.target == 40
    assert progress.percent(12, 10, 10) is None
    # Holding a level (target = baseline): at or above it is on track for "higher is better".
    flat = progress.evaluate(spec, [Reading(Q1, 11)], [Goal(YEAR_END, 10)])
    assert flat.status == progress.ON_TRACK
    assert progress.evaluate(Spec(baseline=10), [Reading(Q1, 11)], []).status == progress.NO_TARGET


@pytest.mark.parametrize(
    ("label", "start", "end"),
    [
        ("2025-Q2", D(2025, 4, 1), D(2025, 6, 30)),
        ("Q4 2024", D(2024, 10, 1), D(2024, 12, 31)),
        ("2025", D(2025, 1, 1), D(2025, 12, 31)),
        ("2024-02", D(2024, 2, 1), D(2024, 2, 29)),
        ("2026-H1", D(2026, 1, 1), D(2026, 6, 30)),
    ],
)
def test_period_labels_give_their_dates(label: str, start: datetime.date, end: datetime.date) -> None:
    assert parse_period(label) == (start, end)


def test_unknown_period_labels_are_refused_and_quarters_are_labelled() -> None:
    assert parse_period("rainy season") is None
    assert parse_period("2025-13") is None
    assert quarter_label(D(2025, 8, 15)) == "2025-Q3"


def test_without_a_baseline_date_the_plan_starts_on_the_first_day_of_the_first_targets_period() -> None:
    spec = Spec(baseline=0)
    goals = [Goal(YEAR_END, 400, start=D(2025, 1, 1), label="2025")]
    result = progress.evaluate(spec, [Reading(Q1, 100), Reading(Q2, 140)], goals)
    # Plan: 0 on 1 Jan 2025 → 400 on 31 Dec 2025 (364 days). On 30 Jun (180 days): 400 × 180 / 364 = 197.8.
    # Achieved 240; ratio 240 / 197.8 = 1.21 → on track. Progress 240 / 400 = 60 %.
    assert result.expected == pytest.approx(197.802, abs=0.001)
    assert result.status == progress.ON_TRACK
    assert result.progress == pytest.approx(60.0)
    # Without the period's start there is nothing to draw the line from.
    assert progress.evaluate(spec, [Reading(Q2, 240)], [Goal(YEAR_END, 400)]).status == progress.NO_TARGET
