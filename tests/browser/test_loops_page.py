"""The analysis page of a Kumu causal-loop map on a phone and on a laptop, in English and in French: the
feedback loops with their polarity, the bound of the search, and Kumu's named loops with their narrative,
nothing past the right edge. Screenshots land in test-artifacts/loops/ to be looked at."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from konbit.core.access import Access
from konbit.core.demo import build_demo
from konbit.core.models import Membership
from konbit.core.roles import Role
from konbit.maps import services
from konbit.maps.formats.kumu_backup import backup_to_gmap

from .test_phone import MEASURE, sign_in_demo

pytestmark = pytest.mark.browser

FIXTURE = (
    Path(__file__).resolve().parents[2] / "konbit" / "maps" / "tests" / "fixtures" / "kumu_causal_loops.json"
)


def test_analysis_page_shows_loops_and_named_loops_at_375_and_1280(
    browser: Any, live_server: Any, transactional_db: Any, artifacts: Path
) -> None:
    program = build_demo()
    membership = Membership.objects.filter(program=program, role=Role.OWNER).select_related("user").first()
    assert membership is not None
    gmap, _ = backup_to_gmap(json.loads(FIXTURE.read_text()))
    map_ = services.map_import(
        access=Access(program=program, membership=membership), by=membership.user, gmap=gmap, name=gmap.name
    )
    shots = artifacts / "loops"
    shots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    for width, height in [(375, 812), (1280, 900)]:
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        sign_in_demo(page, live_server.url, "facilitator")
        for lang in ["en", "fr"]:
            context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
            response = page.goto(f"{live_server.url}/p/{program.slug}/maps/{map_.pk}/analysis/")
            assert response is not None and response.status == 200
            loops = page.locator("#loops")
            assert loops.locator("li").count() == 7
            assert loops.locator("li", has_text="Feeder road use").first.is_visible()
            assert page.locator("#named-loops article").count() == 2
            assert page.locator("html").get_attribute("lang") == lang
            bound = {
                "en": "Loops of up to 8 elements are searched",
                "fr": "Les boucles de 8 éléments au plus sont recherchées",
            }[lang]
            assert bound in loops.inner_text()
            assert "B1 Glut" in page.locator("#named-loops").inner_text()
            m = page.evaluate(MEASURE, width)
            if m["scrollWidth"] > width or m["offending"]:
                problems.append(f"{lang} {width}px: {m['scrollWidth']}px wide, {m['offending']}")
            page.locator("#loops").scroll_into_view_if_needed()
            page.screenshot(path=str(shots / f"{lang}-{width}.png"), full_page=True)
        context.close()
    assert problems == []
