"""Background jobs of the map pillar (see konbit/core/tasks.py)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.http import urlencode

from konbit.core.access import Access
from konbit.core.models import Job
from konbit.core.tasks import JobError, Progress, job_runner, requester_access

from . import selectors, services
from .analysis import metrics
from .analysis.build import build
from .views.common import analysis_for, analysis_scope


def _result_url(access: Access, map: Any, perspective_ids: list[int] | None) -> str:
    query = urlencode([("perspective", p) for p in perspective_ids or []])
    url = reverse("map_analysis", args=[access.program.slug, map.pk])
    return f"{url}?{query}" if query else url


@job_runner
def map_analysis(job: Job, progress: Progress) -> dict[str, Any]:
    """The interactive analysis of a big map (views.common.analysis_or_job), cached per map version.

    params: {"map": pk, "perspectives": [pk, …] or None, "version": the map version asked about}.
    """
    access = requester_access(job)
    map = selectors.map_get(access=access, pk=job.params["map"])
    perspective_ids, _key = analysis_scope(
        access=access, map=map, perspective_ids=job.params.get("perspectives")
    )
    progress(0, 1, "Analysing the map: centralities, communities, loops and gaps")
    result = analysis_for(access=access, map=map, perspective_ids=perspective_ids)
    return {"url": _result_url(access, map, perspective_ids), "elements": result["map"]["elements"]}


@job_runner
def exact_betweenness(job: Job, progress: Progress) -> dict[str, Any]:
    """Replaces the estimated betweenness in a map's cached analysis by exact values.

    params: {"map": pk, "perspectives": [pk, …] or None}. The interactive analysis (cached per map
    version) is computed first if it is not there yet; then betweenness from every element, with
    progress after each of ~100 slices of sources.
    """
    access = requester_access(job)
    map = selectors.map_get(access=access, pk=job.params["map"])
    version = map.content_version
    perspective_ids, key = analysis_scope(
        access=access, map=map, perspective_ids=job.params.get("perspectives")
    )
    progress(0, 1, "Loading the map and its analysis")
    result = analysis_for(access=access, map=map, perspective_ids=perspective_ids)
    mg = build(selectors.to_gmap(access=access, map=map, perspective_ids=perspective_ids))

    def report(done: int, total: int) -> None:
        progress(done, total, f"Exact betweenness: {done:,} of {total:,} elements done")

    exact = dict(zip(mg.ids, metrics.betweenness_exact(mg.graph, progress=report), strict=True))
    map.refresh_from_db(fields=["content_version"])
    if map.content_version != version:
        raise JobError("The map changed while this ran, so the result would not match it. Start again.")
    for element in result["elements"]:
        element["betweenness"] = exact.get(element["id"], element["betweenness"])
    summary = result["map"]
    summary["betweenness"] = {"method": "exact", "sources": mg.n, "epsilon": 0.0, "delta": 0.0}
    summary["estimated"] = [name for name in summary.get("estimated", []) if name != "betweenness"]
    services.analysis_store(program=access.program, map=map, perspective_key=key, result=result)
    return {"url": _result_url(access, map, perspective_ids), "elements": mg.n}
