"""A Kumu user moves in: imports a causal-loop project through the import pages, then finds the map's
meaning on the map — coloured by its own types with a legend, found by part of a label typed in lower
case, and the perspectives' comparison drawn as a layer — at desk width and on a phone."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import World
from konbit.maps.models import Connection, Map
from tests.browser.test_smoke import sign_in

pytestmark = pytest.mark.browser

TYPES = ["Lead firm", "Bank", "Farmer group", "Factor"]


def kumu_project() -> dict[str, Any]:
    """Twelve elements of four types; three perspectives draw a ring of polarity-typed connections,
    the farmers seeing one link the other way round (a sign disagreement) and one link no one else
    draws (a blind spot), the banks only every second link."""
    elements = [
        {
            "_id": f"el-{i}",
            "attributes": {
                "label": "Trust in  Finance" if i == 0 else f"Element {i:02d}",
                "element type": TYPES[i % 4],
                "region": "North" if i % 2 else "South",
            },
        }
        for i in range(12)
    ]
    connections = []
    for who, step in (("Team", 1), ("Farmers", 1), ("Banks", 2)):
        for i in range(0, 12, step):
            polarity = "+-" if i % 3 == 0 else "++"
            if who == "Farmers" and i == 3:
                polarity = "++"
            connections.append(
                {
                    "_id": f"{who}-{i}",
                    "from": f"el-{i}",
                    "to": f"el-{(i + 1) % 12}",
                    "direction": "directed",
                    "attributes": {"connection type": polarity, "konbit:perspective": who},
                }
            )
    # A link only the farmers draw: a blind spot.
    connections.append(
        {
            "_id": "Farmers-extra",
            "from": "el-0",
            "to": "el-6",
            "direction": "directed",
            "attributes": {"connection type": "++", "konbit:perspective": "Farmers"},
        }
    )
    return {
        "name": "Rural finance CLD",
        "elements": elements,
        "connections": connections,
        "maps": [
            {
                "_id": "map-1",
                "name": "Rural finance CLD",
                "elements": [
                    {"_id": f"m-{i}", "element": f"el-{i}", "position": {"x": 60.0 * i, "y": 40.0 * (i % 3)}}
                    for i in range(12)
                ],
            }
        ],
    }


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width} px wide"


def test_a_kumu_user_imports_colours_searches_and_shows_the_comparison(
    browser: Any, live_server: Any, world: World, artifacts: Path, tmp_path: Path
) -> None:
    path = tmp_path / "rural-finance.json"
    path.write_text(json.dumps(kumu_project()), encoding="utf-8")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server.url, "facilitator@alpha.example.org")
    page.wait_for_url("**/p/alpha/")

    # Import through the pages a user uses: choose the file, read it, import it.
    page.goto(f"{live_server.url}/p/alpha/maps/import/")
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="Read the file").click()
    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_url(re.compile(r"/p/alpha/maps/\d+/$"))
    map = Map.objects.get(program=world.program_a, name="Rural finance CLD")
    # The polarity travelled in the connection types, which are kept as Kumu wrote them.
    assert set(Connection.objects.filter(map=map).values_list("type", "sign")) == {("++", "+"), ("+-", "-")}
    page.wait_for_selector("#mapview[data-first-render-ms]", state="attached", timeout=20000)
    status = page.locator("#map-status")
    expect(status).to_have_text("12 elements · 31 connections")

    # Coloured by the map's own types, with a legend that counts them.
    expect(page.get_by_label("Colour by")).to_have_value("type")
    legend = page.locator("#map-legend")
    for name in TYPES:
        expect(legend.get_by_role("button", name=f"{name} 3")).to_be_visible()
    expect(page.locator("#map-legend-signs")).to_contain_text("+ reinforces")

    # Found by part of its label, in lower case, with the double space the page does not show.
    page.get_by_placeholder("Name of an element").fill("trust in fin")
    page.locator("#map-results").get_by_role("button", name="Trust in Finance").click()
    expect(page.locator("#panel-title")).to_have_text(re.compile(r"Trust\s+in\s+Finance"))
    page.get_by_role("button", name="Close").click()
    page.get_by_role("button", name="Show all").click()

    # The comparison as a layer: the one link the farmers see the other way is the disagreement.
    with page.expect_response(lambda r: "/compare/layer.json" in r.url and r.status == 200):
        page.locator("#map-compare").select_option("disagreements")
    compare = page.locator("#map-legend-compare")
    expect(compare).to_contain_text("+ for some, − for others")
    expect(compare.locator(".legend-count").first).to_have_text("1")
    page.screenshot(path=str(artifacts / "kumu-journey-1280.png"), full_page=True)
    no_sideways_scroll(page)
    context.close()

    # The same on a phone.
    phone = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server.url, "facilitator@alpha.example.org")
    page.wait_for_url("**/p/alpha/")
    page.goto(f"{live_server.url}/p/alpha/maps/{map.pk}/")
    page.wait_for_selector("#mapview[data-first-render-ms]", state="attached", timeout=20000)
    page.evaluate("document.getElementById('mapview').scrollIntoView()")
    page.locator("label.fold-button").click()
    expect(page.locator("#map-legend").get_by_role("button", name="Bank 3")).to_be_visible()
    with page.expect_response(lambda r: "/compare/layer.json" in r.url and r.status == 200):
        page.locator("#map-compare").select_option("blind_spots")
    expect(page.locator("#map-legend-compare")).to_contain_text("Blind spots")
    expect(page.locator("#map-legend-compare .legend-count").first).to_have_text("1")
    no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / "kumu-journey-375-controls.png"))
    page.locator("label.fold-button").click()
    page.get_by_placeholder("Name of an element").fill("TRUST in fin")
    page.locator("#map-results").get_by_role("button", name="Trust in Finance").click()
    expect(page.locator("#map-panel")).to_be_visible()
    no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / "kumu-journey-375-panel.png"))
    phone.close()
    assert errors == []
