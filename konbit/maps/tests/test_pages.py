from __future__ import annotations

import json
from typing import Any

from django.core.cache import caches
from django.db import connection as db
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import World, client_for
from konbit.core.access import Access
from konbit.core.models import AuditAction, AuditEvent, Membership
from konbit.core.services import api_token_create
from konbit.maps import services
from konbit.maps.models import Connection, Element, Map, Perspective, PerspectiveKind


def access_of(world: World, user: Any) -> Access:
    membership = Membership.objects.select_related("program", "organization").get(
        program=world.program_a, user=user
    )
    return Access(program=world.program_a, membership=membership)


def make_map(world: World) -> tuple[Map, Perspective, Perspective]:
    access = access_of(world, world.facilitator)
    map = services.map_create(access=access, by=world.facilitator, data={"name": "Seed market"})
    team = services.perspective_create(
        access=access, map=map, by=world.facilitator, data={"name": "Team", "kind": PerspectiveKind.TEAM}
    )
    other = services.perspective_create(
        access=access,
        map=map,
        by=world.facilitator,
        data={
            "name": "Other partner's view",
            "kind": PerspectiveKind.PARTNER,
            "organization": world.other_org_a,
        },
    )
    a = services.element_create(
        access=access, map=map, by=world.facilitator, data={"label": "Seed Co"}, perspectives=[team]
    )
    b = services.element_create(
        access=access,
        map=map,
        by=world.facilitator,
        data={"label": "Agro-dealer"},
        perspectives=[team, other],
    )
    c = services.element_create(
        access=access, map=map, by=world.facilitator, data={"label": "Hidden buyer"}, perspectives=[other]
    )
    services.connection_create(
        access=access, map=map, by=world.facilitator, data={"source": a, "target": b, "perspective": team}
    )
    services.connection_create(
        access=access,
        map=map,
        by=world.facilitator,
        data={"source": b, "target": c, "perspective": other, "sign": "-"},
    )
    return map, team, other


def test_map_data_endpoint_gives_compact_arrays_and_constant_queries(world: World) -> None:
    map, _team, _other = make_map(world)
    client = client_for(world.facilitator)
    url = f"/p/alpha/maps/{map.pk}/data.json"
    first = client.get(url).json()
    assert sorted(n[1] for n in first["nodes"]) == ["Agro-dealer", "Hidden buyer", "Seed Co"]
    assert len(first["edges"]) == 2 and first["perspectives"] == ["Other partner's view", "Team"]
    caches["map_data"].clear()  # count the queries of building the data, not of reading the cache
    with CaptureQueriesContext(db) as few:
        client.get(url)
    with CaptureQueriesContext(db) as cached:
        client.get(url)
    assert len(cached) < len(few)
    access = access_of(world, world.facilitator)
    for i in range(30):
        services.element_create(
            access=access, map=map, by=world.facilitator, data={"label": f"Extra {i}"}, perspectives=[_team]
        )
    with CaptureQueriesContext(db) as many:
        assert len(client.get(url).json()["nodes"]) == 33
    assert len(many) == len(few)


def test_adding_an_element_bumps_the_map_version_and_is_audited(world: World) -> None:
    map, team, _other = make_map(world)
    before = Map.objects.get(pk=map.pk).content_version
    client = client_for(world.facilitator)
    response = client.post(
        f"/p/alpha/maps/{map.pk}/elements/new/",
        {"label": "Cooperative bank", "kind": "actor", "perspectives": [team.pk]},
    )
    assert response.status_code == 302
    element = Element.objects.get(label="Cooperative bank")
    assert Map.objects.get(pk=map.pk).content_version > before
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(element.pk)).exists()
    assert list(element.perspectives.all()) == [team]


