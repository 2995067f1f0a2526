from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import World

pytestmark = pytest.mark.browser


def sign_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_then_switch_to_french(page: Any, live_server: Any, world: World, artifacts: Path) -> None:
    sign_in(page, live_server.url, "facilitator@alpha.example.org")
    page.wait_for_url("**/p/alpha/")
    assert page.get_by_role("heading", name="Alpha Market Systems").is_visible()
    assert page.get_by_role("link", name="Engage partners").is_visible()

    page.get_by_role("button", name="Français").click()
    page.wait_for_load_state()
    nav = page.get_by_role("navigation", name="Programme")
    assert nav.get_by_role("link", name="Mobiliser les partenaires").is_visible()
    assert nav.get_by_role("link", name="Cartographier le système").is_visible()
    assert page.locator("html").get_attribute("lang") == "fr"
    page.screenshot(path=str(artifacts / "smoke-french-home.png"), full_page=True)


def test_programme_home_fits_a_phone(browser: Any, live_server: Any, world: World, artifacts: Path) -> None:
    # Not is_mobile: a mobile layout viewport silently widens to fit overflowing content, which
    # would hide exactly the overflow this test looks for.
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    sign_in(page, live_server.url, "owner@alpha.example.org")
    page.wait_for_url("**/p/alpha/")
    for path in ["/p/alpha/", "/p/alpha/partners/organizations/", "/p/alpha/members/", "/p/alpha/settings/"]:
        page.goto(live_server.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth") - 375
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a 375px phone"
    page.goto(live_server.url + "/p/alpha/partners/organizations/")
    page.screenshot(path=str(artifacts / "phone-organisations.png"), full_page=True)
    context.close()


def test_pages_run_no_inline_script_under_the_csp(page: Any, live_server: Any, world: World) -> None:
    violations: list[str] = []
    page.on(
        "console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    sign_in(page, live_server.url, "owner@alpha.example.org")
    page.wait_for_url("**/p/alpha/")
    page.goto(live_server.url + "/p/alpha/partners/organizations/")
    page.get_by_placeholder("Search name, acronym or town").fill("Secret")
    expect(page.locator("#organization-rows tbody tr")).to_have_count(1)
    assert "Alpha Secret Processor" in page.locator("#organization-rows").inner_text()
    assert violations == []
