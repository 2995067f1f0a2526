from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import World
from konbit.indicators.models import Indicator, Measurement
from tests.browser.test_smoke import sign_in

pytestmark = pytest.mark.browser


def test_mel_officer_creates_an_indicator_enters_two_measurements_and_sees_progress(
    page: Any, live_server: Any, world: World, artifacts: Path
) -> None:
    base = live_server.url
    sign_in(page, base, "mel@alpha.example.org")
    page.wait_for_url("**/p/alpha/")

    page.goto(f"{base}/p/alpha/change/indicators/")
    expect(page.get_by_text("No indicators yet.")).to_be_visible()
    page.get_by_role("button", name="Add an indicator").click()
    page.get_by_label("Name").fill("Farmers buying certified seed")
    page.get_by_label("Code").fill("O1")
    page.get_by_label("Type").select_option("outcome")
    page.get_by_label("Unit").fill("farmers")
    page.get_by_label("Baseline:", exact=True).fill("0")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="O1 Farmers buying certified seed")).to_be_visible()

    targets = page.locator("form.target-form")
    targets.get_by_label("Period", exact=True).fill("2025")
    targets.get_by_label("Value", exact=True).fill("400")
    targets.get_by_role("button", name="Save the target").click()
    expect(page.get_by_text("Target saved.")).to_be_visible()

    for period, value in [("2025-Q1", "100"), ("2025-Q2", "140")]:
        entry = page.locator("#quick-entry")
        entry.get_by_label("Period", exact=True).fill(period)
        entry.get_by_label("Value", exact=True).fill(value)
        entry.get_by_role("button", name="Save the measurement").click()
        expect(page.get_by_text("Measurement saved.")).to_be_visible()

    chart = page.locator("figure.indicator-figure svg")
    expect(chart).to_be_visible()
    expect(chart.locator("rect.bar")).to_have_count(2)
    expect(chart.locator("circle.target")).to_have_count(1)
    expect(chart.locator("desc")).to_contain_text("Achieved 240 farmers by 2025-Q2")
    # (100 + 140 − 0) / (400 − 0) = 60 %.
    expect(page.locator("#progress-figure")).to_have_text("60%")
    expect(page.locator(".status-on_track").first).to_have_text("On track")
    expect(page.locator("#achieved-figure")).to_contain_text("240")
    # The same numbers in the table beside the chart.
    table = page.locator(".chart-and-table table")
    expect(table.get_by_role("row", name="2025-Q2")).to_contain_text("240")
    page.screenshot(path=str(artifacts / "indicator-progress.png"), full_page=True)

    indicator = Indicator.objects.get(code="O1")
    assert Measurement.objects.filter(indicator=indicator).count() == 2
    assert indicator.progress == pytest.approx(60.0)
