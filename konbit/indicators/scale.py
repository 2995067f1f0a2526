"""The indicators at scale (see konbit/core/scale.py): `spec.indicators` indicators, each with a baseline,
yearly cumulative targets and one measurement per month for `spec.periods` months, written in bulk; their
stored progress is computed once at the end, as the measurement services would have."""

from __future__ import annotations

import calendar
import datetime
from decimal import Decimal

from django.utils import timezone

from konbit.core.models import Program
from konbit.core.scale import SCALE_END, ScaleContext, ScaleSpec

from . import services
from .models import Aggregation, Direction, Indicator, IndicatorType, Measurement, Target, TargetMode

UNITS = ["farmers", "HTG", "tonnes", "%", "firms", "hectares"]
TOPICS = ["adopting improved seed", "buying inputs on credit", "selling to the processor", "using storage"]


def _month_ends(count: int) -> list[datetime.date]:
    ends = []
    year, month = SCALE_END.year, SCALE_END.month
    for _ in range(count):
        ends.append(datetime.date(year, month, calendar.monthrange(year, month)[1]))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return ends[::-1]


def build_scale(program: Program, spec: ScaleSpec, ctx: ScaleContext) -> None:
    owner = ctx.users["owner"]
    now = timezone.now()
    stamp = {
        "program": program,
        "created_by": owner,
        "updated_by": owner,
        "created_at": now,
        "updated_at": now,
    }
    ends = _month_ends(spec.periods)
    types = list(IndicatorType.values)
    indicators = Indicator.objects.bulk_create(
        [
            Indicator(
                **stamp,
                name=f"{'Share' if i % 6 == 3 else 'Number'} of partners {TOPICS[i % len(TOPICS)]} ({i + 1})",
                code=f"IND-{i + 1:03d}",
                unit=UNITS[i % len(UNITS)],
                type=types[i % len(types)],
                target_mode=TargetMode.CUMULATIVE if i % 4 else TargetMode.INCREMENTAL,
                aggregation=Aggregation.LATEST if i % 6 == 3 else Aggregation.SUM,
                direction=Direction.LOWER if i % 10 == 9 else Direction.HIGHER,
                baseline_value=Decimal(ctx.rng.randrange(0, 50)),
                baseline_date=ends[0],
            )
            for i in range(spec.indicators)
        ],
        batch_size=500,
    )
    targets = [
        Target(**stamp, indicator=indicator, period_end=end, value=Decimal(ctx.rng.randrange(100, 2_000)))
        for indicator in indicators
        for end in ends[11::12]
    ]
    Target.objects.bulk_create(targets, batch_size=2_000)
    measurements = [
        Measurement(
            **stamp,
            indicator=indicator,
            period_start=end.replace(day=1),
            period_end=end,
            period_label=f"{end:%Y-%m}",
            value=Decimal(ctx.rng.randrange(0, 120)),
        )
        for indicator in indicators
        for end in ends
    ]
    Measurement.objects.bulk_create(measurements, batch_size=2_000)
    for indicator in indicators:
        services.indicator_refresh(indicator=indicator)
    ctx.log(
        f"    {len(indicators):,} indicators, {len(measurements):,} measurements, {len(targets):,} targets"
    )
