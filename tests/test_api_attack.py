"""Every operation of the API, attacked deterministically: by someone with no role in programme A, by
each of A's two partner users against the other, by a member of A naming B's rows, and with no token.

The list of operations is read from the OpenAPI document, so an endpoint added tomorrow is walked
tomorrow; one that the walk does not know how to call (a new kind of row in its path, a new request
body, a new operation a partner user may reach) fails here until it is described below.

What already exists and is not repeated: tests/test_tenancy.py walks every *page* (and, once, every API
path without a body); konbit/partners/tests/test_api.py sends well-formed bodies to the partner
endpoints as an outsider. This file sends well-formed bodies to every endpoint, fills `{pk}` with real
rows of the right kind, separates two partner organisations, and checks the database afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Sum
from django.test import Client

from conftest import World
from konbit.api.api import api
from konbit.core.models import AuditEvent, Job, Program
from konbit.core.services import api_token_create, api_token_revoke
from konbit.indicators.models import Indicator
from konbit.learning.models import Lesson
from konbit.partners.models import Organization, Participation
from konbit.results.models import Intervention
from tests.attack import (
    ALPHA_SECRETS,
    BRAVO_SECRETS,
    PARAM,
    PARTNER_TWO_ORG,
    TAG_A,
    Attack,
    Planted,
    Refs,
    cross_programme_links,
    find,
    operations,
    plant,
    resource_of,
    url_of,
)

SCHEMA = api.get_openapi_schema()
OPERATIONS = operations(SCHEMA)

# A well-formed body for every operation that reads one, built from the ids of one programme (`refs`)
# and the version of the row named in the path. Well-formed on purpose: the owner test at the end
# sends the same bodies and gets 2xx, so a refusal above is the access check, not a malformed request.
Body = Callable[[Refs, int], dict[str, Any]]
BODIES: dict[tuple[str, str], Body] = {
    ("post", "/{slug}/organizations"): lambda r, v: {"name": "Attacker's Holding"},
    ("patch", "/{slug}/organizations/{pk}"): lambda r, v: {"version": v, "town": "Attackville"},
    ("post", "/{slug}/partners/{pk}/segment"): lambda r, v: {
        "segment": "dormant",
        "changed_on": "2025-03-05",
        "reason": "attack",
    },
    ("post", "/{slug}/interactions"): lambda r, v: {
        "kind": "call",
        "occurred_on": "2025-03-05",
        "title": "attack",
        "organization_ids": r.organizations,
    },
    ("post", "/{slug}/interactions/{pk}/attendance"): lambda r, v: {
        "statuses": {str(r.event_organization): "attended"}
    },
    ("post", "/{slug}/maps/{pk}/elements"): lambda r, v: {
        "label": "attack",
        "perspective_ids": [r.perspective],
    },
    ("post", "/{slug}/maps/{pk}/connections"): lambda r, v: {
        "source_id": r.elements[0],
        "target_id": r.elements[1],
        "perspective_id": r.perspective,
    },
    ("post", "/{slug}/interventions"): lambda r, v: {
        "title": "attack",
        "function": "core",
        "lever": "rules",
        "organization_ids": r.organizations,
    },
    ("patch", "/{slug}/interventions/{pk}"): lambda r, v: {
        "version": v,
        "title": "attack",
        "organization_ids": r.organizations[:1],
    },
    ("post", "/{slug}/interventions/{pk}/aaer"): lambda r, v: {
        "organization_id": r.organizations[0],
        "stage": "adapt",
        "observed_on": "2025-03-05",
        "evidence": "attack",
    },
    ("post", "/{slug}/indicators"): lambda r, v: {
        "name": "attack",
        "unit": "farmers",
        "type": "output",
        "intervention_id": r.intervention,
        "chain_box_id": r.chain_box,
        "dimension_ids": [r.dimension],
    },
    ("patch", "/{slug}/indicators/{pk}"): lambda r, v: {"version": v, "name": "attack"},
    ("post", "/{slug}/indicators/{pk}/measurements"): lambda r, v: {
        "period_label": "2025-Q2",
        "value": 5,
        "category_id": r.category,
    },
    ("post", "/{slug}/lessons"): lambda r, v: {
        "title": "attack",
        "organization_ids": r.organizations,
        "intervention_ids": [r.intervention],
    },
    ("patch", "/{slug}/lessons/{pk}"): lambda r, v: {
        "version": v,
        "title": "attack",
        "organization_ids": r.organizations,
        "intervention_ids": [r.intervention],
    },
    ("post", "/{slug}/communications/{pk}/sendings"): lambda r, v: {
        "sent_on": "2025-03-05",
        "note": "attack",
    },
}
# The row a PATCH names, for the version its body must carry.
VERSIONED = {
    "organizations": Organization,
    "interventions": Intervention,
    "indicators": Indicator,
    "lessons": Lesson,
}


# Every operation a partner user gets an answer from (anything else must be 404), and for which rows.
PARTNER_MAY: dict[tuple[str, str], Callable[[Attack, Organization, int | None], bool]] = {
    ("get", ""): lambda a, org, pk: True,  # its own programmes
    # Its own organisation's profile, which it may also edit (never another organisation).
    ("get", "/{slug}/organizations/{pk}"): lambda a, org, pk: pk == org.pk,
    ("patch", "/{slug}/organizations/{pk}"): lambda a, org, pk: pk == org.pk,
    ("get", "/{slug}/jobs/{pk}"): lambda a, org, pk: pk in a.alpha.own[org.pk]["jobs"],  # jobs it started
    # The list of maps is shared; what is inside is limited to its own perspectives (checked below).
    ("get", "/{slug}/maps"): lambda a, org, pk: True,
    ("get", "/{slug}/maps/{pk}/perspectives"): lambda a, org, pk: pk in a.alpha.ids["maps"],
    ("get", "/{slug}/maps/{pk}/elements"): lambda a, org, pk: pk in a.alpha.ids["maps"],
    ("get", "/{slug}/maps/{pk}/connections"): lambda a, org, pk: pk in a.alpha.ids["maps"],
    ("get", "/{slug}/partner-benchmarks"): lambda a, org, pk: True,  # its own benchmarks
    ("get", "/{slug}/my-invitations"): lambda a, org, pk: True,  # the events it was invited to
}


@pytest.fixture
def attack(world: World) -> Attack:
    return plant(world)


def token_client(user: Any) -> Client:
    _token, raw = api_token_create(user=user, name="attack")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def send(client: Client, method: str, path: str, url: str, refs: Refs, pk: int | None) -> Any:
    """One request as a script would send it: with the operation's well-formed body, if it reads one."""
    body = BODIES.get((method, path))
    if body is None:
        return getattr(client, method)(url)
    resource = resource_of(path)
    version = VERSIONED[resource].all_objects.get(pk=pk).version if method == "patch" and resource else 1
    return getattr(client, method)(url, body(refs, version), content_type="application/json")


