"""The installable web app and offline capture (decision 9): the service worker and the web manifest,
served from the site root so the worker's scope covers every /p/<program>/ page; the offline fallback
page; the outbox page; and sign-out, which wipes what the browser kept.

None of these show programme data from the server: the outbox page is a shell that the browser fills
from its own store, so a person removed from a programme can still read (and copy) what they wrote."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LogoutView
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

SERVICE_WORKER = Path(__file__).resolve().parent / "frontend" / "sw.js"

# What every offline page needs, fetched when the worker installs (static URLs are hashed in production).
SHELL_STATIC = [
    "vendor/pico/pico.min.css",
    "konbit/app.css",
    "vendor/htmx/htmx.min.js",
    "konbit/offline.js",
    "konbit/favicon.svg",
]


@cache
def _worker_source() -> str:
    return SERVICE_WORKER.read_text(encoding="utf-8")


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The worker script with its configuration in front. Its text changes whenever the worker or a
    shell file's URL changes, which makes browsers install the new version."""
    config: dict[str, Any] = {
        "shell": [static(path) for path in SHELL_STATIC],
        "offlinePage": reverse("offline_page"),
        "outboxPage": reverse("outbox"),
        "staticPrefix": static(""),
    }
    head = f"const KONBIT = {json.dumps(config)};\n"
    config["version"] = hashlib.sha256((head + _worker_source()).encode()).hexdigest()[:12]
    source = f"const KONBIT = {json.dumps(config)};\n{_worker_source()}"
    response = HttpResponse(source, content_type="text/javascript; charset=utf-8")
    # Always revalidated: a stale worker would keep serving stale pages.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "name": "Konbit",
            "short_name": "Konbit",
            "description": _("One record for systems change."),
            "start_url": reverse("home"),
            "scope": "/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#1d4e89",
            "icons": [{"src": static("konbit/favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
        },
        content_type="application/manifest+json",
    )


@require_GET
def offline_page(request: HttpRequest) -> HttpResponse:
    """What the worker shows for a page it has not kept when there is no connection."""
    return render(request, "core/offline.html")


@never_cache
@login_required
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    return render(request, "core/outbox.html")


class KonbitLogoutView(LogoutView):
    """Sign-out also wipes what this browser kept of every programme: the worker's cached pages, the
    outbox and the organisation lists (`Clear-Site-Data`; the page script has already asked before
    discarding unsent entries)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response
