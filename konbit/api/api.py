from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.parser import Parser

from konbit.core.api import router as core_router
from konbit.indicators.api import router as indicators_router
from konbit.learning.api import router as learning_router
from konbit.maps.api import router as maps_router
from konbit.partners.api import router as partners_router
from konbit.results.api import router as results_router

from .auth import NotFound, TokenAuth
from .schemas import invalid


class ObjectParser(Parser):
    """Every request body of this API is a JSON object. Ninja reads any other JSON value as an object
    whose attributes are the value's methods: a POST of the bare string "seed fair" made a lesson titled
    "Seed Fair" (str.title). Anything else is a 400, like a body that is not JSON at all."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError("The request body must be a JSON object.")
        return data


api = NinjaAPI(
    title="Konbit API",
    version="1",
    description="Programmes, members and (as the pillars land) partners, maps and results. "
    "Authenticate with `Authorization: Bearer <token>`; create tokens on your account page. "
    "Anything you may not see answers 404, exactly like something that does not exist.",
    auth=TokenAuth(),
    urls_namespace="api_v1",
    docs_url=None,  # the interactive docs page needs inline scripts, which our CSP forbids
    parser=ObjectParser(),
)


@api.exception_handler(NotFound)
def not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found"}, status=404)


@api.exception_handler(ValidationError)
def refused(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A service's refusal an endpoint did not catch itself (e.g. a uniqueness the database enforces,
    checked by `core.services.unique_check`): the 422 every operation declares, never a 500."""
    answer = invalid(exc)
    return api.create_response(request, answer.value, status=answer.status_code)


api.add_router("/programs", core_router)
api.add_router("/programs", partners_router)
api.add_router("/programs", maps_router)

api.add_router("/programs", results_router)

api.add_router("/programs", indicators_router)

api.add_router("/programs", learning_router)
