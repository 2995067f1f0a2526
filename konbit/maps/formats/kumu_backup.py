"""Kumu's full project backup, which is also Konbit's own map export.

**Full project backup** (Kumu's "export project as JSON"): elements and connections carry ``_id`` and an
``attributes`` object; connections point at element ``_id``s; ``maps`` (views) hold element positions.
Nothing is dropped: custom fields stay in ``attributes``; other keys of an element or connection
(``delayed``, ``reversed``…) are kept in ``attributes`` under ``kumu:<key>``; everything else of the
project (field definitions, loops, maps, perspectives, settings) in ``GMap.extra["kumu:project"]``.
``GElement.position`` comes from the first map view; writing puts changed positions back there.
A mapped field (label, element type, description, tags…) is only taken out of ``attributes`` when it
holds a usable value, so an empty or odd value is written back exactly as it was read.

This backup writer is also **Konbit's own export**: Konbit's fields without a Kumu equivalent are stored
as attributes ``konbit:kind``, ``konbit:function``, ``konbit:perspectives`` (elements) and
``konbit:sign``, ``konbit:strength``, ``konbit:perspective`` (connections), and any ``GMap.extra`` that
is not Kumu's under the top-level key ``konbit:extra``, so export → import gives the same map, and
export → import → export the same bytes.
"""

from __future__ import annotations

from typing import Any, TypeGuard

from konbit.maps.graph import DIRECTED, GConnection, GElement, GMap

from .base import (
    FormatError,
    Problem,
    normalise_direction,
    parse_float,
    unique_id,
)
from .kumu import (
    EXTRA_KONBIT,
    EXTRA_ORPHANS,
    EXTRA_PROJECT,
    KUMU_PREFIX,
    connection_konbit_fields,
    connection_type_for_sign,
    dump_json,
    element_konbit_fields,
    parse_json,
    tags_field,
    take_connection_konbit_fields,
    take_element_konbit_fields,
    text_field,
)

# --- full project backup ---------------------------------------------------------------------------


def read_kumu_backup(data: bytes | str) -> tuple[GMap, list[Problem]]:
    return backup_to_gmap(parse_json(data))


def backup_to_gmap(document: Any) -> tuple[GMap, list[Problem]]:
    if not isinstance(document, dict):
        raise FormatError("A Kumu project backup is a JSON object.")
    for key in ("elements", "connections"):
        if not isinstance(document.get(key, []), list):
            raise FormatError(f'The backup\'s "{key}" must be a list.')
    problems: list[Problem] = []
    name = document.get("name")
    gmap = GMap(name=name if isinstance(name, str) else "")
    # Everything of the project but its elements and connections, in Kumu's key order; those two (and a
    # text name) are None placeholders here, their content lives in the GMap.
    project: dict[str, Any] = {}
    for key, value in document.items():
        if key == EXTRA_KONBIT:
            continue
        placeholder = key in ("elements", "connections") or (key == "name" and isinstance(value, str))
        project[key] = None if placeholder else value
    gmap.extra[EXTRA_PROJECT] = project
    konbit_extra = document.get(EXTRA_KONBIT)
    if isinstance(konbit_extra, dict):
        gmap.extra.update(konbit_extra)

    taken: set[str] = set()
    for row, item in enumerate(document.get("elements", []), start=1):
        if not isinstance(item, dict) or not isinstance(item.get("attributes", {}), dict):
            problems.append(Problem(row, None, "element skipped: not a Kumu element object"))
            continue
        raw_id = item.get("_id")
        element_id = str(raw_id) if raw_id not in (None, "") else f"elem-{row}"
        if element_id in taken:
            problems.append(
                Problem(row, "_id", f"element {element_id!r} appears twice; the second is renamed")
            )
        element_id = unique_id(element_id, taken)
        attrs = dict(item.get("attributes", {}))
        raw_label = attrs.get("label")
        if raw_label is not None and not isinstance(raw_label, str):
            attrs["label"] = str(raw_label)
        element = GElement(
            id=element_id,
            label=text_field(attrs, "label"),
            type=text_field(attrs, "element type"),
            description=text_field(attrs, "description"),
            tags=tags_field(attrs, "tags"),
            attributes=attrs,
        )
        for key, value in item.items():
            if key not in ("_id", "attributes"):
                attrs[KUMU_PREFIX + key] = value
        take_element_konbit_fields(element, row, problems)
        gmap.elements.append(element)

    element_ids = {e.id for e in gmap.elements}
    orphans: list[Any] = []
    conn_taken: set[str] = set()
    for row, item in enumerate(document.get("connections", []), start=1):
        if not isinstance(item, dict) or not isinstance(item.get("attributes", {}), dict):
            problems.append(Problem(row, None, "connection kept aside: not a Kumu connection object"))
            orphans.append(item)
            continue
        source, target = str(item.get("from", "")), str(item.get("to", ""))
        missing = [key for key, ref in (("from", source), ("to", target)) if ref not in element_ids]
        if missing:
            ref = source if missing[0] == "from" else target
            problems.append(
                Problem(
                    row, missing[0], f"connection kept aside (not analysed): no element has the _id {ref!r}"
                )
            )
            orphans.append(item)
            continue
        raw_direction = item.get("direction")
        direction = normalise_direction(raw_direction)
        if direction is None:
            problems.append(
                Problem(row, "direction", f"unknown direction {raw_direction!r}; read as directed")
            )
            direction = DIRECTED
        raw_id = item.get("_id")
        conn_id = unique_id(str(raw_id), conn_taken) if raw_id not in (None, "") else ""
        attrs = dict(item.get("attributes", {}))
        conn = GConnection(
            source=source,
            target=target,
            id=conn_id,
            type=text_field(attrs, "connection type"),
            direction=direction,
            description=text_field(attrs, "description"),
            tags=tags_field(attrs, "tags"),
            attributes=attrs,
        )
        for key, value in item.items():
            if key not in ("_id", "attributes", "from", "to", "direction"):
                attrs[KUMU_PREFIX + key] = value
        take_connection_konbit_fields(conn, row, problems)
        gmap.connections.append(conn)
    if orphans:
        project[EXTRA_ORPHANS] = orphans

    positions = _first_view_positions(project.get("maps"))
    for element in gmap.elements:
        element.position = positions.get(element.id)
    return gmap, problems


