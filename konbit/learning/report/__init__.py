"""The funder report: sections gathered from the apps, rendered as HTML (print), DOCX and XLSX.

The contract. An app takes part by having a module `konbit/<app>/report.py` (or a package) with

    def report_section(*, access: Access, start: date, end: date) -> dict | list[dict]

returning plain data: {"key", "title", "intro", "figures": [[label, value], ...],
"tables": [{"title", "headers": [...], "rows": [[str | int | float | None, ...], ...]}],
"charts": [{"title", "svg"}]} (svg: a complete <svg> element, no scripts, no style attributes).
Learning returns a list (its four sections); results and indicators return one dict each.
Sections appear in SECTION_ORDER by key, unknown keys after them in the order collected.
"""

from __future__ import annotations

import datetime
import importlib
from typing import Any

from konbit.core.access import Access

REPORT_APPS = ("learning", "results", "indicators")
SECTION_ORDER = ["partners", "maps", "interventions", "results", "aaer", "exit", "indicators", "lessons"]


def report_section(*, access: Access, start: datetime.date, end: datetime.date) -> list[dict[str, Any]]:
    """The learning app's sections (partners, maps, lessons, communications)."""
    from .sections import communications_section, lessons_section, maps_section, partners_section

    return [
        builder(access=access, start=start, end=end)
        for builder in (partners_section, maps_section, lessons_section, communications_section)
    ]


def _module(app: str) -> Any:
    name = f"konbit.{app}.report"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:  # the app has no report module: it takes no part
            return None
        raise


def normalize(section: dict[str, Any]) -> dict[str, Any]:
    """Fill in what a section left out, so the renderers need no checks."""
    return {
        "key": str(section.get("key", "")),
        "title": str(section.get("title", "")),
        "intro": str(section.get("intro", "") or ""),
        "figures": [list(pair) for pair in section.get("figures", []) or []],
        "tables": [
            {
                "title": str(table.get("title", "")),
                "headers": [str(h) for h in table.get("headers", [])],
                "rows": [list(row) for row in table.get("rows", [])],
            }
            for table in section.get("tables", []) or []
        ],
        "charts": [
            {"title": str(chart.get("title", "")), "svg": str(chart.get("svg", ""))}
            for chart in section.get("charts", []) or []
            if chart.get("svg")
        ],
    }


def collect_sections(*, access: Access, start: datetime.date, end: datetime.date) -> list[dict[str, Any]]:
    collected: list[dict[str, Any]] = []
    for app in REPORT_APPS:
        module = _module(app)
        if module is None or not hasattr(module, "report_section"):
            continue
        result = module.report_section(access=access, start=start, end=end)
        for section in result if isinstance(result, list) else [result]:
            collected.append(normalize(section))

    def position(item: tuple[int, dict[str, Any]]) -> tuple[int, int]:
        index, section = item
        key = section["key"]
        if key == "communications":
            return (len(SECTION_ORDER) + 1, index)  # always last
        return (SECTION_ORDER.index(key) if key in SECTION_ORDER else len(SECTION_ORDER), index)

    return [section for _i, section in sorted(enumerate(collected), key=position)]
