"""What Kumu's two JSON formats share: JSON parsing, telling a backup from a blueprint, and how Konbit's
own fields travel in Kumu's free custom fields (``konbit:kind``, ``konbit:function``,
``konbit:perspectives`` on elements; ``konbit:sign``, ``konbit:strength``, ``konbit:perspective`` on
connections). The formats themselves are in kumu_blueprint and kumu_backup.
"""

from __future__ import annotations

import json
import re
from typing import Any

from konbit.core import uploads
from konbit.core.numbers import finite_float, refuse_json_constant
from konbit.maps.graph import NO_SIGN, POSITIVE, UNKNOWN, GConnection, GElement

from .base import (
    FUNCTIONS,
    KINDS,
    KONBIT_FUNCTION,
    KONBIT_KIND,
    KONBIT_PERSPECTIVE,
    KONBIT_PERSPECTIVES,
    KONBIT_SIGN,
    KONBIT_STRENGTH,
    LIMITS,
    POLARITY_STYLES,
    FormatError,
    Problem,
    decode_text,
    implied_kind,
    normalise_sign,
    parse_float,
    polarity_key,
    polarity_token_sign,
    refused_as_format_error,
)

EXTRA_PROJECT = "kumu:project"
EXTRA_BLUEPRINT = "kumu:blueprint"
EXTRA_ORPHANS = "kumu:orphan_connections"
EXTRA_KONBIT = "konbit:extra"
KUMU_PREFIX = "kumu:"

# Python's int() refuses more than 4,300 digits, with a message meant for programmers; no map needs
# numbers anywhere near this long.
MAX_INTEGER_DIGITS = 1000
# A \u escape of NUL or of a surrogate (half of a pair, or a whole pair): only a file that holds one
# needs its text searched for what no page or database can store.
_SUSPECT_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")


def parse_json(data: bytes | str) -> Any:
    with refused_as_format_error():  # millions of values or brackets: refused before parsing
        uploads.check_json(data.encode("utf-8") if isinstance(data, str) else data, LIMITS)
    text = decode_text(data)
    try:
        document = json.loads(
            text, parse_constant=refuse_json_constant, parse_float=finite_float, parse_int=_bounded_int
        )
    except json.JSONDecodeError as exc:
        raise FormatError(
            f"The file is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
        ) from None
    except RecursionError:
        raise FormatError("The JSON file is nested too deeply to be a map.") from None
    except ValueError as exc:  # NaN, Infinity, a number too large (from the hooks below)
        raise FormatError(f"The file is not valid JSON ({exc}).") from None
    if _SUSPECT_ESCAPE.search(text) and _has_unstorable_text(document):
        raise FormatError(
            "The file holds text that cannot be stored: a NUL character (\\u0000) or half of a "
            "surrogate pair (such as \\ud800 alone). Remove it and try again."
        )
    return document


def _bounded_int(text: str) -> int:
    if len(text) > MAX_INTEGER_DIGITS:
        raise ValueError(f"a number has more than {MAX_INTEGER_DIGITS} digits")
    return int(text)


