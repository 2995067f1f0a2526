from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal
from typing import Any

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import World, client_for
from konbit.core.models import AuditAction, AuditEvent
from konbit.core.tabular.rows import parse_number
from konbit.indicators import services
from konbit.indicators.models import Indicator, Measurement
from konbit.indicators.tests.test_pages import access_of, make_indicator

URL = "/p/alpha/change/indicators/data/"


def upload(client: Any, kind: str, name: str, content: bytes) -> Any:
    return client.post(URL, {"kind": kind, "file": SimpleUploadedFile(name, content)})


def preview_url(response: Any) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    return str(response["Location"])


def xlsx(sheets: dict[str, list[list[Any]]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_template_has_instructions_indicator_and_measurement_sheets(world: World) -> None:
    response = client_for(world.mel).get(f"{URL}template.xlsx")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["instructions", "indicators", "measurements"]
    headers = [c.value for c in workbook["measurements"][1]]
    assert headers[:4] == ["indicator", "period", "period start", "period end"] and "value" in headers
    assert [c.value for c in workbook["indicators"][1]][:4] == ["name", "code", "type", "unit"]
    instructions = " ".join(str(c.value) for row in workbook["instructions"].iter_rows() for c in row)
    assert "systemic" in instructions and "required" in instructions


def test_importing_the_filled_template_adds_indicators_then_measurements_and_reimport_adds_nothing(
    world: World,
) -> None:
    services.dimension_create(
        access=access_of(world, world.mel), by=world.mel, name="Sex", categories=["Women", "Men"]
    )
    client = client_for(world.mel)
    template = openpyxl.load_workbook(io.BytesIO(client.get(f"{URL}template.xlsx").content))
    template["indicators"].append(
        [
            "Farmers buying certified seed",
            "O1",
            "Outcome",
            "farmers",
            "",
            "higher",
            "cumulative",
            "sum",
            "0",
            "2024-12-31",
            "",
            "",
            "",
            "Sex",
        ]
    )
    for row in [
        ["O1", "2025-Q1", "", "", "", "", "120", "", "first quarter"],
        ["O1", "2025-Q1", "", "", "Sex", "Women", "50", "", ""],
        ["o1", "2025-Q2", "", "", "", "", "1 200,5", "", ""],
    ]:
        template["measurements"].append(row)
    buffer = io.BytesIO()
    template.save(buffer)
    content = buffer.getvalue()

    page = client.get(preview_url(upload(client, "indicators", "plan.xlsx", content))).content.decode()
    assert "New: 1" in page
    response = client.post(preview_url(upload(client, "indicators", "plan.xlsx", content)))
    assert response.status_code == 302
    indicator = Indicator.objects.get(code="O1")
    assert [d.name for d in indicator.dimensions.all()] == ["Sex"]

    url = preview_url(upload(client, "measurements", "plan.xlsx", content))
    assert "New: 3" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    values = sorted(
        Measurement.objects.values_list("period_end", "category__name", "value"),
        key=lambda r: (r[0], r[1] or ""),
    )
    assert values == [
        (datetime.date(2025, 3, 31), None, Decimal("120")),
        (datetime.date(2025, 3, 31), "Women", Decimal("50")),
        (datetime.date(2025, 6, 30), None, Decimal("1200.5")),
    ]
    indicator.refresh_from_db()
    assert indicator.achieved == 1320.5  # derived progress refreshed once after the import

    # The same file again: nothing new, nothing changed.
    again = client.get(preview_url(upload(client, "measurements", "plan.xlsx", content))).content.decode()
    assert "New: 0" in again and "Already there: 3" in again and "Nothing new to import" in again
    assert Measurement.objects.count() == 3


def test_a_changed_value_updates_the_stored_measurement(world: World) -> None:
    indicator = make_indicator(world, code="O1")
    services.measurement_record(
        indicator=indicator,
        by=world.mel,
        data={"period_end": datetime.date(2025, 3, 31), "value": Decimal(10)},
    )
    client = client_for(world.mel)
    csv = b"indicator,period,value\nO1,2025-Q1,12\n"
    url = preview_url(upload(client, "measurements", "m.csv", csv))
    page = client.get(url).content.decode()
    assert "Changed values (will be updated): 1" in page and "replaces 10" in page
    client.post(url)
    assert list(Measurement.objects.values_list("value", flat=True)) == [Decimal(12)]


def test_errors_name_row_column_and_problem_and_nothing_is_written(world: World) -> None:
    make_indicator(world, code="O1")
    client = client_for(world.mel)
    csv = (
        b"indicator;period;period end;category;value\n"
        b"O1;2025-Q1;;;10\n"
        b"Unknown thing;2025-Q1;;;5\n"
        b"O1;;;;7\n"
        b"O1;2025-Q3;;Women;abc\n"
    )
    url = preview_url(upload(client, "measurements", "m.csv", csv))
    page = client.get(url).content.decode()
    rows = re.findall(r"<tr><td>(\d+)</td><td><code>([^<]+)</code></td><td>([^<]+)</td></tr>", page)
    assert ("3", "indicator", "unknown indicator “Unknown thing”") in rows
    assert any(r[0] == "4" and r[1] == "period end" for r in rows)
    assert any(r[0] == "5" and r[1] == "category" for r in rows)
    assert ("5", "value", "“abc” is not a number") in rows
    assert "Nothing will be imported until every error is corrected" in page
    response = client.post(url)
    assert response.status_code == 200
    assert not Measurement.objects.exists()  # all or nothing: the valid first row was not written


def test_a_missing_required_column_is_reported_on_row_one(world: World) -> None:
    client = client_for(world.mel)
    url = preview_url(upload(client, "measurements", "m.csv", b"indicator,period\nO1,2025-Q1\n"))
    page = client.get(url).content.decode()
    assert "<td>1</td><td><code>value</code></td><td>missing column</td>" in page


def test_a_zip_bomb_is_refused_by_the_partner_readers(world: World) -> None:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (260 * 1024 * 1024))
    response = upload(client_for(world.mel), "measurements", "bomb.xlsx", buffer.getvalue())
    assert response.status_code == 400
    assert "expands to too much data" in response.content.decode()


def test_exports_neutralise_formulas_and_round_trip(world: World) -> None:
    indicator = make_indicator(world, code="O1", definition='=HYPERLINK("http://evil")')
    services.measurement_record(
        indicator=indicator,
        by=world.mel,
        data={
            "period_label": "2025-Q1",
            "period_end": datetime.date(2025, 3, 31),
            "value": Decimal(7),
            "note": "+1",
        },
    )
    client = client_for(world.viewer)
    csv = client.get(f"{URL}export/indicators.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv
    measurements_csv = client.get(f"{URL}export/measurements.csv").content.decode("utf-8-sig")
    assert "O1,2025-Q1,,2025-03-31,,,7,,'+1" in measurements_csv
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"{URL}export/indicators.xlsx").content))
    assert workbook.sheetnames == ["indicators", "measurements"]
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT, object_repr__startswith="indicators.xlsx"
    ).exists()
    # The exported measurements import again as "already there".
    mel = client_for(world.mel)
    page = mel.get(
        preview_url(upload(mel, "measurements", "m.csv", measurements_csv.encode()))
    ).content.decode()
    assert "Already there: 1" in page


def test_numbers_in_the_ways_people_write_them() -> None:
    assert parse_number("1 234,5") == Decimal("1234.5")
    assert parse_number("1,234.5") == Decimal("1234.5")
    assert parse_number("1,234") == Decimal("1234")
    assert parse_number("12,5") == Decimal("12.5")
    assert parse_number("nan") is None and parse_number("abc") is None


def test_partner_and_viewer_cannot_import(world: World) -> None:
    for user in (world.partner_user, world.viewer):
        assert client_for(user).get(URL).status_code == 404
    assert client_for(world.partner_user).get(f"{URL}export/measurements.csv").status_code == 404
