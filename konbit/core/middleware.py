from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.middleware.gzip import GZipMiddleware

from .access import ACTION_ATTR, Access
from .selectors import membership_for_user


class PageGZipMiddleware(GZipMiddleware):
    """Pages (HTML) travel gzipped to browsers that accept it: a funder report is 129 KB of HTML and
    20 KB compressed, and phones on 3G are the first screen. Django pads each compressed response
    against BREACH and masks CSRF tokens. JSON is left alone: the map data compresses itself (and is
    cached compressed), and API clients get plain bodies."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)


class ProgramMiddleware:
    """Resolves /p/<program>/… to an Access (programme + membership) once per request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        slug = view_kwargs.get("program")
        if slug is None:
            return None
        action = getattr(view_func, ACTION_ATTR, None)
        if action is None:
            raise ImproperlyConfigured(
                f"{view_func.__module__}.{getattr(view_func, '__name__', view_func)} is under /p/<program>/ "
                "but does not declare its action with program_view()."
            )
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        membership = membership_for_user(user=request.user, program_slug=slug)
        if membership is None:
            raise Http404
        access = Access(program=membership.program, membership=membership)
        access.require(action)
        request.access = access  # type: ignore[attr-defined]
        return None
