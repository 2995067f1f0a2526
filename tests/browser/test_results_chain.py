"""Journey: a facilitator adds an intervention, then a box, a second box and an arrow to its results
chain with htmx, and sees them drawn — on a desktop and on a phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import World
from konbit.results.models import ChainLink, Intervention
from tests.browser.test_smoke import sign_in

pytestmark = pytest.mark.browser


def test_add_an_intervention_and_draw_its_results_chain(
    page: Any, browser: Any, live_server: Any, world: World, artifacts: Path
) -> None:
    base = live_server.url
    sign_in(page, base, "facilitator@alpha.example.org")
    page.wait_for_url("**/p/alpha/")
    page.goto(f"{base}/p/alpha/change/interventions/new/")
    page.get_by_label("Title").fill("Embedded advice through input suppliers")
    page.get_by_label("System function targeted").select_option("supporting")
    page.get_by_label("Lever").select_option("lead_firm")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/interventions/*/")
    expect(page.get_by_role("heading", name="Embedded advice through input suppliers")).to_be_visible()
    page.get_by_role("link", name="Results chain").first.click()
    page.wait_for_url("**/chain/")

    add_box = page.get_by_role("form", name="Add a box")
    add_box.get_by_label("Level").select_option("activity")
    add_box.get_by_label("Text").fill("Train suppliers' agronomists")
    add_box.get_by_role("button", name="Add the box").click()
    expect(page.locator("#chain svg")).to_contain_text("Train suppliers")
    add_box = page.get_by_role("form", name="Add a box")
    add_box.get_by_label("Level").select_option("outcome")
    add_box.get_by_label("Text").fill("Farmers use better practices")
    add_box.get_by_role("button", name="Add the box").click()
    expect(page.locator("#chain svg")).to_contain_text("Farmers use better practices")

    add_arrow = page.get_by_role("form", name="Add an arrow")
    add_arrow.get_by_label("From").select_option(label="Activity: Train suppliers' agronomists")
    add_arrow.get_by_label("To").select_option(label="Outcome: Farmers use better practices")
    add_arrow.get_by_label("Assumption").fill("Farmers trust the suppliers' advice")
    add_arrow.get_by_role("button", name="Add the arrow").click()
    expect(page.locator(".chain-links")).to_contain_text("Farmers trust the suppliers' advice")
    expect(page.locator("#chain svg path[marker-end]")).to_have_count(1)
    page.screenshot(path=str(artifacts / "results-chain.png"), full_page=True)

    iv = Intervention.objects.get(title="Embedded advice through input suppliers")
    assert ChainLink.objects.filter(intervention=iv).count() == 1

    phone = browser.new_context(viewport={"width": 375, "height": 740})
    small = phone.new_page()
    sign_in(small, base, "facilitator@alpha.example.org")
    small.wait_for_url("**/p/alpha/")
    small.goto(f"{base}/p/alpha/change/interventions/{iv.pk}/chain/")
    expect(small.locator("#chain svg")).to_be_visible()
    assert small.evaluate("document.documentElement.scrollWidth") <= 375
    small.screenshot(path=str(artifacts / "results-chain-phone.png"), full_page=True)
    phone.close()
