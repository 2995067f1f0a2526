from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_cache_control

from .access import ACTION_ATTR, Access
from .selectors import membership_for_user


class PageGZipMiddleware(GZipMiddleware):
    """Pages travel gzipped to browsers that accept it: a funder report is 129 KB of HTML and 20 KB
    compressed, and phones on 3G are the first screen. Django pads each compressed response against
    BREACH and masks CSRF tokens. The API is left alone (its clients get plain bodies); the map data
    compresses itself and is cached compressed (the middleware skips a body already encoded)."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if request.path.startswith("/api/"):
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


class NoStoreMiddleware:
    """Every answer to a signed-in person (a session) or to an API token says `Cache-Control:
    no-store`, so neither the browser's disk cache, its back button after sign-out, nor a proxy keeps
    a programme's data. Static files never get here (WhiteNoise answers them further out), and the
    public pages of anonymous visitors are left as their views made them. The offline capture is not
    affected: its service worker and page script keep pages in Cache Storage with cache.put(), which
    HTTP caching headers do not govern."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or "HTTP_AUTHORIZATION" in request.META:
            patch_cache_control(response, private=True, no_store=True)
        return response
