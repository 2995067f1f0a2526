"""Exact betweenness on demand: a background job with progress, run by the real database worker."""

from __future__ import annotations

import datetime
import random
from typing import Any

import igraph as ig
import networkx as nx
import pytest
from django.core.management import call_command
from django.utils import timezone

from conftest import World, client_for
from konbit.core import services as core_services
from konbit.core.models import Job, JobStatus, Membership
from konbit.maps import graph, services
from konbit.maps.analysis import metrics
from konbit.maps.models import AnalysisResult, Map
from konbit.maps.views.common import analysis_for

from .test_pages import access_of

# The worker commits and checks its connection as in production (it closes one left inside a transaction),
# so these tests run with real commits rather than inside one rolled-back transaction.
pytestmark = pytest.mark.django_db(transaction=True)


def _random_map(world: World, n: int = 60, m: int = 150, seed: int = 7) -> Map:
    rng = random.Random(seed)
    elements = [graph.GElement(id=f"e{i}", label=f"Actor {i}") for i in range(n)]
    connections = [
        graph.GConnection(source=f"e{a}", target=f"e{b}")
        for a, b in {tuple(rng.sample(range(n), 2)) for _ in range(m)}
    ]
    gmap = graph.GMap(name="Big market", elements=elements, connections=connections)
    return services.map_import(
        access=access_of(world, world.facilitator), by=world.facilitator, gmap=gmap, name=""
    )


def _estimated(world: World, map: Map) -> dict[str, Any]:
    """What a big map's page shows: the interactive analysis with betweenness estimated (here made visibly
    wrong, so that the exact values replacing it can be told apart)."""
    result = analysis_for(access=access_of(world, world.facilitator), map=map, perspective_ids=None)
    for element in result["elements"]:
        element["betweenness"] = 0.5
    result["map"]["betweenness"] = {"method": "sampled", "sources": 10, "epsilon": 0.05, "delta": 0.1}
    result["map"]["estimated"] = ["betweenness"]
    AnalysisResult.objects.filter(map=map).update(result=result)
    return result


def _run_worker() -> None:
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


def test_sliced_exact_betweenness_equals_networkx() -> None:
    rng = random.Random(3)
    for directed in (False, True):
        edges = {tuple(rng.sample(range(80), 2)) for _ in range(240)}
        g = ig.Graph(n=80, edges=sorted(edges), directed=directed).simplify()
        reference_graph = nx.DiGraph() if directed else nx.Graph()
        reference_graph.add_nodes_from(range(80))  # isolated elements count in the normalisation
        reference_graph.add_edges_from(edges)
        reference = nx.betweenness_centrality(reference_graph)
        seen: list[tuple[int, int]] = []
        values = metrics.betweenness_exact(g, progress=lambda d, t, seen=seen: seen.append((d, t)), steps=9)
        for v in range(80):
            assert values[v] == pytest.approx(reference[v], abs=1e-12)
        assert seen[-1] == (80, 80) and len(seen) == 9, "progress after every slice, ending at the total"


def test_exact_betweenness_job_replaces_the_estimate_and_shows_progress(world: World) -> None:
    map = _random_map(world)
    _estimated(world, map)
    client = client_for(world.facilitator)
    page = client.get(f"/p/alpha/maps/{map.pk}/analysis/").content.decode()
    assert "estimated from 10 sampled sources" in page
    assert "Compute exact betweenness" in page

    response = client.post(f"/p/alpha/maps/{map.pk}/analysis/exact/")
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/p/alpha/jobs/{job.pk}/"
    waiting = client.get(f"/p/alpha/jobs/{job.pk}/").content.decode()
    assert "Waiting for the background worker" in waiting and 'hx-trigger="every 1s"' in waiting
    # Asking twice while it waits does not start a second job.
    client.post(f"/p/alpha/maps/{map.pk}/analysis/exact/")
    assert Job.objects.count() == 1
    assert (
        "Exact betweenness of Big market" in client.get(f"/p/alpha/maps/{map.pk}/analysis/").content.decode()
    )

    _run_worker()

    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.progress == 1.0
    assert job.message == "Exact betweenness: 60 of 60 elements done"
    done = client.get(f"/p/alpha/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done, "polling stops once the job is done"
    assert f'href="/p/alpha/maps/{map.pk}/analysis/"' in done
    page = client.get(f"/p/alpha/maps/{map.pk}/analysis/").content.decode()
    assert "estimated from" not in page and "Compute exact betweenness" not in page
    stored = AnalysisResult.objects.get(map=map).result
    edges = [(c.source.key, c.target.key) for c in map.connections.select_related("source", "target")]
    reference_graph = nx.DiGraph()
    reference_graph.add_nodes_from(map.elements.values_list("key", flat=True))
    reference_graph.add_edges_from(edges)
    reference = nx.betweenness_centrality(reference_graph)
    for element in stored["elements"]:
        assert element["betweenness"] == pytest.approx(reference[element["id"]], abs=1e-12)
    assert stored["map"]["betweenness"]["method"] == "exact" and stored["map"]["estimated"] == []


def test_job_fails_with_a_clear_message_when_its_requester_has_left(world: World) -> None:
    map = _random_map(world, n=20, m=40)
    _estimated(world, map)
    client = client_for(world.facilitator)
    client.post(f"/p/alpha/maps/{map.pk}/analysis/exact/")
    job = Job.objects.get()
    Membership.objects.filter(program=world.program_a, user=world.facilitator).delete()
    _run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "no longer a member" in client_for(world.owner).get(f"/p/alpha/jobs/{job.pk}/").content.decode()
    assert AnalysisResult.objects.get(map=map).result["map"]["betweenness"]["method"] == "sampled"


def test_a_job_whose_worker_died_is_shown_failed_and_can_be_started_again(world: World) -> None:
    map = _random_map(world, n=20, m=40)
    _estimated(world, map)
    client = client_for(world.facilitator)
    client.post(f"/p/alpha/maps/{map.pk}/analysis/exact/")
    job = Job.objects.get()
    # The worker took the job, reported once, and was killed: the row stays "running" with no news.
    silent_since = timezone.now() - core_services.JOB_STALE_AFTER - datetime.timedelta(minutes=1)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, started_at=silent_since, heartbeat_at=silent_since, progress=0.4
    )
    page = client.get(f"/p/alpha/jobs/{job.pk}/").content.decode()
    assert "The worker stopped while this job ran" in page
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.finished_at is not None
    # Asking again starts a new job instead of returning the dead one.
    client.post(f"/p/alpha/maps/{map.pk}/analysis/exact/")
    assert Job.objects.count() == 2
    _run_worker()
    assert Job.objects.latest("pk").status == JobStatus.DONE


