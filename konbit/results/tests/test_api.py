"""The steering API follows the pages' rules: staff read and write, a stale version is a 409, partner
users and outsiders get 404, and lists do not run a query per row."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import World
from konbit.core.access import Access
from konbit.core.models import Membership
from konbit.core.services import api_token_create
from konbit.partners import services as partner_services
from konbit.results.models import Intervention

PREFIX = "/api/v1/programs/alpha/"


def api(user: Any) -> Client:
    _token, raw = api_token_create(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _partner(world: World) -> None:
    access = Access(
        program=world.program_a, membership=Membership.objects.get(program=world.program_a, user=world.owner)
    )
    partner_services.partnership_create(
        access=access, organization=world.partner_org, by=world.owner, data={}
    )


def test_facilitator_creates_lists_and_patches_an_intervention_with_409_on_stale_version(
    world: World,
) -> None:
    _partner(world)
    client = api(world.facilitator)
    created = client.post(
        PREFIX + "interventions",
        {
            "title": "Mobile payments",
            "function": "supporting",
            "lever": "supporting_function",
            "organization_ids": [world.partner_org.pk],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["organization_ids"] == [world.partner_org.pk] and body["version"] == 1
    listed = client.get(PREFIX + "interventions", {"lever": "supporting_function"}).json()
    assert listed["count"] == 1 and listed["items"][0]["title"] == "Mobile payments"
    ok = client.patch(
        PREFIX + f"interventions/{body['id']}",
        {"version": 1, "status": "active"},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "active" and ok.json()["version"] == 2
    stale = client.patch(
        PREFIX + f"interventions/{body['id']}",
        {"version": 1, "title": "Overwrite"},
        content_type="application/json",
    )
    assert stale.status_code == 409 and stale.json()["title"] == "Mobile payments"
    assert Intervention.objects.get(pk=body["id"]).title == "Mobile payments"


def test_a_non_partner_cannot_be_involved_and_gets_422(world: World) -> None:
    response = api(world.owner).post(
        PREFIX + "interventions",
        {"title": "X", "function": "core", "lever": "rules", "organization_ids": [world.other_org_a.pk]},
        content_type="application/json",
    )
    assert response.status_code == 422


def test_aaer_entries_and_exit_evaluation(world: World) -> None:
    _partner(world)
    client = api(world.mel)
    iv = client.post(
        PREFIX + "interventions",
        {"title": "T", "function": "core", "lever": "rules"},
        content_type="application/json",
    ).json()
    entry = client.post(
        PREFIX + f"interventions/{iv['id']}/aaer",
        {
            "organization_id": world.other_org_a.pk,
            "stage": "adapt",
            "observed_on": "2025-04-01",
            "evidence": "Changed its offer",
        },
        content_type="application/json",
    )
    assert entry.status_code == 201 and entry.json()["organization_name"] == "Alpha Secret Processor"
    assert client.get(PREFIX + f"interventions/{iv['id']}/aaer").json()["count"] == 1
    exit_ = client.get(PREFIX + "exit").json()
    assert [p["name"] for p in exit_["partners"]] == ["Alpha Partner Cooperative"]
    assert exit_["criteria"] == ["engagement", "coinvestment", "attendance", "aaer"]


def test_partner_user_and_outsider_get_404(world: World) -> None:
    iv = Intervention.objects.create(program=world.program_a, title="Hidden", function="core", lever="rules")
    for user in (world.partner_user, world.outsider):
        client = api(user)
        assert client.get(PREFIX + "interventions").status_code == 404
        assert client.get(PREFIX + f"interventions/{iv.pk}").status_code == 404
        assert client.get(PREFIX + "exit").status_code == 404
        response = client.post(
            PREFIX + "interventions",
            {"title": "x", "function": "core", "lever": "rules"},
            content_type="application/json",
        )
        assert response.status_code == 404
    assert (
        api(world.viewer).post(PREFIX + "interventions", {}, content_type="application/json").status_code
        == 404
    )


def test_intervention_list_does_not_run_a_query_per_row(world: World) -> None:
    _partner(world)
    client = api(world.owner)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(PREFIX + "interventions").status_code == 200
        return len(ctx.captured_queries)

    def add(n: int) -> None:
        for i in range(n):
            iv = Intervention.objects.create(
                program=world.program_a,
                title=f"I{i}",
                function="core",
                lever="rules",
                start_date=datetime.date(2025, 1, 1),
            )
            iv.organizations.add(world.partner_org)

    add(2)
    count()  # the token's first use is recorded once; count from the second call on
    few = count()
    add(20)
    assert count() == few