def test_positions_are_saved_from_the_map_view(world: World) -> None:
    map, _team, _other = make_map(world)
    key = Element.objects.get(label="Seed Co").key
    client = client_for(world.facilitator)
    response = client.post(
        f"/p/alpha/maps/{map.pk}/positions/",
        json.dumps({"positions": {key: [12.5, -3]}}),
        content_type="application/json",
    )
    assert response.json() == {"saved": 1}
    element = Element.objects.get(key=key)
    assert (element.x, element.y) == (12.5, -3.0)
    # The map view's (cached) data carries the new position at once.
    node = next(n for n in client.get(f"/p/alpha/maps/{map.pk}/data.json").json()["nodes"] if n[0] == key)
    assert (node[6], node[7]) == (12.5, -3.0)
    client.post(
        f"/p/alpha/maps/{map.pk}/positions/",
        json.dumps({"positions": {key: [1, 2]}}),
        content_type="application/json",
    )
    node = next(n for n in client.get(f"/p/alpha/maps/{map.pk}/data.json").json()["nodes"] if n[0] == key)
    assert (node[6], node[7]) == (1.0, 2.0)
    assert (
        client_for(world.viewer)
        .post(f"/p/alpha/maps/{map.pk}/positions/", "{}", content_type="application/json")
        .status_code
        == 404
    )


def test_a_partner_draws_its_own_view_and_never_sees_another_partners(world: World) -> None:
    map, _team, other = make_map(world)
    partner = client_for(world.partner_user)
    page = partner.get(f"/p/alpha/maps/{map.pk}/perspectives/").content.decode()
    assert "Other partner's view" not in page and "Draw our view" in page
    response = partner.post(f"/p/alpha/maps/{map.pk}/perspectives/")
    own = Perspective.objects.get(map=map, organization=world.partner_org)
    assert own.is_private and own.kind == PerspectiveKind.PARTNER
    assert response["Location"].endswith(f"/perspectives/{own.pk}/")
    form = {
        "ties-TOTAL_FORMS": "3",
        "ties-INITIAL_FORMS": "0",
        "ties-MIN_NUM_FORMS": "0",
        "ties-MAX_NUM_FORMS": "100",
        "ties-0-name": "Agro-dealer",
        "ties-0-type": "trade",
        "ties-0-strength": "3",
        "ties-0-direction": "mutual",
        "ties-1-name": "Radio Nord",
        "ties-1-type": "information",
        "ties-1-strength": "1",
        "ties-1-direction": "directed",
        "ties-2-name": "",
    }
    partner.post(f"/p/alpha/maps/{map.pk}/perspectives/{own.pk}/", form)
    ties = Connection.objects.filter(perspective=own).select_related("source", "target")
    assert sorted((c.source.label, c.target.label, c.strength) for c in ties) == [
        ("Alpha Partner Cooperative", "Agro-dealer", 3.0),
        ("Alpha Partner Cooperative", "Radio Nord", 1.0),
    ]
    # Editing the view again replaces its ties.
    form.update({"ties-1-name": ""})
    partner.post(f"/p/alpha/maps/{map.pk}/perspectives/{own.pk}/", form)
    assert Connection.objects.filter(perspective=own).count() == 1

    # The other partner's private view stays out of reach: page, data and API.
    assert partner.get(f"/p/alpha/maps/{map.pk}/perspectives/{other.pk}/").status_code == 404
    data = partner.get(f"/p/alpha/maps/{map.pk}/data.json").json()
    assert "Hidden buyer" not in json.dumps(data) and "Other partner" not in json.dumps(data)
    _t, raw = api_token_create(user=world.partner_user, name="x")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    elements = api.get(f"/api/v1/programs/alpha/maps/{map.pk}/elements").json()
    assert "Hidden buyer" not in json.dumps(elements)
    perspectives = api.get(f"/api/v1/programs/alpha/maps/{map.pk}/perspectives").json()
    assert [p["name"] for p in perspectives] == ["Alpha Partner Cooperative"]
    assert api.get(f"/api/v1/programs/alpha/maps/{map.pk}/analysis").status_code == 404


def test_merging_duplicates_across_perspectives_keeps_their_connections(world: World) -> None:
    map, team, other = make_map(world)
    access = access_of(world, world.facilitator)
    dup = services.element_create(
        access=access, map=map, by=world.facilitator, data={"label": "SEED-CO"}, perspectives=[other]
    )
    hidden = Element.objects.get(label="Hidden buyer")
    services.connection_create(
        access=access,
        map=map,
        by=world.facilitator,
        data={"source": dup, "target": hidden, "perspective": other},
    )
    client = client_for(world.facilitator)
    page = client.get(f"/p/alpha/maps/{map.pk}/elements/merge/").content.decode()
    assert "SEED-CO" in page and "Seed Co" in page
    keep = Element.objects.get(label="Seed Co")
    client.post(f"/p/alpha/maps/{map.pk}/elements/{keep.pk}/merge/{dup.pk}/")
    assert not Element.objects.filter(pk=dup.pk).exists()
    assert Connection.objects.filter(source=keep, target=hidden).exists()
    assert set(keep.perspectives.all()) == {team, other}


