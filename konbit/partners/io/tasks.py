"""Background job of the data import: a big file's rows are written by the task worker, with progress, while
the user watches the job page (see konbit/core/tasks.py)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from konbit.core.access import Access
from konbit.core.models import Job
from konbit.core.roles import Action
from konbit.core.tabular import store
from konbit.core.tasks import JobError, Progress, job_runner, requester_access

from . import importers, services


def _access(job: Job) -> Access:
    """The import runs with the rights its requester has now, which must still include importing."""
    access = requester_access(job)
    if not access.can(Action.DATA_IMPORT):
        raise JobError(_("The person who asked for this may no longer import data."))
    return access


@job_runner
def data_import(job: Job, progress: Progress) -> dict[str, Any]:
    """Imports an uploaded file waiting in the store, all or nothing (services.data_import_commit).

    params: {"token": the upload's token, "kind": organisations | partnerships | interactions}. The result
    links to the list of what was imported; a file that no longer passes the checks fails the job with the
    first errors and writes nothing.
    """
    access = _access(job)
    user = access.membership.user
    token, kind = str(job.params["token"]), str(job.params["kind"])
    pending = store.pending_load(access=access, user=user, token=token)
    if pending is None or pending.kind != kind or kind not in importers.COLUMNS:
        raise JobError(_("This upload has expired or was already imported. Upload the file again."))
    total = len(pending.table.rows)

    def step(done: int, message: str) -> None:
        progress(done, 3, message)

    try:
        plan = services.data_import_commit(
            access=access, by=user, kind=kind, table=pending.table, on_step=step
        )
    except services.ImportFailed as exc:
        raise JobError(
            _("Row %(row)s could not be saved: %(message)s Nothing was imported.")
            % {"row": exc.row, "message": exc.message}
        ) from exc
    if plan.errors:
        first = "; ".join(
            _("row %(row)s: %(message)s") % {"row": e.row, "message": e.message} for e in plan.errors[:3]
        )
        raise JobError(
            _("%(count)s rows no longer pass the checks (%(first)s). Nothing was imported.")
            % {"count": len(plan.errors), "first": first}
        )
    store.pending_delete(access=access, user=user, token=token)
    return {
        "url": reverse(services.LIST_PAGES[kind], args=[access.program.slug]),
        "rows": total,
        "added": plan.new_count,
        "present": plan.present_count,
    }
