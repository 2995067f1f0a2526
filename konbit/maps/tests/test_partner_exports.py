"""A partner user's exports carry only what the partner may see: never the team's map-level data that an
imported file brought along (Kumu loops, perspectives, views, orphan connections, `konbit:extra`)."""

from __future__ import annotations

import json

import pytest

from conftest import World, client_for
from konbit.core.access import Access
from konbit.core.models import Membership
from konbit.maps import services
from konbit.maps.formats.kumu_backup import backup_to_gmap
from konbit.maps.models import Element, Map

SECRETS = [
    "Secret loop",
    "loop-desc-secret",
    "Team perspective secret",
    "View secret",
    "orphan-secret",
    "note-secret",
]

BACKUP = {
    "name": "Market map",
    "elements": [
        {"_id": "e1", "attributes": {"label": "Team Trader", "konbit:perspectives": ["Team view"]}},
        {"_id": "e2", "attributes": {"label": "Team Bank", "konbit:perspectives": ["Team view"]}},
    ],
    "connections": [
        {"_id": "c1", "from": "e1", "to": "e2", "direction": "directed", "attributes": {}},
        {"_id": "c-orphan", "from": "e1", "to": "gone", "attributes": {"description": "orphan-secret"}},
    ],
    "loops": [
        {"_id": "l1", "label": "Secret loop", "description": "loop-desc-secret", "elements": ["e1", "e2"]}
    ],
    "perspectives": [{"_id": "p1", "name": "Team perspective secret"}],
    "maps": [
        {"_id": "m1", "name": "View secret", "elements": [{"element": "e1", "position": {"x": 1, "y": 2}}]}
    ],
    "konbit:extra": {"notes": "note-secret"},
}


@pytest.fixture
def imported(world: World) -> Map:
    owner = Membership.objects.get(program=world.program_a, user=world.owner)
    gmap, _problems = backup_to_gmap(json.loads(json.dumps(BACKUP)))
    return services.map_import(
        access=Access(program=world.program_a, membership=owner), by=world.owner, gmap=gmap, name="Market map"
    )


@pytest.mark.parametrize("fmt", ["kumu.json", "perspectives.csv"])
def test_partner_user_export_carries_none_of_the_teams_map_data(
    world: World, imported: Map, fmt: str
) -> None:
    response = client_for(world.partner_user).get(f"/p/alpha/maps/{imported.pk}/export.{fmt}")
    assert response.status_code == 200
    body = response.content.decode()
    assert [s for s in SECRETS if s in body] == []
    assert "Team Trader" not in body and "e1" not in body


def test_team_export_still_keeps_the_imported_files_data(world: World, imported: Map) -> None:
    body = client_for(world.facilitator).get(f"/p/alpha/maps/{imported.pk}/export.kumu.json").content.decode()
    assert [s for s in SECRETS if s not in body] == []


def test_partner_user_map_data_and_pages_carry_none_of_the_teams_map_data(
    world: World, imported: Map
) -> None:
    partner = client_for(world.partner_user)
    for path in [
        f"/p/alpha/maps/{imported.pk}/data.json",
        f"/p/alpha/maps/{imported.pk}/",
        f"/p/alpha/maps/{imported.pk}/table/",
        "/p/alpha/maps/",
    ]:
        response = partner.get(path)
        assert response.status_code == 200, path
        body = response.content.decode()
        assert [s for s in SECRETS if s in body] == [], path


def test_a_partner_who_sees_an_element_gets_it_but_still_none_of_the_teams_map_data(
    world: World, imported: Map
) -> None:
    """With an element of its own view the export is not empty: the imported file's extras must still be
    left out, not merely absent because nothing was visible."""
    membership = Membership.objects.get(program=world.program_a, user=world.partner_user)
    view = services.perspective_create(
        access=Access(program=world.program_a, membership=membership),
        map=imported,
        by=world.partner_user,
        data={"name": "Our view"},
    )
    Element.objects.get(map=imported, key="e1").perspectives.add(view)
    body = (
        client_for(world.partner_user).get(f"/p/alpha/maps/{imported.pk}/export.kumu.json").content.decode()
    )
    assert "Team Trader" in body
    assert [s for s in SECRETS if s in body] == []
