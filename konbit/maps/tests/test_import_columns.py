"""The map import page in the user's own words: header synonyms, an elements-only CSV, and the column
mapping step through the real upload → preview → import pages."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import World, client_for
from konbit.maps.models import Connection, Element, Map

IMPORT = "/p/alpha/maps/import/"


def _upload(client, name: str, text: str, map_name: str):
    upload = SimpleUploadedFile(name, text.encode(), content_type="text/csv")
    return client.post(IMPORT, {"file": upload, "name": map_name})


def test_unrecognised_headers_are_mapped_on_the_preview_then_imported(world: World) -> None:
    client = client_for(world.facilitator)
    rows = "A col;B col;how;who;notes\nRain;Harvest;positive;Ana;\nHarvest;Income;negtive;Ana;x\n"
    rows += "Rain;Harvest;?;Ben;\n"
    first = _upload(client, "survey.csv", rows, "Survey")
    body = first.content.decode()
    assert first.status_code == 200
    assert "could not tell which column holds what" in body
    assert '<select name="column-from"' in body and '<option value="A col">A col</option>' in body
    assert "gmap" not in first.context or first.context.get("gmap") is None
    token = first.context["token"]

    mapped = client.post(
        IMPORT,
        {
            "token": token,
            "column-from": "A col",
            "column-to": "B col",
            "column-sign": "how",
            "column-perspective": "who",
            "column-label": "",
        },
    )
    body = mapped.content.decode()
    assert mapped.status_code == 200
    assert "The file has 3 elements and 3 connections." in body
    assert "Perspectives: Ana, Ben." in body
    assert "row 3, column how: unknown sign &#x27;negtive&#x27;" in body
    # the choices are carried to the import, and prefilled in the selects
    assert '<input type="hidden" name="column-from" value="A col">' in body
    assert '<option value="how" selected>how</option>' in body

    client.post(
        f"{IMPORT}{token}/",
        {
            "name": "Survey",
            "accept_problems": "1",
            "column-from": "A col",
            "column-to": "B col",
            "column-sign": "how",
            "column-perspective": "who",
            "column-label": "",
        },
    )
    map = Map.objects.get(name="Survey")
    stored = sorted(
        (c.source.label, c.target.label, c.sign, c.perspective.name if c.perspective else "")
        for c in Connection.objects.filter(map=map).select_related("source", "target", "perspective")
    )
    assert stored == [
        ("Harvest", "Income", "?", "Ana"),  # an unreadable sign is kept as unknown
        ("Rain", "Harvest", "+", "Ana"),
        ("Rain", "Harvest", "?", "Ben"),
    ]


def test_a_column_the_file_does_not_have_is_refused_with_its_name(world: World) -> None:
    client = client_for(world.facilitator)
    first = _upload(client, "x.csv", "a,b\n1,2\n", "X")
    response = client.post(IMPORT, {"token": first.context["token"], "column-from": "a", "column-to": "nope"})
    assert response.status_code == 400
    assert "no column &#x27;nope&#x27; (for to)" in response.content.decode()
    assert not Map.objects.filter(name="X").exists()


def test_header_synonyms_import_without_a_mapping_step(world: World) -> None:
    client = client_for(world.facilitator)
    rows = "Source,Target,Polarity,Participant\nSeed Co,Agro-dealer,+,Team\nSeed Co,Farmers,-,Partner A\n"
    preview = _upload(client, "views.csv", rows, "Views")
    body = preview.content.decode()
    assert "could not tell" not in body
    assert "The file has 3 elements and 2 connections." in body
    # the guesses are shown in the (folded) column mapping
    assert '<option value="Polarity" selected>Polarity</option>' in body
    client.post(f"{IMPORT}{preview.context['token']}/", {"name": "Views"})
    map = Map.objects.get(name="Views")
    assert sorted(Connection.objects.filter(map=map).values_list("sign", flat=True)) == ["+", "-"]


def test_an_elements_csv_with_id_and_name_imports_elements(world: World) -> None:
    client = client_for(world.facilitator)
    preview = _upload(client, "nodes.csv", "id,name,sector\nc1,Coop Lavi,farming\nb1,Banque,finance\n", "N")
    body = preview.content.decode()
    assert "needs From and To" not in body
    assert "The file has 2 elements and 0 connections." in body
    client.post(f"{IMPORT}{preview.context['token']}/", {"name": "N"})
    assert sorted(Element.objects.filter(map__name="N").values_list("label", flat=True)) == [
        "Banque",
        "Coop Lavi",
    ]


def test_the_import_page_explains_the_accepted_files(world: World) -> None:
    body = client_for(world.facilitator).get(IMPORT).content.decode()
    for words in ("zip holding two CSV files", "perspectives CSV", "GraphML or GEXF", "source, cause"):
        assert words in body
