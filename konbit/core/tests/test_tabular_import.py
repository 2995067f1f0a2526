"""The shared import component (konbit/core/tabular): the partner and indicator imports accept the
column names people use, through the same upload → preview → import pages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import World, client_for
from konbit.core.tabular.rows import Column, RowError, map_headers
from konbit.indicators.models import Indicator
from konbit.partners.models import Organization

PARTNER_IMPORT = "/p/alpha/partners/data/import/"
INDICATOR_IMPORT = "/p/alpha/change/indicators/data/"


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    settings.KONBIT_IMPORT_DIR = tmp_path / "imports"
    return settings.KONBIT_IMPORT_DIR


def _preview(client, url: str, kind: str, name: str, data: bytes):
    response = client.post(url, {"kind": kind, "file": SimpleUploadedFile(name, data)})
    assert response.status_code == 302, response.content.decode()[:2000]
    preview_url = response["Location"]
    return preview_url, client.get(preview_url)


def test_partner_import_understands_other_column_names(world: World) -> None:
    client = client_for(world.owner)
    data = (
        "Organization_Name;Short Name;Organisation Type;City;Web Site;Comments;colour\n"
        "Koperativ Kafe Nò;KKN;Producer group;Jacmel;kkn.example.org;met twice;blue\n"
    ).encode()
    url, preview = _preview(client, PARTNER_IMPORT, "organizations", "orgs.csv", data)
    plan = preview.context["plan"]
    assert plan.errors == []
    assert plan.ignored_columns == ["colour"]
    assert "<code>colour</code>" in preview.content.decode()
    client.post(url)
    organization = Organization.objects.get(program=world.program_a, name="Koperativ Kafe Nò")
    assert (organization.acronym, organization.town, organization.notes) == ("KKN", "Jacmel", "met twice")
    assert organization.website == "https://kkn.example.org"


def test_partner_import_page_lists_the_other_names(world: World) -> None:
    body = client_for(world.owner).get(PARTNER_IMPORT).content.decode()
    assert "<code>web site</code>" in body and "<code>short name</code>" in body


def test_indicator_import_understands_other_column_names(world: World) -> None:
    client = client_for(world.mel)
    data = (
        b"Indicator Name,Indicator_Code,Level,Units,Description\n"
        b"Farmers buying certified seed,O1,Outcome,farmers,Counted at the shop\n"
    )
    url, preview = _preview(client, INDICATOR_IMPORT, "indicators", "ind.csv", data)
    assert preview.context["plan"].errors == []
    client.post(url)
    indicator = Indicator.objects.get(program=world.program_a, code="O1")
    assert (indicator.name, indicator.unit, indicator.definition) == (
        "Farmers buying certified seed",
        "farmers",
        "Counted at the shop",
    )


def test_a_column_named_twice_through_an_alias_is_an_error_on_row_one() -> None:
    spec = [Column("name", "", required=True, aliases=("title",)), Column("notes", "")]
    errors: list[RowError] = []
    mapping, ignored = map_headers(spec, ["Title", "NAME", "Notes", "x"], errors)
    assert mapping == {1: "name", 2: "notes"}  # the column's own name wins over its alias
    assert [(e.row, e.column) for e in errors] == [(1, "Title")]
    assert ignored == ["Title", "x"]
