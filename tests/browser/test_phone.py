"""Every main page on a 375 × 812 phone, in English and in French, on the demo programme.

For each page: nothing lies past the right edge of the screen except inside a declared scroll container
(`data-scroll="x"`), and the page's `h1` and its primary action (`[data-primary]`) lie on the first
screen. A full-page screenshot of each lands in test-artifacts/phone/ to be looked at.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Count

from konbit.core.demo import DEMO_PASSWORD, build_demo, demo_email
from konbit.core.models import Program
from konbit.indicators.models import Indicator
from konbit.learning.models import Lesson, LessonStatus
from konbit.maps.models import Element, Map
from konbit.partners.models import EVENT_KINDS, Interaction, Organization, Partnership
from konbit.results.models import Intervention, RelationshipGroup

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 375, 812


@dataclass(frozen=True)
class PhonePage:
    name: str
    path: str
    primary: bool = False  # the page has a primary action that must be on the first screen
    owner: bool = False  # only an owner may open it
    ready: str = ""  # a selector that appears once the page has drawn itself (the map)


def phone_pages(program: Program) -> list[PhonePage]:
    """The main pages, each opened on the demo record with the most content."""
    base = f"/p/{program.slug}"
    partnership = (
        Partnership.objects.filter(program=program)
        .annotate(n=Count("organization__participations"))
        .order_by("-n", "pk")
        .first()
    )
    organization = Organization.objects.filter(program=program).order_by("pk").first()
    event = (
        Interaction.objects.filter(program=program, kind__in=EVENT_KINDS)
        .annotate(n=Count("participations"))
        .order_by("-n", "pk")
        .first()
    )
    map_ = Map.objects.filter(program=program).annotate(n=Count("elements")).order_by("-n", "pk").first()
    indicator = Indicator.objects.filter(program=program).order_by("pk").first()
    intervention = (
        Intervention.objects.filter(program=program).annotate(n=Count("boxes")).order_by("-n", "pk").first()
    )
    lesson = Lesson.objects.filter(program=program, status=LessonStatus.PUBLISHED).order_by("pk").first()
    group = RelationshipGroup.objects.filter(program=program).order_by("pk").first()
    assert partnership and organization and event and map_ and indicator and intervention and lesson and group
    m = f"{base}/maps/{map_.pk}"
    first, second = Element.objects.filter(map=map_).order_by("pk")[:2]
    return [
        PhonePage("overview", f"{base}/"),
        PhonePage("partners", f"{base}/partners/", primary=True),
        PhonePage("partner", f"{base}/partners/{partnership.pk}/", primary=True),
        PhonePage("organisations", f"{base}/partners/organizations/", primary=True),
        PhonePage("organisation", f"{base}/partners/organizations/{organization.pk}/", primary=True),
        PhonePage("interactions", f"{base}/partners/interactions/", primary=True),
        PhonePage("event", f"{base}/partners/interactions/{event.pk}/", primary=True),
        PhonePage("quick-log", f"{base}/partners/interactions/new/", primary=True),
        PhonePage("partner-edit", f"{base}/partners/{partnership.pk}/edit/"),
        PhonePage("follow-up-new", f"{base}/partners/follow-ups/new/"),
        PhonePage("outbox", "/outbox/"),
        PhonePage("follow-ups", f"{base}/partners/follow-ups/", primary=True),
        PhonePage("warnings", f"{base}/partners/warnings/"),
        PhonePage("initiatives", f"{base}/partners/initiatives/", primary=True),
        PhonePage("maps", f"{base}/maps/", primary=True),
        PhonePage("map", f"{m}/", primary=True, ready="#mapview[data-first-render-ms]"),
        PhonePage("map-table", f"{m}/table/", primary=True),
        PhonePage("analysis", f"{m}/analysis/"),
        PhonePage("comparison", f"{m}/compare/"),
        PhonePage("duplicates", f"{m}/elements/merge/"),
        PhonePage("merge-confirm", f"{m}/elements/{first.pk}/merge/{second.pk}/", primary=True),
        PhonePage("snapshots", f"{m}/snapshots/", primary=True),
        PhonePage("indicators", f"{base}/change/indicators/", primary=True),
        PhonePage("indicator", f"{base}/change/indicators/{indicator.pk}/", primary=True),
        PhonePage("indicator-edit", f"{base}/change/indicators/{indicator.pk}/edit/"),
        PhonePage("benchmarks", f"{base}/change/indicators/benchmarks/", primary=True),
        PhonePage("change", f"{base}/change/"),
        PhonePage("playbook", f"{base}/change/playbook/"),
        PhonePage("phase", f"{base}/change/playbook/{program.phase}/"),
        PhonePage("interventions", f"{base}/change/interventions/", primary=True),
        PhonePage("intervention", f"{base}/change/interventions/{intervention.pk}/", primary=True),
        PhonePage("intervention-edit", f"{base}/change/interventions/{intervention.pk}/edit/"),
        PhonePage("chain", f"{base}/change/interventions/{intervention.pk}/chain/", primary=True),
        PhonePage("aaer", f"{base}/change/aaer/"),
        PhonePage("intervention-aaer", f"{base}/change/interventions/{intervention.pk}/aaer/", primary=True),
        PhonePage("portfolio", f"{base}/change/portfolio/"),
        PhonePage("exit", f"{base}/change/exit/"),
        PhonePage("matrix", f"{base}/change/matrix/", primary=True),
        PhonePage("matrix-group", f"{base}/change/matrix/{group.pk}/", primary=True),
        PhonePage("learning", f"{base}/learning/", primary=True),
        PhonePage("lessons", f"{base}/learning/lessons/", primary=True),
        PhonePage("lesson", f"{base}/learning/lessons/{lesson.pk}/", primary=True),
        PhonePage("communications", f"{base}/learning/communications/", primary=True),
        PhonePage("funder-report", f"{base}/learning/report/", primary=True),
        PhonePage("members", f"{base}/members/"),
        PhonePage("jobs", f"{base}/jobs/"),
        PhonePage("account", "/accounts/"),
        PhonePage("settings", f"{base}/settings/", owner=True),
        PhonePage("trash", f"{base}/trash/", owner=True),
        PhonePage("audit", f"{base}/audit/", owner=True),
    ]


# Visible elements whose box passes the right edge, unless an ancestor is a declared scroll container.
# Elements clipped by an ancestor that hides its overflow (an ellipsis, a visually hidden label) do not
# show past the edge either, so the walk stops at such an ancestor.
MEASURE = """
(width) => {
  const offending = [];
  const clippedOrScrolled = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (a.matches('[data-scroll]')) return true;
      const cs = getComputedStyle(a);
      const clips = ['hidden', 'clip'].includes(cs.overflowX);
      if (clips && a.getBoundingClientRect().right <= width + 0.5) return true;
    }
    return false;
  };
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right <= width + 0.5 || (r.width === 0 && r.height === 0)) continue;
    if (!el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
    if (clippedOrScrolled(el)) continue;
    const id = el.id ? '#' + el.id : '';
    const cls = el.classList.length ? '.' + [...el.classList].join('.') : '';
    offending.push(`${el.tagName.toLowerCase()}${id}${cls} right=${Math.round(r.right)}`);
  }
  const top = (el) => el ? el.getBoundingClientRect().bottom + window.scrollY : null;
  const h1s = document.querySelectorAll('h1');
  const primary = [...document.querySelectorAll('[data-primary]')].filter(
    (el) => el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true}));
  return {
    scrollWidth: document.documentElement.scrollWidth,
    offending: offending.slice(0, 8),
    h1Count: h1s.length,
    h1Bottom: top(h1s[0]),
    primaryBottom: primary.length ? top(primary[0]) : null,
    height: document.documentElement.scrollHeight,
  };
}
"""


def check_page(page: Any, base: str, item: PhonePage, lang: str, shots: Path) -> list[str]:
    response = page.goto(base + item.path)
    problems: list[str] = []
    where = f"{lang} {item.name} ({item.path})"
    if response is None or response.status != 200:
        return [f"{where}: HTTP {response.status if response else '?'}"]
    if item.ready:
        page.wait_for_selector(item.ready, state="attached", timeout=20000)
    assert page.locator("html").get_attribute("lang") == lang
    m = page.evaluate(MEASURE, WIDTH)
    if m["scrollWidth"] > WIDTH:
        problems.append(f"{where}: the page scrolls sideways ({m['scrollWidth']}px)")
    if m["offending"]:
        problems.append(f"{where}: past the right edge: {', '.join(m['offending'])}")
    if m["h1Count"] != 1:
        problems.append(f"{where}: {m['h1Count']} h1 elements")
    elif m["h1Bottom"] > HEIGHT:
        problems.append(f"{where}: the h1 ends at {m['h1Bottom']:.0f}px, below the first screen")
    if item.primary:
        if m["primaryBottom"] is None:
            problems.append(f"{where}: no visible [data-primary] action")
        elif m["primaryBottom"] > HEIGHT:
            problems.append(f"{where}: the primary action ends at {m['primaryBottom']:.0f}px")
    page.screenshot(path=str(shots / f"{lang}-{item.name}.png"), full_page=True)
    return problems


def check_map_sheet(page: Any, base: str, item: PhonePage, label: str, shots: Path) -> list[str]:
    """The element panel opens as a bottom sheet that leaves the search box and the top of the map free."""
    page.goto(base + item.path)
    page.wait_for_selector(item.ready, state="attached", timeout=20000)
    # A phone user scrolls the map into view: it then fills the screen, the search floating over it.
    page.evaluate("document.getElementById('mapview').scrollIntoView()")
    search = page.locator("#map-search")
    search.fill(label)
    search.dispatch_event("change")
    panel = page.locator("#map-panel")
    panel.wait_for(state="visible")
    page.screenshot(path=str(shots / "en-map-sheet.png"))
    box, found = panel.bounding_box(), search.bounding_box()
    problems = []
    if box["y"] < found["y"] + found["height"]:
        problems.append("map: the element panel covers the search box")
    if box["y"] + box["height"] > HEIGHT + 1 or box["x"] < 0 or box["x"] + box["width"] > WIDTH + 1:
        problems.append(f"map: the element panel is not a bottom sheet on the screen ({box})")
    if box["y"] - (found["y"] + found["height"]) < 150:
        problems.append("map: less than 150 px of map between the search and the element panel")
    return problems


def sign_in_demo(page: Any, base: str, key: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=username]").fill(demo_email(key))
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_every_main_page_fits_a_phone_in_english_and_french(
    browser: Any, live_server: Any, transactional_db: Any, artifacts: Path
) -> None:
    program = build_demo()
    pages = phone_pages(program)
    shots = artifacts / "phone"
    shots.mkdir(parents=True, exist_ok=True)
    # Not is_mobile: a mobile layout viewport silently widens to fit overflowing content, which would
    # hide exactly the overflow this test looks for.
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    problems: list[str] = []
    for key, owner_pages in [("facilitator", False), ("owner", True)]:
        context.clear_cookies()
        sign_in_demo(page, live_server.url, key)
        for lang in ["en", "fr"]:
            context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
            for item in pages:
                if item.owner == owner_pages:
                    problems += check_page(page, live_server.url, item, lang, shots)
        if not owner_pages:
            context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
            map_item = next(item for item in pages if item.name == "map")
            map_pk = int(map_item.path.rstrip("/").rsplit("/", 1)[-1])
            element = Element.objects.filter(map_id=map_pk).order_by("pk").first()
            assert element is not None
            problems += check_map_sheet(page, live_server.url, map_item, element.label, shots)
    context.close()
    assert problems == [], "\n".join(problems)
    assert errors == []
