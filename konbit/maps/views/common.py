from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from konbit.core.access import Access

from .. import selectors, services
from ..models import Map


def perspective_ids_param(request: HttpRequest) -> list[int] | None:
    """?perspective=3&perspective=5 limits a view to those perspectives; none given means all."""
    ids = [int(v) for v in request.GET.getlist("perspective") if v.isdigit()]
    return ids or None


def analysis_scope(
    *, access: Access, map: Map, perspective_ids: list[int] | None
) -> tuple[list[int] | None, str]:
    """The perspectives an analysis covers (a partner user: only its own) and their cache key."""
    allowed = selectors.visible_perspective_ids(access=access, map=map)
    if allowed is not None:
        perspective_ids = [p for p in (perspective_ids or allowed) if p in allowed]
    key = ",".join(str(p) for p in sorted(perspective_ids)) if perspective_ids is not None else ""
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
