from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import World
from konbit.learning import services
from konbit.learning.tests.helpers import make_lesson, staff_access
from konbit.partners import services as partner_services
from tests.browser.test_smoke import sign_in

pytestmark = pytest.mark.browser


def test_funder_report_prints_one_section_per_page_without_navigation(
    page: Any, live_server: Any, world: World, artifacts: Path
) -> None:
    today = timezone.localdate()
    partner_services.partnership_create(
        access=staff_access(world),
        organization=world.partner_org,
        by=world.facilitator,
        data={"segment": "active"},
    )
    make_lesson(world, title="Co-hosted round tables", tags="round tables", status="published")
    communication = services.communication_create(
        access=staff_access(world),
        by=world.facilitator,
        data={
            "title": "Funder quarterly",
            "frequency": "quarterly",
            "first_due_on": today,
            "owner": world.mel,
        },
    )
    services.communication_log_sending(communication=communication, by=world.mel, sent_on=today)

    base = live_server.url
    sign_in(page, base, "mel@alpha.example.org")
    page.wait_for_url("**/p/alpha/")
    page.get_by_role("link", name="Learning").click()
    page.get_by_role("link", name="Funder report").click()
    page.get_by_role("link", name="Year to date").click()
    expect(
        page.get_by_text(f"From 1 Jan {today.year} to {today.day} {today:%b} {today.year}")
    ).to_be_visible()
    page.get_by_role("button", name="Print view").click()

    page.emulate_media(media="print")
    expect(page.get_by_role("heading", name="Partners and engagement")).to_be_visible()
    expect(page.get_by_role("heading", name="Lessons published in the period")).to_be_visible()
    expect(page.get_by_text("Back to the report")).to_be_hidden()
    assert page.locator("nav").count() == 0
    breaks = page.eval_on_selector_all(
        ".report-section", "els => els.map(e => getComputedStyle(e).breakBefore)"
    )
    assert breaks[0] != "page" and set(breaks[1:]) == {"page"}
    page.screenshot(path=str(artifacts / "funder-report-print.png"), full_page=True)
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
