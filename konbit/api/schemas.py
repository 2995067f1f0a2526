from __future__ import annotations

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
