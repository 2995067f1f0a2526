from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings

from config.wsgi import application
from conftest import World, client_for
from konbit.core.models import ApiToken
from konbit.core.services import api_token_create


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_token_created_on_the_account_page_reads_the_api_and_is_stored_hashed(world: World) -> None:
    client = client_for(world.facilitator)
    response = client.post("/accounts/", {"name": "Power BI"})
    raw = response.context["new_token"]
    assert raw.startswith("kbt_")
    token = ApiToken.objects.get(user=world.facilitator)
    assert raw not in (token.key_hash, token.prefix) and len(token.key_hash) == 64

    programs = Client().get("/api/v1/programs", **bearer(raw)).json()
    assert programs == [
        {
            "slug": "alpha",
            "name": "Alpha Market Systems",
            "country": "Haiti",
            "sector": "Agriculture",
            "phase": "pre_project",
            "start_date": None,
            "end_date": None,
            "role": "facilitator",
        }
    ]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_revoked_token_stops_working(world: World) -> None:
    token, raw = api_token_create(user=world.owner, name="script")
    assert Client().get("/api/v1/programs", **bearer(raw)).status_code == 200
    client_for(world.owner).post(f"/accounts/tokens/{token.pk}/revoke/")
    assert Client().get("/api/v1/programs", **bearer(raw)).status_code == 401


def test_someone_elses_token_cannot_be_revoked(world: World) -> None:
    token, raw = api_token_create(user=world.owner, name="script")
    client_for(world.outsider).post(f"/accounts/tokens/{token.pk}/revoke/")
    assert Client().get("/api/v1/programs", **bearer(raw)).status_code == 200


def test_members_endpoint_pages_and_follows_the_role_rules(world: World) -> None:
    _t, raw = api_token_create(user=world.viewer, name="x")
    first = Client().get("/api/v1/programs/alpha/members?limit=2", **bearer(raw)).json()
    assert first["count"] == 5 and len(first["items"]) == 2 and first["next_offset"] == 2
    rest = Client().get("/api/v1/programs/alpha/members?limit=10&offset=2", **bearer(raw)).json()
    assert rest["next_offset"] is None
    emails = {m["email"] for m in first["items"] + rest["items"]}
    assert "partner@alpha.example.org" in emails and "owner@bravo.example.org" not in emails
    partner = next(m for m in first["items"] + rest["items"] if m["role"] == "partner")
    assert partner["organization_name"] == "Alpha Partner Cooperative"

    for user in (world.partner_user, world.outsider):
        _t, raw = api_token_create(user=user, name="x")
        response = Client().get("/api/v1/programs/alpha/members", **bearer(raw))
        assert response.status_code == 404 and response.json() == {"detail": "Not found"}


def test_openapi_document_is_served() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/programs/{slug}/members" in schema["paths"]
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def member_token(world: World) -> Iterator[str]:
    """A member's token, with Django's per-request connection closing switched off as the test
    client does: schemathesis calls the WSGI app directly, inside the test's transaction."""
    _t, raw = api_token_create(user=world.owner, name="fuzz")
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield raw
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi_document(case: Any, member_token: str) -> None:
    """No 5xx and no response that breaks the published schema, for generated requests."""
    case.call_and_validate(headers={"Authorization": f"Bearer {member_token}", "Accept-Encoding": "identity"})
