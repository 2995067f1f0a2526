from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    detail: str


class Paged(Schema):
    count: int
    next_offset: int | None


class ValidationErrorOut(Schema):
    detail: list[dict[str, object]]


def responses(ok: object, *, not_found: bool = True) -> dict[int, object]:
    """The response map every operation declares: its success schema, 401 without a valid token,
    404 for 'not found or not yours', and 422 for malformed input."""
    declared: dict[int, object] = {200: ok, 401: ErrorOut, 422: ValidationErrorOut}
    if not_found:
        declared[404] = ErrorOut
    return declared


def body_responses(ok: object, *, status: int = 200) -> dict[int, object]:
    """`responses(...)` of an operation that reads a JSON body: its success status (200 or 201),
    and 400 for a body that is not JSON at all."""
    declared = responses(ok)
    declared[status] = declared.pop(200)
    declared[400] = ErrorOut
    return declared


def page_of(qs: Any, page: Any) -> tuple[int, list[Any], int | None]:
    """(count, rows, next offset or None) of one page of a queryset; `page` has limit and offset."""
    count = qs.count()
    end = page.offset + page.limit
    return count, list(qs[page.offset : end]), end if end < count else None