def test_a_stale_element_edit_is_refused_then_applied_on_purpose(world: World) -> None:
    map, team, _other = make_map(world)
    element = Element.objects.get(label="Seed Co")
    client = client_for(world.facilitator)
    url = f"/p/alpha/maps/{map.pk}/elements/{element.pk}/"
    base = {"label": "Seed Company", "kind": "actor", "perspectives": [team.pk], "version": element.version}
    assert client.post(url, base).status_code == 302
    stale = {**base, "label": "Seed Co. Ltd"}
    response = client.post(url, stale)
    assert "Someone else saved this record" in response.content.decode()
    assert Element.objects.get(pk=element.pk).label == "Seed Company"
    again = {**stale, "version": response.context["form"].data["version"]}
    assert client.post(url, again).status_code == 302
    assert Element.objects.get(pk=element.pk).label == "Seed Co. Ltd"


def test_map_data_is_compressed_for_browsers_that_accept_it(world: World) -> None:
    map, _team, _other = make_map(world)
    client = client_for(world.facilitator)
    response = client.get(f"/p/alpha/maps/{map.pk}/data.json", headers={"Accept-Encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    import gzip

    assert json.loads(gzip.decompress(response.content))["nodes"]


def test_the_comparison_is_cached_per_map_version_and_follows_changes(world: World) -> None:
    map, team, other = make_map(world)
    client = client_for(world.facilitator)
    url = f"/p/alpha/maps/{map.pk}/compare/"
    loads_connections = '"maps_connection"."sign"'  # to_gmap reading the connections
    with CaptureQueriesContext(db) as computed:
        first = client.get(url).content.decode()
    assert any(loads_connections in q["sql"] for q in computed.captured_queries)
    assert "Seed Co → Agro-dealer" in first and "Hidden buyer" in first
    with CaptureQueriesContext(db) as cached:
        again = client.get(url).content.decode()
    main = slice(first.index("<main"), first.index("</main>"))
    assert again[main] == first[main]  # the same page, but for the form token
    assert not any(loads_connections in q["sql"] for q in cached.captured_queries)  # from the cache
    # A new connection makes a new map version: the comparison shows it at once.
    access = access_of(world, world.facilitator)
    seed, buyer = Element.objects.get(label="Seed Co"), Element.objects.get(label="Hidden buyer")
    services.connection_create(
        access=access,
        map=map,
        by=world.facilitator,
        data={"source": seed, "target": buyer, "perspective": other},
    )
    assert "Seed Co → Hidden buyer" in client.get(url).content.decode()
    # The API reads the same cache, per set of perspectives.
    _token, raw = api_token_create(user=world.mel, name="script")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    body = api.get(f"/api/v1/programs/alpha/maps/{map.pk}/comparison", {"perspective": [team.pk]}).json()
    assert body["perspectives"] == ["Team"] and len(body["connections"]) == 1


def test_the_comparison_page_pages_its_table_and_the_api_gives_everything(
    world: World, monkeypatch: Any
) -> None:
    from konbit.maps.views import compare

    monkeypatch.setattr(compare, "PAGE_SIZE", 1)
    map, team, _other = make_map(world)
    client = client_for(world.facilitator)
    page = client.get(f"/p/alpha/maps/{map.pk}/compare/").content.decode()
    assert "Rows 1–1 of 2." in page and "Page 1 of 2" in page
    second = client.get(f"/p/alpha/maps/{map.pk}/compare/", {"page": 2}).content.decode()
    assert "Rows 2–2 of 2." in second
    # The API gives the whole comparison.
    _token, raw = api_token_create(user=world.mel, name="script")
    body = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get(f"/api/v1/programs/alpha/maps/{map.pk}/comparison")
    assert len(body.json()["connections"]) == 2
