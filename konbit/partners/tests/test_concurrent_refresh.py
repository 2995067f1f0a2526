"""Two conversations with the same partner logged at the same moment: both are saved and the partner's
scores are recomputed once per conversation, without one request failing (found by bench/load.py)."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection, connections

from conftest import World
from konbit.partners import services
from konbit.partners.models import EngagementScore, Interaction, InteractionKind

from .test_api import make_partner, owner_access

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # SQLite lets one writer in at a time for the whole database, so two refreshes can never interleave
    # there; PostgreSQL runs them side by side, which is where the race was.
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers (PostgreSQL)"),
]


def test_simultaneous_conversations_with_one_partner_both_save_and_score(world: World) -> None:
    partnership = make_partner(world, world.partner_org)
    access = owner_access(world)
    writers = 4
    barrier = threading.Barrier(writers)
    failures: list[BaseException] = []

    def log(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            services.interaction_log(
                access=access,
                by=world.owner,
                data={
                    "kind": InteractionKind.CONVERSATION,
                    "occurred_on": datetime.date(2025, 3, 4),
                    "title": f"Call {n}",
                },
                organizations=[world.partner_org],
            )
        except BaseException as exc:  # noqa: BLE001 (reported by the main thread)
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=log, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert Interaction.objects.filter(title__startswith="Call ").count() == writers
    months = list(EngagementScore.objects.filter(partnership=partnership).values_list("month", flat=True))
    assert months and len(months) == len(set(months))  # one score per month, none lost or doubled
    partnership.refresh_from_db()
    assert partnership.last_contact_on == datetime.date(2025, 3, 4)
