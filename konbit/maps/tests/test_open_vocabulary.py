"""The map's own vocabulary survives Konbit's forms: an imported connection typed "+-", an element typed
"Lead firm", custom fields of every kind and an unknown sign "?" come back from every map form (element,
connection, map) exactly as they were when the form is saved unchanged — read and sent the way a browser
would (tests/forms.py) — and what a person does change is stored as typed."""

from __future__ import annotations

import io
from csv import DictReader
from typing import Any

import pytest
from django.forms.models import model_to_dict
from django.test import Client

from conftest import World, client_for
from konbit.core.services import api_token_create
from konbit.maps import graph as g
from konbit.maps import services
from konbit.maps.forms import custom_field_name
from konbit.maps.models import Connection, Element, Map
from konbit.maps.tests.test_pages import access_of
from tests.forms import Form, page_forms

ELEMENT_FIELDS: dict[str, Any] = {
    "Budget": 1200,
    "Share": 0.35,
    "Tiny": 1e-05,
    "Active": True,
    "Closed": False,
    "Notes": "  two\nlines  ",
    "Regions": ["North", "South"],
    "Nothing": None,
    "Nested": {"a": 1},
}
CONNECTION_FIELDS: dict[str, Any] = {"Weight": 3, "Confirmed": False, "Source": "Workshop 2", "Years": [2021]}


def imported_map(world: World) -> Map:
    elements = [
        g.GElement(
            id="a",
            label="Trust  in Finance",
            type="Lead firm",
            kind="factor",
            description="Imported",
            tags=["x"],
            attributes=ELEMENT_FIELDS,
        ),
        g.GElement(id="b", label="Credit", type="Unusual type", attributes={"Budget": 7, "Extra": "only b"}),
        g.GElement(id="c", label="Prices"),
    ]
    connections = [
        g.GConnection(
            source="a", target="b", type="+-", sign="?", strength=2.5, attributes=CONNECTION_FIELDS
        ),
        g.GConnection(
            source="b",
            target="c",
            type="Lead firm supplies inputs on credit to",  # longer than Konbit's own types
            sign="-",
            direction=g.UNDIRECTED,
        ),
    ]
    access = access_of(world, world.facilitator)
    return services.map_import(
        access=access,
        by=world.facilitator,
        gmap=g.GMap(elements=elements, connections=connections),
        name="Imported CLD",
    )


def rows(map: Map) -> dict[str, Any]:
    state: dict[str, Any] = {"map": model_to_dict(Map.all_objects.get(pk=map.pk))}
    for model in (Element, Connection):
        for row in model.all_objects.filter(map=map).values():
            row.pop("updated_at"), row.pop("created_at")
            state[f"{model.__name__}#{row['id']}"] = row
    return state


def edit_form(html: str) -> Form:
    forms = [f for f in page_forms(html) if f.method == "post" and any(x.name == "version" for x in f.fields)]
    assert len(forms) == 1
    return forms[0]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_map_form_saved_unchanged_keeps_imported_types_fields_and_signs(
    db: Any, world: World, language: str
) -> None:
    map = imported_map(world)
    client = client_for(world.facilitator)
    client.cookies["django_language"] = language
    base = f"/p/alpha/maps/{map.pk}"
    urls = [f"{base}/edit/"]
    urls += [f"{base}/elements/{pk}/" for pk in Element.objects.filter(map=map).values_list("pk", flat=True)]
    urls += [
        f"{base}/connections/{pk}/" for pk in Connection.objects.filter(map=map).values_list("pk", flat=True)
    ]
    before = rows(map)
    for url in urls:
        page = client.get(url)
        assert page.status_code == 200, url
        assert f'<html lang="{language}"' in page.content.decode()
        form = edit_form(page.content.decode())
        answer = client.post(url, form.data())
        assert answer.status_code == 302, (url, answer.content.decode()[:2000])
        after = rows(map)
        changed = {k: (before.get(k), v) for k, v in after.items() if before.get(k) != v}
        assert changed == {}, url
    stored = Element.objects.get(map=map, key="a")
    assert stored.attributes == ELEMENT_FIELDS
    assert type(stored.attributes["Budget"]) is int and stored.attributes["Active"] is True
    connection = Connection.objects.get(map=map, source=stored)
    assert (connection.type, connection.sign, connection.attributes) == ("+-", "?", CONNECTION_FIELDS)


