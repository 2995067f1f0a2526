"""Every URL of the site, walked as an outsider and as a partner user: nothing of programme A leaks.

The URL list is read from the URL configuration itself, so a new view is covered the day it is
added. A new view outside /p/<program>/ and the API must be listed in USER_LEVEL_URLS with a reason,
or this test fails; a view under /p/<program>/ that forgets to declare its action raises.
"""

from __future__ import annotations

import re
from importlib import import_module
from typing import Any

import pytest
from django.urls import URLPattern, get_resolver

from conftest import World, client_for
from konbit.api.api import api
from konbit.core.access import ACTION_ATTR
from konbit.core.models import Invitation, Job, Membership
from konbit.core.roles import Role, can
from konbit.core.services import api_token_create, tenant_record_delete
from tests.factories import OrganizationFactory
from tests.urlwalk import fill, program_routes, walk

# Pages that are not about one programme, with why they are safe to reach without a membership.
USER_LEVEL_URLS = {
    "": "the user's own programme list",
    "accounts/login/": "sign in",
    "accounts/logout/": "sign out",
    "accounts/password-reset/": "asks for an email; says nothing about accounts",
    "accounts/password-reset/sent/": "static confirmation",
    "accounts/reset/<uidb64>/<token>/": "keyed by a signed token",
    "accounts/reset/done/": "static confirmation",
    "accounts/password/": "the user's own password",
    "accounts/password/done/": "static confirmation",
    "accounts/": "the user's own account and tokens",
    "accounts/tokens/<int:pk>/revoke/": "the user's own tokens only (filtered by user)",
    "invitations/<str:token>/": "keyed by a secret token sent by email",
    "programs/new/": "creates a new programme owned by the user",
    "i18n/setlang/": "language preference",
    "sw.js": "the service worker script: static code and static-file URLs, nothing of a programme",
    "manifest.webmanifest": "the web-app manifest: the app's name and icon",
    "offline/": "the fallback page shown without a connection: fixed text",
    "outbox/": "an empty shell the browser fills from its own store; the server sends no programme data",
}

# Text of programme A that no outsider may ever see, and that a partner user may not see either.
A_SECRETS = ["Alpha Secret Processor", "confidential-alpha-note", "facilitator@alpha.example.org"]
A_NAME = "Alpha Market Systems"


# Apps that create their own rows for the walk in konbit/<app>/tests/tenancy.py.
APPS_WITH_ROWS = ["results", "indicators", "learning"]


@pytest.fixture(autouse=True)
def compact_ids(db: Any) -> None:
    """On PostgreSQL, restart every id sequence just above the table's largest id (tables are empty at the
    start of a test). Sequences ignore rollbacks, so without this the ids of programme A's rows would be
    scattered over every test run before, and the walk — which tries every id in every <int:…> of every
    URL — would grow with the suite (SQLite's rolled-back counters already start small)."""
    from django.apps import apps
    from django.db import connection, models

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            pk = model._meta.pk
            if not isinstance(pk, models.AutoField | models.BigAutoField):
                continue
            table, column = model._meta.db_table, pk.column
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), "  # noqa: S608 (names from the models)
                f'COALESCE((SELECT MAX("{column}") FROM "{table}"), 0) + 1, false)',
                [table, column],
            )


