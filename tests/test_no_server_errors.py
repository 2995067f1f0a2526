"""What the database keeps unique is checked first and said in a sentence, and ids too large for the
database give a 404 or a form error: none of these may end in a server error (500)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from conftest import World, client_for
from konbit.indicators.models import Indicator, IndicatorType, Measurement
from konbit.maps.models import Element, Map, Perspective

HUGE = "1" * 40


@pytest.fixture
def dairy(world: World) -> Map:
    return Map.objects.create(program=world.program_a, name="Dairy")


def _client(user: object) -> Client:
    client = client_for(user)
    client.raise_request_exception = True
    return client


@pytest.mark.django_db
def test_a_partner_user_starting_its_view_twice_gets_the_same_view(world: World, dairy: Map) -> None:
    client = _client(world.partner_user)
    url = f"/p/alpha/maps/{dairy.pk}/perspectives/"

    first = client.post(url)
    second = client.post(url)  # a double click

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Perspective.objects.filter(map=dairy).count() == 1


@pytest.mark.django_db
def test_staff_adding_a_perspective_under_a_name_in_use_gets_a_message(world: World, dairy: Map) -> None:
    Perspective.objects.create(program=world.program_a, map=dairy, name="Team")
    response = _client(world.owner).post(
        f"/p/alpha/maps/{dairy.pk}/perspectives/", {"name": "Team", "kind": "team", "is_private": "on"}
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Perspective.objects.filter(map=dairy).count() == 1


@pytest.mark.django_db
def test_restoring_a_measurement_whose_period_is_taken_again_says_why(world: World) -> None:
    indicator = Indicator.objects.create(
        program=world.program_a, name="Farmers trained", unit="farmers", type=IndicatorType.OUTPUT
    )
    day = datetime.date(2025, 6, 30)
    trashed = Measurement.objects.create(
        program=world.program_a, indicator=indicator, period_end=day, value=Decimal(5)
    )
    Measurement.objects.filter(pk=trashed.pk).update(
        deleted_at=datetime.datetime(2025, 7, 1, tzinfo=datetime.UTC)
    )
    Measurement.objects.create(program=world.program_a, indicator=indicator, period_end=day, value=Decimal(7))
    client = _client(world.owner)

    response = client.post(f"/p/alpha/trash/indicators.measurement/{trashed.pk}/restore/", follow=True)

    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Measurement.all_objects.get(pk=trashed.pk).deleted_at is not None


@pytest.mark.django_db
def test_huge_ids_in_element_forms_and_map_addresses_are_not_server_errors(world: World, dairy: Map) -> None:
    element = Element.objects.create(program=world.program_a, map=dairy, key="a", label="Farmer")
    client = _client(world.owner)

    for url in [
        f"/p/alpha/maps/{dairy.pk}/elements/new/",
        f"/p/alpha/maps/{dairy.pk}/elements/{element.pk}/",
    ]:
        response = client.post(url, {"label": "Trader", "kind": "actor", "perspectives": [HUGE]})
        assert response.status_code == 200  # the form again, with the choice refused
        assert (
            "not one of the available choices" in response.content.decode()
            or "valid" in response.content.decode()
        )
    for url in [
        f"/p/alpha/maps/{dairy.pk}/?perspective={HUGE}",
        f"/p/alpha/maps/{dairy.pk}/data.json?perspective={HUGE}",
        f"/p/alpha/maps/{dairy.pk}/compare/?perspective={HUGE}&perspective=²",
        f"/p/alpha/partners/organizations/?organizations={HUGE}",
    ]:
        assert client.get(url).status_code in (200, 404), url
    assert client.get(f"/p/alpha/maps/{HUGE}/").status_code == 404


def test_a_service_refusal_no_endpoint_caught_is_the_apis_422() -> None:
    import json

    from django.core.exceptions import ValidationError
    from django.test import RequestFactory

    from konbit.api.api import refused

    response = refused(RequestFactory().post("/api/v1/programs/alpha/lessons"), ValidationError("Taken."))

    assert response.status_code == 422
    assert json.loads(response.content)["detail"][0]["msg"] == "Taken."
