"""What GraphML and GEXF share: safe XML parsing (defusedxml, no DTD, no entities), namespace-blind
element access, typed values, how a named value lands on an element or connection, and typed writing.

Untrusted XML is parsed with defusedxml and any DTD is refused (no entity expansion, no external
entities); ElementTree is only used to *write* XML, which is safe.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any
from xml.etree import ElementTree as ET  # only to build and write XML; parsing goes through defusedxml

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from konbit.core import uploads
from konbit.core.numbers import refuse_json_constant
from konbit.maps.graph import GConnection, GElement

from .base import (
    FUNCTIONS,
    KINDS,
    LIMITS,
    FormatError,
    Problem,
    as_bytes,
    decode_text,
    join_tags,
    kind_word,
    normalise_direction,
    normalise_sign,
    parse_float,
    refused_as_format_error,
    split_tags,
)

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
GEXF_NS = "http://gexf.net/1.3"
GEXF_VIZ_NS = "http://gexf.net/1.3/viz"
# A custom field whose values are not all of one XML type (lists, objects, text mixed with numbers,
# explicit nulls) is written as a string holding each value's JSON, under a key or attribute id with
# this marker ("n_json_0" in GraphML, "njson0" in GEXF), and decoded back when Konbit reads the file.
JSON_MARK = "json"
# A mutual or undirected connection in a directed GraphML graph is written as two arcs; the second one
# carries this flag (see graphml.py).
MIRROR = "konbit:mirror"

NODE_FIELDS = ("label", "type", "kind", "function", "tags", "description", "perspectives", "x", "y")
EDGE_FIELDS = (
    "type",
    "direction",
    "sign",
    "weight",
    "strength",
    "perspective",
    "description",
    "tags",
    "label",
    MIRROR,
)

_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# --- reading helpers -------------------------------------------------------------------------------


def parse_xml(data: bytes | str) -> Any:
    """The root element of an untrusted XML document, or FormatError."""
    raw = as_bytes(data)
    with refused_as_format_error():  # billion laughs, XXE, millions of elements: refused before parsing
        uploads.check_xml(raw, LIMITS)
    match = _XML_ENCODING.match(raw)
    encoding = match.group(1).decode("ascii").casefold() if match else "utf-8"
    if encoding in ("utf-8", "utf8") and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        decode_text(raw)  # a clear message for bytes that are not UTF-8
    try:
        return SafeET.fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise FormatError(
            "The XML file declares a DTD or entities (<!DOCTYPE …> or <!ENTITY …>), which Konbit refuses "
            "for safety (they can expand without limit or read other files). Remove them and try again."
        ) from None
    except SafeET.ParseError as exc:
        raise FormatError(f"The file is not well-formed XML ({exc}).") from None
    except (LookupError, ValueError) as exc:  # an unknown or wrong declared encoding
        raise FormatError(f"The XML file cannot be decoded ({exc}).") from None


def local(tag: Any) -> str:
    """A tag without its namespace ('{ns}node' → 'node')."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def children(element: Any, name: str) -> list[Any]:
    return [child for child in element if local(child.tag) == name]


def convert(value: str, xml_type: str) -> Any:
    """A typed value; raises ValueError when the text does not fit the declared type."""
    kind = xml_type.casefold()
    if kind in ("int", "integer", "long", "short", "byte"):
        return int(value.strip())
    if kind in ("float", "double"):
        number = float(value.strip())
        if not math.isfinite(number):  # XML Schema allows INF and NaN; JSON and the database do not
            raise ValueError(value)
        return number
    if kind == "boolean":
        text = value.strip().casefold()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise ValueError(value)
    return value


def apply_node_values(element: GElement, values: dict[str, Any], row: int, problems: list[Problem]) -> None:
    """Put a node's read values on an element; without a kind value, the kind the type says."""
    for name, value in values.items():
        apply_value(element, name, value, row, problems)
    if not any(name.casefold() == "kind" for name in values):
        element.kind = kind_word(element.type) or "actor"


