"""The demo programme: realistic, deterministic sample data.

Each app contributes its part through a `build_demo(program, ctx)` function registered in
DEMO_BUILDERS (in order), so later pillars extend the same programme. Builders use bulk inserts:
seed data is not user activity, so it is not written to the audit trail.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model

from .models import Membership, Phase, Program
from .roles import Role
from .transactions import service

DEMO_SLUG = "demo"
DEMO_PASSWORD = "konbit-demo"  # noqa: S105 - printed on purpose: a public, local-only demo login
OTHER_SLUG = "water-collective"


@dataclass
class DemoContext:
    rng: random.Random
    users: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)


DEMO_USERS = [
    ("owner", "Marie-Claude", "Jean-Baptiste", Role.OWNER),
    ("facilitator", "Jonas", "Pierre", Role.FACILITATOR),
    ("facilitator2", "Nadège", "Desrosiers", Role.FACILITATOR),
    ("mel", "Fabienne", "Louis", Role.MEL),
    ("viewer", "Samuel", "Okafor", Role.VIEWER),
    ("partner", "Wilner", "Charles", Role.PARTNER),
]


def demo_email(key: str) -> str:
    return f"{key}@demo.konbit.local"


def _user(key: str, first: str, last: str) -> Any:
    user_model = get_user_model()
    email = demo_email(key)
    user = user_model.objects.filter(username=email).first()
    if user is None:
        user = user_model.objects.create_user(
            username=email, email=email, password=DEMO_PASSWORD, first_name=first, last_name=last
        )
    return user


def _build_core(program: Program, ctx: DemoContext) -> None:
    for key, first, last, _role in DEMO_USERS:
        ctx.users[key] = _user(key, first, last)
    for key, _first, _last, role in DEMO_USERS:
        if role != Role.PARTNER:
            Membership.objects.create(program=program, user=ctx.users[key], role=role)


def _partner_membership(program: Program, ctx: DemoContext) -> None:
    """Runs after the organisations exist: the partner user speaks for a real partner."""
    organization = ctx.data["partner_organization"]
    Membership.objects.create(
        program=program, user=ctx.users["partner"], role=Role.PARTNER, organization=organization
    )


def _builders() -> list[Callable[[Program, DemoContext], None]]:
    from konbit.indicators.demo import build_demo as build_indicators
    from konbit.learning.demo import build_demo as build_learning
    from konbit.maps.demo import build_demo as build_maps
    from konbit.partners.demo import build_demo as build_partners
    from konbit.results.demo import build_demo as build_results

    return [
        _build_core,
        build_partners,
        _partner_membership,
        build_maps,
        build_results,
        build_indicators,
        build_learning,
    ]


def demo_exists() -> bool:
    return Program.objects.filter(slug=DEMO_SLUG).exists()


@service
def build_demo(seed: int = 20241) -> Program:
    ctx = DemoContext(rng=random.Random(seed))
    program = Program.objects.create(
        name="Nord Agri-Market Systems (demo)",
        slug=DEMO_SLUG,
        country="Haiti",
        sector="Agriculture and agro-processing",
        phase=Phase.START_UP,
        description=(
            "A fictitious five-year programme that works through input suppliers, processors, "
            "financial institutions and producer associations to make agricultural markets in the "
            "north of Haiti work better for smallholders."
        ),
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2028, 12, 31),
    )
    for builder in _builders():
        builder(program, ctx)
    # A second, small programme: shows the programme switcher and keeps tenancy visible in the demo.
    other = Program.objects.create(
        name="Cap-Haïtien Water Collective (demo)",
        slug=OTHER_SLUG,
        country="Haiti",
        sector="Water and sanitation",
        phase=Phase.ANALYSIS,
        start_date=datetime.date(2025, 6, 1),
    )
    Membership.objects.create(program=other, user=ctx.users["owner"], role=Role.OWNER)
    return program


def demo_logins() -> list[tuple[str, str, str]]:
    return [(demo_email(key), DEMO_PASSWORD, str(role.label)) for key, _f, _l, role in DEMO_USERS]
