from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import World
from konbit.core.access import Access
from konbit.core.models import Membership
from konbit.partners import services
from konbit.partners.models import Partnership
from tests.browser.test_smoke import sign_in
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.browser


def test_round_table_attendance_for_ten_partners_reaches_each_partner_page(
    page: Any, live_server: Any, world: World, artifacts: Path
) -> None:
    membership = Membership.objects.get(program=world.program_a, user=world.facilitator)
    access = Access(program=world.program_a, membership=membership)
    partners = []
    for i in range(1, 11):
        org = OrganizationFactory(program=world.program_a, name=f"Seed Partner {i:02d}")
        partners.append(
            services.partnership_create(
                access=access,
                organization=org,
                by=world.facilitator,
                data={"segment": "active", "since": timezone.localdate() - datetime.timedelta(days=90)},
            )
        )
    base = live_server.url
    sign_in(page, base, "facilitator@alpha.example.org")
    page.wait_for_url("**/p/alpha/")

    page.goto(f"{base}/p/alpha/partners/interactions/new/?kind=round_table")
    page.get_by_label("Search organisations").fill("Seed Partner")
    expect(page.locator("#org-results input[name=organizations]")).to_have_count(10)
    for box in page.locator("#org-results input[name=organizations]").all():
        box.check()
    page.get_by_text("More details").click()
    page.get_by_label("Title").fill("Quarterly seed round table")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/interactions/*/")
    expect(page.get_by_role("heading", name="Quarterly seed round table")).to_be_visible()

    # Attendance: 1–7 attended, 8 excused, 9–10 no-show.
    for i in range(1, 11):
        status = "Attended" if i <= 7 else "Excused" if i == 8 else "No-show"
        page.get_by_label(f"Seed Partner {i:02d}: {status}").check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("Attendance saved (10 changed).")).to_be_visible()
    page.screenshot(path=str(artifacts / "round-table-attendance.png"), full_page=True)

    scores = {}
    for i, partnership in enumerate(partners, start=1):
        page.goto(f"{base}/p/alpha/partners/{partnership.pk}/")
        timeline = page.locator(".timeline")
        expected = "Attended" if i <= 7 else "Excused" if i == 8 else "No-show"
        expect(timeline).to_contain_text(f"Quarterly seed round table Round table · {expected}")
        scores[i] = float(page.locator(".score-big").inner_text())
        assert Partnership.objects.get(pk=partnership.pk).score == scores[i]
    assert min(scores[i] for i in range(1, 8)) > scores[8] > max(scores[9], scores[10])
    page.goto(f"{base}/p/alpha/partners/{partners[0].pk}/")
    page.screenshot(path=str(artifacts / "partner-after-round-table.png"), full_page=True)
