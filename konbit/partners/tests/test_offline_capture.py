"""Entries captured offline reach the server through the same views as the forms, under the id the
browser gave them: however often an entry is sent (a retry after a lost answer, a reload mid-send),
it is saved once (decision 9)."""

from __future__ import annotations

import datetime
import threading
import time
import uuid
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone

from conftest import World, client_for
from konbit.core import audit
from konbit.core.models import Membership
from konbit.partners import services
from konbit.partners.models import (
    Attendance,
    AttendanceSubmission,
    DriverNote,
    FollowUp,
    Interaction,
    InteractionKind,
    Participation,
)
from konbit.partners.tests.test_pages import access_of, make_partner

QUICK_LOG = "/p/alpha/partners/interactions/new/"
OUTBOX = {"HTTP_X_KONBIT_OUTBOX": "background"}


def conversation(world: World, client_uuid: uuid.UUID, **extra: Any) -> dict[str, Any]:
    return {
        "client_uuid": str(client_uuid),
        "organizations": [world.other_org_a.pk],
        "kind": InteractionKind.CONVERSATION,
        "occurred_on": timezone.localdate().isoformat(),
        "notes": "They want a credit line before the rains.",
        "follow_up": "Send the credit terms",
        "driver_kind": "financial_support",
        "driver_note": "Credit before the rains",
        **extra,
    }


def test_the_same_conversation_sent_twice_is_logged_once_with_its_follow_up_and_driver(world: World) -> None:
    partnership = make_partner(world, world.other_org_a)
    client = client_for(world.facilitator)
    entry = conversation(world, uuid.uuid4())

    first = client.post(QUICK_LOG, entry, **OUTBOX)
    second = client.post(QUICK_LOG, entry, **OUTBOX)

    assert first.status_code == 201 and first.json()["status"] == "saved"
    assert second.status_code == 200 and second.json()["status"] == "already_saved"
    assert first.json()["url"] == second.json()["url"] == f"/p/alpha/partners/{partnership.pk}/"
    logged = Interaction.objects.get(program=world.program_a, client_uuid=entry["client_uuid"])
    assert Interaction.objects.filter(program=world.program_a).count() == 1
    assert FollowUp.objects.filter(interaction=logged).count() == 1
    assert DriverNote.objects.filter(interaction=logged).count() == 1
    assert Participation.objects.filter(interaction=logged).count() == 1


def test_a_plain_form_post_with_a_client_id_is_saved_once_too(world: World) -> None:
    client = client_for(world.facilitator)
    entry = conversation(world, uuid.uuid4())
    first = client.post(QUICK_LOG, entry)
    second = client.post(QUICK_LOG, entry, follow=True)
    assert first.status_code == 302
    assert "This was already saved." in second.content.decode()
    assert Interaction.objects.filter(program=world.program_a).count() == 1


def test_a_conversation_in_the_trash_is_not_logged_again_by_a_late_send(world: World) -> None:
    client = client_for(world.facilitator)
    entry = conversation(world, uuid.uuid4())
    client.post(QUICK_LOG, entry, **OUTBOX)
    logged = Interaction.objects.get(client_uuid=entry["client_uuid"])
    services.interaction_delete(interaction=logged, by=world.facilitator)
    assert client.post(QUICK_LOG, entry, **OUTBOX).json()["status"] == "already_saved"
    assert Interaction.all_objects.filter(program=world.program_a).count() == 1


def test_another_persons_client_id_is_refused_without_naming_their_record(world: World) -> None:
    entry = conversation(world, uuid.uuid4())
    client_for(world.facilitator).post(QUICK_LOG, entry, **OUTBOX)
    response = client_for(world.owner).post(QUICK_LOG, {**entry, "notes": "other"}, **OUTBOX)
    assert response.status_code == 409
    assert "url" not in response.json()
    assert Interaction.objects.filter(program=world.program_a).count() == 1


def test_the_same_client_id_in_two_programmes_is_two_entries(world: World) -> None:
    """The id is unique per programme: the outsider's programme B can hold the same id."""
    client_uuid = uuid.uuid4()
    client_for(world.facilitator).post(QUICK_LOG, conversation(world, client_uuid), **OUTBOX)
    response = client_for(world.outsider).post(
        "/p/bravo/partners/interactions/new/",
        {**conversation(world, client_uuid), "organizations": [world.org_b.pk]},
        **OUTBOX,
    )
    assert response.status_code == 201
    assert Interaction.objects.filter(client_uuid=client_uuid).count() == 2


def test_a_member_removed_from_the_programme_cannot_sync_into_it(world: World) -> None:
    client = client_for(world.facilitator)
    Membership.objects.filter(program=world.program_a, user=world.facilitator).delete()
    response = client.post(QUICK_LOG, conversation(world, uuid.uuid4()), **OUTBOX)
    assert response.status_code == 404
    assert not Interaction.objects.filter(program=world.program_a).exists()


