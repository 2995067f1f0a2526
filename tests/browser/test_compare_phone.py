"""The comparison page, the duplicates page and a merge's confirmation on a 375 px phone, in English and
French (the same checks as test_phone.py, on these pages alone so they can be run on their own)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from konbit.core.demo import build_demo

from .test_phone import HEIGHT, WIDTH, check_page, phone_pages, sign_in_demo

pytestmark = pytest.mark.browser

PAGES = {"comparison", "duplicates", "merge-confirm"}


def test_comparison_and_merge_pages_fit_a_phone(
    browser: Any, live_server: Any, transactional_db: Any, artifacts: Path
) -> None:
    program = build_demo()
    pages = [item for item in phone_pages(program) if item.name in PAGES]
    assert {item.name for item in pages} == PAGES
    shots = artifacts / "phone"
    shots.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in_demo(page, live_server.url, "facilitator")
    problems: list[str] = []
    for lang in ["en", "fr"]:
        context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
        for item in pages:
            problems += check_page(page, live_server.url, item, lang, shots)
        # The comparison's table, searched and on its second page, fits too.
        for query in ("?q=a", "?sort=to&page=2"):
            compare = next(item for item in pages if item.name == "comparison")
            page.goto(live_server.url + compare.path + query)
            assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    context.close()
    assert problems == [], "\n".join(problems)
    assert errors == []
