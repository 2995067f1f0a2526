"""A number that is not finite (1e400, NaN, Infinity) or a boolean sent as a number is refused
wherever a float comes in, so one request cannot make a map's JSON unreadable for everyone."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from conftest import World, client_for
from konbit.api.api import api
from konbit.core.services import api_token_create
from konbit.maps.models import Element, Map


@pytest.fixture
def dairy(world: World) -> Map:
    plan = Map.objects.create(program=world.program_a, name="Dairy")
    for key in "ab":
        Element.objects.create(program=world.program_a, map=plan, key=key, label=f"Actor {key}")
    return plan


@pytest.mark.django_db
@pytest.mark.parametrize(
    "position", [["1e400", "-1e400"], [1e400, 0], ["NaN", 1], ["Infinity", 1], [True, False]]
)
def test_a_position_that_is_not_a_finite_number_is_refused_and_the_map_still_loads(
    world: World, dairy: Map, position: list[Any]
) -> None:
    client = client_for(world.facilitator)
    base = f"/p/alpha/maps/{dairy.pk}"
    body = json.dumps({"positions": {"a": position}}, allow_nan=True)

    response = client.post(f"{base}/positions/", body, content_type="application/json")

    assert response.status_code == 400
    assert Element.objects.get(key="a").x is None
    data = client.get(f"{base}/data.json")
    assert data.status_code == 200
    json.loads(data.content, parse_constant=lambda name: pytest.fail(f"{name} in data.json"))


@pytest.mark.django_db
def test_finite_positions_are_still_saved(world: World, dairy: Map) -> None:
    response = client_for(world.facilitator).post(
        f"/p/alpha/maps/{dairy.pk}/positions/",
        json.dumps({"positions": {"a": [1.5, -2], "b": ["3", "4.25"]}}),
        content_type="application/json",
    )
    assert response.json() == {"saved": 2}
    assert Element.objects.get(key="b").y == 4.25


@pytest.mark.django_db
@pytest.mark.parametrize("strength", [False, True, "0.5", "Infinity", "NaN"])
def test_the_api_refuses_a_connection_strength_that_is_a_boolean_or_not_finite(
    world: World, dairy: Map, strength: Any
) -> None:
    raw = api_token_create(user=world.owner, name="script")[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    a, b = Element.objects.filter(map=dairy).order_by("key")
    body = json.dumps({"source_id": a.pk, "target_id": b.pk, "strength": strength})
    body = body.replace('"Infinity"', "Infinity").replace('"NaN"', "NaN")

    response = client.post(
        f"/api/v1/programs/alpha/maps/{dairy.pk}/connections", body, content_type="application/json"
    )

    assert response.status_code == 422, response.content
    assert not dairy.connections.exists()


def _floats(schema: Any) -> list[dict[str, Any]]:
    if isinstance(schema, dict):
        found = [schema] if schema.get("type") == "float" else []
        return found + [f for v in schema.values() for f in _floats(v)]
    if isinstance(schema, list | tuple):
        return [f for v in schema for f in _floats(v)]
    return []


def test_every_float_the_api_takes_is_finite_and_strict_in_bodies() -> None:
    """The whole class: every float in a request's body, query or path refuses inf/NaN, and in a JSON
    body also refuses true/false and "1" (a query string is all text)."""
    loose = []
    for _prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                for model in operation.models:
                    source = getattr(model, "__ninja_param_source__", "")
                    for node in _floats(model.__pydantic_core_schema__):
                        if node.get("allow_inf_nan", True) or (source == "body" and not node.get("strict")):
                            loose.append(f"{path} ({source}): {model.__name__}")
    assert loose == []


def _lax_numbers(node: Any, guarded: bool = False) -> list[str]:
    """int/float/decimal nodes of a pydantic core schema that would take true/false or "1": not strict
    and not behind a validator of ours (ninja wraps every Schema in `_run_root_validator`, not a guard)."""
    if isinstance(node, list | tuple):
        return [x for v in node for x in _lax_numbers(v, guarded)]
    if not isinstance(node, dict):
        return []
    kind = node.get("type")
    wrapped = node.get("function")
    function = getattr(wrapped.get("function") if isinstance(wrapped, dict) else wrapped, "__name__", "")
    guarded = (
        guarded
        or kind in ("function-before", "function-plain")
        or (kind == "function-wrap" and function != "_run_root_validator")
    )
    own = (
        [str(kind)] if kind in ("int", "float", "decimal") and not node.get("strict") and not guarded else []
    )
    return own + [x for v in node.values() for x in _lax_numbers(v, guarded)]


def test_no_number_in_an_api_body_takes_a_boolean() -> None:
    loose = [
        f"{operation.methods} {path}: {found}"
        for _prefix, router in api._routers
        for path, view in router.path_operations.items()
        for operation in view.operations
        for model in operation.models
        if getattr(model, "__ninja_param_source__", "") == "body"
        and (found := _lax_numbers(model.__pydantic_core_schema__))
    ]
    assert loose == []


@pytest.mark.django_db
def test_positions_saved_as_infinity_before_the_fix_are_cleared_by_the_migration(
    world: World, dairy: Map
) -> None:
    import importlib

    from django.apps import apps as django_apps

    migration = importlib.import_module("konbit.maps.migrations.0003_clear_non_finite_positions")
    Element.objects.filter(key="a").update(x=float("inf"), y=float("-inf"))
    Element.objects.filter(key="b").update(x=1.5, y=2.5)
    before = Map.objects.get(pk=dairy.pk).layout_version

    migration.clear(django_apps, None)

    assert list(Element.objects.order_by("key").values_list("x", "y")) == [(None, None), (1.5, 2.5)]
    assert Map.objects.get(pk=dairy.pk).layout_version == before + 1
    data = client_for(world.facilitator).get(f"/p/alpha/maps/{dairy.pk}/data.json")
    json.loads(data.content, parse_constant=lambda name: pytest.fail(f"{name} in data.json"))
