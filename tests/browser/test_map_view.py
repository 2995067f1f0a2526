from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import World
from konbit.core.access import Access
from konbit.core.models import Membership
from konbit.maps import graph as g
from konbit.maps import services
from tests.browser.test_smoke import sign_in

pytestmark = pytest.mark.browser


def test_map_view_draws_the_map_finds_an_element_and_opens_its_panel(
    page: Any, live_server: Any, world: World, artifacts: Path
) -> None:
    membership = Membership.objects.get(program=world.program_a, user=world.facilitator)
    access = Access(program=world.program_a, membership=membership)
    elements = [
        g.GElement(
            id=f"e{i}",
            label=f"Actor {i:02d}",
            type="Lead firm",
            function=("core", "supporting", "rules")[i % 3],
        )
        for i in range(40)
    ]
    connections = [
        g.GConnection(source=f"e{i}", target=f"e{(i * 7 + 3) % 40}", perspective="Team") for i in range(40)
    ]
    map = services.map_import(
        access=access,
        by=world.facilitator,
        gmap=g.GMap(elements=elements, connections=connections),
        name="Browser map",
    )
    sign_in(page, live_server.url, "facilitator@alpha.example.org")
    page.wait_for_url("**/p/alpha/")
    page.goto(f"{live_server.url}/p/alpha/maps/{map.pk}/")
    page.wait_for_selector("#mapview[data-first-render-ms]", state="attached", timeout=20000)
    expect(page.locator("#map-status")).to_have_text("40 elements · 40 connections")
    search = page.get_by_placeholder("Name of an element")
    search.fill("Actor 07")
    search.dispatch_event("change")
    expect(page.locator("#panel-title")).to_have_text("Actor 07")
    expect(page.locator("#map-panel")).to_be_visible()
    page.screenshot(path=str(artifacts / "map-view.png"))
    # Filtering out a market function leaves the page working (no script error).
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.get_by_label("Rules and regulation").uncheck()
    page.get_by_role("button", name="Show all").click()
    # Sizing and colouring by the analysis fetches the element figures once.
    with page.expect_response(lambda r: r.url.endswith("/metrics.json") and r.status == 200):
        page.get_by_label("Size by").select_option("betweenness")
    page.get_by_label("Colour by").select_option("community")
    expect(page.locator("#map-status")).to_have_text("40 elements · 40 connections")
    assert errors == []