def walk(planted: Planted, *, ids_from: Planted | None = None) -> Iterator[tuple[str, str, int | None, str]]:
    """(method, path, pk, url) of every operation in `planted`'s programme, `{pk}` filled with every row
    of the right kind of `ids_from` (default: the same programme)."""
    source = ids_from or planted
    for method, path in OPERATIONS:
        resource = resource_of(path)
        for pk in source.ids[resource] if resource else [None]:
            yield method, path, pk, url_of(path, planted.program.slug, pk)


def text(response: Any) -> str:
    return response.content.decode(errors="replace")


def leaks(body: str, secrets: list[str]) -> list[str]:
    return [s for s in secrets if s in body]


def programme_state(program: Program) -> dict[str, tuple[int, int]]:
    """Rows and the sum of their versions, per kind, plus audit lines and jobs: any write shows here."""
    state = {
        "audit": (AuditEvent.objects.filter(program=program).count(), 0),
        "jobs": (Job.objects.filter(program=program).count(), 0),
    }
    for model in apps.get_models():
        names = {f.name for f in model._meta.get_fields()}
        if (
            model._meta.app_label in {"partners", "maps", "results", "indicators", "learning", "core"}
            and {
                "program",
                "version",
            }
            <= names
        ):
            rows = getattr(model, "all_objects", model._default_manager).filter(program=program)
            state[model._meta.label] = (rows.count(), rows.aggregate(v=Sum("version"))["v"] or 0)
    return state


# --- the walk knows every operation -------------------------------------------------------------


