"""Regressions for what tests/test_api_fuzz.py and konbit/partners/tests/test_concurrent_writes.py found:
the API accepts exactly what its OpenAPI document promises, and a change of links alone is versioned.

Each value below is judged twice, by the published schema and by the server; the two must agree (a
script written against the document must not meet a 422 for input the document calls valid, and input
the document calls invalid must not be stored)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import jsonschema_rs
import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from conftest import World
from konbit.api.api import api
from konbit.core.models import AuditAction, AuditEvent
from konbit.core.services import api_token_create
from konbit.learning.models import Lesson
from tests.attack import Attack, plant

COMPONENTS = api.get_openapi_schema()["components"]["schemas"]


def published(schema: str, field: str, value: Any) -> bool:
    """Whether the OpenAPI document accepts `value` for this field."""
    return bool(jsonschema_rs.validator_for(COMPONENTS[schema]["properties"][field]).is_valid(value))


@pytest.fixture
def attack(world: World) -> Attack:
    return plant(world)


@pytest.fixture
def owner(world: World) -> Client:
    _token, raw = api_token_create(user=world.owner, name="contract")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(f"/api/v1/programs/alpha/{path}", body, content_type="application/json")


@pytest.mark.parametrize(
    ("amount", "stored"),
    [
        (1500, "1500.00"),
        ("1500.50", "1500.50"),
        (1.005, "1.01"),  # a third decimal was a 422 the schema did not announce: now rounded to the cent
        (0.001, "0.00"),
        ("1e3", None),  # any decimal text was taken though the schema promised a number or "1500.50"
        (" 12", None),
        ("twelve", None),  # the schema said "any string", the server said 422
        (-1, None),
        (True, None),
        (1e300, None),
    ],
)
def test_planned_amounts_are_stored_exactly_when_the_openapi_document_accepts_them(
    attack: Attack, owner: Client, amount: Any, stored: str | None
) -> None:
    response = post(
        owner,
        "interventions",
        {"title": "Seed fair", "function": "core", "lever": "rules", "planned_amount": amount},
    )
    assert published("InterventionIn", "planned_amount", amount) == (stored is not None)
    assert response.status_code == (201 if stored is not None else 422), response.content
    if stored is not None:
        assert Decimal(response.json()["planned_amount"]) == Decimal(stored)


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (120, "120.0000"),
        (-4470022.90735, "-4470022.9074"),  # a fifth decimal was a 422 ("no more than 16 digits")
        (0.123456, "0.1235"),
        (999999999999, "999999999999.0000"),
        ("12", None),
        (1e13, None),
    ],
)
def test_measurement_values_are_stored_exactly_when_the_openapi_document_accepts_them(
    attack: Attack, owner: Client, value: Any, stored: str | None
) -> None:
    indicator = attack.alpha.ids["indicators"][0]
    response = post(
        owner, f"indicators/{indicator}/measurements", {"period_label": "2024-Q4", "value": value}
    )
    assert published("MeasurementIn", "value", value) == (stored is not None)
    assert response.status_code == (201 if stored is not None else 422), response.content
    if stored is not None:
        assert Decimal(response.json()["value"]) == Decimal(stored)


@pytest.mark.parametrize(
    ("link", "valid"),
    [
        ("https://example.org/field-report.pdf", True),
        ("", True),
        ("https://7", False),  # the schema accepted it and the model's URL check refused it (a 422)
        ("https://localhost", False),
        ("ftp://example.org/x", False),
    ],
)
def test_evidence_links_are_stored_exactly_when_the_openapi_document_accepts_them(
    attack: Attack, owner: Client, link: str, valid: bool
) -> None:
    alpha = attack.alpha
    aaer = post(
        owner,
        f"interventions/{alpha.refs.intervention}/aaer",
        {
            "organization_id": alpha.refs.organizations[0],
            "stage": "adopt",
            "observed_on": "2025-03-05",
            "evidence": "Seen",
            "link": link,
        },
    )
    assert published("AaerIn", "link", link) == valid
    assert aaer.status_code == (201 if valid else 422), aaer.content
    measurement = post(
        owner,
        f"indicators/{alpha.ids['indicators'][0]}/measurements",
        {"period_label": "2024-Q3", "value": 3, "evidence_link": link},
    )
    assert published("MeasurementIn", "evidence_link", link) == valid
    assert measurement.status_code in ({200, 201} if valid else {422}), measurement.content


def test_changing_only_a_lessons_organisations_makes_a_new_version_so_a_stale_writer_gets_409(
    attack: Attack, owner: Client
) -> None:
    """Found by the concurrent-writers test: a PATCH that changed only a lesson's organisations kept
    its version, so six writers with the same version all won and the last one silently replaced the
    others' links; a writer holding an old version could overwrite them any time later."""
    lesson = Lesson.objects.get(pk=attack.alpha.ids["lessons"][0])
    version = lesson.version
    first, second = attack.alpha.refs.organizations
    url = f"/api/v1/programs/alpha/lessons/{lesson.pk}"

    mine = owner.patch(
        url, {"version": version, "organization_ids": [first]}, content_type="application/json"
    )
    assert mine.status_code == 200 and mine.json()["version"] == version + 1
    stale = owner.patch(
        url, {"version": version, "organization_ids": [second]}, content_type="application/json"
    )
    assert stale.status_code == 409
    assert (stale.json()["sent_version"], stale.json()["version"]) == (version, version + 1)
    assert stale.json()["organization_ids"] == [first]
    assert list(lesson.organizations.values_list("pk", flat=True)) == [first]
    change = AuditEvent.objects.filter(
        action=AuditAction.UPDATE,
        content_type=ContentType.objects.get_for_model(Lesson),
        object_id=str(lesson.pk),
    ).latest("pk")
    assert "organizations" in change.changes  # the history says who changed the links


