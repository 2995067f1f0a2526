"""A fixed-window counter in Django's "throttle" cache, for actions that must not be repeated at will
(asking for a password-reset e-mail). Sign-in has its own throttle (django-axes).

The default "throttle" cache lives in each server process: with gunicorn's 3 workers a client gets at
most 3× the limit, still bounded. A deployment that wants one count across processes points the
"throttle" alias at a shared cache (CACHES in config/settings/base.py)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.core.cache import caches


def allow(*, scope: str, key: str, limit: int, window: timedelta) -> bool:
    """Count one attempt of `key` (an e-mail address, a client address) in `scope`; False once more
    than `limit` attempts were counted since the window opened. Every attempt is counted, refused or
    not, so an attacker who keeps trying keeps the window full only until it ends."""
    cache = caches["throttle"]
    cache_key = f"throttle:{scope}:{hashlib.sha256(key.encode()).hexdigest()}"
    timeout = int(window.total_seconds())
    cache.add(cache_key, 0, timeout=timeout)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # the window ended between add() and incr()
        cache.set(cache_key, 1, timeout=timeout)
        count = 1
    return count <= limit
