"""The indicators part of the demo programme (see konbit/core/demo.py).

Fifteen indicators of a market-systems programme with baselines, annual cumulative targets and
mid-year milestones (or quarterly targets for the incremental ones), and eleven quarters of
measurements (2024-Q1 … 2026-Q3), some split by sex or region. Each indicator has a *pace* (how much
of the plan it really delivers), so the list shows a realistic mix of on-track, at-risk and off-track
indicators computed by the real progress rules. Ten partner benchmarks with their incentives.

When the results demo (which runs before this one) created interventions and results chains, most
indicators hang off them (an output indicator off an output box, and so on); otherwise they are all
programme-level. Everything is drawn from `ctx.rng`: the same seed gives the same programme.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from konbit.core.demo import DemoContext
from konbit.core.models import Program
from konbit.partners.models import Partnership
from konbit.results.models import ChainBox, Intervention

from .models import (
    Aggregation,
    BenchmarkStatus,
    Category,
    Dimension,
    Direction,
    Indicator,
    IndicatorType,
    Measurement,
    PartnerBenchmark,
    Target,
    TargetKind,
    TargetMode,
)
from .periods import parse_period

QUARTERS = [f"{year}-Q{q}" for year in (2024, 2025, 2026) for q in (1, 2, 3, 4)][:11]  # … 2026-Q3
YEARS = [2024, 2025, 2026, 2027, 2028]
# Share of the life-of-programme change planned by the end of each year.
PLAN_SHARE = {2024: 0.15, 2025: 0.4, 2026: 0.65, 2027: 0.85, 2028: 1.0}
BASELINE_DATE = datetime.date(2023, 12, 31)
REGIONS = ["Nord", "Nord-Est", "Nord-Ouest", "Artibonite", "Centre"]


@dataclass(frozen=True)
class Plan:
    code: str
    name: str
    unit: str
    type: str
    baseline: float
    final: float  # life-of-programme target (end of 2028), or the per-quarter target if incremental
    pace: float  # share of the plan really delivered: ≥ 0.95 on track, ~0.8 at risk, ≤ 0.6 off track
    mode: str = TargetMode.CUMULATIVE
    aggregation: str = Aggregation.SUM
    direction: str = Direction.HIGHER
    split: str = ""  # "sex", "region" (categories only: the total is derived) or ""
    source: str = ""
    method: str = ""
    definition: str = ""


PLANS = [
    Plan(
        "I1",
        "Smallholders with higher net income from the targeted crops",
        "farmers",
        IndicatorType.IMPACT,
        0,
        24000,
        0.97,
        split="sex",
        source="Annual household survey",
        method="Panel survey of 600 households, weighted",
        definition="Farm households whose net income from cocoa, mango or rice rose by at least 15 % "
        "against the baseline year.",
    ),
    Plan(
        "I2",
        "Average net income gain per farm household",
        "HTG",
        IndicatorType.IMPACT,
        0,
        38000,
        0.76,
        aggregation=Aggregation.LATEST,
        source="Annual household survey",
        method="Panel survey, median of the sample",
        definition="Median yearly gain in net farm income against the baseline, in constant gourdes.",
    ),
    Plan(
        "S1",
        "Input suppliers selling certified seed through their own agro-dealers",
        "firms",
        IndicatorType.SYSTEMIC,
        2,
        18,
        1.02,
        source="Supplier records",
        method="Quarterly partner reports",
        definition="Lead firms and service providers that sell certified seed through at least three "
        "agro-dealers without programme funding.",
    ),
    Plan(
        "S2",
        "Non-partner firms copying a promoted business model",
        "firms",
        IndicatorType.SYSTEMIC,
        0,
        25,
        0.78,
        source="Market monitoring",
        method="Facilitator observation, verified by a visit",
        definition="Firms that adopted a practice first shown by a partner, with no programme support "
        "(crowding-in).",
    ),
    Plan(
        "S3",
        "Share of agro-dealers stocking certified seed",
        "%",
        IndicatorType.SYSTEMIC,
        12,
        55,
        0.55,
        aggregation=Aggregation.LATEST,
        source="Agro-dealer census",
        method="Mystery shopping, 120 shops",
        definition="Agro-dealers in the five regions with certified seed on the shelf on the day of visit.",
    ),
    Plan(
        "O1",
        "Farmers buying certified seed",
        "farmers",
        IndicatorType.OUTCOME,
        0,
        40000,
        0.96,
        split="region",
        source="Agro-dealer sales records",
        method="Monthly sales logs, deduplicated",
        definition="Distinct farmers who bought certified seed from a partner agro-dealer.",
    ),
    Plan(
        "O2",
        "Farmers using improved post-harvest practices",
        "farmers",
        IndicatorType.OUTCOME,
        0,
        15000,
        0.81,
        split="sex",
        source="Processor field staff",
        method="Spot checks at collection points",
    ),
    Plan(
        "O3",
        "Loans to smallholders from partner financial institutions",
        "loans",
        IndicatorType.OUTCOME,
        0,
        9000,
        1.05,
        source="Partner MFI portfolio reports",
        method="Quarterly portfolio extract",
    ),
    Plan(
        "O4",
        "Post-harvest loss of mango at collection points",
        "%",
        IndicatorType.OUTCOME,
        35,
        15,
        0.58,
        aggregation=Aggregation.LATEST,
        direction=Direction.LOWER,
        source="Processor quality records",
        method="Weighing of rejected fruit at intake",
    ),
    Plan(
        "O5",
        "Value of sales by partner processors",
        "USD",
        IndicatorType.OUTCOME,
        0,
        160000,
        0.9,
        mode=TargetMode.INCREMENTAL,
        source="Processor accounts",
        method="Quarterly sales declarations",
        definition="Sales in the quarter by the processors the programme works with.",
    ),
    Plan(
        "P1",
        "Agro-dealers trained in seed handling",
        "agro-dealers",
        IndicatorType.OUTPUT,
        0,
        600,
        1.0,
        split="sex",
        source="Training attendance sheets",
        method="Signed attendance lists",
    ),
    Plan(
        "P2",
        "Demonstration plots run with lead firms",
        "plots",
        IndicatorType.OUTPUT,
        0,
        240,
        0.83,
        split="region",
        source="Lead firm reports",
        method="Photo and GPS record per plot",
    ),
    Plan(
        "P3",
        "Partners co-investing in new services",
        "partners",
        IndicatorType.OUTPUT,
        0,
        45,
        1.08,
        source="Support ledger",
        method="Signed cost-share agreements",
    ),
    Plan(
        "P4",
        "Round tables held between processors and producer groups",
        "round tables",
        IndicatorType.OUTPUT,
        0,
        3,
        0.75,
        mode=TargetMode.INCREMENTAL,
        source="Interaction log",
        method="Konbit interaction records",
    ),
    Plan(
        "P5",
        "Radio programmes on certified seed broadcast",
        "broadcasts",
        IndicatorType.OUTPUT,
        0,
        160,
        0.5,
        source="Media partner logs",
        method="Broadcast certificates",
    ),
]

LEVEL_FOR_TYPE: dict[str, str] = {
    IndicatorType.OUTPUT: "output",
    IndicatorType.OUTCOME: "outcome",
    IndicatorType.SYSTEMIC: "systemic",
    IndicatorType.IMPACT: "impact",
}

BENCHMARKS = [
    ("Sells 500 bags of certified seed", 500, "A shared stand at the regional seed fair"),
    ("Opens three new agro-dealer outlets", 3, "Co-funding of shop signage (50 %)"),
    ("Buys mango from 200 registered producers", 200, "Introduction to two export buyers"),
    ("Disburses 150 input loans to women farmers", 150, "Loan-officer training at no cost"),
    ("Runs four demonstration plots with its own staff", 4, "Extension materials printed by the programme"),
    ("Brings 40 members to the processor round table", 40, "Transport for the next round table"),
    ("Records post-harvest losses every week", None, "A digital scale for the collection point"),
    ("Signs a supply contract with a processor", 1, "Legal review of the contract"),
    ("Sells 2 tonnes of improved rice seed", 2, "A place in the national seed catalogue workshop"),
    ("Trains 25 agro-dealers in seed handling", 25, "Certificates co-signed by the ministry"),
    ("Doubles its number of cocoa suppliers", None, "A visit to a partner cooperative in Milot"),
]


def _quarter(label: str) -> tuple[datetime.date, datetime.date]:
    period = parse_period(label)
    assert period is not None  # noqa: S101 - our own labels
    return period


def _noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def _decimal(value: float, places: int = 0) -> Decimal:
    return Decimal(str(round(value, places)))


def _planned_level(plan: Plan, day: datetime.date) -> float:
    """The plan line (cumulative share of the change) at a date, straight between year ends."""
    points = [(BASELINE_DATE, 0.0)] + [(datetime.date(y, 12, 31), PLAN_SHARE[y]) for y in YEARS]
    for (d0, s0), (d1, s1) in zip(points, points[1:], strict=False):
        if d0 <= day <= d1:
            share = s0 + (s1 - s0) * (day - d0).days / (d1 - d0).days
            return plan.baseline + (plan.final - plan.baseline) * share
    return plan.final


def _splits(plan: Plan, total: float, ctx: DemoContext) -> list[float]:
    if plan.split == "sex":
        women = ctx.rng.uniform(0.36, 0.46)
        return [total * women, total * (1 - women)]
    weights = [ctx.rng.uniform(0.6, 1.4) * w for w in (0.34, 0.2, 0.14, 0.18, 0.14)]
    return [total * w / sum(weights) for w in weights]


def build_demo(program: Program, ctx: DemoContext) -> None:
    from .services import indicator_refresh

    mel = ctx.users.get("mel")
    stamp: dict[str, Any] = {"program": program, "created_by": mel, "updated_by": mel}

    sex = Dimension(name="Sex", **stamp)
    region = Dimension(name="Region", **stamp)
    partner_type = Dimension(name="Partner type", **stamp)
    Dimension.objects.bulk_create([sex, region, partner_type])
    categories = {
        "sex": [Category(dimension=sex, name=n, position=i, **stamp) for i, n in enumerate(["Women", "Men"])],
        "region": [Category(dimension=region, name=n, position=i, **stamp) for i, n in enumerate(REGIONS)],
        "partner type": [
            Category(dimension=partner_type, name=n, position=i, **stamp)
            for i, n in enumerate(["Lead firm", "Service provider", "Producer group"])
        ],
    }
    Category.objects.bulk_create([c for group in categories.values() for c in group])

    interventions = list(Intervention.objects.filter(program=program).order_by("pk"))
    boxes: dict[tuple[int, str], ChainBox] = {}
    for box in ChainBox.objects.filter(program=program).order_by(
        "intervention_id", "level", "position", "pk"
    ):
        boxes.setdefault((box.intervention_id, box.level), box)

    indicators: list[Indicator] = []
    for n, plan in enumerate(PLANS):
        intervention = interventions[n % len(interventions)] if interventions and n % 5 != 0 else None
        box = boxes.get((intervention.pk, LEVEL_FOR_TYPE[plan.type])) if intervention else None
        indicators.append(
            Indicator(
                code=plan.code,
                name=plan.name,
                unit=plan.unit,
                type=plan.type,
                definition=plan.definition,
                intervention=intervention,
                chain_box=box,
                target_mode=plan.mode,
                aggregation=plan.aggregation,
                direction=plan.direction,
                baseline_value=_decimal(plan.baseline, 2),
                baseline_date=BASELINE_DATE,
                data_source=plan.source,
                collection_method=plan.method,
                **stamp,
            )
        )
    Indicator.objects.bulk_create(indicators)
    links = []
    for plan, indicator in zip(PLANS, indicators, strict=True):
        if plan.split:
            dimension = sex if plan.split == "sex" else region
            links.append(Indicator.dimensions.through(indicator_id=indicator.pk, dimension_id=dimension.pk))
    Indicator.dimensions.through.objects.bulk_create(links)

    targets: list[Target] = []
    measurements: list[Measurement] = []
    for plan, indicator in zip(PLANS, indicators, strict=True):
        if plan.mode == TargetMode.INCREMENTAL:
            for label in [*QUARTERS, "2026-Q4"]:
                start, end = _quarter(label)
                growth = 1 + 0.04 * QUARTERS.index(label) if label in QUARTERS else 1.44
                targets.append(
                    Target(
                        indicator=indicator,
                        kind=TargetKind.TARGET,
                        period_label=label,
                        period_start=start,
                        period_end=end,
                        value=_decimal(plan.final * growth / 4 if plan.unit == "USD" else plan.final),
                        **stamp,
                    )
                )
        else:
            for year in YEARS:
                end = datetime.date(year, 12, 31)
                targets.append(
                    Target(
                        indicator=indicator,
                        kind=TargetKind.TARGET,
                        period_label=str(year),
                        period_start=datetime.date(year, 1, 1),
                        period_end=end,
                        value=_decimal(_planned_level(plan, end), 1),
                        **stamp,
                    )
                )
                mid = datetime.date(year, 6, 30)
                if year <= 2026:
                    targets.append(
                        Target(
                            indicator=indicator,
                            kind=TargetKind.MILESTONE,
                            period_label=f"{year}-H1",
                            period_start=datetime.date(year, 1, 1),
                            period_end=mid,
                            value=_decimal(_planned_level(plan, mid), 1),
                            **stamp,
                        )
                    )

        previous_level = plan.baseline
        for q, label in enumerate(QUARTERS):
            start, end = _quarter(label)
            noise = ctx.rng.uniform(0.9, 1.1)
            if plan.mode == TargetMode.INCREMENTAL:
                planned = plan.final * (1 + 0.04 * q) / 4 if plan.unit == "USD" else plan.final
                value = planned * plan.pace * noise
            elif plan.aggregation == Aggregation.LATEST:
                planned = _planned_level(plan, end)
                value = plan.baseline + (planned - plan.baseline) * plan.pace * noise
            else:
                level = plan.baseline + (_planned_level(plan, end) - plan.baseline) * plan.pace
                value = max(0.0, (level - previous_level) * noise)
                previous_level += value
            places = 1 if plan.unit in {"%", "HTG"} else 0
            if plan.unit == "HTG":
                places = -2
            total = round(value, places) if places >= 0 else round(value, places)
            common = {"indicator": indicator, "period_label": label, "period_start": start, "period_end": end}
            if plan.split != "region":
                measurements.append(
                    Measurement(
                        value=_decimal(total, max(places, 0)),
                        note="" if q % 4 else "Verified by the MEL officer.",
                        **common,
                        **stamp,
                    )
                )
            if plan.split:
                parts = _splits(plan, total, ctx)
                rounded = [round(p) for p in parts]
                if plan.split == "sex":
                    rounded[-1] = int(total) - sum(rounded[:-1])  # the split adds up to the total
                for category, part in zip(categories[plan.split], rounded, strict=False):
                    measurements.append(
                        Measurement(category=category, value=Decimal(max(0, part)), **common, **stamp)
                    )
    Target.objects.bulk_create(targets, batch_size=500)
    Measurement.objects.bulk_create(measurements, batch_size=500)
    for indicator in indicators:
        indicator_refresh(indicator=indicator)

    partners = list(
        Partnership.objects.filter(program=program)
        .select_related("organization")
        .order_by("organization__name")
    )
    organizations = [p.organization for p in partners]
    own = ctx.data.get("partner_organization")
    if organizations:
        chosen = ctx.rng.sample(organizations, k=min(len(organizations), len(BENCHMARKS) - 2))
        if own is not None:
            chosen = [own, own, *[o for o in chosen if o.pk != own.pk]]
        benchmarks = []
        linked = {0: "O1", 2: "O5", 3: "O3", 4: "P2", 5: "P4", 9: "P1"}
        by_code = {i.code: i for i in indicators}
        now = timezone.now()
        for n, ((description, amount, incentive), organization) in enumerate(
            zip(BENCHMARKS, chosen, strict=False)
        ):
            due = datetime.date(2025, 3, 31) + datetime.timedelta(days=91 * n)
            status = BenchmarkStatus.PENDING
            if due < datetime.date(2026, 11, 1):
                status = ctx.rng.choice(
                    [BenchmarkStatus.MET, BenchmarkStatus.MET, BenchmarkStatus.MISSED, BenchmarkStatus.WAIVED]
                )
            recorded = status != BenchmarkStatus.PENDING
            benchmarks.append(
                PartnerBenchmark(
                    organization=organization,
                    indicator=by_code.get(linked.get(n, "")),
                    description=description,
                    target_value=Decimal(amount) if amount is not None else None,
                    incentive=incentive,
                    due_on=due,
                    status=status,
                    status_note="Checked against the partner's sales book."
                    if status == BenchmarkStatus.MET
                    else "",
                    status_recorded_at=min(now, _noon(due + datetime.timedelta(days=ctx.rng.randint(2, 20))))
                    if recorded
                    else None,
                    status_recorded_by=mel if recorded else None,
                    **stamp,
                )
            )
        PartnerBenchmark.objects.bulk_create(benchmarks)
