"""Rolling exit: which partners meet the programme's exit criteria. Pure functions over plain data
(no ORM), so they can be checked by hand; `selectors.exit_evaluation` loads the data.

Four criteria, each switched on or off by the programme:

- engagement      the partner's monthly engagement score was at least X in each of the last N months
                  (value: the lowest of those N scores; fewer than N monthly scores → failed).
- co-investment   the partner's share of the support ledger over the last twelve months,
                  put in / (put in + given) × 100, is at least Y % (value: that share; empty ledger → failed).
- attendance      it attended at least K of the programme's last M round tables (value: how many).
- AAER            its furthest stage in any intervention (the latest entry per intervention) is at
                  least the stage required, in the order adopt < adapt < expand < respond.

Each criterion is *met* (value ≥ threshold), *nearly* met (below the threshold but within the margin:
value ≥ threshold × (1 − margin / 100); for the AAER stage: exactly one stage short) or *failed*.
A partner *qualifies* when it meets every criterion that is switched on; it is *nearly* there when none
failed and at least one is only nearly met.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

MET, NEARLY, FAILED = "met", "nearly", "failed"
ENGAGEMENT, COINVESTMENT, ATTENDANCE, AAER = "engagement", "coinvestment", "attendance", "aaer"
CRITERIA = (ENGAGEMENT, COINVESTMENT, ATTENDANCE, AAER)
STAGES = ("adopt", "adapt", "expand", "respond")
QUALIFIES, NEARLY_QUALIFIES, NOT_YET = "qualifies", "nearly", "not_yet"


@dataclass(frozen=True)
class Thresholds:
    use_engagement: bool = True
    engagement_min: float = 60
    engagement_months: int = 6
    use_coinvestment: bool = True
    coinvestment_min: float = 50
    use_attendance: bool = True
    attendance_min: int = 3
    attendance_of: int = 4
    use_aaer: bool = True
    aaer_min_stage: str = "adapt"
    margin: float = 10  # percent of the threshold

    def enabled(self) -> list[str]:
        flags = {
            ENGAGEMENT: self.use_engagement,
            COINVESTMENT: self.use_coinvestment,
            ATTENDANCE: self.use_attendance,
            AAER: self.use_aaer,
        }
        return [c for c in CRITERIA if flags[c]]


@dataclass
class PartnerData:
    """What the criteria look at for one partner, as plain values."""

    organization_id: int
    name: str
    monthly_scores: list[float | None] = field(default_factory=list)  # the last N months, oldest first
    given: Decimal = Decimal(0)  # by the programme, last twelve months
    put_in: Decimal = Decimal(0)  # by the partner, last twelve months
    attended: int = 0  # of the programme's last M round tables
    stage: str | None = None  # furthest latest AAER stage over its interventions


@dataclass(frozen=True)
class CriterionResult:
    criterion: str
    status: str
    value: float | str | None
    threshold: float | str


@dataclass(frozen=True)
class PartnerResult:
    organization_id: int
    name: str
    results: dict[str, CriterionResult]
    overall: str


def judge(value: float | None, threshold: float, margin: float) -> str:
    """met / nearly / failed for a number against a threshold and a margin in percent of it."""
    if value is None:
        return FAILED
    if value >= threshold:
        return MET
    if value >= threshold * (1 - margin / 100):
        return NEARLY
    return FAILED


def coinvestment_share(given: Decimal, put_in: Decimal) -> float | None:
    total = given + put_in
    if total == 0:
        return None
    return round(float(put_in / total) * 100, 1)


def _engagement(data: PartnerData, t: Thresholds) -> CriterionResult:
    scores = data.monthly_scores[-t.engagement_months :] if t.engagement_months else []
    if len(scores) < t.engagement_months or any(s is None for s in scores) or not scores:
        lowest = min((s for s in scores if s is not None), default=None)
        return CriterionResult(ENGAGEMENT, FAILED, lowest, t.engagement_min)
    lowest_score = min(s for s in scores if s is not None)
    return CriterionResult(
        ENGAGEMENT, judge(lowest_score, t.engagement_min, t.margin), lowest_score, t.engagement_min
    )


def _coinvestment(data: PartnerData, t: Thresholds) -> CriterionResult:
    share = coinvestment_share(data.given, data.put_in)
    return CriterionResult(
        COINVESTMENT, judge(share, t.coinvestment_min, t.margin), share, t.coinvestment_min
    )


def _attendance(data: PartnerData, t: Thresholds) -> CriterionResult:
    return CriterionResult(
        ATTENDANCE, judge(float(data.attended), t.attendance_min, t.margin), data.attended, t.attendance_min
    )


def _aaer(data: PartnerData, t: Thresholds) -> CriterionResult:
    required = STAGES.index(t.aaer_min_stage)
    if data.stage is None:
        return CriterionResult(AAER, FAILED, None, t.aaer_min_stage)
    reached = STAGES.index(data.stage)
    status = MET if reached >= required else NEARLY if reached == required - 1 else FAILED
    return CriterionResult(AAER, status, data.stage, t.aaer_min_stage)


JUDGES = {ENGAGEMENT: _engagement, COINVESTMENT: _coinvestment, ATTENDANCE: _attendance, AAER: _aaer}


def overall(results: dict[str, CriterionResult]) -> str:
    statuses = [r.status for r in results.values()]
    if FAILED in statuses or not statuses:
        return NOT_YET
    return NEARLY_QUALIFIES if NEARLY in statuses else QUALIFIES


def evaluate(partners: Sequence[PartnerData], thresholds: Thresholds) -> list[PartnerResult]:
    """Every partner against every criterion that is switched on, in the order given."""
    out = []
    for data in partners:
        results = {c: JUDGES[c](data, thresholds) for c in thresholds.enabled()}
        out.append(PartnerResult(data.organization_id, data.name, results, overall(results)))
    return out


def summary(results: Sequence[PartnerResult]) -> dict[str, int]:
    counts = {QUALIFIES: 0, NEARLY_QUALIFIES: 0, NOT_YET: 0}
    for r in results:
        counts[r.overall] += 1
    return counts
