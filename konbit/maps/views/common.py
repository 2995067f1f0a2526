from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from konbit.core.access import Access
from konbit.core.ids import parse_ids
from konbit.core.models import Job

from .. import selectors, services
from ..models import Map

# From this many elements up, the first analysis of a map version runs as a background job with a progress
# bar (tens of seconds at 100,000 elements) instead of inside the request; up to it, the analysis takes a
# couple of seconds at most and is computed on the spot. Either way the result is cached per map version.
BACKGROUND_ANALYSIS_ELEMENTS = 20_000


def perspective_ids_param(request: HttpRequest) -> list[int] | None:
    """?perspective=3&perspective=5 limits a view to those perspectives; none given means all."""
    ids = parse_ids(request.GET.getlist("perspective"))
    return ids or None


def analysis_scope(
    *, access: Access, map: Map, perspective_ids: list[int] | None
) -> tuple[list[int] | None, str]:
    """The perspectives an analysis covers (a partner user: only its own) and their cache key."""
    allowed = selectors.visible_perspective_ids(access=access, map=map)
    if allowed is not None:
        perspective_ids = [p for p in (perspective_ids or allowed) if p in allowed]
    if perspective_ids is None:
        key = ""
    else:
        # No perspective at all (a partner user without one) must not share the whole map's key "".
        key = ",".join(str(p) for p in sorted(perspective_ids)) or "none"
    return perspective_ids, key


def exact_params(map: Map, perspective_ids: list[int] | None) -> dict[str, Any]:
    """The parameters of an exact-betweenness job: one job per map and set of perspectives."""
    return {"map": map.pk, "perspectives": sorted(perspective_ids) if perspective_ids is not None else None}


def analysis_for(*, access: Access, map: Map, perspective_ids: list[int] | None) -> dict[str, Any]:
    """The map's analysis, cached per content version (and per set of perspectives)."""
    from ..analysis import analyze

    perspective_ids, key = analysis_scope(access=access, map=map, perspective_ids=perspective_ids)
    cached = selectors.cached_analysis(map=map, perspective_key=key)
    if cached is not None:
        return cached.result
    gmap = selectors.to_gmap(access=access, map=map, perspective_ids=perspective_ids)
    result = analyze(gmap)
    services.analysis_store(program=access.program, map=map, perspective_key=key, result=result)
    return result


def analysis_or_job(
    *, access: Access, map: Map, perspective_ids: list[int] | None, by: Any
) -> tuple[dict[str, Any] | None, Job | None]:
    """The map's analysis when it is cached or the map is small enough to analyse now; otherwise
    (None, the background job computing it), starting that job unless it is already queued or running."""
    from konbit.core import services as core_services
    from konbit.core.tasks import kind_of

    from ..tasks import map_analysis

    scope_ids, key = analysis_scope(access=access, map=map, perspective_ids=perspective_ids)
    cached = selectors.cached_analysis(map=map, perspective_key=key)
    if cached is not None:
        return cached.result, None
    if selectors.element_list(access=access, map=map).count() < BACKGROUND_ANALYSIS_ELEMENTS:
        return analysis_for(access=access, map=map, perspective_ids=perspective_ids), None
    job = core_services.job_start(
        access=access,
        kind=kind_of(map_analysis),
        label=_("Network analysis of %(map)s") % {"map": map.name},
        params={**exact_params(map, scope_ids), "version": map.content_version},
        by=by,
    )
    return None, job


# The comparison page shows the first rows of each list (a 10,000-element map with six perspectives has
# tens of thousands of connections); its cached copy keeps only those, with each list's full length.
PAGE_ROWS = {
    "connections": 300,
    "consensus": 300,
    "blind_spots": 200,
    "disagreements": 300,
    "direction_disagreements": 300,
}


def _page_copy(result: dict[str, Any]) -> dict[str, Any]:
    page = {**result, "elements": {}, "counts": {name: len(result[name]) for name in PAGE_ROWS}}
    for name, rows in PAGE_ROWS.items():
        page[name] = result[name][:rows]
    return page


def _named(result: dict[str, Any]) -> set[str]:
    return {row[end] for name in PAGE_ROWS for row in result[name] for end in ("from", "to")}


def comparison_for(
    *,
    access: Access,
    map: Map,
    perspectives: list[Any],
    chosen: list[int],
    threshold: float,
    at_least: int | None = None,
    for_page: bool = False,
) -> tuple[dict[str, Any], dict[str, str]]:
    """The comparison of the chosen perspectives (analysis.compare) and the labels of the elements it
    names, cached per map version, set of perspectives and threshold like the analysis (6 perspectives
    on a 10,000-element map take seconds to compare). ``for_page``: the page's copy, each list cut to
    PAGE_ROWS with its full length under "counts". ``at_least``: consensus as a number of perspectives
    (the page's "drawn by at least 3 of 6"); when given, ``threshold`` is not used."""
    import hashlib

    from ..analysis import compare

    ids = ",".join(str(pk) for pk in sorted(chosen))
    key = f"{ids}|{threshold:.3f}" if at_least is None else f"{ids}|n{at_least}"
    if len(key) > 140:  # many perspectives: a digest keeps the key within its column
        key = hashlib.sha256(key.encode()).hexdigest()
    full_key, page_key = f"compare|{key}", f"compare-page|{key}"
    cached = selectors.cached_analysis(map=map, perspective_key=page_key if for_page else full_key)
    if cached is not None:
        return cached.result["comparison"], cached.result["labels"]
    gmap = selectors.to_gmap(access=access, map=map, perspective_ids=chosen)
    names = [p.name for p in perspectives if p.pk in chosen]
    result = compare(
        [c for c in gmap.connections if c.perspective], names, threshold=threshold, at_least=at_least
    )
    page = _page_copy(result)
    labels = {e.id: e.label for e in gmap.elements}
    stored = {}
    for copy, copy_key in ((result, full_key), (page, page_key)):
        named = _named(copy)
        stored[copy_key] = {"comparison": copy, "labels": {k: v for k, v in labels.items() if k in named}}
        services.analysis_store(
            program=access.program, map=map, perspective_key=copy_key, result=stored[copy_key]
        )
    chosen_copy = stored[page_key if for_page else full_key]
    return chosen_copy["comparison"], chosen_copy["labels"]