def test_an_unchanged_save_of_a_lessons_links_keeps_its_version(attack: Attack, owner: Client) -> None:
    lesson = Lesson.objects.get(pk=attack.alpha.ids["lessons"][0])
    same = sorted(lesson.organizations.values_list("pk", flat=True))
    response = owner.patch(
        f"/api/v1/programs/alpha/lessons/{lesson.pk}",
        {"version": lesson.version, "organization_ids": same},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["version"] == lesson.version


def test_a_stale_patch_answers_with_both_versions_on_every_versioned_record(
    attack: Attack, owner: Client
) -> None:
    alpha = attack.alpha
    for kind, field in (
        ("organizations", "town"),
        ("interventions", "title"),
        ("indicators", "name"),
        ("lessons", "title"),
    ):
        url = f"/api/v1/programs/alpha/{kind}/{alpha.ids[kind][0]}"
        version = owner.get(url).json()["version"]
        assert (
            owner.patch(
                url, {"version": version, field: "First"}, content_type="application/json"
            ).status_code
            == 200
        )
        stale = owner.patch(url, {"version": version, field: "Second"}, content_type="application/json")
        assert stale.status_code == 409, kind
        assert (stale.json()["sent_version"], stale.json()["version"], stale.json()[field]) == (
            version,
            version + 1,
            "First",
        ), kind


def test_a_body_that_is_not_a_json_object_is_refused_and_writes_nothing(
    attack: Attack, owner: Client
) -> None:
    """Found by the member fuzz: ninja read a bare JSON string as an object whose attributes are the
    string's methods, so POSTing "seed fair" to /lessons made a lesson titled "Seed Fair" (str.title)."""
    lessons = Lesson.objects.count()
    assert post(owner, "lessons", '"seed fair"').status_code == 400
    assert Lesson.objects.count() == lessons
    paths = api.get_openapi_schema()["paths"]
    writes = [(m, p) for p, item in paths.items() for m, op in item.items() if "requestBody" in op]
    assert len(writes) >= 16
    for method, path in writes:
        kind = path.split("/")[5]  # /api/v1/programs/{slug}/<kind>/…
        url = path.replace("{slug}", "alpha").replace("{pk}", str(attack.alpha.ids[kind][0]))
        for body in ('"seed fair"', "42", '["title"]', "null"):
            response = getattr(owner, method)(url, body, content_type="application/json")
            assert response.status_code == 400, f"{method.upper()} {url} with {body} → {response.status_code}"
            assert response.json() == {"detail": "Cannot parse request body"}
