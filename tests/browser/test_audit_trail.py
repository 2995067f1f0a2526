from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import World
from konbit.core.services import tenant_record_update
from tests.browser.test_smoke import sign_in

pytestmark = pytest.mark.browser


def test_the_owner_reads_and_filters_the_audit_trail_on_a_phone(
    browser: Any, live_server: Any, world: World, artifacts: Path
) -> None:
    tenant_record_update(
        instance=world.other_org_a,
        by=world.facilitator,
        data={"notes": "A long note without spaces " + "x" * 120, "region": "Centre"},
    )
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    violations: list[str] = []
    page.on(
        "console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    sign_in(page, live_server.url, "owner@alpha.example.org")
    page.wait_for_url("**/p/alpha/")
    page.get_by_role("link", name="The full audit trail").click()
    page.wait_for_url("**/p/alpha/audit/")
    rows = page.locator("#audit-rows tbody tr")
    expect(rows).to_have_count(2)  # the facilitator's change and the owner's own sign-in
    page.locator("#audit-rows summary").first.click()
    overflow = page.evaluate("document.documentElement.scrollWidth") - 375
    assert overflow <= 0, f"the audit trail scrolls sideways by {overflow}px on a 375px phone"
    page.screenshot(path=str(artifacts / "phone-audit-trail-changes.png"), full_page=True)

    page.get_by_label("What").select_option("sign_in")
    expect(rows).to_have_count(1)
    assert "Signed in" in rows.first.inner_text()
    assert "action=sign_in" in page.url
    page.screenshot(path=str(artifacts / "phone-audit-trail.png"), full_page=True)
    assert violations == []
    context.close()
