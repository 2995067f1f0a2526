"""Random and hostile files through the indicator import pages (indicators and measurements, CSV and
XLSX): upload → preview → import.

Whatever the file, the pages answer (never a server error) and say what is wrong in words; a file
with any error imports nothing and names the row; a clean file adds or updates exactly its rows, and
the indicators' pages still open afterwards. The readers are the partner pillar's (their own fuzzing
is in konbit/partners/tests/test_import_fuzz.py); this file aims at the indicator columns: codes,
periods, numbers, categories. The zip bomb and the export of formulas are covered in
test_import_export.py.
"""

from __future__ import annotations

import csv
import datetime
import html
import io
import re
import zipfile
from collections.abc import Sequence
from decimal import Decimal
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
from konbit.indicators import services
from konbit.indicators.models import Category, Dimension, Indicator, Measurement, Target
from konbit.indicators.spreadsheets import COLUMNS, INDICATORS, MEASUREMENTS
from konbit.indicators.tests.test_pages import access_of, make_indicator

URL = "/p/alpha/change/indicators/data/"
LIST = "/p/alpha/change/indicators/"
FUZZ = fuzz_settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
PASSWD = "root:x:0:0"


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    settings.KONBIT_IMPORT_DIR = tmp_path / "imports"


@pytest.fixture
def indicators(world: World) -> list[Indicator]:
    """O1 split by Sex (Women, Men), O2 without dimensions, as a MEL officer set them up."""
    sex = services.dimension_create(
        access=access_of(world, world.mel), by=world.mel, name="Sex", categories=["Women", "Men"]
    )
    one = make_indicator(world, code="O1", name="Farmers buying certified seed")
    one.dimensions.add(sex)
    two = make_indicator(world, code="O2", name="Agro-dealers stocking seed", type="output")
    return [one, two]


def counts() -> dict[str, int]:
    return {
        "indicators": Indicator.all_objects.count(),
        "measurements": Measurement.all_objects.count(),
        "dimensions": Dimension.all_objects.count(),
        "categories": Category.all_objects.count(),
        "targets": Target.all_objects.count(),
        "audit": AuditEvent.objects.count(),
    }


ADDED_TO = {INDICATORS: "indicators", MEASUREMENTS: "measurements"}


def outcome(what: str) -> None:
    """What became of a generated file (--hypothesis-show-statistics shows the mix)."""
    if currently_in_test_context():
        event(what)