def test_the_walk_knows_how_to_call_every_operation_of_the_openapi_document(attack: Attack) -> None:
    assert len(OPERATIONS) >= 50, "the OpenAPI document lost operations"
    with_body = {
        (method, path.removeprefix("/api/v1/programs"))
        for path, item in SCHEMA["paths"].items()
        for method, operation in item.items()
        if "requestBody" in operation
    }
    assert with_body == set(BODIES), "describe a well-formed body in BODIES for each operation that reads one"
    parameters = {name for _method, path in OPERATIONS for name in PARAM.findall(path)}
    assert parameters <= {"slug", "pk"}, f"teach tests/attack.py which rows these name: {parameters}"
    kinds = {kind for _method, path in OPERATIONS if (kind := resource_of(path))}
    missing = kinds - set(attack.alpha.ids)
    assert not missing, (
        f"plant rows of these kinds in tests/attack.py so that {{pk}} names real rows: {missing}"
    )
    assert all(attack.alpha.ids[k] and attack.bravo.ids[k] for k in kinds)
    patched = {resource_of(path) for method, path in OPERATIONS if method == "patch"}
    assert patched <= set(VERSIONED), "a new PATCH: say which model's version its body carries"
    assert set(PARTNER_MAY) <= set(OPERATIONS), "PARTNER_MAY names an operation that no longer exists"
    assert all(path == "" or "{slug}" in path for _method, path in OPERATIONS), (
        "an operation outside a programme"
    )


def test_the_link_check_finds_a_row_that_points_into_another_programme(attack: Attack) -> None:
    """The database check used below is itself checked: it would see a participation of programme B at
    an event of programme A."""
    assert cross_programme_links() == []
    Participation.objects.create(
        program=attack.bravo.program, interaction_id=attack.alpha.refs.event, organization=attack.world.org_b
    )
    assert cross_programme_links() == [f"Participation.interaction #{Participation.objects.latest('pk').pk}"]


# --- with no valid token, nothing ---------------------------------------------------------------


@pytest.mark.parametrize("token", ["none", "forged", "revoked"])
def test_without_a_valid_token_every_operation_answers_401(attack: Attack, token: str) -> None:
    headers = {}
    if token == "forged":
        headers = {"Authorization": "Bearer kbt_" + "A" * 43}
    elif token == "revoked":
        row, raw = api_token_create(user=attack.world.owner, name="leaked")
        api_token_revoke(user=attack.world.owner, pk=row.pk)
        headers = {"Authorization": f"Bearer {raw}"}
    client = Client(headers=headers)
    before = programme_state(attack.alpha.program)
    for method, path, pk, url in walk(attack.alpha):
        response = send(client, method, path, url, attack.alpha.refs, pk)
        assert response.status_code == 401, f"{method.upper()} {url} → {response.status_code}"
        assert response.json() == {"detail": "Unauthorized"}
    assert programme_state(attack.alpha.program) == before


# --- an outsider: the owner of programme B ----------------------------------------------------------


def test_outsider_gets_404_from_every_operation_of_alpha_and_changes_nothing(attack: Attack) -> None:
    client = token_client(attack.world.outsider)
    alpha, bravo = attack.alpha, attack.bravo
    before = programme_state(alpha.program)
    checked = 0
    for method, path, pk, url in walk(alpha):
        response = send(client, method, path, url, alpha.refs, pk)
        if path == "":  # its own programmes: B only
            assert [p["slug"] for p in response.json()] == ["bravo"]
        else:
            assert response.status_code == 404, f"{method.upper()} {url} → {response.status_code}"
            assert response.json() == {"detail": "Not found"}
        assert leaks(text(response), ALPHA_SECRETS) == [], f"{method.upper()} {url}"
        checked += 1
    # Its own programme in the URL, alpha's rows in the path: still nothing.
    for method, path, pk, url in walk(bravo, ids_from=alpha):
        if pk is None:
            continue
        response = send(client, method, path, url, bravo.refs, pk)
        assert response.status_code == 404, f"{method.upper()} {url} (an alpha row) → {response.status_code}"
        checked += 1
    assert checked >= 80
    assert programme_state(alpha.program) == before
    assert cross_programme_links() == []

    # The very same requests from alpha's owner are served: the 404s were the access check.
    owner = token_client(attack.world.owner)
    for method, path in OPERATIONS:
        if method == "get" or path == "":
            continue
        resource = resource_of(path)
        pk = alpha.ids[resource][0] if resource else None
        response = send(owner, method, path, url_of(path, "alpha", pk), alpha.refs, pk)
        assert 200 <= response.status_code < 300, f"owner {method.upper()} {path} → {response.content!r}"


