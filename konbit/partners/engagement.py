"""The engagement score and early warnings: pure functions over plain data (no ORM), so they can be
checked by hand and benchmarked alone. `services.engagement_refresh` feeds them from the database.

Score (0–100) at a date, from five components, each 0–100 or *absent* when there is nothing to judge:

- recency      100 × (1 − days since the last contact / (2 × N)), floored at 0, where N is the
               programme's "days without a one-to-one conversation" threshold; no contact ever → 0.
               Any interaction the partner took part in counts as contact.
- attendance   over the events it was invited to in the last 180 days: attended = 1, excused = ½,
               no-show or no answer = 0; the mean × 100. Absent when it was invited to nothing.
- follow-ups   over follow-ups due in the last 180 days: done by the due date = 1, done late = ½,
               not done = 0; the mean × 100. Absent when none was due.
- sentiment    the mean sentiment (−2…+2) of its interactions in the last 180 days, mapped to 0–100
               ((mean + 2) / 4 × 100). Absent when no sentiment was recorded.
- co-investment the partner's share of the support ledger over the last 365 days: partner / (partner +
               programme). A share of 50 % or more scores 100; below, twice the share × 100. Absent when
               the ledger is empty for that year.

Total = Σ weightᵢ × componentᵢ / Σ weightᵢ over the components that are present (so a partner is not
punished for, say, never having been invited to a round table). No component present → no score.
"""

from __future__ import annotations

import bisect
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

WINDOW_DAYS = 180
LEDGER_DAYS = 365

RECENCY, ATTENDANCE, FOLLOWUPS, SENTIMENT, COINVESTMENT = (
    "recency",
    "attendance",
    "followups",
    "sentiment",
    "coinvestment",
)
COMPONENTS = (RECENCY, ATTENDANCE, FOLLOWUPS, SENTIMENT, COINVESTMENT)


@dataclass(frozen=True)
class Params:
    weights: dict[str, int]
    no_contact_days: int = 60
    score_drop_points: int = 15
    programme_share_warning: int = 70  # percent


@dataclass
class Activity:
    """Everything the score needs about one partnership, as plain values."""

    contacts: list[tuple[datetime.date, bool]] = field(default_factory=list)  # (date, one-to-one?)
    invitations: list[tuple[datetime.date, str]] = field(default_factory=list)  # (event date, status)
    followups: list[tuple[datetime.date, datetime.date | None]] = field(default_factory=list)  # (due, done)
    sentiments: list[tuple[datetime.date, int]] = field(default_factory=list)
    ledger: list[tuple[datetime.date, str, Decimal]] = field(default_factory=list)  # (date, direction, value)


@dataclass(frozen=True)
class Score:
    total: float | None
    components: dict[str, float | None]

    def as_json(self) -> dict[str, float | None]:
        return dict(self.components)


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def recency(activity: Activity, as_of: datetime.date, no_contact_days: int) -> float:
    past = [d for d, _one in activity.contacts if d <= as_of]
    if not past:
        return 0.0
    days = (as_of - max(past)).days
    return max(0.0, 100.0 * (1 - days / (2 * no_contact_days)))


ATTENDANCE_VALUE = {"attended": 1.0, "excused": 0.5, "no_show": 0.0, "invited": 0.0}


def attendance(activity: Activity, as_of: datetime.date) -> float | None:
    start = as_of - datetime.timedelta(days=WINDOW_DAYS)
    values = [ATTENDANCE_VALUE[status] for d, status in activity.invitations if start < d <= as_of]
    mean = _mean(values)
    return None if mean is None else 100.0 * mean


def followups(activity: Activity, as_of: datetime.date) -> float | None:
    start = as_of - datetime.timedelta(days=WINDOW_DAYS)
    values = []
    for due, done in activity.followups:
        if not (start < due <= as_of):
            continue
        if done is not None and done <= due:
            values.append(1.0)
        elif done is not None and done <= as_of:
            values.append(0.5)
        else:
            values.append(0.0)
    mean = _mean(values)
    return None if mean is None else 100.0 * mean


def sentiment(activity: Activity, as_of: datetime.date, days: int = WINDOW_DAYS) -> float | None:
    start = as_of - datetime.timedelta(days=days)
    mean = _mean([float(v) for d, v in activity.sentiments if start < d <= as_of])
    return None if mean is None else (mean + 2) / 4 * 100.0


def ledger_totals(activity: Activity, start: datetime.date, end: datetime.date) -> tuple[Decimal, Decimal]:
    """(given by the programme, put in by the partner) for start < date ≤ end."""
    given = sum(
        (v for d, direction, v in activity.ledger if start < d <= end and direction == "given"), Decimal(0)
    )
    put_in = sum(
        (v for d, direction, v in activity.ledger if start < d <= end and direction == "contributed"),
        Decimal(0),
    )
    return given, put_in