def test_a_viewer_cannot_sync_a_conversation(world: World) -> None:
    response = client_for(world.viewer).post(QUICK_LOG, conversation(world, uuid.uuid4()), **OUTBOX)
    assert response.status_code == 404
    assert not Interaction.objects.exists()


def test_a_partner_merged_meanwhile_is_a_conflict_that_names_it(world: World) -> None:
    client = client_for(world.facilitator)
    services.organization_merge(
        access=access_of(world, world.owner), keep=world.partner_org, merge=world.other_org_a, by=world.owner
    )
    response = client.post(QUICK_LOG, conversation(world, uuid.uuid4()), **OUTBOX)
    assert response.status_code == 409
    assert response.json()["status"] == "conflict"
    assert "Alpha Secret Processor" in response.json()["message"]
    assert not Interaction.objects.exists()


def test_a_saved_entry_sent_again_after_its_partner_was_merged_is_still_already_saved(world: World) -> None:
    client = client_for(world.facilitator)
    entry = conversation(world, uuid.uuid4())
    client.post(QUICK_LOG, entry, **OUTBOX)  # saved; say the answer was lost
    services.organization_merge(
        access=access_of(world, world.owner), keep=world.partner_org, merge=world.other_org_a, by=world.owner
    )
    again = client.post(QUICK_LOG, entry, **OUTBOX)
    assert again.status_code == 200 and again.json()["status"] == "already_saved"
    assert Interaction.objects.filter(program=world.program_a).count() == 1


def test_a_mistake_in_an_entry_is_answered_with_the_field_and_its_error(world: World) -> None:
    client = client_for(world.facilitator)
    response = client.post(QUICK_LOG, conversation(world, uuid.uuid4(), occurred_on="31/31/2026"), **OUTBOX)
    assert response.status_code == 400
    assert "Date" in response.json()["errors"]


def test_an_outbox_send_without_a_valid_id_is_refused(world: World) -> None:
    client = client_for(world.facilitator)
    response = client.post(QUICK_LOG, {**conversation(world, uuid.uuid4()), "client_uuid": "nope"}, **OUTBOX)
    assert response.status_code == 400
    assert not Interaction.objects.exists()


# --- attendance ---------------------------------------------------------------------------------


def round_table(world: World) -> Interaction:
    return services.interaction_log(
        access=access_of(world, world.facilitator),
        by=world.facilitator,
        data={
            "kind": InteractionKind.ROUND_TABLE,
            "occurred_on": timezone.localdate(),
            "title": "Seed table",
        },
        organizations=[world.partner_org, world.other_org_a],
    )


def sheet(
    event: Interaction, client_uuid: uuid.UUID, statuses: dict[int, str], **extra: Any
) -> dict[str, Any]:
    data = {f"status-{org}": status for org, status in statuses.items()}
    data.update({f"seen-{org}": Attendance.INVITED for org in statuses})
    return {"client_uuid": str(client_uuid), **data, **extra}


def status_of(event: Interaction, org: Any) -> str:
    return Participation.objects.get(interaction=event, organization=org).status


def test_the_same_attendance_sheet_sent_twice_is_recorded_once(world: World) -> None:
    event = round_table(world)
    url = f"/p/alpha/partners/interactions/{event.pk}/attendance/"
    client = client_for(world.facilitator)
    entry = sheet(event, uuid.uuid4(), {world.partner_org.pk: "attended", world.other_org_a.pk: "no_show"})

    first = client.post(url, entry, **OUTBOX)
    # Someone corrects a row; a late repeat of the first sheet must not undo it.
    services.attendance_record(interaction=event, statuses={world.other_org_a.pk: "excused"}, by=world.owner)
    second = client.post(url, entry, **OUTBOX)

    assert first.status_code == 201 and first.json()["status"] == "saved"
    assert second.status_code == 200 and second.json()["status"] == "already_saved"
    assert AttendanceSubmission.objects.filter(interaction=event).count() == 1
    assert status_of(event, world.partner_org) == "attended"
    assert status_of(event, world.other_org_a) == "excused"