def _first_view_positions(maps: Any) -> dict[str, tuple[float, float]]:
    positions: dict[str, tuple[float, float]] = {}
    if not isinstance(maps, list) or not maps or not isinstance(maps[0], dict):
        return positions
    for entry in maps[0].get("elements") or []:
        if not isinstance(entry, dict) or not isinstance(entry.get("position"), dict):
            continue
        x, y = entry["position"].get("x"), entry["position"].get("y")
        if _is_number(x) and _is_number(y):
            element_id = str(entry.get("element", ""))
            positions.setdefault(element_id, (float(x), float(y)))
    return positions


def write_kumu_backup(gmap: GMap) -> bytes:
    """A Kumu full project backup; also Konbit's own lossless map export (see the module docstring)."""
    project: dict[str, Any] = dict(gmap.extra.get(EXTRA_PROJECT) or {})
    orphans = project.pop(EXTRA_ORPHANS, [])
    document: dict[str, Any] = dict(project)
    if gmap.name or project.get("name") is None:
        document["name"] = gmap.name

    elements = []
    for element in gmap.elements:
        # Kumu writes the label first, then the fields in the order they were created.
        attrs: dict[str, Any] = {"label": element.label} if element.label else {}
        top: dict[str, Any] = {"_id": element.id}
        overridden = {k for k, v in _element_field_values(element).items() if v}
        for key, value in element.attributes.items():
            if key.startswith(KUMU_PREFIX):
                top[key[len(KUMU_PREFIX) :]] = value
            elif key not in overridden:  # a raw value kept from the file, unless the field now has one
                attrs[key] = value
        if element.type:
            attrs["element type"] = element.type
        if element.description:
            attrs["description"] = element.description
        if element.tags:
            attrs["tags"] = list(element.tags)
        attrs.update(element_konbit_fields(element))
        top["attributes"] = attrs
        elements.append(top)

    connections: list[Any] = []
    conn_ids: list[str] = []
    for conn in gmap.connections:
        # A connection without an id (a blueprint or spreadsheet gave none) is written without "_id"
        # rather than with an invented one, so that re-importing gives the same map.
        citem: dict[str, Any] = {"_id": conn.id} if conn.id else {}
        if conn.id:
            conn_ids.append(conn.id)
        citem["direction"] = conn.direction
        cattrs: dict[str, Any] = {}
        ctype = connection_type_for_sign(conn)  # a polarity token follows the sign
        coverridden = {"connection type": ctype, "description": conn.description, "tags": conn.tags}
        for key, value in conn.attributes.items():
            if key.startswith(KUMU_PREFIX):
                citem[key[len(KUMU_PREFIX) :]] = value
            elif not coverridden.get(key):
                cattrs[key] = value
        if ctype:
            cattrs["connection type"] = ctype
        if conn.description:
            cattrs["description"] = conn.description
        if conn.tags:
            cattrs["tags"] = list(conn.tags)
        cattrs.update(connection_konbit_fields(conn))
        citem["attributes"] = cattrs
        citem["from"], citem["to"] = conn.source, conn.target
        connections.append(citem)
    connections.extend(orphans)

    document["elements"] = elements
    document["connections"] = connections
    maps = _views_with_positions(project.get("maps"), gmap, conn_ids)
    if maps is not None:
        document["maps"] = maps
    konbit_extra = {k: v for k, v in gmap.extra.items() if k != EXTRA_PROJECT}
    if konbit_extra:
        document[EXTRA_KONBIT] = konbit_extra
    return dump_json(document)