def apply_value(
    target: GElement | GConnection,
    name: str,
    value: Any,
    row: int,
    problems: list[Problem],
) -> None:
    """Put one read value on an element or connection: a known field by its (case-insensitive) name,
    anything else as a custom field."""
    key = name.casefold()
    text = "" if value is None else str(value)
    if isinstance(target, GElement):
        if key == "label":
            target.label = text.strip() or target.label
        elif key in ("type", "description"):
            setattr(target, key, text)
        elif key == "tags":
            target.tags = split_tags(text)
        elif key == "perspectives":
            target.perspectives = split_tags(text)
        elif key == "kind" and kind_word(text) is not None:
            target.kind = kind_word(text) or "actor"
        elif key in ("kind", "function"):
            vocabulary = KINDS if key == "kind" else FUNCTIONS
            if text.strip().casefold() in vocabulary:
                setattr(target, key, text.strip().casefold())
            else:
                target.attributes[name] = value
                problems.append(
                    Problem(row, name, f"node {target.id!r}: unknown {key} {text!r}; kept as a field")
                )
        else:
            target.attributes[name] = value
        return
    if key in ("type", "description", "perspective"):
        setattr(target, key, text)
    elif key == "tags":
        target.tags = split_tags(text)
    elif key == "direction":
        direction = normalise_direction(text)
        if direction is None:
            target.attributes[name] = value
            problems.append(Problem(row, name, f"edge: unknown direction {text!r}; kept as a field"))
        else:
            target.direction = direction
    elif key == "sign":
        sign = normalise_sign(value)
        if sign is None:
            target.attributes[name] = value
            problems.append(Problem(row, name, f"edge: unknown sign {text!r}; kept as a field"))
        else:
            target.sign = sign
    elif key in ("weight", "strength"):
        strength = parse_float(text)
        if strength is None:
            target.attributes[name] = value
            problems.append(Problem(row, name, f"edge: {name} {text!r} is not a number; kept as a field"))
        else:
            target.strength = strength
    else:
        target.attributes[name] = value


# --- writing helpers -------------------------------------------------------------------------------


def xml_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list | tuple):
        return join_tags(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return _XML_ILLEGAL.sub("", "" if value is None else str(value))


def value_type(values: list[Any]) -> str:
    """The narrowest of boolean / long / double / string that holds every value, or JSON_MARK when
    none does without loss (lists, objects, nulls, text mixed with numbers or booleans)."""
    if not values or any(v is None or isinstance(v, list | tuple | dict) for v in values):
        return JSON_MARK
    if all(isinstance(v, bool) for v in values):
        return "boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "long"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "double"
    if all(isinstance(v, str) for v in values):
        return "string"
    return JSON_MARK


def field_ids(fields: list[tuple[str, str]], prefix: str, sep: str) -> list[tuple[str, str, str]]:
    """(id, name, type) of custom fields, numbered in order ("n_0" in GraphML with sep "_", "n0" in
    GEXF with sep ""); a field written as JSON text gets a marked id ("n_json_1", "njson1")."""
    ids = []
    for i, (name, field_type) in enumerate(fields):
        marked = f"{prefix}{sep}{JSON_MARK}{sep}{i}" if field_type == JSON_MARK else f"{prefix}{sep}{i}"
        ids.append((marked, name, field_type))
    return ids


def is_json_field_id(field_id: str, sep: str) -> bool:
    """Whether an id written by `field_ids` marks a field whose values are JSON text."""
    return re.fullmatch(rf"[ne]{re.escape(sep)}{JSON_MARK}{re.escape(sep)}\d+", field_id) is not None


def custom_fields(items: list[dict[str, Any]], reserved: tuple[str, ...]) -> list[tuple[str, str]]:
    """(name, type) of the custom fields, first-seen order; names that clash with a field are left out.
    The type is an XML type, or JSON_MARK for a field written as JSON text."""
    names: list[str] = []
    for attrs in items:
        for key in attrs:
            if key.casefold() not in reserved and key not in names:
                names.append(key)
    return [(name, value_type([attrs[name] for attrs in items if name in attrs])) for name in names]


def xml_type_of(field_type: str) -> str:
    return "string" if field_type == JSON_MARK else field_type


def typed_text(value: Any, xml_type: str) -> str:
    if xml_type == JSON_MARK:
        return _XML_ILLEGAL.sub("", json.dumps(value, ensure_ascii=False, default=str))
    if xml_type == "double" and isinstance(value, int):
        return repr(float(value))
    return xml_text(value)


def json_value(text: str) -> Any:
    """A value written as JSON text (a custom field of mixed types); the text itself if it is not JSON."""
    try:
        return json.loads(text, parse_constant=refuse_json_constant)
    except (ValueError, RecursionError):
        return text


def to_bytes(root: Any) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def ends_exist(source: str, target: str, ids: set[str], row: int, problems: list[Problem]) -> bool:
    for column, ref in (("source", source), ("target", target)):
        if ref not in ids:
            what = f"no node has the id {ref!r}" if ref else f"the {column} is missing"
            problems.append(Problem(row, column, f"edge skipped: {what}"))
            return False
    return True
