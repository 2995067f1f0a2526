"""Background jobs: long work a user asked for, run by the task worker with its progress on show.

A job is a `Job` row (what the user sees) plus one django-tasks task, `run_job`, that calls the job's
runner. The queue is django-tasks' database backend (`konbit db_worker` runs it; `make run` starts one
beside the web server), so a job and its task are written in the same transaction as the request that
asked for them: no job is ever lost between the two.

A runner is a plain function registered with `@job_runner`, called as ``runner(job, progress)``;
it reports with ``progress(done, total, message)`` and returns the job's result (JSON-ready, with a
"url" to open when done). It raises `JobError` with a message a user can act on when it cannot finish.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks import task

from .access import Access
from .models import Job, JobStatus, Membership

logger = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
Runner = Callable[[Job, Progress], dict[str, Any]]

_RUNNERS: dict[str, Runner] = {}

# Progress is written at most this often (seconds): a runner may report after every small step.
PROGRESS_INTERVAL = 0.5


class JobError(Exception):
    """A runner cannot finish; the message is shown to the user as the job's error."""


def job_runner(func: Runner) -> Runner:
    """Registers a runner under its dotted path, which becomes the job's `kind`."""
    _RUNNERS[f"{func.__module__}.{func.__qualname__}"] = func
    return func


def requester_access(job: Job) -> Access:
    """The rights a job runs with: its requester's as they are now (a partner user: its own rows only).
    Fails the job when the requester has left the programme since asking."""
    membership = (
        Membership.objects.filter(program=job.program, user_id=job.requested_by_id)
        .select_related("user", "organization")
        .first()
        if job.requested_by_id is not None
        else None
    )
    if membership is None:
        raise JobError(_("The person who asked for this is no longer a member of the programme."))
    return Access(program=job.program, membership=membership)


def kind_of(func: Runner) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def _runner(kind: str) -> Runner:
    if kind not in _RUNNERS and kind.startswith("konbit."):
        import_string(kind)  # importing the module registers its runners
    try:
        return _RUNNERS[kind]
    except KeyError:
        raise JobError(f"Unknown kind of job: {kind}") from None


def _reporter(job: Job) -> Progress:
    last = 0.0

    def progress(done: int, total: int, message: str) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last < PROGRESS_INTERVAL and done < total:
            return
        last = now
        share = min(1.0, done / total) if total else 0.0
        Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            progress=share, message=message[:200], heartbeat_at=timezone.now()
        )

    return progress


@task()
def run_job(job_id: int) -> None:
    job = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).first()
    if job is None:  # already run, or gone
        return
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=now, heartbeat_at=now)
    try:
        result = _runner(job.kind)(job, _reporter(job))
    except JobError as error:
        _finish(job, status=JobStatus.FAILED, error=str(error))
    except Exception:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        _finish(job, status=JobStatus.FAILED, error="An unexpected error stopped this job.")
        raise
    else:
        _finish(job, status=JobStatus.DONE, result=result)


def _finish(job: Job, *, status: str, result: dict[str, Any] | None = None, error: str = "") -> None:
    Job.objects.filter(pk=job.pk).update(
        status=status,
        progress=1.0 if status == JobStatus.DONE else Job.objects.get(pk=job.pk).progress,
        result=result or {},
        error=error,
        finished_at=timezone.now(),
    )