def test_a_sheet_filled_in_on_an_older_copy_is_a_conflict_until_the_person_overwrites(world: World) -> None:
    event = round_table(world)
    url = f"/p/alpha/partners/interactions/{event.pk}/attendance/"
    services.attendance_record(interaction=event, statuses={world.other_org_a.pk: "excused"}, by=world.owner)
    client = client_for(world.facilitator)
    entry = sheet(event, uuid.uuid4(), {world.partner_org.pk: "attended", world.other_org_a.pk: "no_show"})

    refused = client.post(url, entry, **OUTBOX)
    assert refused.status_code == 409
    assert refused.json()["rows"] == [
        {
            "organization": world.other_org_a.pk,
            "name": "Alpha Secret Processor",
            "gone": False,
            "now": "excused",
            "seen": "invited",
            "yours": "no_show",
        }
    ]
    assert status_of(event, world.partner_org) == "invited"  # nothing of a refused sheet is saved

    forced = client.post(url, {**entry, "force": "1"}, **OUTBOX)
    assert forced.status_code == 201
    assert status_of(event, world.other_org_a) == "no_show"


def test_a_sheet_for_a_deleted_event_says_so(world: World) -> None:
    event = round_table(world)
    services.interaction_delete(interaction=event, by=world.owner)
    response = client_for(world.facilitator).post(
        f"/p/alpha/partners/interactions/{event.pk}/attendance/",
        sheet(event, uuid.uuid4(), {world.partner_org.pk: "attended"}),
        **OUTBOX,
    )
    assert response.status_code == 404 and response.json()["status"] == "gone"


def test_a_removed_member_cannot_sync_an_attendance_sheet(world: World) -> None:
    event = round_table(world)
    client = client_for(world.facilitator)
    Membership.objects.filter(program=world.program_a, user=world.facilitator).delete()
    response = client.post(
        f"/p/alpha/partners/interactions/{event.pk}/attendance/",
        sheet(event, uuid.uuid4(), {world.partner_org.pk: "attended"}),
        **OUTBOX,
    )
    assert response.status_code == 404
    assert status_of(event, world.partner_org) == "invited"


# --- what the browser keeps ---------------------------------------------------------------------


def test_the_offline_bundle_lists_the_programmes_organisations_and_nearby_event_pages(world: World) -> None:
    make_partner(world, world.partner_org)
    event = round_table(world)
    far = services.interaction_log(
        access=access_of(world, world.facilitator),
        by=world.facilitator,
        data={
            "kind": InteractionKind.WORKSHOP,
            "occurred_on": timezone.localdate() - datetime.timedelta(days=400),
        },
        organizations=[world.partner_org],
    )
    data = client_for(world.facilitator).get("/p/alpha/partners/offline/").json()
    names = {o["name"]: o["partner"] for o in data["organizations"]}
    assert names == {"Alpha Partner Cooperative": True, "Alpha Secret Processor": False}
    assert "Bravo Pump Suppliers" not in str(data)
    assert "confidential-alpha-note" not in str(data)  # names only, never notes
    assert data["pages"][0] == QUICK_LOG
    assert f"/p/alpha/partners/interactions/{event.pk}/" in data["pages"]
    assert f"/p/alpha/partners/interactions/{far.pk}/" not in data["pages"]


# --- racing sends (PostgreSQL) ------------------------------------------------------------------


def _race(url: str, user: Any, body: dict[str, Any], writers: int = 4) -> list[Any]:
    """The same entry from several threads at once (own client, own database connection), as two tabs
    or a retry overtaking a slow first send would."""
    barrier = threading.Barrier(writers)
    responses: list[Any] = [None] * writers
    errors: list[BaseException] = []

    def writer(i: int) -> None:
        try:
            client = client_for(user)
            barrier.wait(timeout=30)
            responses[i] = client.post(url, body, **OUTBOX)
        except BaseException as exc:  # reported below: a thread's exception would otherwise vanish
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return responses


@pytest.fixture
def slow_create(monkeypatch: Any) -> None:
    """Hold every create open a little, so that all racing sends pass the "already saved?" check
    before any of them commits, and only the unique constraint stands between them."""
    field_values = audit.field_values

    def slowly(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.05)
        return field_values(*args, **kwargs)

    monkeypatch.setattr(audit, "field_values", slowly)


ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs writers that wait for each other (see test_concurrent_writes.py's docstring)",
)


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_racing_sends_of_one_conversation_save_it_once(world: World, slow_create: None) -> None:
    responses = _race(QUICK_LOG, world.facilitator, conversation(world, uuid.uuid4()))
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 201], [r.content for r in responses]
    assert len({r.json()["url"] for r in responses}) == 1
    assert Interaction.objects.filter(program=world.program_a).count() == 1


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_racing_sends_of_one_attendance_sheet_record_it_once(world: World) -> None:
    event = round_table(world)
    body = sheet(event, uuid.uuid4(), {world.partner_org.pk: "attended", world.other_org_a.pk: "no_show"})
    responses = _race(f"/p/alpha/partners/interactions/{event.pk}/attendance/", world.facilitator, body)
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 201], [r.content for r in responses]
    assert AttendanceSubmission.objects.filter(interaction=event).count() == 1
    assert status_of(event, world.other_org_a) == "no_show"