def coinvestment(activity: Activity, as_of: datetime.date) -> float | None:
    given, put_in = ledger_totals(activity, as_of - datetime.timedelta(days=LEDGER_DAYS), as_of)
    total = given + put_in
    if total == 0:
        return None
    share = float(put_in / total)
    return min(100.0, 200.0 * share)


def score_at(activity: Activity, as_of: datetime.date, params: Params) -> Score:
    components: dict[str, float | None] = {
        RECENCY: recency(activity, as_of, params.no_contact_days),
        ATTENDANCE: attendance(activity, as_of),
        FOLLOWUPS: followups(activity, as_of),
        SENTIMENT: sentiment(activity, as_of),
        COINVESTMENT: coinvestment(activity, as_of),
    }
    return _total(components, params)


def _total(components: dict[str, float | None], params: Params) -> Score:
    weighted = [
        (params.weights.get(name, 0), value) for name, value in components.items() if value is not None
    ]
    weight_sum = sum(w for w, _v in weighted)
    total = round(sum(w * v for w, v in weighted) / weight_sum, 1) if weight_sum else None
    return Score(
        total=total, components={k: None if v is None else round(v, 1) for k, v in components.items()}
    )


def score_series(activity: Activity, ends: Sequence[datetime.date], params: Params) -> list[Score]:
    """`score_at(activity, end, params)` for each of `ends`, equal to it value for value, computed once
    over sorted dates with prefix sums (each month costs a few binary searches instead of a scan of the
    partner's whole history: 2,000 partners × 36 months is seconds, not minutes).

    The sums are exact (attendance values are halves, sentiments integers, the ledger decimals), so the
    windows' means are the same numbers `score_at` computes."""
    contacts = sorted(d for d, _one in activity.contacts)
    invitations = sorted(activity.invitations)
    invitation_days = [d for d, _s in invitations]
    invitation_sums = _prefix([ATTENDANCE_VALUE[s] for _d, s in invitations])
    sentiments = sorted(activity.sentiments)
    sentiment_days = [d for d, _v in sentiments]
    sentiment_sums = _prefix([float(v) for _d, v in sentiments])
    ledger = sorted(activity.ledger, key=lambda row: row[0])
    ledger_days = [d for d, _direction, _v in ledger]
    given_sums = _prefix(
        [v if direction == "given" else Decimal(0) for _d, direction, v in ledger], Decimal(0)
    )
    put_in_sums = _prefix(
        [v if direction == "contributed" else Decimal(0) for _d, direction, v in ledger], Decimal(0)
    )
    followups_by_due = sorted(activity.followups, key=lambda row: row[0])
    due_days = [due for due, _done in followups_by_due]
    window = datetime.timedelta(days=WINDOW_DAYS)
    year = datetime.timedelta(days=LEDGER_DAYS)
    scores = []
    for as_of in ends:
        last = bisect.bisect_right(contacts, as_of)
        components: dict[str, float | None] = {
            RECENCY: 0.0
            if last == 0
            else max(0.0, 100.0 * (1 - (as_of - contacts[last - 1]).days / (2 * params.no_contact_days))),
        }
        lo, hi = _window(invitation_days, as_of - window, as_of)
        components[ATTENDANCE] = (
            100.0 * (invitation_sums[hi] - invitation_sums[lo]) / (hi - lo) if hi > lo else None
        )
        lo, hi = _window(due_days, as_of - window, as_of)
        values = []
        for due, done in followups_by_due[lo:hi]:
            values.append(
                1.0
                if done is not None and done <= due
                else 0.5
                if done is not None and done <= as_of
                else 0.0
            )
        mean = _mean(values)
        components[FOLLOWUPS] = None if mean is None else 100.0 * mean
        lo, hi = _window(sentiment_days, as_of - window, as_of)
        components[SENTIMENT] = (
            ((sentiment_sums[hi] - sentiment_sums[lo]) / (hi - lo) + 2) / 4 * 100.0 if hi > lo else None
        )
        lo, hi = _window(ledger_days, as_of - year, as_of)
        given, put_in = given_sums[hi] - given_sums[lo], put_in_sums[hi] - put_in_sums[lo]
        total = given + put_in
        components[COINVESTMENT] = None if total == 0 else min(100.0, 200.0 * float(put_in / total))
        scores.append(_total(components, params))
    return scores


def _prefix(values: Sequence[Any], zero: Any = 0.0) -> list[Any]:
    sums = [zero]
    for value in values:
        sums.append(sums[-1] + value)
    return sums


def _window(days: Sequence[datetime.date], start: datetime.date, end: datetime.date) -> tuple[int, int]:
    """Indexes [lo, hi) of the sorted `days` with start < day ≤ end."""
    return bisect.bisect_right(days, start), bisect.bisect_right(days, end)


