"""The partner pillar's JSON API follows the pages' rules: who may read and write what, in which
programme, and without a query per row."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from config.wsgi import application
from conftest import World
from konbit.api.api import api
from konbit.core.access import Access
from konbit.core.models import Membership
from konbit.core.services import api_token_create, tenant_record_create
from konbit.partners import services
from konbit.partners.models import Initiative, Interaction, Participation, Partnership
from tests.factories import OrganizationFactory

PREFIX = "/api/v1/programs/"


class ApiClient:
    """A script holding a member's personal token."""

    def __init__(self, user: Any) -> None:
        _token, raw = api_token_create(user=user, name="test")
        self.client = Client(headers={"Authorization": f"Bearer {raw}"})

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(PREFIX + path, params)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(PREFIX + path, body or {}, content_type="application/json")

    def patch(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.patch(PREFIX + path, body, content_type="application/json")


def owner_access(world: World) -> Access:
    return Access(
        program=world.program_a, membership=Membership.objects.get(program=world.program_a, user=world.owner)
    )


def make_partner(world: World, organization: Any, segment: str = "active") -> Partnership:
    return services.partnership_create(
        access=owner_access(world),
        organization=organization,
        by=world.owner,
        data={"segment": segment, "facilitator": world.facilitator},
    )


def log_event(world: World, organizations: list[Any], **data: Any) -> Interaction:
    return services.interaction_log(
        access=owner_access(world),
        by=world.owner,
        data={"kind": "workshop", "occurred_on": datetime.date(2025, 3, 4), **data},
        organizations=organizations,
    )


def test_facilitator_logs_an_interaction_and_finds_it_in_the_lists(world: World) -> None:
    make_partner(world, world.partner_org)
    api_ = ApiClient(world.facilitator)
    partners = api_.get("alpha/partners").json()
    assert partners["count"] == 1
    partner = partners["items"][0]
    assert partner["organization_name"] == "Alpha Partner Cooperative"
    assert partner["facilitator_email"] == "facilitator@alpha.example.org"
    assert partner["last_contact_on"] is None and "no_contact" in partner["warnings"]

    today = timezone.localdate()
    response = api_.post(
        "alpha/interactions",
        {
            "kind": "conversation",
            "occurred_on": today.isoformat(),
            "title": "Coffee with the cooperative",
            "notes": "They want a buyer in Cap-Haïtien.",
            "sentiment": 1,
            "duration_minutes": 45,
            "organization_ids": [world.partner_org.pk],
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()

    listed = api_.get("alpha/interactions", organization=world.partner_org.pk).json()
    assert [i["id"] for i in listed["items"]] == [created["id"]]
    assert listed["items"][0]["title"] == "Coffee with the cooperative"
    detail = api_.get(f"alpha/interactions/{created['id']}").json()
    assert detail["participations"] == [
        {
            "organization_id": world.partner_org.pk,
            "organization_name": "Alpha Partner Cooperative",
            "status": "attended",
        }
    ]
    assert detail["facilitator_emails"] == ["facilitator@alpha.example.org"]

    # The conversation counts as contact: the partner's last contact and warnings change at once.
    partner = api_.get("alpha/partners").json()["items"][0]
    assert partner["last_contact_on"] == today.isoformat()
    assert "no_contact" not in partner["warnings"]
    assert api_.get(f"alpha/partners/{partner['id']}").json()["score_components"]["recency"] == 100.0


def test_facilitator_records_attendance_and_moves_a_partner_to_another_segment(world: World) -> None:
    partnership = make_partner(world, world.partner_org)
    event = log_event(world, [world.partner_org, world.other_org_a])
    api_ = ApiClient(world.facilitator)

    response = api_.post(
        f"alpha/interactions/{event.pk}/attendance",
        {"statuses": {str(world.partner_org.pk): "attended", str(world.other_org_a.pk): "no_show"}},
    )
    assert response.status_code == 200, response.content
    statuses = {p["organization_id"]: p["status"] for p in response.json()["participations"]}
    assert statuses == {world.partner_org.pk: "attended", world.other_org_a.pk: "no_show"}
    outsider_org = api_.post(
        f"alpha/interactions/{event.pk}/attendance", {"statuses": {str(world.org_b.pk): "attended"}}
    )
    assert outsider_org.status_code == 422

    response = api_.post(
        f"alpha/partners/{partnership.pk}/segment",
        {"segment": "champion", "changed_on": "2025-03-05", "reason": "Co-funds the trials."},
    )
    assert response.status_code == 200, response.content
    assert response.json()["segment"] == "champion"
    assert partnership.segment_changes.get(segment="champion").reason == "Co-funds the trials."


def test_facilitator_marks_a_follow_up_done(world: World) -> None:
    follow_up = services.followup_create(
        access=owner_access(world),
        by=world.owner,
        data={
            "organization": world.partner_org,
            "description": "Send the price list",
            "owner": world.facilitator,
            "due_on": datetime.date(2025, 1, 10),
        },
    )
    api_ = ApiClient(world.facilitator)
    assert [f["description"] for f in api_.get("alpha/follow-ups").json()["items"]] == ["Send the price list"]
    done = api_.post(f"alpha/follow-ups/{follow_up.pk}/done")
    assert done.status_code == 200 and done.json()["done_on"] == timezone.localdate().isoformat()
    assert api_.get("alpha/follow-ups").json()["count"] == 0
    assert api_.get("alpha/follow-ups", state="done").json()["count"] == 1


def test_partner_user_reads_and_updates_only_its_own_organisation(world: World) -> None:
    world.partner_org.notes = "internal: slow to pay"
    world.partner_org.save()
    api_ = ApiClient(world.partner_user)

    own = api_.get(f"alpha/organizations/{world.partner_org.pk}")
    assert own.status_code == 200
    assert own.json()["name"] == "Alpha Partner Cooperative" and own.json()["notes"] is None
    assert "slow to pay" not in own.content.decode()

    response = api_.patch(
        f"alpha/organizations/{world.partner_org.pk}",
        {"version": own.json()["version"], "town": "Cap-Haïtien", "website": "https://coop.example.ht"},
    )
    assert response.status_code == 200, response.content
    world.partner_org.refresh_from_db()
    assert (world.partner_org.town, world.partner_org.website) == ("Cap-Haïtien", "https://coop.example.ht")

    notes = api_.patch(
        f"alpha/organizations/{world.partner_org.pk}", {"version": world.partner_org.version, "notes": "x"}
    )
    assert notes.status_code == 422
    world.partner_org.refresh_from_db()
    assert world.partner_org.notes == "internal: slow to pay"

    other = world.other_org_a.pk
    assert api_.get(f"alpha/organizations/{other}").status_code == 404
    assert api_.patch(f"alpha/organizations/{other}", {"version": 1, "name": "Mine now"}).status_code == 404
    for path in ("organizations", "partners", "interactions", "warnings", "follow-ups", "initiatives"):
        response = api_.get(f"alpha/{path}")
        assert response.status_code == 404, path
        assert "Alpha Secret Processor" not in response.content.decode()


def test_partner_user_sees_its_own_invitations_and_nothing_about_the_event(world: World) -> None:
    log_event(
        world,
        [world.partner_org, world.other_org_a],
        title="Buyers' round table",
        location="Limbé",
        notes="secret agenda",
    )
    log_event(world, [world.other_org_a], title="Processors only")
    response = ApiClient(world.partner_user).get("alpha/my-invitations")
    assert response.status_code == 200
    assert response.json()["items"] == [
        {
            "event_id": response.json()["items"][0]["event_id"],
            "title": "Buyers' round table",
            "kind": "workshop",
            "occurred_on": "2025-03-04",
            "location": "Limbé",
            "status": "invited",
        }
    ]
    body = response.content.decode()
    assert (
        "secret agenda" not in body and "Alpha Secret Processor" not in body and "Processors only" not in body
    )
    # Staff have the event pages; this list is the partner's own view.
    assert ApiClient(world.owner).get("alpha/my-invitations").status_code == 404


def partner_operations() -> list[tuple[str, str]]:
    paths = api.get_openapi_schema()["paths"]
    return [
        (method, path.removeprefix(PREFIX[:-1]))
        for path, item in paths.items()
        if path.startswith(PREFIX + "{slug}/") and not path.endswith("/members")
        for method in item
    ]


def test_outsider_gets_404_on_every_partner_endpoint_of_alpha(world: World) -> None:
    """Checked before the body is read: even a well-formed request tells an outsider nothing."""
    partnership = make_partner(world, world.other_org_a)
    event = log_event(world, [world.other_org_a])
    follow_up = services.followup_create(
        access=owner_access(world),
        by=world.owner,
        data={
            "organization": world.other_org_a,
            "description": "Visit",
            "owner": world.owner,
            "due_on": datetime.date(2025, 3, 9),
        },
    )
    pks = {"partners": partnership.pk, "interactions": event.pk, "follow-ups": follow_up.pk}
    client = ApiClient(world.outsider)
    valid_bodies: dict[str, dict[str, Any]] = {
        "/organizations": {"name": "Bravo's plant in Alpha"},
        "/interactions": {
            "kind": "call",
            "occurred_on": "2025-03-04",
            "organization_ids": [world.other_org_a.pk],
        },
        "/segment": {"segment": "dormant", "changed_on": "2025-03-04"},
        "/attendance": {"statuses": {str(world.other_org_a.pk): "attended"}},
        "/organizations/{pk}": {"version": 1, "name": "Renamed by Bravo"},
    }
    operations = partner_operations()
    assert len(operations) >= 16  # every operation of this router, and any added later
    for method, path in operations:
        pk = pks.get(path.split("/")[2], world.other_org_a.pk)
        url = path.replace("{slug}", "alpha").replace("{pk}", str(pk)).removeprefix("/")
        for body in ({}, next((b for suffix, b in valid_bodies.items() if path.endswith(suffix)), {})):
            response = getattr(client, method)(url, **({} if method == "get" else {"body": body}))
            assert response.status_code == 404, f"{method} {url} → {response.status_code}"
            assert "Alpha" not in response.content.decode()
    world.other_org_a.refresh_from_db()
    assert world.other_org_a.name == "Alpha Secret Processor"
    assert Interaction.objects.filter(program=world.program_a).count() == 1
    follow_up.refresh_from_db()
    assert follow_up.done_on is None
    # Bravo's own programme answers as usual.
    assert client.get("bravo/organizations").json()["items"][0]["name"] == "Bravo Pump Suppliers"


def test_stale_patch_gets_409_and_keeps_the_stored_value(world: World) -> None:
    api_ = ApiClient(world.facilitator)
    url = f"alpha/organizations/{world.other_org_a.pk}"
    loaded = api_.get(url).json()
    first = api_.patch(url, {"version": loaded["version"], "name": "Alpha Processing SA"})
    assert first.status_code == 200 and first.json()["version"] == loaded["version"] + 1

    stale = api_.patch(url, {"version": loaded["version"], "name": "Alpha Processors Ltd"})
    assert stale.status_code == 409
    assert stale.json()["name"] == "Alpha Processing SA"
    assert stale.json()["version"] == loaded["version"] + 1
    world.other_org_a.refresh_from_db()
    assert world.other_org_a.name == "Alpha Processing SA"


def test_an_organisation_of_another_programme_is_never_attachable(world: World) -> None:
    response = ApiClient(world.owner).post(
        "alpha/interactions",
        {
            "kind": "visit",
            "occurred_on": "2025-03-04",
            "organization_ids": [world.partner_org.pk, world.org_b.pk],
        },
    )
    assert response.status_code == 422
    assert str(world.org_b.pk) in response.content.decode()
    assert "Bravo" not in response.content.decode()
    assert not Interaction.all_objects.exists() and not Participation.objects.exists()


def test_bad_input_is_a_422_not_a_server_error(world: World) -> None:
    api_ = ApiClient(world.owner)
    base = {"kind": "call", "occurred_on": "2025-03-04", "organization_ids": [world.partner_org.pk]}
    assert api_.post("alpha/interactions", {**base, "sentiment": 3}).status_code == 422
    assert api_.post("alpha/interactions", {**base, "organization_ids": []}).status_code == 422
    assert api_.post("alpha/interactions", {**base, "title": "nul\x00"}).status_code == 422
    assert api_.post("alpha/organizations", {"name": " "}).status_code == 422
    assert api_.post("alpha/organizations", {"name": "A", "website": "not a url"}).status_code == 422
    assert not Interaction.all_objects.exists()


def grow(world: World, n: int) -> None:
    """n more rows of every kind a list endpoint shows."""
    access = owner_access(world)
    for _i in range(n):
        organization = OrganizationFactory(program=world.program_a)
        make_partner(world, organization)
        services.interaction_log(
            access=access,
            by=world.owner,
            data={"kind": "call", "occurred_on": datetime.date(2025, 2, 1)},
            organizations=[organization],
        )
        services.followup_create(
            access=access,
            by=world.owner,
            data={
                "organization": organization,
                "description": "Call back",
                "owner": world.facilitator,
                "due_on": datetime.date(2025, 2, 8),
            },
        )
        initiative = tenant_record_create(
            model=Initiative, program=world.program_a, by=world.owner, data={"name": f"Initiative {_i}"}
        )
        services.initiative_support_add(
            access=access, by=world.owner, initiative=initiative, organization=organization, how=""
        )
        log_event(world, [world.partner_org, organization])


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("viewer", "alpha/organizations"),
        ("viewer", "alpha/partners"),
        ("viewer", "alpha/warnings"),
        ("viewer", "alpha/interactions"),
        ("facilitator", "alpha/follow-ups"),
        ("viewer", "alpha/initiatives"),
        ("partner_user", "alpha/my-invitations"),
    ],
)
def test_list_endpoints_do_not_run_a_query_per_row(world: World, who: str, path: str) -> None:
    api_ = ApiClient(getattr(world, who))

    def queries() -> tuple[int, int]:
        api_.get(path)  # once first: the daily engagement refresh and the token's "last used" write
        with CaptureQueriesContext(connection) as captured:
            response = api_.get(path)
        assert response.status_code == 200
        return len(captured), len(response.json()["items"])

    grow(world, 3)
    few, few_items = queries()
    grow(world, 27)
    many, many_items = queries()
    assert many_items >= few_items + 27
    assert many == few, f"{path}: {few} queries for {few_items} rows, {many} for {many_items}"


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
PARTNER_PATHS = "/(organizations|partners|warnings|interactions|follow-ups|initiatives|my-invitations)"


@pytest.fixture
def alpha_token(world: World) -> Iterator[str]:
    """The owner's token in a programme with rows of every kind, with Django's per-request connection
    closing switched off as in konbit/core/tests/test_api.py (schemathesis calls the WSGI app directly)."""
    make_partner(world, world.partner_org)
    make_partner(world, world.other_org_a)
    log_event(world, [world.partner_org, world.other_org_a])
    services.followup_create(
        access=owner_access(world),
        by=world.owner,
        data={
            "organization": world.partner_org,
            "description": "Call back",
            "owner": world.owner,
            "due_on": datetime.date(2025, 1, 1),
        },
    )
    _t, raw = api_token_create(user=world.owner, name="fuzz")
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield raw
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.include(path_regex=PARTNER_PATHS).parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_partner_api_conforms_to_its_openapi_document_inside_a_programme(case: Any, alpha_token: str) -> None:
    """The API-wide fuzz draws random slugs, so it meets little but 404 here; this one aims every
    request at programme alpha and (for well-formed requests) at ids of rows that exist."""
    case.path_parameters["slug"] = "alpha"
    well_formed = case.meta is None or not case.meta.generation.mode.is_negative
    if well_formed and isinstance(case.path_parameters.get("pk"), int):
        case.path_parameters["pk"] = case.path_parameters["pk"] % 5 + 1
    if case.headers and "Authorization" in case.headers:  # a request without it must stay a 401
        case.headers["Authorization"] = f"Bearer {alpha_token}"
    # Ids in the body that are not this programme's (or not on the interaction) are a 422 by design,
    # although the schema cannot say which ids exist.
    refers_to_rows = case.method == "POST" and case.path.endswith(("/interactions", "/attendance"))
    case.call_and_validate(
        headers={"Accept-Encoding": "identity"},  # schemathesis' WSGI transport does not unpack gzip
        excluded_checks=[positive_data_acceptance] if refers_to_rows else [],
    )
