"""The funder report: sections from every app that has a report module, as HTML, DOCX and XLSX."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.utils import timezone
from docx import Document

from conftest import World, client_for
from konbit.learning import services
from konbit.learning.report.periods import period_for
from konbit.learning.tests.helpers import make_lesson, staff_access
from konbit.partners import services as partner_services
from konbit.partners.models import InteractionKind

TODAY = timezone.localdate()
OWN_TABLES = [
    "Partners by segment",
    "Early warnings",
    "Interactions with the most partners attending",
    "Maps today",
    "Latest snapshots",
    "Lessons published in the period",
    "Communications sent",
    "Communication plan",
]


@pytest.fixture
def programme_with_data(world: World) -> World:
    access = staff_access(world)
    partner_services.partnership_create(
        access=access, organization=world.partner_org, by=world.facilitator, data={"segment": "champion"}
    )
    partner_services.interaction_log(
        access=access,
        by=world.facilitator,
        data={"kind": InteractionKind.ROUND_TABLE, "occurred_on": TODAY - datetime.timedelta(days=20)},
        organizations=[world.partner_org],
    )
    make_lesson(world, title="=cmd|' /C calc'!A0", tags="exit", status="published")
    make_lesson(world, title="Draft not in the report", status="draft")
    communication = services.communication_create(
        access=access,
        by=world.facilitator,
        data={
            "title": "Funder quarterly",
            "frequency": "quarterly",
            "first_due_on": TODAY - datetime.timedelta(days=90),
            "owner": world.mel,
        },
    )
    services.communication_log_sending(
        communication=communication, by=world.mel, sent_on=TODAY - datetime.timedelta(days=5), note="Q3"
    )
    return world


def test_quick_picks_are_calendar_periods() -> None:
    today = datetime.date(2026, 11, 22)
    assert period_for("last_quarter", today) == (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))
    assert period_for("last_year", today) == (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    assert period_for("year_to_date", today) == (datetime.date(2026, 1, 1), today)
    assert period_for("", today) == (datetime.date(2025, 11, 23), today)
    assert period_for("last_quarter", datetime.date(2026, 2, 3)) == (
        datetime.date(2025, 10, 1),
        datetime.date(2025, 12, 31),
    )


def test_report_page_shows_every_section_with_data(programme_with_data: World) -> None:
    page = client_for(programme_with_data.mel).get("/p/alpha/learning/report/").content.decode()
    for title in ["Partners and engagement", "The system maps", "Lessons learned", "Communications"]:
        assert f">{title}</h2>" in page
    for table in OWN_TABLES:
        assert f"<h3>{table}</h3>" in page
    assert "Alpha Partner Cooperative" in page and "Funder quarterly" in page
    assert "Draft not in the report" not in page
    assert "<svg" in page and "style=" not in page.split("<svg", 1)[1].split("</svg>")[0]


def test_print_view_has_no_navigation_and_uses_the_print_stylesheet(programme_with_data: World) -> None:
    page = client_for(programme_with_data.owner).get("/p/alpha/learning/report/print/?pick=year_to_date")
    html = page.content.decode()
    assert 'class="pillars"' not in html and "learning/report.css" in html
    assert f"From 1 Jan {TODAY.year} to {TODAY.day} {TODAY:%b} {TODAY.year}" in html


def test_a_bad_period_says_so_and_falls_back(programme_with_data: World) -> None:
    html = (
        client_for(programme_with_data.owner)
        .get("/p/alpha/learning/report/?start=2026-05-01&end=2026-01-01")
        .content.decode()
    )
    assert "The end of the period comes before its start." in html


def test_docx_opens_and_holds_every_table(programme_with_data: World) -> None:
    response = client_for(programme_with_data.owner).get("/p/alpha/learning/report/download.docx")
    assert response["Content-Disposition"].endswith('.docx"')
    document = Document(io.BytesIO(response.content))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    for table in OWN_TABLES:
        assert table in headings
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert {"Segment", "Partners", "Funder quarterly", "Alpha Partner Cooperative"} <= cells
    assert any("see the web report" in p.text for p in document.paragraphs)


def test_xlsx_opens_with_a_sheet_per_section_and_neutralised_formulas(programme_with_data: World) -> None:
    response = client_for(programme_with_data.owner).get("/p/alpha/learning/report/download.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[:2] == ["Partners and engagement", "The system maps"]
    assert "Communications" in workbook.sheetnames
    values = [cell for ws in workbook.worksheets for row in ws.iter_rows(values_only=True) for cell in row]
    for table in OWN_TABLES:
        assert table in values
    assert "'=cmd|' /C calc'!A0" in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)


@pytest.mark.django_db
def test_demo_report_carries_every_pillar_and_the_indicator_table_in_docx_and_xlsx() -> None:
    """The report of the demo programme gathers the sections of results and indicators (their report
    modules) between learning's own; the DOCX and XLSX downloads hold the indicator table."""
    from konbit.core.demo import build_demo
    from konbit.indicators.models import Indicator

    program = build_demo()
    owner = program.memberships.get(role="owner").user
    client = client_for(owner)
    start, end = datetime.date(2025, 10, 1), datetime.date(2026, 9, 30)
    query = f"?start={start}&end={end}"
    page = client.get(f"/p/demo/learning/report/{query}")
    assert page.status_code == 200
    html = page.content.decode()
    for title in ("Indicators against targets", "Partners by segment", "Lessons published in the period"):
        assert title in html
    indicator = Indicator.objects.filter(program=program).order_by("pk").first()
    assert indicator is not None and indicator.name in html

    document = Document(io.BytesIO(client.get(f"/p/demo/learning/report/download.docx{query}").content))
    indicator_tables = [t for t in document.tables if t.rows[0].cells[0].text == "Indicator"]
    assert indicator_tables, "the indicator table is a real Word table"
    names = {row.cells[0].text for table in indicator_tables for row in table.rows[1:]}
    assert str(indicator) in names  # "code name", as on the indicator pages

    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/p/demo/learning/report/download.xlsx{query}").content)
    )
    cells = {str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row}
    assert "Indicators against targets" in cells and str(indicator) in cells