def month_ends(start: datetime.date, today: datetime.date) -> list[datetime.date]:
    """The last day of each month from start's month to today's; the current month ends today."""
    ends = []
    year, month = start.year, start.month
    while (year, month) <= (today.year, today.month):
        nxt = datetime.date(year + (month == 12), month % 12 + 1, 1)
        ends.append(min(nxt - datetime.timedelta(days=1), today))
        year, month = nxt.year, nxt.month
    return ends


@dataclass(frozen=True)
class Warning:
    code: str
    detail: dict[str, object]


NO_CONTACT, ATTENDANCE_FALLING, OVERDUE, SENTIMENT_FALLING, SCORE_DROP, SHARE_HIGH = (
    "no_contact",
    "attendance_falling",
    "overdue_followups",
    "sentiment_falling",
    "score_drop",
    "programme_share_high",
)
# Their names as people read them (lazy: translated when shown, in the reader's language).
WARNING_LABELS = {
    NO_CONTACT: _("No recent conversation"),
    ATTENDANCE_FALLING: _("Attendance falling"),
    OVERDUE: _("Overdue follow-ups"),
    SENTIMENT_FALLING: _("Sentiment falling"),
    SCORE_DROP: _("Score dropping"),
    SHARE_HIGH: _("Programme pays most"),
}


def _rate(
    invitations: Iterable[tuple[datetime.date, str]], start: datetime.date, end: datetime.date
) -> float | None:
    values = [ATTENDANCE_VALUE[s] for d, s in invitations if start < d <= end]
    return _mean(values) if len(values) >= 2 else None


def warnings_at(
    activity: Activity,
    today: datetime.date,
    params: Params,
    score_3_months_ago: float | None,
    score_now: float | None,
) -> list[Warning]:
    found: list[Warning] = []
    one_to_one = [d for d, one in activity.contacts if one and d <= today]
    days = (today - max(one_to_one)).days if one_to_one else None
    if days is None or days > params.no_contact_days:
        found.append(Warning(NO_CONTACT, {"days": days}))

    q = datetime.timedelta(days=90)
    recent, before = (
        _rate(activity.invitations, today - q, today),
        _rate(activity.invitations, today - 2 * q, today - q),
    )
    if recent is not None and before is not None and before - recent >= 0.25:
        found.append(
            Warning(ATTENDANCE_FALLING, {"before": round(before * 100), "recent": round(recent * 100)})
        )

    overdue = [due for due, done in activity.followups if done is None and due < today]
    if overdue:
        found.append(Warning(OVERDUE, {"count": len(overdue), "oldest": min(overdue).isoformat()}))

    recent_s = _mean([float(v) for d, v in activity.sentiments if today - q < d <= today])
    before_s = _mean([float(v) for d, v in activity.sentiments if today - 2 * q < d <= today - q])
    if recent_s is not None and before_s is not None and before_s - recent_s >= 1:
        found.append(Warning(SENTIMENT_FALLING, {"before": round(before_s, 1), "recent": round(recent_s, 1)}))

    if score_now is not None and score_3_months_ago is not None:
        drop = score_3_months_ago - score_now
        if drop >= params.score_drop_points:
            found.append(Warning(SCORE_DROP, {"points": round(drop, 1)}))

    given, put_in = ledger_totals(activity, today - datetime.timedelta(days=LEDGER_DAYS), today)
    if given + put_in > 0:
        share = float(given / (given + put_in)) * 100
        if share > params.programme_share_warning:
            found.append(Warning(SHARE_HIGH, {"share": round(share)}))
    return found


def cost_share(given: Decimal, put_in: Decimal) -> dict[str, float | None]:
    """Programme and partner shares of a ledger, in percent, and partner-per-programme ratio."""
    total = given + put_in
    if total == 0:
        return {"programme_share": None, "partner_share": None, "ratio": None}
    return {
        "programme_share": round(float(given / total) * 100, 1),
        "partner_share": round(float(put_in / total) * 100, 1),
        "ratio": round(float(put_in / given), 2) if given else None,
    }


# What each expectation needs from the programme (driver kind → support kinds that would meet it).
EXPECTATION_NEEDS: dict[str, frozenset[str]] = {
    "financial_support": frozenset({"grant", "cash"}),
    "material_support": frozenset({"in_kind"}),
    "technical_support": frozenset({"technical_assistance", "training"}),
}


def expectation_unmet(kind: str, offers: Iterable[str]) -> bool:
    """True when a partner expects a kind of support the programme does not offer."""
    needs = EXPECTATION_NEEDS.get(kind, frozenset())
    return bool(needs) and not (needs & set(offers))
