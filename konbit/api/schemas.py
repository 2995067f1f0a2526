from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Schema, Status
from pydantic import Field, create_model

from .auth import NotFound


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
    and 400 for a body that is not a JSON object (not JSON at all, or a bare string, number or list)."""
    declared = responses(ok)
    declared[status] = declared.pop(200)
    declared[400] = ErrorOut
    return declared


def page_of(qs: Any, page: Any) -> tuple[int, list[Any], int | None]:
    """(count, rows, next offset or None) of one page of a queryset; `page` has limit and offset."""
    count = qs.count()
    end = page.offset + page.limit
    return count, list(qs[page.offset : end]), end if end < count else None


T = TypeVar("T")
S = TypeVar("S", bound=Schema)


def conflict_of(out: type[S]) -> type[S]:
    """The 409 schema of a PATCH whose `version` is stale: the record as stored now, whose `version` is
    the one to send next, plus `sent_version`, the one the request carried."""
    return create_model(
        f"{out.__name__}Conflict",
        __base__=out,
        sent_version=(int, Field(description="The stale version the request carried.")),
    )


def conflict(stored: Schema, *, sent_version: int) -> Status[dict[str, Any]]:
    """409: someone saved in between. Both versions are in the body, with what is stored now."""
    return Status(409, {**dict(stored), "sent_version": sent_version})


def selected(getter: Callable[..., T], **kwargs: Any) -> T:
    """A selector's 404 ('not found or not yours') as the API's 404 body."""
    try:
        return getter(**kwargs)
    except Http404:
        raise NotFound from None


def unprocessable(errors: dict[str, list[str]]) -> Status[dict[str, Any]]:
    """The same body as ninja's own 422, for input that only the services or the database can judge."""
    return Status(
        422,
        {
            "detail": [
                {"type": "value_error", "loc": ["body", "payload", *([field] if field else [])], "msg": msg}
                for field, messages in errors.items()
                for msg in messages
            ]
        },
    )


def invalid(exc: ValidationError) -> Status[dict[str, Any]]:
    """A service's ValidationError as a 422 (field errors under their field, the rest under the body)."""
    if hasattr(exc, "error_dict"):
        return unprocessable({("" if f == "__all__" else f): m for f, m in exc.message_dict.items()})
    return unprocessable({"": exc.messages})


def created_links(**operations: str) -> dict[str, Any]:
    """`openapi_extra` declaring OpenAPI links from a 201 answer to the operations on the new row
    (name → operationId): the new row's `id` becomes their `pk`, the programme stays the same. Clients
    and schemathesis' stateful tests follow them (create, then read, change, add to it)."""
    return {
        "responses": {
            "201": {
                "links": {
                    name: {
                        "operationId": operation_id,
                        "parameters": {"slug": "$request.path.slug", "pk": "$response.body#/id"},
                    }
                    for name, operation_id in operations.items()
                }
            }
        }
    }
