"""Import (upload → preview → all or nothing) and export of the partner pillar, as users see them."""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import os
import zipfile
from collections.abc import Sequence

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import World, client_for
from konbit.core.access import Access
from konbit.core.models import AuditAction, AuditEvent, Membership
from konbit.core.tabular import readers
from konbit.partners.models import (
    Interaction,
    Organization,
    OrganizationType,
    Partnership,
    Segment,
)
from konbit.partners.services import interaction_log, organization_create

BASE = "/p/alpha/partners/data"
START = f"{BASE}/import/"


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    settings.KONBIT_IMPORT_DIR = tmp_path / "imports"
    return settings.KONBIT_IMPORT_DIR


def upload(client, kind: str, name: str, data: bytes):
    return client.post(START, {"kind": kind, "file": SimpleUploadedFile(name, data)})


def preview_of(client, kind: str, name: str, data: bytes):
    """Upload a file and open its preview page; returns (preview URL, preview response)."""
    response = upload(client, kind, name, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    url = response["Location"]
    assert url.startswith(START)
    return url, client.get(url)


def errors_of(response) -> list[tuple[int, str]]:
    return [(e.row, e.column) for e in response.context["plan"].errors]


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def csv_file(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def xlsx_file(rows: Sequence[Sequence[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def access_of(world: World, user) -> Access:
    return Access(
        program=world.program_a, membership=Membership.objects.get(program=world.program_a, user=user)
    )


# --- interactions from CSV ------------------------------------------------------------------------

INTERACTION_HEADER = ["Date", " KIND ", "Organisations", "Title", "Duration", "Sentiment", "Notes", "Ref"]
GOOD_INTERACTIONS = [
    ["2024-03-05", "Call", "Alpha Partner Cooperative", "Price talk", "30", "1", "They want a contract", ""],
    [
        "05/03/2024",
        "workshop",
        "alpha partner cooperative; ALPHA SECRET PROCESSOR",
        "Kick-off",
        "120",
        "",
        "",
        "",
    ],
    ["2024-03-07", "visit", "Alpha Secret Processor", "Farm visit", "", "-2", "", "EXT-7"],
]


def test_interaction_csv_with_one_bad_row_imports_nothing_then_corrected_file_imports_everything_once(
    world: World,
) -> None:
    client = client_for(world.facilitator)
    bad = [INTERACTION_HEADER, GOOD_INTERACTIONS[0], list(GOOD_INTERACTIONS[1]), GOOD_INTERACTIONS[2]]
    bad[2][0] = "next tuesday"
    bad[2][1] = "Coffee chat"

    # A file with one bad row (unknown kind, bad date) imports nothing and names the row and column.
    url, preview = preview_of(client, "interactions", "visits.csv", csv_file(bad))
    page = preview.content.decode()
    assert preview.status_code == 200
    assert errors_of(preview) == [(3, "date"), (3, "kind")]
    assert "bad date “next tuesday”" in page
    assert "unknown kind “Coffee chat”" in page
    assert "<td>3</td>" in page and "<code>date</code>" in page and "<code>kind</code>" in page
    assert "Nothing will be imported until every error is corrected" in page
    assert "Import 2 new rows" not in page  # no import button while the file has errors
    forced = client.post(url)  # even a forged click imports nothing
    assert forced.status_code == 200
    assert errors_of(forced) == [(3, "date"), (3, "kind")]
    assert Interaction.objects.filter(program=world.program_a).count() == 0

    # The corrected file imports everything.
    good = csv_file([INTERACTION_HEADER, *GOOD_INTERACTIONS])
    url, preview = preview_of(client, "interactions", "visits.csv", good)
    assert preview.context["plan"].errors == []
    assert "Import 3 new rows" in preview.content.decode()
    done = client.post(url)
    assert done.status_code == 302
    assert done["Location"] == "/p/alpha/partners/interactions/"
    assert flash(done) == ["Import done: 3 added, 0 already there."]
    imported = {i.title: i for i in Interaction.objects.filter(program=world.program_a)}
    assert set(imported) == {"Price talk", "Kick-off", "Farm visit"}
    kickoff = imported["Kick-off"]
    assert kickoff.occurred_on == datetime.date(2024, 3, 5)
    assert kickoff.kind == "workshop" and kickoff.duration_minutes == 120
    assert {p.organization.name for p in kickoff.participations.all()} == {
        "Alpha Partner Cooperative",
        "Alpha Secret Processor",
    }
    assert imported["Farm visit"].sentiment == -2
    assert imported["Farm visit"].import_key == "EXT-7"
    assert len(imported["Price talk"].import_key) == 64
    assert client.get(url).status_code == 302  # the upload is gone once imported

    # Re-importing the same file creates no duplicates.
    url, preview = preview_of(client, "interactions", "visits.csv", good)
    page = preview.content.decode()
    assert "0 new rows" in page and "3 rows already there" in page
    assert "Nothing new to import" in page
    client.post(url)
    assert Interaction.objects.filter(program=world.program_a).count() == 3


def test_interaction_rows_repeated_within_a_file_are_imported_once(world: World) -> None:
    client = client_for(world.facilitator)
    row = GOOD_INTERACTIONS[0]
    url, preview = preview_of(client, "interactions", "x.csv", csv_file([INTERACTION_HEADER, row, row]))
    assert "same as row 2" in preview.content.decode()
    client.post(url)
    assert Interaction.objects.filter(program=world.program_a).count() == 1


def test_interaction_naming_an_unknown_organisation_is_an_error(world: World) -> None:
    client = client_for(world.facilitator)
    rows = [
        INTERACTION_HEADER,
        ["2024-03-05", "call", "Alpha Partner Cooperative; Bravo Pump Suppliers", "", "", "", "", ""],
    ]
    _url, preview = preview_of(client, "interactions", "x.csv", csv_file(rows))
    assert errors_of(preview) == [(2, "organisations")]
    # Another programme's organisation is "unknown" here: it is never matched, and never shown.
    assert "unknown organisation “Bravo Pump Suppliers”" in preview.content.decode()


# --- organisations from XLSX ----------------------------------------------------------------------

ORG_HEADER = ["  Name ", "Acronym", "TYPE", "Region", "Functions", "Website", "Colour"]
GOOD_ORGS: list[list[object]] = [
    ["Koperativ Kafé Limbé", "KKL", "Producer group or association", "Nord", "core, rules", "kkl.ht", "red"],
    ["Banque du Nord", "", "financial", "Nord", "supporting", "", ""],
    ["alpha partner cooperative", "", "Lead firm", "", "", "", ""],  # already in the programme
]


def test_organisation_xlsx_with_one_bad_row_imports_nothing_then_corrected_file_imports_everything_once(
    world: World,
) -> None:
    client = client_for(world.owner)
    before = Organization.objects.filter(program=world.program_a).count()
    bad = [ORG_HEADER, GOOD_ORGS[0], ["Banque du Nord", "", "Bank", "Nord", "lending", "", ""], GOOD_ORGS[2]]

    url, preview = preview_of(client, "organizations", "orgs.xlsx", xlsx_file(bad))
    page = preview.content.decode()
    assert errors_of(preview) == [(3, "type"), (3, "functions")]
    assert "unknown type “Bank”" in page
    assert "unknown function “lending”" in page
    assert "<code>colour</code>" in page  # the unknown column is named as ignored
    client.post(url)
    assert Organization.objects.filter(program=world.program_a).count() == before

    good = xlsx_file([ORG_HEADER, *GOOD_ORGS])
    url, preview = preview_of(client, "organizations", "orgs.xlsx", good)
    page = preview.content.decode()
    assert preview.context["plan"].errors == []
    assert "2 new rows" in page and "1 row already there" in page
    done = client.post(url)
    assert done["Location"] == "/p/alpha/partners/organizations/"
    assert flash(done) == ["Import done: 2 added, 1 already there."]
    kafe = Organization.objects.get(program=world.program_a, name="Koperativ Kafé Limbé")
    assert kafe.type == OrganizationType.PRODUCER_GROUP
    assert kafe.acronym == "KKL" and kafe.website == "https://kkl.ht"
    assert (kafe.performs_core, kafe.performs_supporting, kafe.performs_rules) == (True, False, True)
    assert Organization.objects.get(program=world.program_a, name="Banque du Nord").type == "financial"
    assert Organization.objects.filter(program=world.program_a).count() == before + 2

    url, preview = preview_of(client, "organizations", "orgs.xlsx", good)
    assert "3 rows already there" in preview.content.decode()
    client.post(url)
    assert Organization.objects.filter(program=world.program_a).count() == before + 2
    assert Organization.objects.filter(program=world.program_b).count() == 1  # nothing leaked into B


def test_missing_required_column_is_named(world: World) -> None:
    client = client_for(world.owner)
    _url, preview = preview_of(client, "organizations", "o.xlsx", xlsx_file([["acronym"], ["KKL"]]))
    assert errors_of(preview) == [(1, "name")]
    assert "missing column" in preview.content.decode()


def test_a_row_refused_while_saving_rolls_back_the_rows_before_it(world: World, monkeypatch) -> None:
    """The checks passed, but the service refuses row 3 while saving: row 2 must not stay behind."""
    from django.core.exceptions import ValidationError

    from konbit.partners import services as partner_services

    real_create = partner_services.organization_create

    def refuse_the_bank(**kwargs):
        if kwargs["data"]["name"] == "Banque du Nord":
            raise ValidationError("The bank is closed.")
        return real_create(**kwargs)

    monkeypatch.setattr(partner_services, "organization_create", refuse_the_bank)
    client = client_for(world.owner)
    before = Organization.objects.filter(program=world.program_a).count()
    url, _preview = preview_of(client, "organizations", "orgs.xlsx", xlsx_file([ORG_HEADER, *GOOD_ORGS]))
    response = client.post(url)
    assert response.status_code == 400
    assert "Row 3 could not be saved: The bank is closed. Nothing was imported." in response.content.decode()
    assert Organization.objects.filter(program=world.program_a).count() == before
    assert not Organization.objects.filter(name="Koperativ Kafé Limbé").exists()


def test_csv_with_semicolons_from_a_french_spreadsheet_is_read(world: World) -> None:
    data = "nom;name;type\nx;Koperativ Kafé;Groupement\ny;Banque du Nord;financial\n".encode()
    url, preview = preview_of(client_for(world.owner), "organizations", "orgs.csv", data)
    assert errors_of(preview) == [(2, "type")]  # "Groupement" is no type; the columns were found
    assert "<code>nom</code>" in preview.content.decode()  # ignored, and said so


# --- partnerships (real Excel dates, DD/MM/YYYY, facilitator emails) ------------------------------


def test_partnership_import_matches_organisations_segments_dates_and_facilitators(world: World) -> None:
    client = client_for(world.facilitator)
    header = ["organization", "segment", "since", "facilitator"]
    bad = [
        header,
        ["ALPHA PARTNER COOPERATIVE", "Active", datetime.date(2024, 1, 15), "facilitator@alpha.example.org"],
        ["Alpha Secret Processor", "friend", "15th of May", "viewer@alpha.example.org"],
    ]
    url, preview = preview_of(client, "partnerships", "p.xlsx", xlsx_file(bad))
    assert errors_of(preview) == [(3, "segment"), (3, "since"), (3, "facilitator")]
    client.post(url)
    assert Partnership.objects.filter(program=world.program_a).count() == 0

    good = [bad[0], bad[1], ["Alpha Secret Processor", "wait-and-see", "15/05/2024", ""]]
    url, _preview = preview_of(client, "partnerships", "p.xlsx", xlsx_file(good))
    client.post(url)
    first = Partnership.objects.get(program=world.program_a, organization=world.partner_org)
    assert first.segment == Segment.ACTIVE
    assert first.since == datetime.date(2024, 1, 15)
    assert first.facilitator == world.facilitator
    second = Partnership.objects.get(program=world.program_a, organization=world.other_org_a)
    assert (second.segment, second.since) == (Segment.WAIT_AND_SEE, datetime.date(2024, 5, 15))

    url, preview = preview_of(client, "partnerships", "p.xlsx", xlsx_file(good))
    assert "2 rows already there" in preview.content.decode()


# --- files that cannot be read --------------------------------------------------------------------


def test_non_utf8_csv_gets_a_clear_message(world: World) -> None:
    response = upload(
        client_for(world.owner), "organizations", "orgs.csv", "name\nCafé du Nord\n".encode("latin-1")
    )
    assert response.status_code == 400
    assert "The file is not UTF-8 text" in response.content.decode()


def test_corrupt_xlsx_gets_a_clear_message_not_an_error_page(world: World) -> None:
    response = upload(client_for(world.owner), "organizations", "orgs.xlsx", os.urandom(4096))
    assert response.status_code in {200, 400}
    assert "This Excel file cannot be opened" in response.content.decode()
    # A real zip that is not a workbook is refused the same way.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    response = upload(client_for(world.owner), "organizations", "orgs.xlsx", buffer.getvalue())
    assert response.status_code in {200, 400}
    assert "This Excel file cannot be opened" in response.content.decode()


def test_xlsx_that_expands_too_much_is_refused(world: World, monkeypatch) -> None:
    monkeypatch.setattr(readers, "LIMITS", dataclasses.replace(readers.LIMITS, max_unzipped_bytes=50_000))
    data = xlsx_file([["name"], *[["x" * 1000] for _ in range(100)]])
    response = upload(client_for(world.owner), "organizations", "orgs.xlsx", data)
    assert response.status_code == 400
    assert "expands to too much data" in response.content.decode()


def test_too_many_rows_and_too_large_files_are_refused(world: World, monkeypatch) -> None:
    client = client_for(world.owner)
    monkeypatch.setattr(readers, "MAX_ROWS", 3)
    response = upload(client, "organizations", "o.csv", csv_file([["name"], ["a"], ["b"], ["c"], ["d"]]))
    assert "more than 3 rows" in response.content.decode()
    # The message states the limit in force (here lowered to 1 MB so the test file stays small).
    monkeypatch.setattr(readers, "MAX_BYTES", 1024 * 1024)
    response = upload(client, "organizations", "o.csv", b"name\n" + b"a\n" * (1024 * 1024))
    assert response.status_code == 400
    assert "The file is larger than 1 MB. Split it into smaller files." in response.content.decode()


def test_an_upload_is_only_usable_by_the_user_who_made_it(world: World) -> None:
    url, _preview = preview_of(
        client_for(world.facilitator), "organizations", "o.csv", csv_file([["name"], ["New One"]])
    )
    other = client_for(world.owner)
    response = other.post(url)
    assert response.status_code == 302 and response["Location"] == START
    assert "expired or was already imported" in flash(response)[0]
    assert not Organization.objects.filter(name="New One").exists()


# --- templates and the upload page ----------------------------------------------------------------


def test_upload_page_documents_columns_and_offers_templates(world: World) -> None:
    page = client_for(world.mel).get(START).content.decode()
    for name in ["name", "functions", "organisation", "facilitator", "organisations", "sentiment", "ref"]:
        assert f"<code>{name}</code>" in page
    assert "Lead firm" in page  # allowed values are listed
    for kind in ["organizations", "partnerships", "interactions"]:
        for fmt in ["csv", "xlsx"]:
            assert f'href="{BASE}/template/{kind}.{fmt}"' in page


def test_templates_hold_the_column_names(world: World) -> None:
    client = client_for(world.facilitator)
    response = client.get(f"{BASE}/template/interactions.csv")
    assert response["Content-Disposition"] == 'attachment; filename="konbit-interactions-template.csv"'
    assert response.content.decode("utf-8-sig").strip() == (
        "date,kind,organisations,title,duration,sentiment,notes,topics,ref"
    )
    response = client.get(f"{BASE}/template/organizations.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert next(workbook.worksheets[0].iter_rows(values_only=True))[:3] == ("name", "acronym", "type")
    assert ("type", "lead_firm", "Lead firm") in list(workbook.worksheets[1].iter_rows(values_only=True))
    # A template can be uploaded as it is: it only lacks rows.
    _url, preview = preview_of(client, "organizations", "t.xlsx", response.content)
    assert "there are no rows under the column names" in preview.content.decode()
    assert client.get(f"{BASE}/template/maps.csv").status_code == 404
    assert client.get(f"{BASE}/template/organizations.pdf").status_code == 404


# --- export ---------------------------------------------------------------------------------------


def test_export_neutralises_spreadsheet_formulas(world: World) -> None:
    access = access_of(world, world.owner)
    organization_create(
        access=access,
        by=world.owner,
        data={
            "name": '=HYPERLINK("http://evil.example","x")',
            "notes": "@SUM(A1)",
            "tags": "+1",
            "town": "-2",
        },
    )
    interaction_log(
        access=access,
        by=world.owner,
        data={"kind": "call", "occurred_on": datetime.date(2024, 1, 1), "title": "\tTabbed", "sentiment": -2},
        organizations=[world.partner_org],
    )
    client = client_for(world.owner)
    rows = list(
        csv.reader(io.StringIO(client.get(f"{BASE}/export/organizations.csv").content.decode("utf-8-sig")))
    )
    evil = next(r for r in rows if "HYPERLINK" in r[0])
    assert evil[0] == '\'=HYPERLINK("http://evil.example","x")'
    assert evil[rows[0].index("notes")] == "'@SUM(A1)"
    assert evil[rows[0].index("tags")] == "'+1"
    assert evil[rows[0].index("town")] == "'-2"
    assert ["Alpha Partner Cooperative"] == [r[0] for r in rows if r[0] == "Alpha Partner Cooperative"]

    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"{BASE}/export/organizations.xlsx").content))
    cells = [row[0] for row in workbook.worksheets[0].iter_rows()]
    evil_cell = next(c for c in cells if "HYPERLINK" in str(c.value))
    assert evil_cell.data_type == "s" and evil_cell.value.startswith("'=")  # text, not a formula

    rows = list(
        csv.reader(io.StringIO(client.get(f"{BASE}/export/interactions.csv").content.decode("utf-8-sig")))
    )
    assert rows[1][rows[0].index("title")] == "'\tTabbed"
    assert rows[1][rows[0].index("sentiment")] == "-2"  # a number stays a number


def test_viewer_export_follows_the_filter_and_is_audited(world: World) -> None:
    client = client_for(world.viewer)
    response = client.get(f"{BASE}/export/organizations.csv", {"q": "secret"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="organizations.csv"'
    body = response.content.decode("utf-8-sig")
    assert "Alpha Secret Processor" in body
    assert "Alpha Partner Cooperative" not in body
    assert "Bravo" not in body
    event = AuditEvent.objects.get(program=world.program_a, action=AuditAction.EXPORT)
    assert event.actor == world.viewer
    assert event.object_repr == "organizations.csv (1 rows)"

    response = client.get(f"{BASE}/export/partners.xlsx", {"segment": "active"})
    assert response.status_code == 200
    assert AuditEvent.objects.filter(object_repr="partners.xlsx (0 rows)", actor=world.viewer).exists()


def test_exported_organisations_import_again_without_duplicates(world: World) -> None:
    client = client_for(world.owner)
    exported = client.get(f"{BASE}/export/organizations.xlsx").content
    _url, preview = preview_of(client, "organizations", "organizations.xlsx", exported)
    assert preview.context["plan"].errors == []
    assert preview.context["plan"].new_count == 0


def test_export_queries_do_not_grow_with_the_rows(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    access = access_of(world, world.owner)
    client = client_for(world.owner)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{BASE}/export/interactions.xlsx").status_code == 200
        return len(captured)

    def log() -> None:
        interaction_log(
            access=access,
            by=world.owner,
            data={"kind": "call", "occurred_on": datetime.date(2024, 1, 1)},
            organizations=[world.partner_org, world.other_org_a],
        )

    log()
    one = queries()
    for _ in range(5):
        log()
    assert queries() == one


def test_unknown_export_is_not_found(world: World) -> None:
    client = client_for(world.owner)
    assert client.get(f"{BASE}/export/members.csv").status_code == 404
    assert client.get(f"{BASE}/export/partners.json").status_code == 404


# --- who may ---------------------------------------------------------------------------------------

ALL_URLS = [
    START,
    f"{START}{'a' * 32}/",
    f"{BASE}/template/organizations.csv",
    f"{BASE}/export/organizations.csv",
    f"{BASE}/export/partners.xlsx",
    f"{BASE}/export/interactions.csv",
]


@pytest.mark.parametrize("url", ALL_URLS)
def test_partner_user_gets_404_on_import_and_export(world: World, url: str) -> None:
    client = client_for(world.partner_user)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_viewer_may_export_but_not_import(world: World) -> None:
    client = client_for(world.viewer)
    assert client.get(START).status_code == 404
    assert upload(client, "organizations", "o.csv", csv_file([["name"], ["Sneaky"]])).status_code == 404
    assert client.get(f"{BASE}/export/interactions.csv").status_code == 200


def test_import_preview_points_out_a_name_very_close_to_one_in_the_register(world: World) -> None:
    client = client_for(world.facilitator)
    upload = SimpleUploadedFile(
        "orgs.csv", b"name,type\nAlpha Secret Procesor,lead_firm\n", content_type="text/csv"
    )
    response = client.post(
        "/p/alpha/partners/data/import/", {"kind": "organizations", "file": upload}, follow=True
    )
    body = response.content.decode()
    assert "very close to “Alpha Secret Processor”, already in the register" in body


def test_interactions_logged_in_konbit_survive_an_export_and_reimport_without_duplicates(
    world: World,
) -> None:
    membership = Membership.objects.get(program=world.program_a, user=world.facilitator)
    access = Access(program=world.program_a, membership=membership)
    interaction_log(
        access=access,
        by=world.facilitator,
        data={"kind": "call", "occurred_on": datetime.date(2026, 2, 3), "title": "Price call"},
        organizations=[world.other_org_a],
    )
    client = client_for(world.facilitator)
    exported = client.get("/p/alpha/partners/data/export/interactions.csv").content
    assert b"konbit-" in exported
    upload = SimpleUploadedFile("interactions.csv", exported, content_type="text/csv")
    response = client.post(
        "/p/alpha/partners/data/import/", {"kind": "interactions", "file": upload}, follow=True
    )
    assert "Nothing new to import" in response.content.decode()
    assert Interaction.objects.filter(title="Price call").count() == 1


def test_an_interaction_import_updates_the_partners_scores_and_leaves_one_audit_line(world: World) -> None:
    from konbit.partners.services import partnership_create

    partnership = partnership_create(
        access=access_of(world, world.facilitator),
        organization=world.partner_org,
        by=world.facilitator,
        data={"segment": "active"},
    )
    assert partnership.last_contact_on is None
    client = client_for(world.facilitator)
    url, _preview = preview_of(
        client, "interactions", "visits.csv", csv_file([INTERACTION_HEADER, *GOOD_INTERACTIONS])
    )
    client.post(url)
    partnership.refresh_from_db()
    # The call of 5 March 2024 with the cooperative is its last contact, and it now has a score.
    assert partnership.last_contact_on == datetime.date(2024, 3, 5)
    assert partnership.score is not None
    lines = AuditEvent.objects.filter(program=world.program_a, object_repr__contains="interactions (import)")
    assert [e.object_repr for e in lines] == ["3 interactions (import)"]
    assert all(
        i.facilitators.get() == world.facilitator for i in Interaction.objects.filter(program=world.program_a)
    )
