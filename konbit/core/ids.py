"""Ids read from a request (a query string, a form, a path of an import file).

`str.isdigit()` is not the test: it is true for "²" (int() then fails) and for a 40-digit number,
which SQLite cannot bind (OverflowError in `pk__in`, an OFFSET…): both were 500s. An id is 1 to 18
ASCII digits, so it always fits a 64-bit integer column on either engine; anything else is treated
as no id (the page then shows nothing or answers 404, as for an id that does not exist)."""

from __future__ import annotations

import re
from collections.abc import Iterable

_ID = re.compile(r"[0-9]{1,18}")


def is_id(text: object) -> bool:
    return isinstance(text, str) and _ID.fullmatch(text) is not None


def parse_id(text: object) -> int | None:
    """The id in `text`, or None when it is not one."""
    return int(text) if isinstance(text, str) and is_id(text) else None


def parse_ids(texts: Iterable[object]) -> list[int]:
    """The ids among `texts`, in order; what is not an id is left out."""
    return [int(t) for t in texts if isinstance(t, str) and is_id(t)]