def test_a_running_job_that_reports_is_left_alone(world: World) -> None:
    map = _random_map(world, n=10, m=12)
    client_for(world.facilitator).post(f"/p/alpha/maps/{map.pk}/analysis/exact/")
    recent = timezone.now() - datetime.timedelta(minutes=5)
    Job.objects.update(
        status=JobStatus.RUNNING, started_at=recent - datetime.timedelta(hours=2), heartbeat_at=recent
    )
    assert core_services.jobs_fail_stale(program=world.program_a) == 0
    assert "Running" in client_for(world.facilitator).get("/p/alpha/jobs/").content.decode()


def test_partner_user_sees_only_its_own_jobs(world: World) -> None:
    map = _random_map(world, n=10, m=12)
    client_for(world.facilitator).post(f"/p/alpha/maps/{map.pk}/analysis/exact/")
    job = Job.objects.get()
    partner = client_for(world.partner_user)
    assert partner.get(f"/p/alpha/jobs/{job.pk}/").status_code == 404
    assert "Exact betweenness" not in partner.get("/p/alpha/jobs/").content.decode()
    assert (
        "Exact betweenness of Big market" in client_for(world.viewer).get("/p/alpha/jobs/").content.decode()
    )


def test_api_starts_the_job_and_reports_its_progress(world: World) -> None:
    from django.test import Client

    from konbit.core.services import api_token_create

    map = _random_map(world, n=30, m=60)
    _token, raw = api_token_create(user=world.mel, name="script")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    started = api.post(f"/api/v1/programs/alpha/maps/{map.pk}/analysis/exact")
    assert started.status_code == 202
    job_id = started.json()["id"]
    assert api.get(f"/api/v1/programs/alpha/jobs/{job_id}").json()["status"] == "queued"
    _run_worker()
    body = api.get(f"/api/v1/programs/alpha/jobs/{job_id}").json()
    assert body["status"] == "done" and body["progress"] == 1.0
    assert body["result"]["url"] == f"/p/alpha/maps/{map.pk}/analysis/"
    assert (
        api.get(f"/api/v1/programs/alpha/maps/{map.pk}/analysis").json()["map"]["betweenness"]["method"]
        == "exact"
    )
    outsider = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=world.outsider, name='x')[1]}")
    assert outsider.get(f"/api/v1/programs/alpha/jobs/{job_id}").status_code == 404


def test_a_big_maps_first_analysis_runs_in_the_background_then_shows(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above BACKGROUND_ANALYSIS_ELEMENTS (20,000 in production; 20 here) the analysis page, the table, the
    map view's figures and the API start one background job instead of computing in the request."""
    from django.test import Client

    from konbit.core.services import api_token_create
    from konbit.maps.views import common

    monkeypatch.setattr(common, "BACKGROUND_ANALYSIS_ELEMENTS", 20)
    map = _random_map(world, n=30, m=60)
    client = client_for(world.facilitator)
    page = client.get(f"/p/alpha/maps/{map.pk}/analysis/").content.decode()
    assert "runs in the background" in page and "Network analysis of Big market" in page
    assert "Brokers (betweenness)" not in page
    assert "runs in the background" in client.get(f"/p/alpha/maps/{map.pk}/table/").content.decode()
    figures = client.get(f"/p/alpha/maps/{map.pk}/metrics.json")
    assert figures.status_code == 202 and "background" in figures.json()["message"]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=world.mel, name='script')[1]}")
    started = api.get(f"/api/v1/programs/alpha/maps/{map.pk}/analysis")
    assert started.status_code == 202
    # Four requests, one job; nothing analysed in any of them.
    assert Job.objects.count() == 1 and started.json()["id"] == Job.objects.get().pk
    assert not AnalysisResult.objects.filter(map=map).exists()

    _run_worker()
    assert Job.objects.get().status == JobStatus.DONE
    page = client.get(f"/p/alpha/maps/{map.pk}/analysis/").content.decode()
    assert "Brokers (betweenness)" in page and "runs in the background" not in page
    assert len(client.get(f"/p/alpha/maps/{map.pk}/metrics.json").json()["keys"]) == 30
    assert api.get(f"/api/v1/programs/alpha/maps/{map.pk}/analysis").json()["map"]["elements"] == 30
    assert Job.objects.count() == 1