def flash(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def upload(client: Any, kind: str, filename: str, data: bytes) -> Any:
    return client.post(URL, {"kind": kind, "file": SimpleUploadedFile(filename, data)})


def refused(client: Any, kind: str, filename: str, data: bytes) -> str:
    """Upload a file that must be refused as a whole; returns the message shown next to the field."""
    before = counts()
    response = upload(client, kind, filename, data)
    assert response.status_code == 400
    errors = response.context["form"].errors["file"]
    assert len(errors) == 1 and len(errors[0]) > 15
    assert html.escape(errors[0]) in response.content.decode()
    assert counts() == before
    return str(errors[0])


def errors_shown(page: str) -> list[tuple[str, str, str]]:
    """(row, column, problem) of the preview's error table, as the person reads them."""
    table = page[page.index('id="errors-heading"') :]
    table = table[: table.index("</table>")]
    return [
        (row, html.unescape(column), html.unescape(problem))
        for row, column, problem in re.findall(
            r"<tr><td>(\d+)</td><td>(?:<code>)?([^<]*)(?:</code>)?</td><td>([^<]*)</td></tr>", table
        )
    ]


def import_through_the_pages(client: Any, kind: str, filename: str, data: bytes) -> Any:
    """Upload, preview and press "Import" as a person would, checking every step (see the partner
    pillar's twin). Returns the plan, or None when the file was refused as a whole."""
    before = counts()
    response = upload(client, kind, filename, data)
    if response.status_code == 400:
        errors = response.context["form"].errors["file"]
        assert errors and html.escape(errors[0]) in response.content.decode()
        assert counts() == before
        outcome("refused as a whole")
        return None
    assert response.status_code == 302, response.content.decode()[:500]
    url = response["Location"]
    preview = client.get(url)
    assert preview.status_code == 200
    page = preview.content.decode()
    plan, numbers = preview.context["plan"], preview.context["counts"]
    assert counts() == before
    if plan.errors:
        assert "Nothing will be imported until every error is corrected" in page
        shown = errors_shown(page)
        for error in plan.errors[:1000]:
            assert (str(error.row), error.column or "—", error.message) in shown
        assert client.post(url).status_code == 200  # a forged "Import" writes nothing either
        assert counts() == before
        outcome("errors named by row")
        return plan
    done = client.post(url)
    if done.status_code == 400:  # a service refused a row: said with its row number, nothing kept
        assert re.search(r"Row \d+ could not be saved: .+ Nothing was imported\.", done.content.decode())
        assert counts() == before
        outcome("refused while saving")
        return plan
    assert done.status_code == 302 and done["Location"] == LIST
    assert flash(done) == [
        "Import done: {new} added, {update} updated, {present} already there.".format(**numbers)
    ]
    assert counts()[ADDED_TO[kind]] - before[ADDED_TO[kind]] == numbers["new"]
    # The list and every indicator's page (with its chart of the values) still open.
    assert client.get(LIST).status_code == 200
    for pk in Indicator.objects.values_list("pk", flat=True):
        assert client.get(f"{LIST}{pk}/").status_code == 200
    outcome("imported" if numbers["new"] or numbers["update"] else "nothing new")
    return plan


def csv_file(rows: Sequence[Sequence[object]], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx_file(sheets: dict[str, Sequence[Sequence[object]]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- hypothesis ----------------------------------------------------------------------------------

xml_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=15)
plausible = st.sampled_from(
    [
        "O1",
        " o2 ",
        "Farmers buying certified seed",
        "2025-Q2",
        "Q3 2024",
        "2024-H2",
        "2025-06",
        "2025-13",
        "FY2024",
        "0000-Q1",
        "0001",
        "9999-Q4",
        "2025-03-31",
        "31/12/2024",
        "2025-02-30",
        "1 234,5",
        "1,234.5",
        "12,5",
        "-0",
        "1e11",
        "1e12",
        "0.00001",
        "NaN",
        "Infinity",
        "Sex",
        "Women",
        "Men",
        "Aliens",
        "Output",
        "systemic change",
        "higher",
        "lower",
        "cumulative",
        "latest",
        "example.org/report",
        "javascript:alert(1)",
        "=cmd|' /C calc'!A0",
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
    | st.integers(min_value=-(10**15), max_value=10**15)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.dates(min_value=datetime.date(1900, 1, 1))
)


@st.composite
def tables(draw: st.DrawFn, kind: str, cells: st.SearchStrategy[Any]) -> list[list[Any]]:
    """Column names of the kind (any case, repeated or missing) among unknown ones, then any rows."""
    names = [name for column in COLUMNS[kind] for name in (column.name, *column.aliases)]
    known = st.sampled_from(names).flatmap(lambda n: st.sampled_from([n, n.upper(), f" {n} "]))
    header = draw(st.lists(known | xml_text, max_size=len(names) + 2))
    rows = draw(st.lists(st.lists(cells, max_size=len(header) + 2), max_size=6))
    return [header, *rows]


@FUZZ
@given(
    kind=st.sampled_from([INDICATORS, MEASUREMENTS]),
    filename=st.sampled_from(["data.csv", "data.xlsx", "data"]),
    head=st.sampled_from([b"", b"PK\x03\x04", b"indicator,value\n", b"\xef\xbb\xbf"]),
    body=st.binary(max_size=2000),
)
def test_random_bytes_are_refused_with_a_message_or_checked_row_by_row(
    world: World, indicators: list[Indicator], kind: str, filename: str, head: bytes, body: bytes
) -> None:
    import_through_the_pages(client_for(world.mel), kind, filename, head + body)


@FUZZ
@given(data=st.data(), kind=st.sampled_from([INDICATORS, MEASUREMENTS]), as_xlsx=st.booleans())
def test_random_tables_import_whole_or_not_at_all(
    world: World, indicators: list[Indicator], data: Any, kind: str, as_xlsx: bool
) -> None:
    if as_xlsx:
        rows = data.draw(tables(kind, xlsx_cells))
        # The sheet named after the kind is read, wherever it is; else the first one.
        title = data.draw(st.sampled_from([kind, kind.upper(), "Sheet1"]))
        file = xlsx_file({"instructions": [["read me"]], title: rows} if title != "Sheet1" else {title: rows})
        import_through_the_pages(client_for(world.mel), kind, "data.xlsx", file)
    else:
        rows = data.draw(tables(kind, csv_cells))
        delimiter = data.draw(st.sampled_from([",", ";"]))
        import_through_the_pages(client_for(world.mel), kind, "data.csv", csv_file(rows, delimiter))


MEASUREMENT_HEADER = ["indicator", "period", "dimension", "category", "value", "note"]
good_measurements = st.tuples(
    st.sampled_from(["O1", "o2", "Agro-dealers stocking seed"]),
    st.tuples(st.integers(2020, 2026), st.integers(1, 4)).map(lambda yq: f"{yq[0]}-Q{yq[1]}"),
    st.just(""),
    st.just(""),
    st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False).map(str),
    xml_text.map(str.strip),
).map(list)
# One mistake in a bad row: (column index, value, the columns its errors name).
MISTAKES = [
    (0, "Nope", {"indicator"}),
    (1, "2025-Q5", {"period end"}),
    (1, "0000-Q1", {"period end"}),
    (1, "1899-Q4", {"period", "period end"}),
    (2, "Sex", {"category"}),
    (3, "Aliens", {"category"}),
    (4, "abc", {"value"}),
    (4, "1e12", {"value"}),
    (4, "NaN", {"value"}),
    (4, "", {"value"}),
    (4, "9" * 5000, {"value"}),
]


@FUZZ
@given(data=st.data(), as_xlsx=st.booleans())
def test_good_measurements_import_whole_and_one_bad_row_among_them_imports_nothing_and_is_named(
    world: World, indicators: list[Indicator], data: Any, as_xlsx: bool
) -> None:
    rows = data.draw(
        st.lists(good_measurements, min_size=1, max_size=6, unique_by=lambda r: (r[0].casefold()[:2], r[1]))
    )
    mistake = data.draw(st.none() | st.sampled_from(MISTAKES))
    if mistake is not None:
        index, value, columns = mistake
        bad = data.draw(good_measurements)
        bad[0] = "O1"  # the indicator split by Sex, so that a category can be wrong
        bad[index] = value
        position = data.draw(st.integers(0, len(rows)))
        rows.insert(position, bad)
    file = (
        xlsx_file({MEASUREMENTS: [MEASUREMENT_HEADER, *rows]})
        if as_xlsx
        else csv_file([MEASUREMENT_HEADER, *rows])
    )
    plan = import_through_the_pages(
        client_for(world.mel), MEASUREMENTS, "m.xlsx" if as_xlsx else "m.csv", file
    )
    assert plan is not None
    if mistake is None:
        assert plan.errors == [] and len(plan.rows) == len(rows)
    else:
        assert {e.row for e in plan.errors} == {position + 2}
        assert {e.column for e in plan.errors} == columns


# --- hand-made -----------------------------------------------------------------------------------


@pytest.mark.parametrize("period", ["0000-Q1", "0000", "Q2 0000", "0000-H1", "0000-06"])
def test_a_period_of_year_zero_is_an_error_not_a_server_error(
    world: World, indicators: list[Indicator], period: str
) -> None:
    """Was a 500: the period's dates were built for year 0, which does not exist."""
    rows = [["indicator", "period", "value"], ["O2", "2025-Q1", "4"], ["O2", period, "5"]]
    plan = import_through_the_pages(client_for(world.mel), MEASUREMENTS, "m.csv", csv_file(rows))
    assert [(e.row, e.column) for e in plan.errors] == [(3, "period end")]
    assert "required (or a period such as 2025-Q2" in plan.errors[0].message


def test_dates_and_periods_outside_1900_to_2100_are_errors(world: World, indicators: list[Indicator]) -> None:
    rows = [
        ["indicator", "period", "period end", "value"],
        ["O2", "0001-Q1", "", "1"],
        ["O2", "", "31/12/2101", "2"],
        ["O2", "2025-Q1", "", "3"],
    ]
    plan = import_through_the_pages(client_for(world.mel), MEASUREMENTS, "m.csv", csv_file(rows))
    assert [(e.row, e.column, e.message) for e in plan.errors] == [
        (2, "period", "0001-Q1 is not a period between 1900 and 2100"),
        (2, "period end", "required (or a period such as 2025-Q2 in “period”)"),
        (3, "period end", "31/12/2101 is not a date between 1900 and 2100"),
    ]
    rows = [
        ["name", "type", "unit", "baseline", "baseline date"],
        ["Yields", "outcome", "t/ha", "1", "1066-10-14"],
    ]
    plan = import_through_the_pages(client_for(world.mel), INDICATORS, "i.csv", csv_file(rows))
    assert [(e.row, e.column) for e in plan.errors] == [(2, "baseline date")]


def test_values_with_more_decimals_than_stored_are_refused_with_the_row_and_nothing_kept(
    world: World, indicators: list[Indicator]
) -> None:
    rows = [["indicator", "period", "value"], ["O2", "2025-Q1", "1.5"], ["O2", "2025-Q2", "0.123456"]]
    client = client_for(world.mel)
    url = upload(client, MEASUREMENTS, "m.csv", csv_file(rows))["Location"]
    done = client.post(url)
    assert done.status_code == 400
    assert (
        "Row 3 could not be saved: Ensure that there are no more than 4 decimal places. Nothing was imported."
        in done.content.decode()
    )
    assert Measurement.objects.count() == 0


def test_a_huge_value_cell_is_an_error_on_its_row(world: World, indicators: list[Indicator]) -> None:
    rows = [
        ["indicator", "period", "value"],
        ["O2", "2025-Q1", "9" * 100_000],
        ["O2", "2025-Q2", "1e-999999999"],
    ]
    plan = import_through_the_pages(client_for(world.mel), MEASUREMENTS, "m.csv", csv_file(rows))
    assert [(e.row, e.column) for e in plan.errors] == [(2, "value")]
    assert plan.errors[0].message.endswith("” is not a number")


def test_formula_text_is_imported_as_plain_text_and_exported_neutralised(
    world: World, indicators: list[Indicator]
) -> None:
    formula = "=cmd|' /C calc'!A0"
    client = client_for(world.mel)
    rows = [["name", "type", "unit", "definition"], ["Seed sold", "output", "kg", formula]]
    import_through_the_pages(client, INDICATORS, "i.csv", csv_file(rows))
    rows = [["indicator", "period", "value", "note"], ["Seed sold", "2025-Q1", "7", "@SUM(1+1)"]]
    import_through_the_pages(client, MEASUREMENTS, "m.csv", csv_file(rows))
    indicator = Indicator.objects.get(name="Seed sold")
    assert indicator.definition == formula
    assert Measurement.objects.get(indicator=indicator).note == "@SUM(1+1)"
    exported = client.get(f"{URL}export/indicators.csv").content.decode("utf-8-sig")
    assert f"'{formula}" in exported
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"{URL}export/measurements.xlsx").content))
    notes = [
        c for row in workbook["measurements"].iter_rows() for c in row if c.value and "SUM" in str(c.value)
    ]
    assert [(c.value, c.data_type) for c in notes] == [("'@SUM(1+1)", "s")]


