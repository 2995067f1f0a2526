"""The address a request came from, behind the proxies the deployment declares (``PROXY_COUNT``).

Login throttling (django-axes, through ``AXES_CLIENT_IP_CALLABLE``) and the password-reset throttle
both key on it. Behind a proxy, ``REMOTE_ADDR`` is the proxy's own address for every visitor, so a
throttle keyed on it would lock everyone out at once. Each trusted proxy appends the address it was
reached from to X-Forwarded-For, so with ``PROXY_COUNT = n`` the client is the n-th entry from the
right; anything further left was written by the client itself and is not believed.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote = str(request.META.get("REMOTE_ADDR") or "")
    count = int(getattr(settings, "PROXY_COUNT", 0) or 0)
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        # The request did not come through every declared proxy (or a proxy does not set the header):
        # the only address known is the peer's.
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
