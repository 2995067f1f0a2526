"""The map import's column-mapping step on a phone (375 px), in English and French: an edge list whose
header names say nothing is uploaded, its columns chosen in the selects, and the map imported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from konbit.core.demo import build_demo
from konbit.maps.models import Connection, Map
from tests.browser.test_phone import HEIGHT, WIDTH, sign_in_demo

pytestmark = pytest.mark.browser

EDGES = "A col;B col;how;who\nRain;Harvest;positive;Ana\nHarvest;Income;negtive;Ana\nRain;Harvest;-;Ben\n"


def _fits(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_columns_are_mapped_on_a_phone_then_the_map_imported(
    browser: Any, live_server: Any, transactional_db: Any, artifacts: Path, tmp_path: Path
) -> None:
    program = build_demo()
    shots = artifacts / "map-import"
    shots.mkdir(parents=True, exist_ok=True)
    source = tmp_path / "survey.csv"
    source.write_text(EDGES, encoding="utf-8")
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    page = context.new_page()
    sign_in_demo(page, live_server.url, "facilitator")
    for lang in ["fr", "en"]:
        context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
        page.goto(f"{live_server.url}/p/{program.slug}/maps/import/")
        page.screenshot(path=str(shots / f"import-{lang}.png"), full_page=True)
        assert _fits(page) <= WIDTH
        page.locator("input[type=file]").set_input_files(str(source))
        page.locator("input[name=name]").fill(f"Survey {lang}")
        page.locator("form.narrow-form button[type=submit]").first.click()
        page.wait_for_selector("select[name=column-from]")
        assert page.locator("html").get_attribute("lang") == lang
        asked = {
            "en": "Konbit could not tell which column holds what.",
            "fr": "Konbit n'a pas pu savoir quelle colonne contient quoi.",
        }[lang]
        assert asked in page.locator("main").inner_text()
        page.screenshot(path=str(shots / f"columns-{lang}.png"), full_page=True)
        assert _fits(page) <= WIDTH
        for field, column in [("from", "A col"), ("to", "B col"), ("sign", "how"), ("perspective", "who")]:
            page.select_option(f"select[name=column-{field}]", column)
        page.locator("#columns button[type=submit]").click()
        page.wait_for_selector("input[name=accept_problems]")
        page.screenshot(path=str(shots / f"preview-{lang}.png"), full_page=True)
        assert _fits(page) <= WIDTH
        page.check("input[name=accept_problems]")
        commit = page.locator("input[name=accept_problems]").locator("xpath=ancestor::form")
        commit.locator("button[type=submit]").click()
        page.wait_for_url(lambda url: "/import/" not in url)
        map_ = Map.objects.get(program=program, name=f"Survey {lang}")
        assert sorted(Connection.objects.filter(map=map_).values_list("sign", flat=True)) == ["+", "-", "?"]
    context.close()