def entity_in_sheet(sheet: str) -> bytes:
    """A template-like workbook whose `sheet` declares an external entity and uses it in a cell."""
    source = xlsx_file(
        {
            "indicators": [["name", "type", "unit"], ["Seed sold", "output", "kg"]],
            "measurements": [["indicator", "period", "value"], ["O2", "2025-Q1", "PLACEHOLDER"]],
        }
    )
    member = {"indicators": "xl/worksheets/sheet1.xml", "measurements": "xl/worksheets/sheet2.xml"}[sheet]
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as src, zipfile.ZipFile(buffer, "w") as target:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == member:
                doctype = (
                    b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY leak SYSTEM "file:///etc/passwd">]>'
                )
                data = doctype + data.replace(b"PLACEHOLDER", b"&leak;").replace(b"Seed sold", b"&leak;")
            target.writestr(info, data)
    return buffer.getvalue()


@pytest.mark.parametrize("sheet", ["indicators", "measurements"])
def test_an_external_entity_in_any_sheet_is_refused_and_never_read(
    world: World, indicators: list[Indicator], sheet: str
) -> None:
    """The first sheet is read by the partner readers; the measurements sheet is found and read again
    by the indicator import, which must be as safe."""
    client = client_for(world.mel)
    data = entity_in_sheet(sheet)
    message = refused(client, MEASUREMENTS, "evil.xlsx", data)
    assert message.startswith("The file declares a DTD or entities")
    assert PASSWD not in upload(client, MEASUREMENTS, "evil.xlsx", data).content.decode()


