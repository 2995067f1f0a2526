"""A big import runs in the background: the preview's button starts a job, the worker writes every row (or
none), and the job page links to the imported rows."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from conftest import World, client_for
from konbit.core.models import AuditEvent, Job, JobStatus
from konbit.partners.io import views as io_views
from konbit.partners.models import Interaction, Organization

from .test_import_export import GOOD_INTERACTIONS, INTERACTION_HEADER, csv_file, import_dir, preview_of

__all__ = ["import_dir"]  # the fixture that gives each test its own upload folder

# The worker commits as in production, so these tests run with real commits.
pytestmark = pytest.mark.django_db(transaction=True)


def _run_worker() -> None:
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


@pytest.fixture(autouse=True)
def small_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    """2,000 rows in production; two here, so the three-row file counts as big."""
    monkeypatch.setattr(io_views, "BACKGROUND_IMPORT_ROWS", 2)


def test_a_big_import_runs_as_a_job_and_links_to_the_imported_rows(world: World) -> None:
    client = client_for(world.facilitator)
    url, preview = preview_of(
        client, "interactions", "visits.csv", csv_file([INTERACTION_HEADER, *GOOD_INTERACTIONS])
    )
    assert "Import 3 new rows" in preview.content.decode()
    started = client.post(url)
    job = Job.objects.get()
    assert started["Location"] == f"/p/alpha/jobs/{job.pk}/"
    page = client.get(started["Location"]).content.decode()
    assert "Import of “visits.csv” (Interactions)" in page and "Waiting for the background worker" in page
    assert Interaction.objects.count() == 0
    # A second click while it waits does not queue the same import twice.
    assert client.post(url)["Location"] == started["Location"] and Job.objects.count() == 1

    _run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert job.result["url"] == "/p/alpha/partners/interactions/" and job.result["added"] == 3
    assert "See the result" in client.get(started["Location"]).content.decode()
    assert set(Interaction.objects.values_list("title", flat=True)) == {
        "Price talk",
        "Kick-off",
        "Farm visit",
    }
    assert (
        AuditEvent.objects.filter(object_repr="3 interactions (import)", actor=world.facilitator).count() == 1
    )
    assert client.get(url).status_code == 302  # the upload is used up


def test_a_file_that_stopped_passing_the_checks_fails_the_job_and_writes_nothing(world: World) -> None:
    client = client_for(world.facilitator)
    url, _preview = preview_of(
        client, "interactions", "visits.csv", csv_file([INTERACTION_HEADER, *GOOD_INTERACTIONS])
    )
    client.post(url)
    # Between the click and the worker, someone moves an organisation the file names to the trash.
    Organization.objects.filter(name="Alpha Secret Processor").update(deleted_at=timezone.now())
    _run_worker()
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED
    page = client.get(f"/p/alpha/jobs/{job.pk}/").content.decode()
    assert "no longer pass the checks" in page and "Nothing was imported" in page and "row 3" in page
    assert Interaction.objects.count() == 0
    # The upload is kept, so the preview can show every error.
    assert client.get(url).status_code == 200


def test_someone_who_lost_the_right_to_import_cannot_have_the_job_import(world: World) -> None:
    from konbit.core.models import Membership
    from konbit.core.roles import Role

    client = client_for(world.facilitator)
    url, _preview = preview_of(
        client, "interactions", "visits.csv", csv_file([INTERACTION_HEADER, *GOOD_INTERACTIONS])
    )
    client.post(url)
    Membership.objects.filter(program=world.program_a, user=world.facilitator).update(role=Role.VIEWER)
    _run_worker()
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED and "may no longer import" in job.error
    assert Interaction.objects.count() == 0
