"""The one place a `next` address from a request is read: a page may send the person back where
they came from, never to another site (an open redirect lends Konbit's name to a phishing link)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def next_url(request: HttpRequest, *, default: str, within: str = "/") -> str:
    """The request's `next` (POST first, then the query string) when it is an address of this site
    under `within` (e.g. the programme's `/p/<slug>/`), else `default`."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if (
        candidate
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and candidate.startswith(within)
        and not candidate.startswith("//")
        and "\\" not in candidate
    ):
        return candidate
    return default
