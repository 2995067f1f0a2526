from __future__ import annotations

import random

from conftest import World
from konbit.core.demo import DemoContext
from konbit.learning import selectors
from konbit.learning.demo import build_demo
from konbit.learning.models import Lesson
from konbit.learning.tests.helpers import staff_access
from konbit.partners import services as partner_services
from konbit.results.models import Intervention


def test_demo_lessons_are_linked_searchable_and_two_communications_are_overdue(world: World) -> None:
    access = staff_access(world)
    partner_services.partnership_create(
        access=access, organization=world.partner_org, by=world.facilitator, data={"segment": "active"}
    )
    world.partner_org.type = "producer_group"
    world.partner_org.save()
    seed = Intervention.objects.create(
        program=world.program_a, title="Seed supply", function="core", lever="rules"
    )
    users = {
        "owner": world.owner,
        "facilitator": world.facilitator,
        "facilitator2": world.mel,
        "mel": world.mel,
    }
    build_demo(world.program_a, DemoContext(rng=random.Random(1), users=users))

    lessons = Lesson.objects.filter(program=world.program_a)
    assert lessons.count() == 12 and lessons.filter(status="published").count() == 10
    assert lessons.filter(organizations=world.partner_org).exists()
    assert lessons.filter(interventions=seed).exists()
    assert [x.title for x in selectors.lesson_search(access=access, query="secretaries")] == [
        "Phone surveys need a call-back plan"
    ]
    overdue = selectors.communication_overdue(access=access)
    assert sorted(c.title for c in overdue) == [
        "Briefing for the agriculture directorate",
        "Quarterly progress report",
    ]


def test_demo_without_interventions_links_none(world: World) -> None:
    users = {
        "owner": world.owner,
        "facilitator": world.facilitator,
        "facilitator2": world.mel,
        "mel": world.mel,
    }
    build_demo(world.program_a, DemoContext(rng=random.Random(1), users=users))
    assert Lesson.interventions.through.objects.count() == 0
    assert Lesson.objects.filter(program=world.program_a).count() == 12
