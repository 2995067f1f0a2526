"""The writes of import and export: an import adds every new row through the partner services, in one
transaction, or nothing; an export leaves a line in the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from konbit.core import audit
from konbit.core.access import Access
from konbit.core.models import AuditAction, Program
from konbit.core.tabular.readers import Table
from konbit.core.tabular.rows import ImportFailed
from konbit.core.transactions import service

from .. import services as partner_services
from . import importers

# Where the imported rows are seen afterwards.
LIST_PAGES = {
    importers.ORGANIZATIONS: "organization_list",
    importers.PARTNERSHIPS: "partnership_list",
    importers.INTERACTIONS: "interaction_list",
}


def _write_organization(*, access: Access, by: User, row: importers.PlanRow) -> None:
    partner_services.organization_create(access=access, by=by, data=row.data)


def _write_partnership(*, access: Access, by: User, row: importers.PlanRow) -> None:
    partner_services.partnership_create(
        access=access, organization=row.organizations[0], by=by, data=row.data, reason=_("Imported.")
    )


_WRITERS: dict[str, Callable[..., None]] = {
    importers.ORGANIZATIONS: _write_organization,
    importers.PARTNERSHIPS: _write_partnership,
}


def _no_step(done: int, message: str) -> None:
    return None


@service
def data_import_commit(
    *, access: Access, by: User, kind: str, table: Table, on_step: Callable[[int, str], Any] = _no_step
) -> importers.Plan:
    """Check the file again (the programme's data may have changed since the preview) and, when no row
    has an error, add every new row. Returns the plan; when it has errors nothing was written. Raises
    ImportFailed (and writes nothing) when a service refuses a row. ``on_step(done, message)`` hears of
    the three steps (0 checking, 1 writing, 2 written) for a progress bar."""
    # One import at a time per programme, so two clicks on "Import" cannot both add the same rows.
    list(Program.objects.select_for_update().filter(pk=access.program.pk).values_list("pk"))
    on_step(0, _("Checking %(count)s rows") % {"count": len(table.rows)})
    plan = importers.validate(access=access, kind=kind, table=table)
    if plan.errors:
        return plan
    on_step(1, _("Writing %(count)s new rows") % {"count": plan.new_count})
    if kind == importers.INTERACTIONS:  # the big one: bulk inserts (see services.interactions_import)
        partner_services.interactions_import(
            access=access, by=by, rows=[(row.data, row.organizations) for row in plan.new_rows]
        )
    else:
        write = _WRITERS[kind]
        for row in plan.new_rows:
            try:
                write(access=access, by=by, row=row)
            except ValidationError as exc:
                raise ImportFailed(row.number, " ".join(exc.messages)) from exc
    on_step(2, _("%(count)s rows written") % {"count": plan.new_count})
    return plan


def data_export_record(*, access: Access, by: User, filename: str, count: int) -> None:
    audit.record(
        program=access.program,
        actor=by,
        action=AuditAction.EXPORT,
        object_repr=f"{filename} ({count} rows)",
    )
