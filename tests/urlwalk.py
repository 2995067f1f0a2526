"""The site's URL patterns read from the URL configuration, and filled with real ids: the walks that
cover every page (tests/test_tenancy.py, tests/test_form_roundtrip.py) use these, so a new view is covered
the day it is added."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")


def walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def program_routes() -> list[tuple[str, URLPattern]]:
    """Every URL pattern under /p/<program>/."""
    return [(route, p) for route, p in walk(get_resolver().url_patterns) if "<slug:program>" in route]


def fill(route: str, values: dict[str, list[str]]) -> list[str]:
    """Every URL the route gives with the values offered for each of its parameters."""
    names = [m.group("name") for m in PARAM.finditer(route)]
    urls = []
    for combo in itertools.product(*(values[n] for n in names)):
        url = route
        for value in combo:
            url = PARAM.sub(value, url, count=1)
        urls.append("/" + url)
    return urls