def kumu_like_map(world: World) -> Any:
    """A causal map as a Kumu user brings it: its own element types, custom fields, signed connections
    drawn by three perspectives, positions with y downward (Kumu's convention)."""
    membership = Membership.objects.get(program=world.program_a, user=world.facilitator)
    access = Access(program=world.program_a, membership=membership)
    types = ["Lead firm", "Bank", "Farmer group", "Factor"]
    elements = [
        g.GElement(
            id=f"e{i}",
            label="Trust  in Finance" if i == 0 else f"Element {i:02d}",
            type=types[i % 4],
            kind="factor" if i % 4 == 3 else "actor",
            description="How far farmers trust banks." if i == 0 else "",
            attributes={"Budget": i * 100, "Active": i % 2 == 0, "Region": ("North", "South")[i % 2]},
            position=(float(i % 6) * 80, float(i // 6) * 80),
            perspectives=["Team", "Farmers", "Banks"],
        )
        for i in range(24)
    ]
    # The team draws every connection, the farmers every second, the banks every third: some are
    # consensus, some blind spots; on every fifth the farmers see − where the others see +.
    connections = []
    for n, name in enumerate(["Team", "Farmers", "Banks"]):
        for i in range(24):
            if i % (n + 1):
                continue
            sign = ("+", "+", "?", "", "-")[i % 5]
            if i % 5 == 0 and name == "Farmers":
                sign = "-"
            connections.append(
                g.GConnection(
                    source=f"e{i}", target=f"e{(i * 5 + 1) % 24}", sign=sign, type="+-", perspective=name
                )
            )
    return services.map_import(
        access=access,
        by=world.facilitator,
        gmap=g.GMap(elements=elements, connections=connections),
        name="Kumu CLD",
    )


def test_map_view_colours_by_type_with_a_legend_searches_loosely_and_draws_the_comparison(
    page: Any, live_server: Any, world: World, artifacts: Path
) -> None:
    map = kumu_like_map(world)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server.url, "facilitator@alpha.example.org")
    page.wait_for_url("**/p/alpha/")
    page.goto(f"{live_server.url}/p/alpha/maps/{map.pk}/")
    page.wait_for_selector("#mapview[data-first-render-ms]", state="attached", timeout=20000)
    status = page.locator("#map-status")
    total = 44  # the team's 24, the farmers' 12 and the banks' 8
    assert map.connections.count() == total
    expect(status).to_have_text(f"24 elements · {total} connections")
    # Coloured by the map's own types, each with its count; a click hides that group and the counts follow.
    expect(page.get_by_label("Colour by")).to_have_value("type")
    legend = page.locator("#map-legend")
    expect(legend.locator(".legend-entry")).to_have_count(4)
    expect(legend.get_by_role("button", name="Lead firm 6")).to_be_visible()
    legend.get_by_role("button", name="Bank 6").click()
    expect(status).to_contain_text("Showing 18 of 24 elements")
    expect(legend.get_by_role("button", name="Bank 6")).to_have_attribute("aria-pressed", "false")
    # Colour by a custom field; connections by sign with their own legend.
    page.get_by_label("Colour by").select_option("field:Region")
    expect(legend.get_by_role("button", name="North 12")).to_be_visible()
    expect(status).to_have_text(f"24 elements · {total} connections")
    expect(page.locator("#map-legend-signs")).to_contain_text("? unknown sign")
    page.get_by_label("Colour by").select_option("type")
    page.screenshot(path=str(artifacts / "map-view-legend-1280.png"))
    # Search by a partial lower-case label with single spaces: the list offers it, a click opens it.
    page.get_by_placeholder("Name of an element").fill("trust in fin")
    results = page.locator("#map-results")
    expect(results.get_by_role("button")).to_have_count(1)
    results.get_by_role("button", name="Trust  in Finance").click()
    expect(page.locator("#panel-title")).to_have_text("Trust  in Finance")
    expect(page.locator("#panel-description")).to_have_text("How far farmers trust banks.")
    expect(page.locator("#panel-fields")).to_contain_text("Region")
    expect(page.locator("#panel-degree")).to_contain_text("Connections:")
    page.get_by_role("button", name="Close").click()
    page.get_by_role("button", name="Show all").click()
    # The comparison drawn on the map: blind spots coloured, with a legend and counts.
    expect(page.get_by_label("Comparison")).to_be_visible()
    with page.expect_response(lambda r: "/compare/layer.json" in r.url and r.status == 200):
        page.locator("#map-compare").select_option("blind_spots")
    compare = page.locator("#map-legend-compare")
    expect(compare).to_contain_text("Blind spots")
    expect(page.get_by_label("Consensus: drawn by at least")).to_have_value("2")
    expect(compare.locator(".legend-count").first).to_have_text("8")  # the connections only the team drew
    page.screenshot(path=str(artifacts / "map-view-blind-spots-1280.png"))
    page.locator("#map-compare").select_option("disagreements")
    expect(compare).to_contain_text("+ for some, − for others")
    expect(compare.locator(".legend-count").first).to_have_text("3")
    page.locator("#map-compare").select_option("consensus")
    expect(compare).to_contain_text("at least 2 of 3")
    expect(compare.locator(".legend-count").first).to_have_text("16")
    page.screenshot(path=str(artifacts / "map-view-compare-1280.png"), full_page=True)
    assert errors == []


def test_map_view_on_a_phone_keeps_the_legend_and_panel_on_screen(
    browser: Any, live_server: Any, world: World, artifacts: Path
) -> None:
    map = kumu_like_map(world)
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in(page, live_server.url, "facilitator@alpha.example.org")
    page.wait_for_url("**/p/alpha/")
    page.goto(f"{live_server.url}/p/alpha/maps/{map.pk}/")
    page.wait_for_selector("#mapview[data-first-render-ms]", state="attached", timeout=20000)
    page.evaluate("document.getElementById('mapview').scrollIntoView()")
    page.locator("label.fold-button").click()
    legend = page.locator("#map-legend")
    expect(legend).to_be_visible()
    page.locator("#map-compare").select_option("disagreements")
    expect(page.locator("#map-legend-compare")).to_contain_text("Disagreements")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width} px wide"
    for selector in ("#map-legend", "#map-legend-compare", ".map-controls"):
        box = page.locator(selector).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 376, (selector, box)
    page.screenshot(path=str(artifacts / "map-view-controls-375.png"))
    page.locator("label.fold-button").click()
    page.get_by_placeholder("Name of an element").fill("trust in fin")
    page.locator("#map-results").get_by_role("button", name="Trust  in Finance").click()
    panel = page.locator("#map-panel")
    expect(panel).to_be_visible()
    box = panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 376 and box["y"] + box["height"] <= 741, box
    page.screenshot(path=str(artifacts / "map-view-panel-375.png"))
    # The element's form shows its type and custom fields, typed, and fits the phone.
    page.get_by_role("link", name="Edit this element").click()
    expect(page.locator("#id_type")).to_have_value("Lead firm")
    expect(page.get_by_label("Budget")).to_have_value("0")
    expect(page.get_by_label("Region")).to_have_value("North")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(artifacts / "element-form-375.png"), full_page=True)
    context.close()
