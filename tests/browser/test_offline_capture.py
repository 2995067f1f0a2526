"""Offline capture as a facilitator lives it (decision 9): the quick log and an attendance sheet with
no connection, entries kept across a reload, sent once the connection returns, each saved exactly
once — also when an answer is lost halfway — and refused, but kept, for someone removed meanwhile.

"No connection" is checked from the server's side: while the browser is offline, not one request
reaches the live server (the service worker answers from what it kept)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from django.core.signals import request_started
from django.utils import timezone
from playwright.sync_api import expect

from conftest import World
from konbit.core.access import Access
from konbit.core.models import Membership
from konbit.partners import services
from konbit.partners.models import AttendanceSubmission, Interaction, InteractionKind, Participation
from tests.browser.test_smoke import sign_in
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def server_hits() -> Iterator[list[str]]:
    """Paths the live server was asked for, in order."""
    hits: list[str] = []

    def record(sender: Any, environ: dict[str, Any] | None = None, **kwargs: Any) -> None:
        hits.append((environ or {}).get("PATH_INFO", "?"))

    request_started.connect(record)
    yield hits
    request_started.disconnect(record)


def seed(world: World, count: int = 3) -> tuple[list[Any], Interaction]:
    membership = Membership.objects.get(program=world.program_a, user=world.facilitator)
    access = Access(program=world.program_a, membership=membership)
    orgs = []
    for i in range(1, count + 1):
        org = OrganizationFactory(program=world.program_a, name=f"Field Partner {i}")
        services.partnership_create(
            access=access,
            organization=org,
            by=world.facilitator,
            data={"segment": "active", "since": timezone.localdate() - datetime.timedelta(days=90)},
        )
        orgs.append(org)
    event = services.interaction_log(
        access=access,
        by=world.facilitator,
        data={"kind": InteractionKind.ROUND_TABLE, "occurred_on": timezone.localdate(), "title": "Field day"},
        organizations=orgs,
    )
    return orgs, event


def ready_for_offline(page: Any) -> None:
    """The service worker controls the page and the programme's pages and organisations are kept."""
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.wait_for_selector("html[data-offline-ready]", state="attached")
    # The organisation picker fetches its list on its own; a fetch still in flight when a test switches
    # the network off would reach the server afterwards and read as a send made offline.
    page.wait_for_load_state("networkidle")


def log_conversation(page: Any, partner: str, notes: str) -> None:
    page.get_by_label("Search organisations").fill(partner)
    page.locator("#org-results label", has_text=partner).locator("input").check()
    page.get_by_label("Notes").fill(notes)
    page.get_by_role("button", name="Save").click()


