"""The results JSON API, on the same rules as the pages (see konbit/maps/api.py for the pattern)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["results"])