@pytest.mark.parametrize(
    "data",
    [
        "indicator,period,value\nO1,2025-Q1,3\n".encode("utf-16"),
        "indicator,period,value\nO1,2025-Q1,3\n".encode("utf-16-le"),
        b"indicator,period,value,note\nO1,2025-Q1,3,a\x00b\n",
    ],
    ids=["utf-16", "utf-16 without bom", "nul"],
)
def test_text_that_is_not_utf8_is_refused_with_what_to_do(
    world: World, indicators: list[Indicator], data: bytes
) -> None:
    """NUL was a 500 on PostgreSQL, which cannot store it."""
    message = refused(client_for(world.mel), MEASUREMENTS, "m.csv", data)
    assert message.startswith("The file is not UTF-8 text.")


def test_a_file_over_10_mb_is_refused_by_the_upload_limit_with_a_message(
    world: World, indicators: list[Indicator]
) -> None:
    data = b"indicator,period,value\n" + b"O2,2025-Q1,1\n" * 900_000
    assert len(data) > 10 * 1024 * 1024
    message = refused(client_for(world.mel), MEASUREMENTS, "big.csv", data)
    assert message == "The file is larger than 10 MB. Split it into smaller files."


def test_the_values_of_a_clean_file_are_stored_as_written(world: World, indicators: list[Indicator]) -> None:
    rows = [
        ["indicator", "period", "dimension", "category", "value"],
        ["o1", "2025-Q1", "", "", "1 234,5"],
        ["O1", "2025-Q1", "sex", "WOMEN", "-0"],
        ["Agro-dealers stocking seed", "FY2024", "", "", "999999999999"],
    ]
    plan = import_through_the_pages(client_for(world.mel), MEASUREMENTS, "m.csv", csv_file(rows))
    assert plan.errors == []
    stored = sorted(
        (m.indicator.code, m.period_end, m.category.name if m.category else "", m.value)
        for m in Measurement.objects.select_related("indicator", "category")
    )
    assert stored == [
        ("O1", datetime.date(2025, 3, 31), "", Decimal("1234.5")),
        ("O1", datetime.date(2025, 3, 31), "Women", Decimal("0")),
        ("O2", datetime.date(2024, 12, 31), "", Decimal("999999999999")),
    ]