def test_offline_conversations_and_attendance_arrive_once_after_a_reload(
    browser: Any, live_server: Any, world: World, artifacts: Path, server_hits: list[str]
) -> None:
    orgs, event = seed(world)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    base = live_server.url
    sign_in(page, base, "facilitator@alpha.example.org")
    page.wait_for_url("**/p/alpha/")
    ready_for_offline(page)
    quick_log = f"{base}/p/alpha/partners/interactions/new/"
    page.goto(quick_log)
    ready_for_offline(page)

    context.set_offline(True)
    offline_from = len(server_hits)
    for i in (1, 2, 3):
        log_conversation(page, f"Field Partner {i}", f"Offline note {i}: they want storage")
        expect(page.locator(".offline-notice")).to_contain_text("Kept on this phone")
        expect(page.get_by_label("Notes")).to_have_value("")  # ready for the next one
    expect(page.locator("#outbox-indicator")).to_have_text("3 waiting to be sent")
    expect(page.get_by_text("No connection: what you save stays on this phone")).to_be_visible()
    page.screenshot(path=str(artifacts / "offline-quick-log.png"), full_page=True)

    page.goto(f"{base}/p/alpha/partners/interactions/{event.pk}/")  # kept by the service worker
    page.get_by_label("Field Partner 1: Attended").check()
    page.get_by_label("Field Partner 2: Excused").check()
    page.get_by_label("Field Partner 3: No-show").check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.locator(".offline-notice")).to_contain_text("Kept on this phone")

    page.goto(f"{base}/outbox/")
    page.reload()  # still offline: the entries are in the browser's store, not in the page
    expect(page.locator(".outbox-entry")).to_have_count(4)
    expect(page.locator(".outbox-entry").first).to_contain_text("Offline note 1: they want storage")
    page.screenshot(path=str(artifacts / "offline-outbox.png"), full_page=True)
    # Chromium's update check of the worker script itself escapes Playwright's offline switch at times;
    # it sends nothing of the user's. Every other request while offline would be a send that failed.
    assert [hit for hit in server_hits[offline_from:] if hit != "/sw.js"] == []
    assert not Interaction.objects.filter(notes__startswith="Offline note").exists()

    context.set_offline(False)
    expect(page.locator(".outbox-entry")).to_have_count(0, timeout=20_000)
    expect(page.locator("#outbox-empty")).to_be_visible()
    for i in (1, 2, 3):
        logged = Interaction.objects.filter(notes=f"Offline note {i}: they want storage")
        assert logged.count() == 1
        assert list(logged.get().participations.values_list("organization__name", flat=True)) == [
            f"Field Partner {i}"
        ]
    statuses = dict(
        Participation.objects.filter(interaction=event).values_list("organization__name", "status")
    )
    assert statuses == {
        "Field Partner 1": "attended",
        "Field Partner 2": "excused",
        "Field Partner 3": "no_show",
    }
    assert AttendanceSubmission.objects.filter(interaction=event).count() == 1
    context.close()


def test_a_save_whose_answer_is_lost_is_retried_and_saved_once(
    browser: Any, live_server: Any, world: World, artifacts: Path
) -> None:
    orgs, event = seed(world, count=1)
    # Routing sees the page's own requests only when no service worker stands in between.
    context = browser.new_context(viewport=PHONE, service_workers="block")
    page = context.new_page()
    base = live_server.url
    sign_in(page, base, "facilitator@alpha.example.org")
    page.wait_for_url("**/p/alpha/")
    page.goto(f"{base}/p/alpha/partners/interactions/new/")
    page.wait_for_selector("html[data-offline-ready]", state="attached")

    # What is typed survives a reload before it is saved (a draft in the browser).
    page.get_by_label("Notes").fill("Half-typed when the battery died")
    page.wait_for_timeout(600)  # the draft is written 300 ms after the last keystroke
    page.reload()
    expect(page.get_by_text("Your unsaved notes were restored.")).to_be_visible()
    expect(page.get_by_label("Notes")).to_have_value("Half-typed when the battery died")

    sends: list[str] = []

    def lose_the_first_two_answers(route: Any) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        sends.append(parse_qs(route.request.post_data or "").get("client_uuid", [""])[0])
        if len(sends) <= 2:
            route.fetch()  # the server saves it (the first time)…
            route.abort()  # …and the answer never reaches the phone
        else:
            route.continue_()

    page.route("**/interactions/new/", lose_the_first_two_answers)
    log_conversation(page, "Field Partner 1", "Said yes, but the line dropped")
    expect(page.locator(".offline-notice")).to_contain_text("Kept on this phone")
    # The outbox tried again at once, and lost that answer too: the entry still waits.
    expect(page.locator("#outbox-indicator")).to_have_text("1 waiting to be sent")
    assert len(sends) == 2
    assert Interaction.objects.filter(notes="Said yes, but the line dropped").count() == 1

    page.reload()  # the outbox sends again on load, under the same client id
    expect(page.locator("#outbox-indicator")).to_be_hidden(timeout=15_000)
    assert len(sends) == 3 and sends[0] and sends[0] == sends[1] == sends[2]
    assert Interaction.objects.filter(notes="Said yes, but the line dropped").count() == 1
    context.close()


