"""Rows of this app in programme A for tests/test_tenancy.py, which walks every URL as an outsider.

programme_a_rows(world) creates one row of every kind this app owns in programme A and returns
(ids, extra URL parameter values). The ids are tried for every <int:...> parameter of every URL.
"""

from __future__ import annotations

import datetime

from conftest import World
from konbit.core.access import Access
from konbit.core.models import Membership
from konbit.learning import services


def programme_a_rows(world: World) -> tuple[set[str], dict[str, list[str]]]:
    membership = Membership.objects.get(program=world.program_a, user=world.facilitator)
    access = Access(program=world.program_a, membership=membership)
    lesson = services.lesson_create(
        access=access,
        by=world.facilitator,
        data={
            "title": "Alpha Secret Processor lesson",
            "action": "confidential-alpha-note",
            "tags": "partner engagement",
            "status": "published",
        },
        organizations=[world.other_org_a],
    )
    communication = services.communication_create(
        access=access,
        by=world.facilitator,
        data={
            "title": "Alpha Secret Processor briefing",
            "purpose": "confidential-alpha-note",
            "frequency": "monthly",
            "first_due_on": datetime.date(2026, 1, 1),
            "owner": world.facilitator,
        },
    )
    sending = services.communication_log_sending(
        communication=communication, by=world.facilitator, sent_on=datetime.date(2026, 1, 2), note="x"
    )
    return {str(lesson.pk), str(communication.pk), str(sending.pk)}, {}