def test_outsider_cannot_link_its_own_programme_to_alpha_rows(attack: Attack) -> None:
    """Write requests in programme B whose bodies name A's organisations, elements, perspectives,
    interventions, chain boxes, dimensions or categories are refused, and nothing links B to A."""
    client = token_client(attack.world.outsider)
    alpha, bravo = attack.alpha, attack.bravo
    alpha_before, bravo_before = programme_state(alpha.program), programme_state(bravo.program)
    refused = 0
    for (method, path), body in BODIES.items():
        resource = resource_of(path)
        pk = bravo.ids[resource][0] if resource else None
        version = VERSIONED[resource].all_objects.get(pk=pk).version if method == "patch" and resource else 1
        if body(alpha.refs, version) == body(bravo.refs, version):
            continue  # the body names no row: nothing to point elsewhere
        url = url_of(path, "bravo", pk)
        response = send(client, method, path, url, alpha.refs, pk)
        assert response.status_code in {404, 422}, (
            f"{method.upper()} {url} with alpha ids → {response.status_code}"
        )
        assert leaks(text(response), ALPHA_SECRETS) == [], f"{method.upper()} {url}"
        refused += 1
    assert refused >= 10
    assert cross_programme_links() == []
    assert programme_state(alpha.program) == alpha_before
    assert programme_state(bravo.program) == bravo_before  # a refused write writes nothing, not half of it


# --- a member of A: B's rows by id ----------------------------------------------------------------------


def test_a_member_of_alpha_reaches_no_row_of_bravo_by_id(attack: Attack) -> None:
    client = token_client(attack.world.owner)
    before = programme_state(attack.bravo.program)
    for method, path, pk, url in walk(attack.alpha, ids_from=attack.bravo):
        if pk is None:
            continue
        response = send(client, method, path, url, attack.alpha.refs, pk)
        assert response.status_code == 404, f"{method.upper()} {url} (a bravo row) → {response.status_code}"
        assert leaks(text(response), BRAVO_SECRETS) == []
    assert programme_state(attack.bravo.program) == before


# --- two partner organisations of A, each with its own partner user ----------------------------------------


@pytest.mark.parametrize("which", ["one", "two"])
def test_a_partner_user_gets_its_own_rows_and_nothing_of_the_team_or_the_other_partner(
    attack: Attack, which: str
) -> None:
    user, org, own_tag, other_tag = attack.partner(which)
    other_org = PARTNER_TWO_ORG if which == "one" else "Alpha Partner Cooperative"
    secrets = [
        TAG_A,
        other_tag,
        other_org,
        "Alpha Secret Processor",
        "owner@alpha.example.org",
        *BRAVO_SECRETS,
    ]
    client = token_client(user)
    alpha = attack.alpha
    audit_before = AuditEvent.objects.filter(program=alpha.program).count()
    jobs_before = Job.objects.count()
    seen = ""
    bravo_rows = [step for step in walk(alpha, ids_from=attack.bravo) if step[2] is not None]
    for method, path, pk, url in [*walk(alpha), *bravo_rows]:
        response = send(client, method, path, url, alpha.refs, pk)
        rule = PARTNER_MAY.get((method, path))
        may = rule is not None and rule(attack, org, pk)
        expected = 200 if may else 404
        assert response.status_code == expected, (
            f"partner {which}: {method.upper()} {url} → {response.status_code}, expected {expected}"
            + ("" if rule else " (a new operation a partner reaches? describe it in PARTNER_MAY)")
        )
        body = text(response)
        assert leaks(body, secrets) == [], (
            f"partner {which}: {method.upper()} {url} shows {leaks(body, secrets)}"
        )
        if may:
            data = response.json()
            others = [o for o in find(data, "organization_id") if o not in (None, org.pk)]
            assert others == [], f"partner {which}: {method.upper()} {url} lists organisations {others}"
            seen += body
    # Its own rows are there (a walk that only ever met 404s would prove nothing).
    for marker in ("benchmark", "event", "view", "element-1", "element-2", "job"):
        assert f"{own_tag}-{marker}" in seen, f"partner {which} never saw its own {marker}"
    assert "Alpha Market Systems round table" in seen  # the event everyone was invited to
    # Its only write was to its own profile.
    written = AuditEvent.objects.filter(program=alpha.program).order_by("pk")[audit_before:]
    content_type = ContentType.objects.get_for_model(Organization)
    assert [(e.content_type_id, e.object_id) for e in written] == [(content_type.pk, str(org.pk))]
    assert Job.objects.count() == jobs_before