def test_the_forms_offer_the_maps_types_and_show_its_custom_fields(db: Any, world: World) -> None:
    map = imported_map(world)
    client = client_for(world.facilitator)
    connection = Connection.objects.get(map=map, type="+-")
    html = client.get(f"/p/alpha/maps/{map.pk}/connections/{connection.pk}/").content.decode()
    # A free text type with the map's types and Konbit's defaults as suggestions.
    assert 'name="type" value="+-"' in html
    assert '<option value="Lead firm supplies inputs on credit to">' in html
    assert '<option value="trade">Trade</option>' in html  # Konbit's own code, by its label
    form = edit_form(html)
    sent = form.data()
    assert sent[custom_field_name("Weight")] == ["3"]
    assert sent[custom_field_name("Confirmed")] == ["no"]
    element = Element.objects.get(map=map, key="b")
    html = client.get(f"/p/alpha/maps/{map.pk}/elements/{element.pk}/").content.decode()
    assert '<option value="Lead firm">' in html and '<option value="Unusual type">' in html
    typed = {f.name: f.kind for f in edit_form(html).fields}
    assert typed[custom_field_name("Budget")] == "number"
    assert typed[custom_field_name("Active")] == "select"  # yes / no
    assert typed[custom_field_name("Notes")] == "text"  # b has no notes: one line
    assert "Budget" in html and "Regions" in html


def test_a_person_changes_adds_and_removes_custom_fields_and_types(db: Any, world: World) -> None:
    map = imported_map(world)
    client = client_for(world.facilitator)
    element = Element.objects.get(map=map, key="b")
    url = f"/p/alpha/maps/{map.pk}/elements/{element.pk}/"
    data = edit_form(client.get(url).content.decode()).data()
    data[custom_field_name("Budget")] = ["8.5"]
    data[custom_field_name("Active")] = ["yes"]
    data[custom_field_name("Extra")] = [""]  # emptied: removed
    data["type"] = ["Bank"]
    data["new_field_name"], data["new_field_kind"], data["new_field_value"] = ["Staff"], ["number"], ["12"]
    assert client.post(url, data).status_code == 302
    element.refresh_from_db()
    assert element.type == "Bank"
    assert element.attributes == {"Budget": 8.5, "Active": True, "Staff": 12}
    # A number field holding words is refused with a message, nothing stored.
    data = edit_form(client.get(url).content.decode()).data()
    data[custom_field_name("Budget")] = ["lots"]
    answer = client.post(url, data)
    assert answer.status_code == 200 and b"errorlist" in answer.content
    element.refresh_from_db()
    assert element.attributes["Budget"] == 8.5
    # A connection's type is free text too.
    connection = Connection.objects.get(map=map, type="+-")
    url = f"/p/alpha/maps/{map.pk}/connections/{connection.pk}/"
    data = edit_form(client.get(url).content.decode()).data()
    data["type"] = ["--"]
    assert client.post(url, data).status_code == 302
    connection.refresh_from_db()
    assert (connection.type, connection.sign) == ("--", "?")