def test_a_member_removed_while_offline_is_refused_and_keeps_the_entries(
    browser: Any, live_server: Any, world: World, artifacts: Path
) -> None:
    seed(world, count=1)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    base = live_server.url
    sign_in(page, base, "facilitator@alpha.example.org")
    page.wait_for_url("**/p/alpha/")
    ready_for_offline(page)
    page.goto(f"{base}/p/alpha/partners/interactions/new/")
    ready_for_offline(page)

    context.set_offline(True)
    log_conversation(page, "Field Partner 1", "Notes I must not lose")
    expect(page.locator(".offline-notice")).to_contain_text("Kept on this phone")
    Membership.objects.filter(program=world.program_a, user=world.facilitator).delete()

    page.goto(f"{base}/outbox/")
    context.set_offline(False)
    entry = page.locator(".outbox-entry")
    expect(entry).to_contain_text("refused", timeout=20_000)
    expect(entry).to_contain_text("you are no longer a member")
    expect(entry).to_contain_text("Notes I must not lose")  # there to copy
    expect(page.locator("#outbox-indicator")).to_have_text("1 not sent: see why")
    page.screenshot(path=str(artifacts / "offline-outbox-refused.png"), full_page=True)
    assert not Interaction.objects.filter(notes="Notes I must not lose").exists()

    # A later visit still shows it, and trying again is refused again rather than lost.
    page.reload()
    page.get_by_role("button", name="Try again").click()
    expect(entry).to_contain_text("you are no longer a member", timeout=15_000)

    # Signing out warns that the entry would go, and then nothing of the programme stays.
    warnings: list[str] = []

    def accept(dialog: Any) -> None:
        warnings.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.locator("details.usermenu summary").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/**")
    assert "1 entries on this phone are not sent yet" in warnings[0]
    kept = page.evaluate(
        """async () => {
            const names = (await indexedDB.databases()).map((d) => d.name);
            let entries = 0;
            if (names.includes("konbit-offline")) {
              entries = await new Promise((resolve) => {
                const open = indexedDB.open("konbit-offline");
                open.onsuccess = () => {
                  const db = open.result;
                  if (!db.objectStoreNames.contains("outbox")) return resolve(0);
                  const count = db.transaction("outbox").objectStore("outbox").count();
                  count.onsuccess = () => resolve(count.result);
                };
              });
            }
            return { caches: await caches.keys(), entries };
        }"""
    )
    assert kept == {"caches": [], "entries": 0}
    context.close()


def test_a_partner_merged_meanwhile_is_shown_and_corrected_from_the_outbox(
    browser: Any, live_server: Any, world: World, artifacts: Path
) -> None:
    orgs, _event = seed(world, count=2)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    base = live_server.url
    sign_in(page, base, "facilitator@alpha.example.org")
    page.wait_for_url("**/p/alpha/")
    ready_for_offline(page)
    page.goto(f"{base}/p/alpha/partners/interactions/new/")
    ready_for_offline(page)

    context.set_offline(True)
    log_conversation(page, "Field Partner 1", "Agreed on a joint stand at the fair")
    expect(page.locator(".offline-notice")).to_contain_text("Kept on this phone")
    owner = Membership.objects.get(program=world.program_a, user=world.owner)
    services.organization_merge(
        access=Access(program=world.program_a, membership=owner), keep=orgs[1], merge=orgs[0], by=world.owner
    )

    page.goto(f"{base}/outbox/")
    context.set_offline(False)
    entry = page.locator(".outbox-entry")
    expect(entry).to_contain_text("Field Partner 1 was merged into another organisation", timeout=20_000)
    expect(entry).to_contain_text("Agreed on a joint stand at the fair")

    page.get_by_role("button", name="Open and correct").click()
    expect(page.get_by_label("Notes")).to_have_value("Agreed on a joint stand at the fair")
    page.locator("#org-results label", has_text="Field Partner 1").locator("input").uncheck()
    page.get_by_label("Search organisations").fill("Field Partner 2")
    page.locator("#org-results label", has_text="Field Partner 2").locator("input").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/p/alpha/partners/{orgs[1].partnerships.get().pk}/")
    expect(page.get_by_text("Logged.")).to_be_visible()
    expect(page.locator("#outbox-indicator")).to_be_hidden()
    logged = Interaction.objects.get(notes="Agreed on a joint stand at the fair")
    assert list(logged.participations.values_list("organization", flat=True)) == [orgs[1].pk]
    context.close()
