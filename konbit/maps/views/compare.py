"""The comparison page: where the perspectives agree, where only one draws a connection, where they
disagree — said in counts ("drawn by 3 of 6") for people who are not network specialists."""

from __future__ import annotations

import math
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from konbit.core.access import access_for, program_view
from konbit.core.ids import is_id, parse_ids
from konbit.core.roles import Action

from .. import selectors
from ..analysis.compare import perspective_summary, search_key
from .common import comparison_for

# Rows of the connection table per page (the table has a row per connection any perspective draws:
# thousands on a large map); the other lists show their first LIST_ROWS rows and say how many there are.
PAGE_SIZE = 25
LIST_ROWS = 200
SORTS = ("agreement", "-agreement", "from", "to")


def majority(total: int) -> int:
    """More than half of the perspectives: 2 of 2 or 3, 3 of 4 or 5, 4 of 6."""
    return total // 2 + 1


def chosen_at_least(request: HttpRequest, total: int) -> int:
    """?at_least=3 (a number of perspectives); an old link's ?threshold=0.5 (a share) still works, as
    the smallest number that reaches that share; otherwise the majority. Always within 1..total."""
    top = max(total, 1)
    raw = request.GET.get("at_least", "")
    if is_id(raw):
        return min(top, max(1, int(raw)))
    try:
        share = float(request.GET.get("threshold", ""))
    except ValueError:
        return min(top, majority(total))
    if not math.isfinite(share):
        return min(top, majority(total))
    return min(top, max(1, math.ceil(min(1.0, max(0.0, share)) * total - 1e-9)))


def _named(rows: list[dict[str, Any]], labels: dict[str, str]) -> list[dict[str, Any]]:
    """Each row with its elements' labels (never their keys)."""
    return [
        {
            **row,
            "from_label": labels.get(row["from"], row["from"]),
            "to_label": labels.get(row["to"], row["to"]),
        }
        for row in rows
    ]


def _table(request: HttpRequest, connections: list[dict[str, Any]]) -> dict[str, Any]:
    """The connection table: searched (case, accents and spacing ignored, parts of labels), sorted and
    paged on the server."""
    query = request.GET.get("q", "").strip()
    rows = connections
    if query:
        wanted = search_key(query)
        rows = [
            r for r in rows if wanted in search_key(r["from_label"]) or wanted in search_key(r["to_label"])
        ]
    sort = request.GET.get("sort", "agreement")
    if sort not in SORTS:
        sort = "agreement"
    if sort == "agreement":
        rows = sorted(rows, key=lambda r: (-r["count"], r["from_label"].casefold(), r["to_label"].casefold()))
    elif sort == "-agreement":
        rows = sorted(rows, key=lambda r: (r["count"], r["from_label"].casefold(), r["to_label"].casefold()))
    else:
        other = "to" if sort == "from" else "from"
        rows = sorted(rows, key=lambda r: (r[f"{sort}_label"].casefold(), r[f"{other}_label"].casefold()))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return {"page": page, "query": query, "sort": sort, "matching": len(rows)}


@program_view(Action.MAP_ANALYSE)
def map_compare(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    """Where the perspectives agree, where only one sees a tie, where they disagree. A partner user
    compares only the perspectives it may see (selectors.perspective_list)."""
    access = access_for(request)
    map = selectors.map_get(access=access, pk=pk)
    perspectives = list(selectors.perspective_list(access=access, map=map))
    asked = set(parse_ids(request.GET.getlist("perspective")))
    chosen = [p.pk for p in perspectives if not asked or p.pk in asked]
    at_least = chosen_at_least(request, len(chosen))
    # The whole comparison (cached per map version), not the page copy: the table is searched, sorted
    # and paged here, and each perspective's summary needs all of its rows.
    result, labels = comparison_for(
        access=access, map=map, perspectives=perspectives, chosen=chosen, threshold=0.5, at_least=at_least
    )
    names: list[str] = result.get("perspectives", [])
    total = len(names)
    connections = _named(result.get("connections", []), labels)
    by_name = {p.name: p for p in perspectives if p.pk in chosen}
    focus_pk = request.GET.get("focus", "")
    focus = next((p for p in by_name.values() if is_id(focus_pk) and p.pk == int(focus_pk)), None)
    if focus is None and by_name:
        focus = by_name[names[0]] if names and names[0] in by_name else next(iter(by_name.values()))
    summary = None
    if focus is not None and total >= 2:
        raw = perspective_summary(result, focus.name)
        summary = {
            **raw,
            "blind_spots": sorted(
                _named(raw["blind_spots"], labels),
                key=lambda r: (r["from_label"].casefold(), r["to_label"].casefold()),
            ),
            "disagreements": _named(raw["disagreements"], labels),
            "direction_disagreements": _named(raw["direction_disagreements"], labels),
        }
    overlap = result.get("overlap", {})
    alignment = result.get("alignment", {})
    heat = [
        {
            "name": a,
            "cells": [
                {
                    "name": b,
                    "value": alignment.get(a, {}).get(b),
                    "shared": overlap.get(a, {}).get(b, {}).get("shared"),
                    "either": overlap.get(a, {}).get(b, {}).get("either"),
                }
                for b in names
            ],
        }
        for a in names
    ]
    lists = {
        name: _named(result.get(name, [])[:LIST_ROWS], labels)
        for name in ("blind_spots", "disagreements", "direction_disagreements", "consensus")
    }
    counts = {name: len(result.get(name, [])) for name in ("connections", *lists)}
    only_some = [
        {
            "label": labels.get(row["id"], row["id"]),
            "perspectives": row["perspectives"],
            "count": len(row["perspectives"]),
        }
        for row in result.get("elements", {}).get("only_some", [])
    ]
    only_some.sort(key=lambda r: (r["count"], r["label"].casefold()))
    counts["only_some"] = len(only_some)
    agreed_by_all = sum(1 for c in connections if c["count"] == total)
    return render(
        request,
        "maps/map_compare.html",
        {
            "map": map,
            "perspectives": perspectives,
            "chosen": chosen,
            "total": total,
            "at_least": at_least,
            "at_least_choices": range(1, max(total, 1) + 1),
            "names": names,
            "heat": heat,
            "lists": lists,
            "counts": counts,
            "only_some": only_some[:LIST_ROWS],
            "agreed_by_all": agreed_by_all,
            "table": _table(request, connections),
            "focus": focus,
            "focus_choices": [by_name[n] for n in names if n in by_name],
            "summary": summary,
            "list_rows": LIST_ROWS,
        },
    )