def _element_field_values(element: GElement) -> dict[str, Any]:
    return {
        "label": element.label,
        "element type": element.type,
        "description": element.description,
        "tags": element.tags,
    }


def _views_with_positions(maps: Any, gmap: GMap, conn_ids: list[str]) -> list[Any] | None:
    """The project's map views, with the first view's positions updated from the elements.

    Entries of elements or connections that no longer exist are dropped. When there is no view and some
    element has a position (a map that did not come from Kumu), one view holding every element and
    connection is created, so the positions survive."""
    by_id = {e.id: e for e in gmap.elements}
    if not isinstance(maps, list) or not maps or not isinstance(maps[0], dict):
        if not any(e.position is not None for e in gmap.elements):
            return maps if isinstance(maps, list) else None
        view: dict[str, Any] = {
            "_id": "map-konbit",
            "name": gmap.name or "Map",
            "elements": [_view_element(e.id, e.position) for e in gmap.elements],
            "connections": [{"_id": f"edge-{cid}", "connection": cid} for cid in conn_ids],
        }
        return [view, *maps] if isinstance(maps, list) else [view]

    known_connections = set(conn_ids) | {
        str(c.get("_id"))
        for c in gmap.extra.get(EXTRA_PROJECT, {}).get(EXTRA_ORPHANS, [])
        if isinstance(c, dict)
    }
    views: list[Any] = []
    for view_index, raw_view in enumerate(maps):
        if not isinstance(raw_view, dict):
            views.append(raw_view)
            continue
        view = dict(raw_view)
        if isinstance(view.get("elements"), list):
            view["elements"] = [
                e for e in view["elements"] if not isinstance(e, dict) or str(e.get("element")) in by_id
            ]
        if isinstance(view.get("connections"), list):
            view["connections"] = [
                c
                for c in view["connections"]
                if not isinstance(c, dict) or str(c.get("connection")) in known_connections
            ]
        if view_index == 0:
            _put_positions(view, gmap)
        views.append(view)
    return views


def _put_positions(view: dict[str, Any], gmap: GMap) -> None:
    entries: list[Any] = [dict(e) if isinstance(e, dict) else e for e in view.get("elements") or []]
    placed: set[str] = set()
    by_id = {e.id: e for e in gmap.elements}
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        element_id = str(entry.get("element"))
        element = by_id.get(element_id)
        if element is None or element_id in placed:
            continue
        placed.add(element_id)
        if element.position is None:
            continue
        raw = entry.get("position")
        old: dict[str, Any] = raw if isinstance(raw, dict) else {}
        x, y = old.get("x"), old.get("y")
        if not (_is_number(x) and _is_number(y) and (float(x), float(y)) == element.position):
            entry["position"] = {**old, "x": element.position[0], "y": element.position[1]}
    for element in gmap.elements:
        if element.position is not None and element.id not in placed:
            entries.append(_view_element(element.id, element.position))
    if entries or "elements" in view:
        view["elements"] = entries


def _is_number(value: Any) -> TypeGuard[int | float]:
    """A number usable as a coordinate: not a boolean, and finite as a float (a JSON integer of
    hundreds of digits is a number too, but float() of it overflows)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and parse_float(value) is not None


def _view_element(element_id: str, position: tuple[float, float] | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"_id": f"node-{element_id}", "element": element_id}
    if position is not None:
        entry["position"] = {"x": position[0], "y": position[1]}
    return entry