@pytest.fixture
def a_rows(world: World) -> dict[str, list[str]]:
    """Ids of programme A's rows of every kind, including one in the trash and an open invitation."""
    trashed = OrganizationFactory(program=world.program_a, name="Alpha Trashed Supplier")
    tenant_record_delete(instance=trashed, by=world.owner)
    invitation = Invitation.objects.create(
        program=world.program_a,
        email="new@alpha.example.org",
        role=Role.VIEWER,
        token_hash="0" * 64,
        invited_by=world.owner,
        expires_at="2999-01-01T00:00:00Z",
    )
    job = Job.objects.create(
        program=world.program_a,
        kind="konbit.maps.tasks.exact_betweenness",
        label="Alpha secret job",
        requested_by=world.facilitator,
    )
    a_ids = _programme_a_partner_rows(world) | {str(job.pk)}
    member_ids = [
        str(pk) for pk in Membership.objects.filter(program=world.program_a).values_list("pk", flat=True)
    ]
    pks = {str(world.other_org_a.pk), str(trashed.pk), str(invitation.pk), *member_ids, *a_ids}
    extra: dict[str, list[str]] = {}
    for app in APPS_WITH_ROWS:
        ids, values = import_module(f"konbit.{app}.tests.tenancy").programme_a_rows(world)
        pks |= ids
        extra.update(values)
    return extra | {
        "program": ["alpha"],
        "slug": ["alpha"],
        "pk": sorted(pks),
        "child": sorted(a_ids),
        "kind": ["driver", "support", "organizations", "interactions"],
        "what": ["organizations", "partners", "interactions"],
        "fmt": ["csv", "xlsx", "kumu.json", "graphml"],
        "element": sorted(a_ids),
        "other": sorted(a_ids),
        "record": sorted(a_ids),
        "connection": sorted(a_ids),
        "perspective": sorted(a_ids),
        "model": ["partners.organization", "core.membership"],
        "token": ["not-a-token"],
        "uidb64": ["MQ"],
    }


def _programme_a_partner_rows(world: World) -> set[str]:
    """One row of every kind of the partner pillar in programme A; returns their ids."""
    import datetime

    from konbit.core.access import Access
    from konbit.partners import services as partner_services
    from konbit.partners.models import DriverNote, Initiative, InteractionKind, SupportEntry

    membership = Membership.objects.get(program=world.program_a, user=world.facilitator)
    access = Access(program=world.program_a, membership=membership)
    partnership = partner_services.partnership_create(
        access=access, organization=world.other_org_a, by=world.facilitator, data={"segment": "active"}
    )
    interaction = partner_services.interaction_log(
        access=access,
        by=world.facilitator,
        data={
            "kind": InteractionKind.ROUND_TABLE,
            "occurred_on": datetime.date(2026, 1, 5),
            "notes": "confidential-alpha-note",
        },
        organizations=[world.other_org_a],
        follow_ups=[
            {
                "organization": world.other_org_a,
                "description": "x",
                "owner": world.facilitator,
                "due_on": datetime.date(2026, 1, 9),
            }
        ],
    )
    driver = partner_services.partnership_child_create(
        partnership=partnership,
        model=DriverNote,
        by=world.facilitator,
        data={"category": "driver", "kind": "revenue", "recorded_on": datetime.date(2026, 1, 5)},
    )
    support = partner_services.partnership_child_create(
        partnership=partnership,
        model=SupportEntry,
        by=world.facilitator,
        data={
            "direction": "given",
            "kind": "training",
            "value": 10,
            "occurred_on": datetime.date(2026, 1, 5),
        },
    )
    initiative = Initiative.objects.create(
        program=world.program_a, name="Alpha Secret Processor support fund"
    )
    follow_up = interaction.follow_ups.get()
    return {str(x.pk) for x in (partnership, interaction, driver, support, initiative, follow_up)}


def program_patterns(shard: int | None = None) -> list[tuple[str, URLPattern]]:
    """Every URL pattern under /p/<program>/; with `shard`, one of SHARDS equal slices of them (the walks
    below are split so that pytest-xdist runs the slices on every worker at once)."""
    patterns = program_routes()
    return patterns if shard is None else patterns[shard::SHARDS]


def test_the_programme_home_opens_the_first_slice() -> None:
    assert program_patterns(0)[0][0] == "p/<slug:program>/"


SHARDS = 6


def test_every_url_is_program_scoped_api_or_declared_user_level() -> None:
    unexplained = []
    for route, _pattern in walk(get_resolver().url_patterns):
        if "<slug:program>" in route or route.startswith("api/v1/"):
            continue
        if route not in USER_LEVEL_URLS:
            unexplained.append(route)
    assert unexplained == [], f"URLs with no programme scope and no declared reason: {unexplained}"


def test_every_program_view_declares_its_action() -> None:
    undeclared = [route for route, p in program_patterns() if getattr(p.callback, ACTION_ATTR, None) is None]
    assert undeclared == []


def assert_no_leak(body: str, *, allow_program_name: bool = False) -> None:
    for secret in A_SECRETS:
        assert secret not in body
    if not allow_program_name:
        assert A_NAME not in body


