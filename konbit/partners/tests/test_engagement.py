"""The engagement score and warnings, checked against hand computations on small cases."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from konbit.partners import engagement as e

D = datetime.date
TODAY = D(2026, 6, 30)
PARAMS = e.Params(
    weights={e.RECENCY: 30, e.ATTENDANCE: 20, e.FOLLOWUPS: 20, e.SENTIMENT: 15, e.COINVESTMENT: 15},
    no_contact_days=60,
    score_drop_points=15,
    programme_share_warning=70,
)


def test_recency_falls_linearly_to_zero_at_twice_the_threshold() -> None:
    activity = e.Activity(contacts=[(D(2026, 5, 31), True)])  # 30 days before TODAY
    assert e.recency(activity, TODAY, 60) == pytest.approx(100 * (1 - 30 / 120))  # 75
    assert e.recency(e.Activity(contacts=[(D(2026, 1, 1), True)]), TODAY, 60) == 0.0  # 180 days: floored
    assert e.recency(e.Activity(), TODAY, 60) == 0.0  # never in touch
    # A contact after the date being scored does not count.
    assert e.recency(e.Activity(contacts=[(D(2026, 7, 5), True)]), TODAY, 60) == 0.0


def test_attendance_counts_excused_as_half_and_ignores_old_events() -> None:
    activity = e.Activity(
        invitations=[
            (D(2026, 6, 1), "attended"),
            (D(2026, 5, 1), "excused"),
            (D(2026, 4, 1), "no_show"),
            (D(2026, 3, 1), "attended"),
            (D(2025, 6, 1), "no_show"),  # more than 180 days before: ignored
        ]
    )
    assert e.attendance(activity, TODAY) == pytest.approx((1 + 0.5 + 0 + 1) / 4 * 100)  # 62.5
    assert e.attendance(e.Activity(), TODAY) is None


def test_followups_on_time_late_and_missed() -> None:
    activity = e.Activity(
        followups=[
            (D(2026, 6, 10), D(2026, 6, 9)),  # on time: 1
            (D(2026, 5, 10), D(2026, 5, 20)),  # late: ½
            (D(2026, 4, 10), None),  # missed: 0
            (D(2026, 7, 10), None),  # not yet due: ignored
        ]
    )
    assert e.followups(activity, TODAY) == pytest.approx(1.5 / 3 * 100)  # 50


def test_sentiment_maps_minus_two_to_zero_and_plus_two_to_hundred() -> None:
    activity = e.Activity(sentiments=[(D(2026, 6, 1), 2), (D(2026, 5, 1), 1), (D(2026, 4, 1), 0)])
    assert e.sentiment(activity, TODAY) == pytest.approx((1 + 2) / 4 * 100)  # mean 1 → 75
    assert e.sentiment(e.Activity(sentiments=[(D(2026, 6, 1), -2)]), TODAY) == 0.0


def test_coinvestment_share_scaled_and_capped() -> None:
    thirty = e.Activity(
        ledger=[(D(2026, 3, 1), "given", Decimal(700)), (D(2026, 4, 1), "contributed", Decimal(300))]
    )
    assert e.coinvestment(thirty, TODAY) == pytest.approx(60.0)  # 30 % × 200
    sixty = e.Activity(
        ledger=[(D(2026, 3, 1), "given", Decimal(40)), (D(2026, 4, 1), "contributed", Decimal(60))]
    )
    assert e.coinvestment(sixty, TODAY) == 100.0
    assert e.coinvestment(e.Activity(), TODAY) is None


def test_total_is_the_weighted_mean_of_present_components() -> None:
    activity = e.Activity(
        contacts=[(D(2026, 5, 31), True)],  # recency 75
        invitations=[(D(2026, 6, 1), "attended"), (D(2026, 5, 1), "no_show")],  # attendance 50
        sentiments=[(D(2026, 5, 31), 1)],  # sentiment 75
        # no follow-ups, no ledger: left out
    )
    score = e.score_at(activity, TODAY, PARAMS)
    assert score.components == {
        e.RECENCY: 75.0,
        e.ATTENDANCE: 50.0,
        e.FOLLOWUPS: None,
        e.SENTIMENT: 75.0,
        e.COINVESTMENT: None,
    }
    expected = (30 * 75 + 20 * 50 + 15 * 75) / (30 + 20 + 15)  # 67.307…
    assert score.total == round(expected, 1) == 67.3


def test_all_five_components() -> None:
    activity = e.Activity(
        contacts=[(D(2026, 6, 30), True)],  # 100
        invitations=[(D(2026, 6, 1), "excused")],  # 50
        followups=[(D(2026, 6, 1), D(2026, 6, 1))],  # 100
        sentiments=[(D(2026, 6, 30), 0)],  # 50
        ledger=[(D(2026, 6, 1), "given", Decimal(75)), (D(2026, 6, 1), "contributed", Decimal(25))],  # 50
    )
    score = e.score_at(activity, TODAY, PARAMS)
    assert score.total == round((30 * 100 + 20 * 50 + 20 * 100 + 15 * 50 + 15 * 50) / 100, 1) == 75.0


def test_no_component_means_no_score_rather_than_zero() -> None:
    only_weights_on_absent = e.Params(weights={e.ATTENDANCE: 1})
    assert e.score_at(e.Activity(), TODAY, only_weights_on_absent).total is None


def test_month_ends_stop_today() -> None:
    assert e.month_ends(D(2026, 1, 15), D(2026, 3, 10)) == [D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 10)]


def test_warnings_for_silence_overdue_work_and_a_programme_paying_everything() -> None:
    activity = e.Activity(
        contacts=[(D(2026, 3, 1), True), (D(2026, 6, 20), False)],  # last one-to-one 121 days ago
        followups=[(D(2026, 6, 1), None)],
        ledger=[(D(2026, 5, 1), "given", Decimal(900)), (D(2026, 5, 1), "contributed", Decimal(100))],
    )
    codes = [w.code for w in e.warnings_at(activity, TODAY, PARAMS, score_3_months_ago=None, score_now=None)]
    assert codes == [e.NO_CONTACT, e.OVERDUE, e.SHARE_HIGH]


def test_warnings_for_falling_attendance_sentiment_and_score() -> None:
    activity = e.Activity(
        contacts=[(D(2026, 6, 25), True)],
        invitations=[
            (D(2026, 2, 1), "attended"),
            (D(2026, 3, 1), "attended"),
            (D(2026, 5, 1), "no_show"),
            (D(2026, 6, 1), "excused"),
        ],
        sentiments=[(D(2026, 2, 10), 2), (D(2026, 3, 10), 1), (D(2026, 6, 25), -1)],
    )
    warnings = e.warnings_at(activity, TODAY, PARAMS, score_3_months_ago=80.0, score_now=60.0)
    assert [w.code for w in warnings] == [e.ATTENDANCE_FALLING, e.SENTIMENT_FALLING, e.SCORE_DROP]
    assert warnings[0].detail == {"before": 100, "recent": 25}
    assert warnings[2].detail == {"points": 20.0}


def test_expectations_the_programme_cannot_meet() -> None:
    offers = ["technical_assistance", "training", "brokering"]
    assert e.expectation_unmet("financial_support", offers) is True
    assert e.expectation_unmet("technical_support", offers) is False
    assert e.expectation_unmet("market_access", offers) is False


def test_score_series_equals_score_at_month_by_month() -> None:
    """The fast series (sorted dates, prefix sums) gives exactly the definition's numbers."""
    import random

    from konbit.partners.engagement import Activity, month_ends, score_at, score_series

    rng = random.Random(11)
    start = datetime.date(2024, 1, 10)
    days = [start + datetime.timedelta(days=rng.randrange(0, 1000)) for _ in range(400)]
    activity = Activity(
        contacts=[(d, rng.random() < 0.6) for d in days[:150]],
        invitations=[(d, rng.choice(["attended", "excused", "no_show", "invited"])) for d in days[150:260]],
        followups=[
            (d, None if rng.random() < 0.3 else d + datetime.timedelta(days=rng.randrange(-5, 40)))
            for d in days[260:300]
        ],
        sentiments=[(d, rng.randrange(-2, 3)) for d in days[300:360]],
        ledger=[
            (d, rng.choice(["given", "contributed"]), Decimal(rng.randrange(1, 900))) for d in days[360:400]
        ],
    )
    ends = month_ends(start, datetime.date(2026, 11, 22))
    params = e.Params(
        weights={"recency": 3, "attendance": 2, "followups": 1, "sentiment": 1, "coinvestment": 2}
    )
    assert score_series(activity, ends, params) == [score_at(activity, end, params) for end in ends]
    assert score_series(Activity(), ends, params) == [score_at(Activity(), end, params) for end in ends]
