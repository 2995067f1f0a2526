"""Large deterministic programmes for measuring speed: `konbit demo --scale S|M|L|XL`.

Not a demo to read (names are plain and numbered) but the volume of a big programme after three years:
each app adds its part through a `build_scale(program, spec, ctx)` function (listed in `_builders`), with
bulk inserts in chunks so that memory stays flat and scale L builds in minutes. The same scale and seed
give the same rows on any machine.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection

from .demo import DEMO_PASSWORD, DEMO_USERS, demo_email
from .models import Membership, Phase, Program
from .roles import Role

# Activity runs over the 36 months that end here (fixed, so the data does not move with the clock).
SCALE_END = datetime.date(2026, 10, 31)
SCALE_MONTHS = 36


@dataclass(frozen=True)
class ScaleSpec:
    name: str
    organizations: int
    partnerships: int
    interactions: int
    participations: int  # attendance and participant rows, one-to-ones included
    follow_ups: int
    support_entries: int
    indicators: int
    periods: int  # measurement periods per indicator (months)
    map: tuple[int, int]  # elements, connections (6 perspectives)
    big_map: tuple[int, int] | None = None

    @property
    def slug(self) -> str:
        return f"scale-{self.name.lower()}"


SCALES: dict[str, ScaleSpec] = {
    "S": ScaleSpec("S", 500, 100, 15_000, 50_000, 250, 1_000, 10, 36, (1_000, 5_000)),
    "M": ScaleSpec("M", 2_000, 500, 75_000, 250_000, 1_250, 5_000, 50, 36, (5_000, 25_000)),
    "L": ScaleSpec("L", 10_000, 2_000, 300_000, 1_000_000, 5_000, 20_000, 200, 36, (10_000, 50_000)),
    "XL": ScaleSpec(
        "XL", 10_000, 2_000, 300_000, 1_000_000, 5_000, 20_000, 200, 36, (10_000, 50_000), (100_000, 500_000)
    ),
}


@dataclass
class ScaleContext:
    rng: random.Random
    users: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    log: Callable[[str], None] = print


def _builders() -> list[tuple[str, Callable[[Program, ScaleSpec, ScaleContext], None]]]:
    from konbit.indicators.scale import build_scale as build_indicators
    from konbit.maps.scale import build_scale as build_maps
    from konbit.partners.scale import build_scale as build_partners

    return [("partners", build_partners), ("maps", build_maps), ("indicators", build_indicators)]


def _users(program: Program, ctx: ScaleContext) -> None:
    user_model = get_user_model()
    for key, first, last, role in DEMO_USERS:
        email = demo_email(key)
        user = user_model.objects.filter(username=email).first() or user_model.objects.create_user(
            username=email, email=email, password=DEMO_PASSWORD, first_name=first, last_name=last
        )
        ctx.users[key] = user
        if role != Role.PARTNER:
            Membership.objects.create(program=program, user=user, role=role)


def build_scale(spec: ScaleSpec, *, seed: int = 7, log: Callable[[str], None] = print) -> Program:
    """Builds the programme `spec.slug` (which must not exist yet). Each builder commits its own chunks:
    a failure half way leaves a partial programme to delete, not a lost hour."""
    ctx = ScaleContext(rng=random.Random(seed), log=log)  # noqa: S311 (reproducible, not secret)
    program = Program.objects.create(
        name=f"Scale {spec.name} programme",
        slug=spec.slug,
        country="Haiti",
        sector="Agriculture",
        phase=Phase.SCALE_UP,
        start_date=SCALE_END - datetime.timedelta(days=SCALE_MONTHS * 31),
    )
    _users(program, ctx)
    for name, builder in _builders():
        started = time.perf_counter()
        builder(program, spec, ctx)
        ctx.timings[name] = time.perf_counter() - started
        log(f"  {name}: {ctx.timings[name]:.1f} s")
    if connection.vendor == "postgresql":
        # Fresh statistics for the planner, as autovacuum would gather in time: without them PostgreSQL
        # takes million-row tables for empty ones and picks nested loops that run for minutes.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    partner_org = ctx.data.get("partner_organization")
    if partner_org is not None:
        Membership.objects.create(
            program=program, user=ctx.users["partner"], role=Role.PARTNER, organization=partner_org
        )
    return program
