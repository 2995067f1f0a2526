"""Rows of this app in programme A for tests/test_tenancy.py, which walks every URL as an outsider.

programme_a_rows(world) creates one row of every kind this app owns in programme A and returns
(ids, extra URL parameter values). The ids are tried for every <int:...> parameter of every URL.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from conftest import World
from konbit.core.access import Access
from konbit.core.models import Membership
from konbit.indicators import services


def programme_a_rows(world: World) -> tuple[set[str], dict[str, list[str]]]:
    membership = Membership.objects.get(program=world.program_a, user=world.mel)
    access = Access(program=world.program_a, membership=membership)
    by = world.mel
    dimension = services.dimension_create(access=access, by=by, name="Sex", categories=["Women", "Men"])
    indicator = services.indicator_create(
        access=access,
        by=by,
        data={"name": "Alpha farmers using certified seed", "unit": "farmers", "type": "outcome"},
        dimensions=[dimension],
    )
    target = services.target_set(
        indicator=indicator,
        by=by,
        data={"period_label": "2025", "period_end": datetime.date(2025, 12, 31), "value": Decimal(1000)},
    )
    women = dimension.categories.get(name="Women")
    measurement, _created = services.measurement_record(
        indicator=indicator,
        by=by,
        data={"period_label": "2025-Q1", "period_end": datetime.date(2025, 3, 31), "value": Decimal(120)},
    )
    split, _created = services.measurement_record(
        indicator=indicator,
        by=by,
        data={
            "period_label": "2025-Q1",
            "period_end": datetime.date(2025, 3, 31),
            "value": Decimal(50),
            "category": women,
            "note": "confidential-alpha-note",
        },
    )
    secret = services.benchmark_create(
        access=access,
        by=by,
        data={
            "organization": world.other_org_a,
            "description": "confidential-alpha-note: processes 20 tonnes",
            "incentive": "a co-funded dryer",
            "due_on": datetime.date(2026, 6, 30),
            "indicator": indicator,
        },
    )
    own = services.benchmark_create(
        access=access,
        by=by,
        data={
            "organization": world.partner_org,
            "description": "Sells 500 bags of certified seed",
            "incentive": "a stand at the seed fair",
            "due_on": datetime.date(2026, 6, 30),
        },
    )
    rows = [dimension, women, indicator, target, measurement, split, secret, own]
    return {str(row.pk) for row in rows}, {}