def test_the_table_shows_custom_fields_as_columns_and_filters_by_one(db: Any, world: World) -> None:
    map = imported_map(world)
    client = client_for(world.facilitator)
    url = f"/p/alpha/maps/{map.pk}/table/"
    html = client.get(url).content.decode()
    assert '<th scope="col">Budget</th>' in html and '<th scope="col">Regions</th>' in html
    assert '<td data-label="Regions">North, South</td>' in html and '<td data-label="Budget">7</td>' in html
    html = client.get(url, {"field": "Budget", "value": "7"}).content.decode()
    assert "Credit" in html and "Trust" not in html and "Prices" not in html
    html = client.get(url, {"field": "Active", "value": "yes"}).content.decode()
    assert "Trust" in html and "Credit" not in html
    html = client.get(url, {"field": "Extra", "value": ""}).content.decode()  # any value
    assert "Credit" in html and "Prices" not in html
    text = client.get(url, {"format": "csv"}).content.decode()
    csv = text.splitlines()
    assert csv[0].endswith("Active,Budget,Closed,Extra,Nested,Notes,Nothing,Regions,Share,Tiny")
    # The export keeps values as a form types them back ("yes", "0.35"); the page reads in French.
    trust = next(row for row in DictReader(io.StringIO(text)) if row["label"].startswith("Trust"))
    assert (trust["Active"], trust["Closed"], trust["Budget"], trust["Share"], trust["Tiny"]) == (
        "yes",
        "no",
        "1200",
        "0.35",
        "1e-05",
    )
    client.cookies["django_language"] = "fr"
    html = client.get(url).content.decode()
    assert 'lang="fr"' in html
    assert '<td data-label="Active">oui</td>' in html and '<td data-label="Closed">non</td>' in html
    assert '<td data-label="Share">0,35</td>' in html and '<td data-label="Tiny">0,00001</td>' in html


def test_the_map_view_data_carries_descriptions_custom_fields_and_their_kinds(db: Any, world: World) -> None:
    map = imported_map(world)
    data = client_for(world.facilitator).get(f"/p/alpha/maps/{map.pk}/data.json").json()
    nodes = {row[0]: row for row in data["nodes"]}
    assert nodes["a"][11] == "Imported" and nodes["a"][12]["Regions"] == ["North", "South"]
    assert nodes["c"][12] is None
    assert data["fields"]["Budget"] == "number" and data["fields"]["Active"] == "bool"
    assert data["fields"]["Notes"] == "text" and data["fields"]["Regions"] == "list"


def test_the_api_takes_and_gives_the_maps_own_connection_types(db: Any, world: World) -> None:
    """The API speaks the same open vocabulary as the forms: a polarity type or a long imported one is
    stored and read back as sent, not refused for being outside Konbit's defaults."""
    map = imported_map(world)
    assert set(Connection.objects.filter(map=map).values_list("type", flat=True)) == {
        "+-",
        "Lead firm supplies inputs on credit to",
    }
    _token, raw = api_token_create(user=world.owner, name="vocabulary")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    a, c = (Element.objects.get(map=map, key=key).pk for key in ("a", "c"))
    created = client.post(
        f"/api/v1/programs/alpha/maps/{map.pk}/connections",
        {"source_id": a, "target_id": c, "type": "-+", "sign": "-"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert Connection.objects.get(pk=created.json()["id"]).type == "-+"


def test_konbits_own_connection_codes_read_in_the_readers_language(db: Any, world: World) -> None:
    """A connection stored with one of Konbit's codes ("trade") is shown by its label, in French too;
    the map's own types ("+-") are shown as written."""
    map = imported_map(world)
    trade = Connection.objects.filter(map=map).first()
    assert trade is not None
    Connection.objects.filter(pk=trade.pk).update(type="trade")
    client = client_for(world.facilitator)
    client.cookies["django_language"] = "fr"
    html = client.get(f"/p/alpha/maps/{map.pk}/elements/{trade.source_id}/").content.decode()
    assert "<small>Commerce" in html and "<small>trade" not in html
    form = client.get(f"/p/alpha/maps/{map.pk}/connections/{trade.pk}/").content.decode()
    assert 'name="type" value="trade"' in form  # the form keeps the stored code, so saving changes nothing
    assert '<option value="trade">Commerce</option>' in form