def test_best_attended_interactions_are_ranked_by_partners_attending_in_the_period(world: World) -> None:
    from konbit.learning.report.sections import partners_section

    access = staff_access(world)
    both = [world.partner_org, world.other_org_a]

    def log(kind: str, days_ago: int, organizations: list, title: str):
        return partner_services.interaction_log(
            access=access,
            by=world.facilitator,
            data={"kind": kind, "title": title, "occurred_on": TODAY - datetime.timedelta(days=days_ago)},
            organizations=organizations,
        )

    log(InteractionKind.VISIT, 10, [world.partner_org], "Small visit")
    log(InteractionKind.VISIT, 12, both, "Joint visit")
    log(InteractionKind.ROUND_TABLE, 5, both, "Invited only")  # invitations, nobody marked as attending
    gone = log(InteractionKind.VISIT, 3, both, "Deleted visit")
    partner_services.interaction_delete(interaction=gone, by=world.facilitator)
    log(InteractionKind.VISIT, 800, both, "Long ago")  # outside the period

    section = partners_section(access=access, start=TODAY - datetime.timedelta(days=365), end=TODAY)
    table = next(
        t for t in section["tables"] if t["title"] == "Interactions with the most partners attending"
    )
    assert [(row[1], row[3]) for row in table["rows"]] == [("Joint visit", 2), ("Small visit", 1)]
    figures = dict(section["figures"])
    # In the period and not deleted: two visits and the round table (one-to-one: the two visits).
    assert figures["Interactions in the period"] == 3
    assert figures["One-to-one conversations, calls and visits"] == 2
    assert figures["Round tables, workshops and trainings"] == 1


def test_the_word_report_writes_numbers_and_dates_the_readers_way() -> None:
    import datetime
    import io

    from django.utils import translation
    from docx import Document

    from konbit.learning.report.documents import docx_bytes

    section = {
        "title": "Partenaires",
        "intro": "",
        "figures": [("Apport", 14087.65)],
        "tables": [],
        "charts": [],
    }
    with translation.override("fr"):
        data = docx_bytes(
            program_name="Nord",
            start=datetime.date(2026, 1, 1),
            end=datetime.date(2026, 12, 31),
            sections=[section],
        )
    document = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "14\xa0087,65" in cells
    assert "1 janvier 2026" in text and "31 décembre 2026" in text
