"""The learning API: lessons (search, read, write, stale version → 409) and communications."""

from __future__ import annotations

import datetime
from typing import Any

from django.test import Client
from django.utils import timezone

from conftest import World
from konbit.core.services import api_token_create
from konbit.learning import services
from konbit.learning.tests.helpers import make_lesson, staff_access

TODAY = timezone.localdate()


def api(user: Any) -> tuple[Client, dict[str, str]]:
    _token, raw = api_token_create(user=user, name="test")
    return Client(), {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_list_searches_the_body_and_reads_one(world: World) -> None:
    lesson = make_lesson(world, title="Plain title", action="Millers signed a sorghum contract.")
    make_lesson(world, title="Other")
    client, auth = api(world.viewer)
    body = client.get("/api/v1/programs/alpha/lessons?q=sorghum", **auth).json()
    assert body["count"] == 1 and body["items"][0]["title"] == "Plain title"
    one = client.get(f"/api/v1/programs/alpha/lessons/{lesson.pk}", **auth).json()
    assert one["action"] == "Millers signed a sorghum contract." and one["version"] == 1


def test_create_then_a_stale_patch_answers_409_with_the_stored_lesson(world: World) -> None:
    client, auth = api(world.facilitator)
    created = client.post(
        "/api/v1/programs/alpha/lessons",
        {
            "title": "From the API",
            "tags": "exit, exit",
            "phases": ["scale_up"],
            "organization_ids": [world.partner_org.pk],
            "status": "published",
        },
        content_type="application/json",
        **auth,
    )
    assert created.status_code == 201
    lesson = created.json()
    assert lesson["tags"] == "exit" and lesson["phases"] == ["scale_up"]
    assert (
        lesson["organization_ids"] == [world.partner_org.pk] and lesson["published_on"] == TODAY.isoformat()
    )
    url = f"/api/v1/programs/alpha/lessons/{lesson['id']}"
    ok = client.patch(url, {"version": 1, "lesson": "Learned"}, content_type="application/json", **auth)
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.patch(url, {"version": 1, "title": "Overwrite"}, content_type="application/json", **auth)
    assert stale.status_code == 409 and stale.json()["title"] == "From the API"


def test_links_to_another_programme_are_refused(world: World) -> None:
    client, auth = api(world.facilitator)
    response = client.post(
        "/api/v1/programs/alpha/lessons",
        {"title": "Sneaky", "organization_ids": [world.org_b.pk]},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 422


def test_viewers_cannot_write_and_outsiders_see_nothing(world: World) -> None:
    lesson = make_lesson(world, title="Alpha only")
    client, auth = api(world.viewer)
    response = client.post(
        "/api/v1/programs/alpha/lessons", {"title": "x"}, content_type="application/json", **auth
    )
    assert response.status_code == 404
    client, auth = api(world.outsider)
    assert client.get(f"/api/v1/programs/alpha/lessons/{lesson.pk}", **auth).status_code == 404
    client, auth = api(world.partner_user)
    assert client.get("/api/v1/programs/alpha/lessons", **auth).status_code == 404


def test_communications_list_and_log_a_sending(world: World) -> None:
    communication = services.communication_create(
        access=staff_access(world),
        by=world.facilitator,
        data={
            "title": "Monthly note",
            "frequency": "monthly",
            "first_due_on": TODAY - datetime.timedelta(days=40),
            "owner": world.mel,
        },
    )
    client, auth = api(world.mel)
    listed = client.get("/api/v1/programs/alpha/communications?state=overdue", **auth).json()
    assert [c["title"] for c in listed["items"]] == ["Monthly note"] and listed["items"][0]["overdue"]
    sent_on = TODAY - datetime.timedelta(days=1)
    logged = client.post(
        f"/api/v1/programs/alpha/communications/{communication.pk}/sendings",
        {"sent_on": sent_on.isoformat(), "note": "done", "link": "https://example.org/n"},
        content_type="application/json",
        **auth,
    )
    assert logged.status_code == 201 and logged.json()["sent_by_email"] == world.mel.email
    after = client.get("/api/v1/programs/alpha/communications", **auth).json()["items"][0]
    assert after["last_sent_on"] == sent_on.isoformat() and not after["overdue"]
    history = client.get(f"/api/v1/programs/alpha/communications/{communication.pk}/sendings", **auth)
    assert [s["note"] for s in history.json()] == ["done"]
    future = client.post(
        f"/api/v1/programs/alpha/communications/{communication.pk}/sendings",
        {"sent_on": (TODAY + datetime.timedelta(days=2)).isoformat()},
        content_type="application/json",
        **auth,
    )
    assert future.status_code == 422
