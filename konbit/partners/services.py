from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from konbit.core.access import Access
from konbit.core.services import tenant_record_create, tenant_record_delete, tenant_record_update

from .models import Organization


def organization_create(*, access: Access, by: User, data: dict[str, Any]) -> Organization:
    return tenant_record_create(model=Organization, program=access.program, by=by, data=data)


def organization_update(
    *,
    organization: Organization,
    by: User,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> dict[str, list[Any]]:
    return tenant_record_update(instance=organization, by=by, data=data, expected_version=expected_version)


def organization_delete(*, organization: Organization, by: User) -> None:
    tenant_record_delete(instance=organization, by=by)
