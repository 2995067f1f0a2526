"""Kumu's blueprint (JSON import) format.

**Blueprint** (Kumu's JSON import): ``{"elements": [{"label", "id"?, "type"?, "description"?, "tags"?, …}],
"connections": [{"from", "to", "direction"?, "type"?, …}]}``. Any other key of an element or connection is a
custom field (kept in ``attributes``); other top-level keys (``loops``…) are kept in ``GMap.extra``.
A connection's ``from``/``to`` is looked up first among the elements' explicit ids, then among labels.
Rule for duplicate labels without ids: both elements are kept (the second gets the id ``label#2``), a
connection naming that label goes to the *first* one, and a Problem says so.
"""

from __future__ import annotations

from typing import Any

from konbit.maps.graph import DIRECTED, GConnection, GElement, GMap

from .base import (
    FormatError,
    Problem,
    normalise_direction,
    parse_float,
    unique_id,
)
from .kumu import (
    EXTRA_BLUEPRINT,
    connection_konbit_fields,
    connection_type_for_sign,
    dump_json,
    element_konbit_fields,
    parse_json,
    take_connection_konbit_fields,
    take_element_konbit_fields,
)

# --- blueprint -------------------------------------------------------------------------------------

_BLUEPRINT_ELEMENT_KEYS = ("id", "label", "type", "description", "tags")
_BLUEPRINT_CONNECTION_KEYS = ("id", "from", "to", "direction", "type", "description", "tags")


def read_kumu_blueprint(data: bytes | str) -> tuple[GMap, list[Problem]]:
    document = parse_json(data)
    return blueprint_to_gmap(document)


def blueprint_to_gmap(document: Any) -> tuple[GMap, list[Problem]]:
    if not isinstance(document, dict) or not isinstance(document.get("elements", []), list):
        raise FormatError(
            'A Kumu blueprint is a JSON object with an "elements" list and a "connections" list.'
        )
    raw_connections = document.get("connections", [])
    if not isinstance(raw_connections, list):
        raise FormatError('The blueprint\'s "connections" must be a list.')
    problems: list[Problem] = []
    gmap = GMap(name=document["name"] if isinstance(document.get("name"), str) else "")
    rest = {k: v for k, v in document.items() if k not in ("elements", "connections", "name")}
    if rest:
        gmap.extra[EXTRA_BLUEPRINT] = rest

    raw_elements: list[Any] = document.get("elements", [])
    explicit_ids = {
        str(item["id"])
        for item in raw_elements
        if isinstance(item, dict) and item.get("id") not in (None, "")
    }
    taken = set(explicit_ids)
    by_id: dict[str, GElement] = {}
    by_label: dict[str, tuple[GElement, int]] = {}
    for row, item in enumerate(raw_elements, start=1):
        if not isinstance(item, dict):
            problems.append(Problem(row, None, "element skipped: not a JSON object"))
            continue
        attrs = dict(item)
        raw_id = attrs.pop("id", None)
        raw_label = attrs.pop("label", None)
        label = "" if raw_label is None else str(raw_label).strip()
        if not label and raw_id in (None, ""):
            problems.append(Problem(row, "label", "element skipped: it has neither a label nor an id"))
            continue
        if raw_id not in (None, ""):
            element_id = str(raw_id)
            if element_id in by_id:
                problems.append(Problem(row, "id", f"element skipped: the id {element_id!r} is used twice"))
                continue
        else:
            element_id = unique_id(label, taken)
        if not label:
            label = element_id
            problems.append(Problem(row, "label", f"element {element_id!r} has no label; its id is used"))
        element = GElement(
            id=element_id,
            label=label,
            type=_str(attrs.pop("type", "")),
            description=_str(attrs.pop("description", "")),
            tags=_tags(attrs.pop("tags", None)),
            attributes=attrs,
        )
        take_element_konbit_fields(element, row, problems)
        x, y = parse_float(attrs.get("konbit:x")), parse_float(attrs.get("konbit:y"))
        if x is not None and y is not None:
            del attrs["konbit:x"], attrs["konbit:y"]
            element.position = (x, y)
        by_id[element_id] = element
        if label in by_label:
            first_row = by_label[label][1]
            if raw_id in (None, ""):
                problems.append(
                    Problem(
                        row,
                        "label",
                        f"the label {label!r} is also element {first_row}'s; both are kept and connections "
                        f"naming {label!r} go to element {first_row} (give elements ids to tell them apart)",
                    )
                )
        else:
            by_label[label] = (element, row)
        gmap.elements.append(element)

    for row, item in enumerate(raw_connections, start=1):
        if not isinstance(item, dict):
            problems.append(Problem(row, None, "connection skipped: not a JSON object"))
            continue
        attrs = dict(item)
        ends: list[str] = []
        for key in ("from", "to"):
            ref = attrs.pop(key, None)
            ref_text = "" if ref is None else str(ref).strip()
            target = by_id.get(ref_text) if ref_text in explicit_ids else None
            if target is None and ref_text in by_label:
                target = by_label[ref_text][0]
            if target is None and ref_text in by_id:
                target = by_id[ref_text]
            if target is None:
                what = f"no element has the id or label {ref_text!r}" if ref_text else f'"{key}" is empty'
                problems.append(Problem(row, key, f"connection skipped: {what}"))
                break
            ends.append(target.id)
        if len(ends) != 2:
            continue
        raw_direction = attrs.pop("direction", None)
        direction = normalise_direction(raw_direction)
        if direction is None:
            problems.append(
                Problem(row, "direction", f"unknown direction {raw_direction!r}; read as directed")
            )
            direction = DIRECTED
        conn = GConnection(
            source=ends[0],
            target=ends[1],
            id=_str(attrs.pop("id", "")),
            type=_str(attrs.pop("type", "")),
            direction=direction,
            description=_str(attrs.pop("description", "")),
            tags=_tags(attrs.pop("tags", None)),
            attributes=attrs,
        )
        take_connection_konbit_fields(conn, row, problems)
        gmap.connections.append(conn)
    return gmap, problems


