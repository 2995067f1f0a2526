"""The indicators API follows the pages' rules: who may read and write what, in which programme."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from config.wsgi import application
from conftest import World
from konbit.core.services import api_token_create
from konbit.indicators import services
from konbit.indicators.models import Indicator, Measurement
from konbit.indicators.tests.test_pages import access_of, make_indicator
from konbit.partners.tests.test_api import ApiClient


def seeded(world: World) -> Indicator:
    dimension = services.dimension_create(
        access=access_of(world, world.mel), by=world.mel, name="Sex", categories=["Women", "Men"]
    )
    indicator = make_indicator(world, code="O1", baseline_value=Decimal(0))
    indicator.dimensions.add(dimension)
    services.target_set(
        indicator=indicator,
        by=world.mel,
        data={"period_label": "2025", "period_end": datetime.date(2025, 12, 31), "value": Decimal(400)},
    )
    return indicator


def test_list_get_and_create_indicators(world: World) -> None:
    indicator = seeded(world)
    api = ApiClient(world.mel)
    listing = api.get("alpha/indicators", type="outcome").json()
    assert listing["count"] == 1 and listing["items"][0]["code"] == "O1"
    assert api.get(f"alpha/indicators/{indicator.pk}").json()["name"] == "Farmers buying certified seed"
    response = api.post(
        "alpha/indicators",
        {"name": "Loans to smallholders", "unit": "loans", "type": "outcome", "baseline_value": 5},
    )
    assert response.status_code == 201, response.content
    assert Indicator.objects.get(pk=response.json()["id"]).baseline_value == Decimal(5)
    assert api.post("alpha/indicators", {"name": "No unit", "type": "outcome"}).status_code == 422


def test_patch_with_a_stale_version_answers_409_with_the_stored_record(world: World) -> None:
    indicator = seeded(world)
    api = ApiClient(world.mel)
    ok = api.patch(f"alpha/indicators/{indicator.pk}", {"version": indicator.version, "unit": "households"})
    assert ok.status_code == 200 and ok.json()["unit"] == "households"
    stale = api.patch(f"alpha/indicators/{indicator.pk}", {"version": indicator.version, "unit": "people"})
    assert stale.status_code == 409 and stale.json()["unit"] == "households"


def test_measurements_and_progress(world: World) -> None:
    indicator = seeded(world)
    women = indicator.dimensions.get().categories.get(name="Women")
    api = ApiClient(world.facilitator)
    path = f"alpha/indicators/{indicator.pk}/measurements"
    assert api.post(path, {"period_label": "2025-Q1", "value": 100}).status_code == 201
    assert (
        api.post(path, {"period_label": "2025-Q2", "value": 100, "category_id": women.pk}).status_code == 201
    )
    again = api.post(path, {"period_label": "2025-Q1", "value": 120})
    assert again.status_code == 200  # the same period and category: updated, not added
    assert Measurement.objects.filter(indicator=indicator).count() == 2
    assert api.post(path, {"period_label": "someday", "value": 1}).status_code == 422
    items = api.get(path).json()["items"]
    assert [(m["period_label"], m["category"], m["value"]) for m in items] == [
        ("2025-Q1", None, "120.0000"),
        ("2025-Q2", "Sex: Women", "100.0000"),
    ]
    progress = api.get(f"alpha/indicators/{indicator.pk}/progress").json()
    # Q1 120 + Q2 (derived from the women's 100) = 220 of 400 → 55 %.
    assert progress["achieved"] == 220 and progress["progress"] == pytest.approx(55.0)
    assert progress["points"][1]["derived"] is True
    assert progress["categories"][0]["category_id"] == women.pk


def test_partner_token_sees_its_own_benchmarks_only_and_nothing_else(world: World) -> None:
    indicator = seeded(world)
    from konbit.indicators.tests.test_pages import make_benchmarks

    make_benchmarks(world)
    api = ApiClient(world.partner_user)
    items = api.get("alpha/partner-benchmarks").json()["items"]
    assert [b["description"] for b in items] == ["Sells 500 bags of certified seed"]
    assert api.get("alpha/partner-benchmarks", organization=world.other_org_a.pk).status_code == 404
    assert api.get("alpha/indicators").status_code == 404
    assert api.get(f"alpha/indicators/{indicator.pk}/progress").status_code == 404
    staff = ApiClient(world.viewer).get("alpha/partner-benchmarks").json()
    assert staff["count"] == 2


def test_outsider_gets_404(world: World) -> None:
    indicator = seeded(world)
    api = ApiClient(world.outsider)
    assert api.get(f"alpha/indicators/{indicator.pk}").status_code == 404
    assert (
        api.post(
            f"alpha/indicators/{indicator.pk}/measurements", {"period_label": "2025-Q1", "value": 1}
        ).status_code
        == 404
    )
    assert not Measurement.objects.exists()


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def alpha_token(world: World) -> Iterator[str]:
    for _ in range(3):
        seeded_indicator = make_indicator(world, name=f"Indicator {_}")
        services.measurement_record(
            indicator=seeded_indicator,
            by=world.mel,
            data={"period_end": datetime.date(2025, 3, 31), "value": Decimal(3)},
        )
    _t, raw = api_token_create(user=world.owner, name="fuzz")
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield raw
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.include(path_regex="/(indicators|partner-benchmarks)").parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_indicator_api_conforms_to_its_openapi_document_inside_a_programme(
    case: Any, alpha_token: str
) -> None:
    case.path_parameters["slug"] = "alpha"
    well_formed = case.meta is None or not case.meta.generation.mode.is_negative
    if well_formed and isinstance(case.path_parameters.get("pk"), int):
        case.path_parameters["pk"] = case.path_parameters["pk"] % 3 + 1
    if case.headers and "Authorization" in case.headers:
        case.headers["Authorization"] = f"Bearer {alpha_token}"
    # Ids in the body (intervention, dimension, category) that do not exist are a 422 by design.
    refers_to_rows = case.method == "POST"
    case.call_and_validate(
        headers={"Accept-Encoding": "identity"},  # schemathesis' WSGI transport does not unpack gzip
        excluded_checks=[positive_data_acceptance] if refers_to_rows else [],
    )
