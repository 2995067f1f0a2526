"""Several API clients change the same record at the same moment, each with the version it read.

Exactly one wins; every other one gets a 409 that shows the version it sent and the record as stored
now (the winner's value and version), and nothing is lost silently. Each writer is a thread with its own
database connection; a barrier releases them together, and the version check is held open a little
(`slow_check` below) so that, without an atomic check, two writers would both pass it.

Runs on PostgreSQL only. SQLite's *test* database is in memory with a cache shared between the
threads' connections, where a second writer fails at once with "database table is locked" (a 500)
instead of waiting: the busy timeout does not apply to shared-cache locks. The SQLite Konbit runs on
is a file in WAL mode whose writers wait (`BEGIN IMMEDIATE` and a busy timeout, config/settings/base.py),
which this in-memory database cannot reproduce; asserting there would test the test database.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections
from django.test import Client

from conftest import World
from konbit.api.api import api
from konbit.core import audit
from konbit.core.access import Access
from konbit.core.models import AuditAction, AuditEvent, Membership
from konbit.core.services import api_token_create
from konbit.indicators import services as indicator_services
from konbit.learning import services as learning_services
from konbit.partners import services as partner_services
from konbit.results import services as result_services
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 6


def _access(world: World) -> Access:
    membership = Membership.objects.get(program=world.program_a, user=world.owner)
    return Access(program=world.program_a, membership=membership)


def _organization(world: World) -> Any:
    return world.other_org_a


def _intervention(world: World) -> Any:
    return result_services.intervention_create(
        access=_access(world), by=world.owner, data={"title": "Seed", "function": "core", "lever": "rules"}
    )


def _indicator(world: World) -> Any:
    return indicator_services.indicator_create(
        access=_access(world), by=world.owner, data={"name": "Seed", "unit": "farmers", "type": "outcome"}
    )


def _lesson(world: World) -> Any:
    return learning_services.lesson_create(access=_access(world), by=world.owner, data={"title": "Seed"})


# Every PATCH of the API (each carries a `version`): the record it changes and what the writers set,
# a field or, for records linked to organisations, only the links (a change that is no field at all).
RECORDS: dict[str, tuple[str, Callable[[World], Any], str]] = {
    "organisation name": ("organizations", _organization, "name"),
    "intervention title": ("interventions", _intervention, "title"),
    "intervention partners": ("interventions", _intervention, "organization_ids"),
    "indicator name": ("indicators", _indicator, "name"),
    "lesson title": ("lessons", _lesson, "title"),
    "lesson organisations": ("lessons", _lesson, "organization_ids"),
}


def test_every_versioned_patch_of_the_api_is_raced_here() -> None:
    patched = {
        path.split("/")[-2]
        for path, item in api.get_openapi_schema()["paths"].items()
        if "patch" in item and path.endswith("/{pk}")
    }
    assert patched == {kind for kind, _make, _field in RECORDS.values()}


def values_for(world: World, field: str) -> list[Any]:
    """One distinct value per writer: a text, or a distinct set of partner organisations."""
    if not field.endswith("_ids"):
        return [f"Written by writer {i}" for i in range(WRITERS)]
    access = _access(world)
    extra = [OrganizationFactory(program=world.program_a, name=f"Alpha Partner {n}") for n in range(2)]
    partners = [world.partner_org, world.other_org_a, *extra]
    for organization in partners:
        partner_services.partnership_create(
            access=access, organization=organization, by=world.owner, data={"segment": "active"}
        )
    ids = [o.pk for o in partners]
    sets = [sorted(c) for n in (1, 2) for c in itertools.combinations(ids, n)]
    return sets[:WRITERS]


def stored(record: Any, field: str) -> Any:
    record.refresh_from_db()
    if field == "organization_ids":
        return sorted(record.organizations.values_list("pk", flat=True))
    return getattr(record, field)


@pytest.fixture
def slow_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hold every update open for a moment between its version check and its write: a check that is
    not atomic then lets two writers through (measured: all six won with a plain read instead of the
    row lock on PostgreSQL)."""
    field_values = audit.field_values

    def slowly(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.05)
        return field_values(*args, **kwargs)

    monkeypatch.setattr(audit, "field_values", slowly)


def race(url: str, bodies: list[dict[str, Any]], tokens: list[str]) -> list[Any]:
    """Send each body from its own thread (own client, own database connection) at the same moment."""
    barrier = threading.Barrier(len(bodies))
    responses: list[Any] = [None] * len(bodies)
    errors: list[BaseException] = []

    def writer(i: int) -> None:
        try:
            client = Client(headers={"Authorization": f"Bearer {tokens[i]}"})
            barrier.wait(timeout=30)
            responses[i] = client.patch(url, bodies[i], content_type="application/json")
        except BaseException as exc:  # reported below: a thread's exception would otherwise vanish
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert all(r is not None for r in responses), "a writer never answered"
    return responses


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs writers that wait for each other: SQLite's shared in-memory test database makes the "
    "second writer fail with 'database table is locked' instead (see the module docstring)",
)
@pytest.mark.parametrize("case", list(RECORDS))
def test_concurrent_patches_with_the_same_version_have_exactly_one_winner(
    world: World, slow_check: None, case: str
) -> None:
    kind, make, field = RECORDS[case]
    record = make(world)
    values = values_for(world, field)
    version = record.version
    editors = [world.owner, world.facilitator, world.mel]
    tokens = [api_token_create(user=editors[i % len(editors)], name=f"writer {i}")[1] for i in range(WRITERS)]
    url = f"/api/v1/programs/alpha/{kind}/{record.pk}"

    responses = race(url, [{"version": version, field: value} for value in values], tokens)

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * (WRITERS - 1), [r.content for r in responses]
    winner = next(i for i, r in enumerate(responses) if r.status_code == 200)
    assert responses[winner].json()[field] == values[winner]
    assert responses[winner].json()["version"] == version + 1
    for response in responses:
        if response.status_code == 409:  # both versions, and the winner's value that is stored
            body = response.json()
            assert (body["sent_version"], body["version"]) == (version, version + 1)
            assert body[field] == values[winner]
    assert stored(record, field) == values[winner]
    assert record.version == version + 1
    updates = AuditEvent.objects.filter(
        action=AuditAction.UPDATE,
        content_type=ContentType.objects.get_for_model(record),
        object_id=str(record.pk),
    )
    assert updates.count() == 1  # one change, the winner's, in the history