def _has_unstorable_text(document: Any) -> bool:
    """Whether any key or text in the document holds NUL or a lone surrogate (which neither UTF-8 nor
    PostgreSQL can hold). Iterative: the document may be nested as deeply as the JSON parser allows."""
    stack = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item or _is_not_utf8(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _is_not_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def is_backup(document: Any) -> bool:
    """A full project backup has ``_id``/``attributes`` on its elements (a blueprint has neither)."""
    if not isinstance(document, dict):
        return False
    items = [
        item
        for key in ("elements", "connections")
        if isinstance(document.get(key), list)
        for item in document[key]
    ]
    if any(isinstance(item, dict) and ("_id" in item or "attributes" in item) for item in items):
        return True
    return "maps" in document and "elements" in document and not items


def dump_json(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


# --- Konbit fields kept in free attributes ---------------------------------------------------------


def take_element_konbit_fields(element: GElement, row: int, problems: list[Problem]) -> None:
    """Konbit's own fields out of an element's attributes. The kind is konbit:kind when the file has
    it, else what the element type or a field named "kind" says (base.implied_kind), else actor."""
    attrs = element.attributes
    element.kind = implied_kind(element.type, attrs)
    kind = attrs.get(KONBIT_KIND)
    if kind is not None:
        if kind in KINDS:
            element.kind = attrs.pop(KONBIT_KIND)
        else:
            problems.append(
                Problem(row, KONBIT_KIND, f"element {element.label!r}: unknown kind {kind!r} kept as a field")
            )
    function = attrs.get(KONBIT_FUNCTION)
    if function is not None:
        if function in FUNCTIONS:
            element.function = attrs.pop(KONBIT_FUNCTION)
        else:
            problems.append(
                Problem(
                    row,
                    KONBIT_FUNCTION,
                    f"element {element.label!r}: unknown function {function!r} kept as a field",
                )
            )
    perspectives = attrs.get(KONBIT_PERSPECTIVES)
    if isinstance(perspectives, list) and all(isinstance(p, str) for p in perspectives):
        element.perspectives = list(attrs.pop(KONBIT_PERSPECTIVES))


def element_konbit_fields(element: GElement) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if element.kind != implied_kind(element.type, element.attributes):
        fields[KONBIT_KIND] = element.kind
    if element.function:
        fields[KONBIT_FUNCTION] = element.function
    if element.perspectives:
        fields[KONBIT_PERSPECTIVES] = list(element.perspectives)
    return fields


# --- polarity carried by the connection type -------------------------------------------------------
#
# Kumu's causal-loop maps carry a connection's polarity in its connection type: "+" / "++" / "--" (same
# direction: more gives more, less gives less) and "-" / "+-" / "-+" (opposite direction). Such a type is
# read as the connection's sign, the type itself kept as written; an explicit ``konbit:sign`` field wins.
# On writing, a connection whose type is such a token carries its sign in the type: when the sign was
# changed since, the type is written as the token of the same style that matches (++ ↔ +-, -- ↔ -+,
# + ↔ -, positive ↔ negative…), and "?" for an unknown sign; when its sign was removed, ``konbit:sign``
# says so (empty), since the type alone would read as a sign again.

_STYLE_OF = {token: pair for pair in POLARITY_STYLES for token in pair}


def connection_type_for_sign(conn: GConnection) -> str:
    """The connection type to write: the type as it is, unless it is a polarity token that no longer
    matches the connection's sign, which is then written as the matching token of the same style."""
    carried = polarity_token_sign(conn.type)
    if carried is None or conn.sign == NO_SIGN or carried == conn.sign:
        return conn.type
    if conn.sign == UNKNOWN:
        return "?"
    core = polarity_key(conn.type)
    same, opposite = _STYLE_OF.get(core, ("+", "-"))
    token = same if conn.sign == POSITIVE else opposite
    text = conn.type.strip()
    if text.isupper():
        return token.upper()
    if text[:1].isupper():
        return token.capitalize()
    return token


def take_connection_konbit_fields(conn: GConnection, row: int, problems: list[Problem]) -> None:
    attrs = conn.attributes
    carried = polarity_token_sign(conn.type)
    if carried is not None and conn.sign == NO_SIGN:
        conn.sign = carried  # the type stays as written; an explicit konbit:sign below wins
    if KONBIT_SIGN in attrs:
        sign = normalise_sign(attrs[KONBIT_SIGN])
        if sign is None:
            problems.append(
                Problem(row, KONBIT_SIGN, f"connection: unknown sign {attrs[KONBIT_SIGN]!r} kept as a field")
            )
        else:
            conn.sign = sign
            del attrs[KONBIT_SIGN]
    if KONBIT_STRENGTH in attrs:
        raw = attrs[KONBIT_STRENGTH]
        strength = parse_float(raw) if isinstance(raw, int | float) else None
        if strength is None:
            problems.append(
                Problem(
                    row, KONBIT_STRENGTH, f"connection: strength {raw!r} is not a number, kept as a field"
                )
            )
        else:
            conn.strength = strength
            del attrs[KONBIT_STRENGTH]
    perspective = attrs.get(KONBIT_PERSPECTIVE)
    if isinstance(perspective, str) and perspective:
        conn.perspective = attrs.pop(KONBIT_PERSPECTIVE)


def connection_konbit_fields(conn: GConnection) -> dict[str, Any]:
    """Konbit's connection fields as Kumu custom fields. With a polarity token as its type (written by
    connection_type_for_sign), the sign travels in the type, and ``konbit:sign`` is only written (empty)
    when the connection has no sign, as the type alone would read as one."""
    fields: dict[str, Any] = {}
    if polarity_token_sign(conn.type) is not None:
        if conn.sign == NO_SIGN:
            fields[KONBIT_SIGN] = NO_SIGN
    elif conn.sign != NO_SIGN:
        fields[KONBIT_SIGN] = conn.sign
    if conn.strength is not None:
        fields[KONBIT_STRENGTH] = conn.strength
    if conn.perspective:
        fields[KONBIT_PERSPECTIVE] = conn.perspective
    return fields


def text_field(attrs: dict[str, Any], key: str) -> str:
    """Take `key` out of `attrs` when it holds non-empty text; otherwise leave it where it is."""
    value = attrs.get(key)
    if isinstance(value, str) and value:
        del attrs[key]
        return value
    return ""


def tags_field(attrs: dict[str, Any], key: str) -> list[str]:
    value = attrs.get(key)
    if isinstance(value, list) and value and all(isinstance(t, str) for t in value):
        del attrs[key]
        return list(value)
    return []