@pytest.mark.parametrize("shard", range(SHARDS))
def test_outsider_gets_404_on_every_program_page(
    world: World, a_rows: dict[str, list[str]], shard: int
) -> None:
    client = client_for(world.outsider)
    checked = 0
    for route, _pattern in program_patterns(shard):
        for url in fill(route, a_rows):
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                assert response.status_code == 404, f"{method.upper()} {url} → {response.status_code}"
                assert_no_leak(response.content.decode(errors="replace"))
                checked += 1
    assert checked > 40 / SHARDS  # the walk really covered the site


@pytest.mark.parametrize("shard", range(SHARDS))
def test_partner_user_gets_404_where_a_page_is_not_shared(
    world: World, a_rows: dict[str, list[str]], shard: int
) -> None:
    client = client_for(world.partner_user)
    allowed_pages = 0
    for route, pattern in program_patterns(shard):
        action = getattr(pattern.callback, ACTION_ATTR)
        for url in fill(route, a_rows):
            response = client.get(url)
            if not can(Role.PARTNER, action):
                assert response.status_code == 404, f"GET {url} → {response.status_code}"
            elif response.status_code != 404:
                allowed_pages += 1
            assert_no_leak(response.content.decode(errors="replace"), allow_program_name=True)
    # The partner's own pages work: programme home and its own organisation.
    own = client.get(f"/p/alpha/partners/organizations/{world.partner_org.pk}/")
    assert own.status_code == 200
    assert "Alpha Partner Cooperative" in own.content.decode()
    if shard == 0:  # the slice with the programme home, which every member may open
        assert allowed_pages >= 1


def test_user_level_pages_show_nothing_of_another_programme(world: World) -> None:
    client = client_for(world.outsider)
    for route in USER_LEVEL_URLS:
        for url in fill(route, {"pk": ["1"], "token": ["x"], "uidb64": ["MQ"]}):
            response = client.get(url, follow=True)
            assert response.status_code in {200, 404, 405}, url
            assert_no_leak(response.content.decode())


def api_operations() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema()
    ops = []
    for path, item in schema["paths"].items():
        for method in item:
            ops.append((method, path))
    return ops


@pytest.mark.parametrize("who", ["outsider", "partner_user", "anonymous"])
def test_api_gives_nothing_of_programme_a(world: World, a_rows: dict[str, list[str]], who: str) -> None:
    from django.test import Client

    client = Client()
    headers = {}
    if who != "anonymous":
        _token, raw = api_token_create(user=getattr(world, who), name="probe")
        headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    operations = api_operations()
    assert operations, "the OpenAPI document lists no operations"
    for method, path in operations:
        route = re.sub(r"\{(\w+)\}", r"<\1>", path.removeprefix("/"))
        for url in fill(route, a_rows):
            response = getattr(client, method)(url, **headers)
            body = response.content.decode()
            if who == "anonymous":
                assert response.status_code == 401, url
            elif who == "outsider" and "{slug}" in path:
                assert response.status_code == 404, f"{who} {method} {url} → {response.status_code}"
            assert_no_leak(body, allow_program_name=who == "partner_user")


B_SECRETS = ["Bravo Pump Suppliers", "confidential-bravo-note", "owner@bravo.example.org"]


@pytest.mark.parametrize("shard", range(SHARDS))
@pytest.mark.parametrize("role", [Role.OWNER, Role.FACILITATOR, Role.PARTNER])
def test_members_of_a_never_see_rows_of_programme_b(
    world: World, a_rows: dict[str, list[str]], role: Role, shard: int
) -> None:
    """A view that forgets the programme filter (Model.objects.all()) would show B's rows here."""
    client = client_for(world.user_for(role))
    pages = 0
    for route, _pattern in program_patterns(shard):
        for url in fill(route, a_rows):
            try:
                response = client.get(url)
            except Exception as exc:  # name the page that broke
                pytest.fail(f"GET {url} as {role} raised {exc!r}")
            # XLSX exports are zipped: their CSV twin (same selector) is what the text check reads.
            body = response.content.decode(errors="replace")
            for secret in B_SECRETS:
                assert secret not in body, f"{role} sees {secret!r} on {url}"
            pages += response.status_code == 200
    if shard == 0:  # the slice with the programme home, which every member may open
        assert pages >= 1
