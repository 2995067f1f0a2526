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
    expect(page.locator("#map-status")).to_have_text("40 · 40")
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
    expect(page.locator("#map-status")).to_have_text("40 · 40")
    assert errors == []