def write_kumu_blueprint(gmap: GMap) -> bytes:
    """A blueprint Kumu can import. Konbit's own fields and positions are written as ``konbit:`` keys
    (custom fields for Kumu), so reading the blueprint back gives the same elements and connections."""
    document: dict[str, Any] = {}
    if gmap.name:
        document["name"] = gmap.name
    elements = []
    for element in gmap.elements:
        item: dict[str, Any] = {
            k: v for k, v in element.attributes.items() if k not in _BLUEPRINT_ELEMENT_KEYS
        }
        item.update({"id": element.id, "label": element.label})
        if element.type:
            item["type"] = element.type
        if element.description:
            item["description"] = element.description
        if element.tags:
            item["tags"] = list(element.tags)
        item.update(element_konbit_fields(element))
        if element.position is not None:
            item["konbit:x"], item["konbit:y"] = element.position
        elements.append(item)
    connections = []
    for conn in gmap.connections:
        citem: dict[str, Any] = {
            k: v for k, v in conn.attributes.items() if k not in _BLUEPRINT_CONNECTION_KEYS
        }
        citem.update({"from": conn.source, "to": conn.target, "direction": conn.direction})
        if conn.id:
            citem["id"] = conn.id
        ctype = connection_type_for_sign(conn)  # a polarity token follows the sign
        if ctype:
            citem["type"] = ctype
        if conn.description:
            citem["description"] = conn.description
        if conn.tags:
            citem["tags"] = list(conn.tags)
        citem.update(connection_konbit_fields(conn))
        connections.append(citem)
    document["elements"] = elements
    document["connections"] = connections
    document.update(gmap.extra.get(EXTRA_BLUEPRINT) or {})
    return dump_json(document)


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def _tags(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(t) for t in value if str(t).strip()]
    return [t.strip() for t in str(value).split("|") if t.strip()]
