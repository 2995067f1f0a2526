"""Shared helpers of the learning tests."""

from __future__ import annotations

import datetime
from typing import Any

from conftest import World
from konbit.core.access import Access
from konbit.core.models import Membership, Program
from konbit.learning import services
from konbit.learning.models import Lesson


def access_of(program: Program, user: Any) -> Access:
    return Access(program=program, membership=Membership.objects.get(program=program, user=user))


def staff_access(world: World) -> Access:
    return access_of(world.program_a, world.facilitator)


def make_lesson(world: World, program: Program | None = None, **data: Any) -> Lesson:
    program = program or world.program_a
    user = world.facilitator if program == world.program_a else world.outsider
    values = {"title": "A lesson", "learned_on": datetime.date(2026, 3, 1), **data}
    organizations = values.pop("organizations", [])
    return services.lesson_create(
        access=access_of(program, user), by=user, data=values, organizations=organizations
    )
