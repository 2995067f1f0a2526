"""Signed-in responses tell browsers and proxies to keep no copy (Cache-Control: no-store): a shared
computer's back button or disk cache must not show a programme's data after sign-out."""

from __future__ import annotations

from django.http import HttpResponseBase
from django.test import Client

from conftest import World, client_for
from konbit.core.access import Access
from konbit.core.models import Membership
from konbit.core.services import api_token_create
from konbit.maps import services as map_services


def no_store(response: HttpResponseBase) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_signed_in_pages_and_map_data_carry_no_store(world: World) -> None:
    access = Access(program=world.program_a, membership=Membership.objects.get(user=world.owner))
    map = map_services.map_create(access=access, by=world.owner, data={"name": "Seed market"})
    owner = client_for(world.owner)
    page = owner.get("/p/alpha/")
    assert page.status_code == 200 and no_store(page)
    data = owner.get(f"/p/alpha/maps/{map.pk}/data.json")
    assert data.status_code == 200 and no_store(data)
    assert no_store(owner.get("/accounts/"))


def test_api_answers_to_a_token_carry_no_store(world: World) -> None:
    _token, raw = api_token_create(user=world.owner, name="script")
    response = Client().get("/api/v1/programs/alpha/organizations", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200 and no_store(response)


def test_static_files_may_still_be_cached_by_signed_in_browsers(world: World) -> None:
    response = client_for(world.owner).get("/static/konbit/app.css")
    assert response.status_code == 200 and not no_store(response)
