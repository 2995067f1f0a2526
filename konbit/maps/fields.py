"""Custom fields: the free-form `attributes` of elements and connections (Kumu's custom fields, GraphML
and GEXF attributes), with the kind each field has on a map so forms, the table and the map view can
show and edit it. Pure functions, no ORM.

A field's kind on a map comes from its values: all yes/no → "bool", all numbers → "number", all lists →
"list", anything else (or a mix) → "text". A value is shown as text by `render` and read back by
`parse`; a form keeps the stored value itself whenever the text sent is the text it showed, so an
unchanged form never turns 3 into 3.0, a list into a string or true into "yes"."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

NUMBER, BOOL, LIST, TEXT = "number", "bool", "list", "text"
KINDS = (TEXT, NUMBER, BOOL, LIST)
YES, NO = "yes", "no"
_INT = re.compile(r"-?\d+")


def value_kind(value: Any) -> str | None:
    """The kind of one stored value (None for a missing value, which says nothing)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int | float):
        return NUMBER
    if isinstance(value, list):
        return LIST
    return TEXT


def field_kinds(rows: Iterable[Mapping[str, Any] | None]) -> dict[str, str]:
    """{field name: kind} over the attributes of a map's elements (or connections), names sorted."""
    seen: dict[str, set[str]] = {}
    for attributes in rows:
        if not isinstance(attributes, Mapping):
            continue
        for name, value in attributes.items():
            kinds = seen.setdefault(str(name), set())
            kind = value_kind(value)
            if kind is not None:
                kinds.add(kind)
    return {name: (kinds.pop() if len(kinds) == 1 else TEXT) for name, kinds in sorted(seen.items())}


def render(value: Any) -> str:
    """The text a form or a table shows for a stored value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ""
    if isinstance(value, list):
        return ", ".join(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for v in value)
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def display(value: Any) -> str:
    """What a page shows a reader for a stored value, in the reader's language ("oui", "1 250,5");
    `render` is what a form holds and an export writes."""
    from django.utils.translation import gettext

    from konbit.core.l10n import number

    if isinstance(value, bool):
        return gettext(YES) if value else gettext(NO)
    if isinstance(value, int | float) and math.isfinite(value):
        return number(value, decimals=6)
    return render(value)


def parse(text: str, kind: str) -> Any:
    """The value to store for text typed in a field of this kind. Raises ValueError when it does not
    read as that kind (a number field holding words)."""
    text = text.strip()
    if kind == NUMBER:
        if _INT.fullmatch(text):
            return int(text)
        number = float(text.replace(",", "."))
        if not math.isfinite(number):
            raise ValueError(text)
        return number
    if kind == BOOL:
        lowered = text.casefold()
        if lowered in {YES, "true", "1", "oui"}:
            return True
        if lowered in {NO, "false", "0", "non"}:
            return False
        raise ValueError(text)
    if kind == LIST:
        return [part.strip() for part in text.split(",") if part.strip()]
    return text


def matches(value: Any, wanted: str) -> bool:
    """Whether a stored value answers a table filter: the words typed appear in its text, whatever the
    case ("yes"/"no" for yes/no fields); a number must be equal."""
    wanted = wanted.strip().casefold()
    if not wanted:
        return value is not None
    if value is None:
        return False
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return float(wanted.replace(",", ".")) == float(value)
        except ValueError:
            return False
    return wanted in render(value).casefold()


def kind_label(kind: str) -> str:
    from django.utils.translation import gettext

    return {
        NUMBER: gettext("number"),
        BOOL: gettext("yes or no"),
        LIST: gettext("list of values separated by commas"),
    }.get(kind, gettext("text"))
