"""GraphML, read and written by Gephi, yEd, networkx, Cytoscape…

Typed ``<key>``s named (attr.name) label, type, kind, function, tags, description, perspectives, x, y
and one per custom field for nodes; type, direction, sign, weight (= strength), perspective,
description, tags and custom fields for edges. Several values (tags, perspectives) are joined with "|".
Keys are matched by attr.name, ignoring case; a key's ``<default>`` applies where a node has no value;
drawing data (yEd graphics) is skipped.

Direction, as read: a ``direction`` value (directed, mutual, undirected) when an edge has one, else
``directed`` on the edge, else ``edgedefault`` on the graph.

Direction, as written, so that networkx (``read_graphml``), igraph (``Graph.Read_GraphML``) and Gephi
all open the file — networkx refuses a graph whose edges do not all follow ``edgedefault``, and igraph
has no mixed graphs — and Konbit reads it back exactly:

- every edge carries ``direction`` (directed, mutual or undirected), and no edge a ``directed`` flag;
- a map with no directed connection is an undirected graph: one edge per connection;
- a map with any directed connection is a directed graph: a directed connection is one arc; a mutual or
  undirected connection is two opposite arcs, the second a copy of the first (same values, id
  ``<id>~mirror``) flagged ``konbit:mirror = true``. This is the graph Konbit's own analysis uses
  (analysis/build.py), so networkx's degrees, paths and cycles on the file agree with Konbit's;
  count connections as the edges without the flag. Konbit reads a flagged arc that follows its
  connection as part of it.

Custom fields keep their type: boolean, long, double or string when every value has it; a field that
mixes types or holds lists or objects is a string key whose id is ``n_json_<i>`` / ``e_json_<i>`` and
whose values are JSON text (``["a", "b"]``), which Konbit decodes when it reads the file.

Positions are written as the map stores them, in screen convention (y grows downward, as Kumu, yEd
and SVG): a file's x and y are read as they are.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET  # only to build and write XML; parsing goes through defusedxml

from konbit.maps.graph import DIRECTED, MUTUAL, UNDIRECTED, GConnection, GElement, GMap

from .base import (
    FormatError,
    Problem,
    parse_float,
    unique_id,
)
from .xmlbase import (
    EDGE_FIELDS,
    GRAPHML_NS,
    MIRROR,
    NODE_FIELDS,
    apply_node_values,
    apply_value,
    children,
    convert,
    custom_fields,
    ends_exist,
    field_ids,
    is_json_field_id,
    json_value,
    local,
    parse_xml,
    to_bytes,
    typed_text,
    xml_text,
    xml_type_of,
)

# --- GraphML ---------------------------------------------------------------------------------------


def read_graphml(data: bytes | str) -> tuple[GMap, list[Problem]]:
    root = parse_xml(data)
    if local(root.tag) != "graphml":
        raise FormatError(f"The file is not GraphML (its root element is <{local(root.tag)}>).")
    problems: list[Problem] = []
    keys: dict[str, dict[str, Any]] = {}
    for key in children(root, "key"):
        key_id = key.get("id")
        if not key_id:
            continue
        default = children(key, "default")
        keys[key_id] = {
            "for": key.get("for", "all"),
            "name": key.get("attr.name") or key_id,
            "type": key.get("attr.type", "string"),
            "default": default[0].text or "" if default else None,
            "yfiles": key.get("yfiles.type") is not None,
            "json": is_json_field_id(key_id, "_"),
        }
    graphs = children(root, "graph")
    if not graphs:
        raise FormatError("The GraphML file holds no <graph>.")
    graph = graphs[0]
    if len(graphs) > 1:
        problems.append(Problem(None, None, f"the file holds {len(graphs)} graphs; only the first was read"))
    directed_default = graph.get("edgedefault", "directed").casefold() != "undirected"

    def values(item: Any, scope: str, row: int | None) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for data_item in children(item, "data"):
            spec = keys.get(data_item.get("key", ""))
            if spec is None:
                problems.append(
                    Problem(row, data_item.get("key"), f"{scope}: data for an undeclared key; ignored")
                )
                continue
            if spec["yfiles"] or len(data_item):
                continue  # drawing data (yEd graphics) is not map data
            text = data_item.text or ""
            if spec["json"]:
                found[spec["name"]] = json_value(text)
                continue
            try:
                found[spec["name"]] = convert(text, spec["type"])
            except ValueError:
                found[spec["name"]] = text
                problems.append(
                    Problem(
                        row, spec["name"], f"{scope}: {text!r} is not of type {spec['type']}; kept as text"
                    )
                )
        for spec in keys.values():
            if spec["for"] in (scope, "all") and spec["default"] is not None and spec["name"] not in found:
                try:
                    found[spec["name"]] = convert(spec["default"], spec["type"])
                except ValueError:
                    found[spec["name"]] = spec["default"]
        return found

    name_values = values(graph, "graph", None)
    gmap = GMap(name=str(name_values.get("name", "")))
    taken: set[str] = set()
    for row, node in enumerate(children(graph, "node"), start=1):
        node_id = node.get("id")
        if not node_id:
            problems.append(Problem(row, "id", "node skipped: it has no id"))
            continue
        if node_id in taken:
            problems.append(Problem(row, "id", f"node skipped: the id {node_id!r} is used twice"))
            continue
        taken.add(node_id)
        if children(node, "graph"):
            problems.append(Problem(row, None, f"node {node_id!r}: its nested graph was ignored"))
        element = GElement(id=node_id, label=node_id)
        node_values = values(node, "node", row)
        _read_node_values(element, node_values, row, problems)
        gmap.elements.append(element)

    for row, edge in enumerate(children(graph, "edge"), start=1):
        source, target = edge.get("source", ""), edge.get("target", "")
        if not ends_exist(source, target, taken, row, problems):
            continue
        edge_values = values(edge, "edge", row)
        if edge_values.pop(MIRROR, None) is True and gmap.connections:
            last = gmap.connections[-1]
            if (last.target, last.source) == (source, target) and last.direction in (MUTUAL, UNDIRECTED):
                continue  # the second arc of a mutual or undirected connection written by Konbit
        directed_attr = edge.get("directed")
        directed = (
            directed_default if directed_attr is None else directed_attr.strip().casefold() in ("true", "1")
        )
        conn = GConnection(
            source=source,
            target=target,
            id=edge.get("id", ""),
            direction=DIRECTED if directed else UNDIRECTED,
        )
        for name, value in edge_values.items():
            apply_value(conn, name, value, row, problems)
        gmap.connections.append(conn)
    hyperedges = len(children(graph, "hyperedge"))
    if hyperedges:
        problems.append(Problem(None, None, f"{hyperedges} hyperedges were ignored"))
    return gmap, problems


def _read_node_values(
    element: GElement, node_values: dict[str, Any], row: int, problems: list[Problem]
) -> None:
    x = y = None
    rest: dict[str, Any] = {}
    for name, value in node_values.items():
        number = None if isinstance(value, bool | str) else parse_float(value)  # finite, or None
        if name.casefold() == "x" and number is not None:
            x = number
        elif name.casefold() == "y" and number is not None:
            y = number
        else:
            rest[name] = value
    apply_node_values(element, rest, row, problems)
    if x is not None and y is not None:
        element.position = (x, y)
    else:
        for name, value in node_values.items():
            if name.casefold() in ("x", "y"):
                element.attributes[name] = value


def write_graphml(gmap: GMap) -> bytes:
    """GraphML for Konbit, networkx, igraph, Gephi and yEd (see the module docstring)."""
    root = ET.Element("graphml", {"xmlns": GRAPHML_NS})
    node_keys: list[tuple[str, str, str, str | None]] = [  # (id, name, type, default)
        ("n_label", "label", "string", None),
        ("n_type", "type", "string", None),
        ("n_kind", "kind", "string", "actor"),
        ("n_function", "function", "string", None),
        ("n_tags", "tags", "string", None),
        ("n_description", "description", "string", None),
        ("n_perspectives", "perspectives", "string", None),
        ("n_x", "x", "double", None),
        ("n_y", "y", "double", None),
    ]
    edge_keys: list[tuple[str, str, str, str | None]] = [
        ("e_type", "type", "string", None),
        ("e_direction", "direction", "string", None),
        ("e_sign", "sign", "string", None),
        ("e_weight", "weight", "double", None),
        ("e_perspective", "perspective", "string", None),
        ("e_description", "description", "string", None),
        ("e_tags", "tags", "string", None),
    ]
    directed = gmap.directed
    mirrored = directed and any(c.direction != DIRECTED for c in gmap.connections)
    if mirrored:
        edge_keys.append(("e_mirror", MIRROR, "boolean", None))
    node_custom = field_ids(custom_fields([e.attributes for e in gmap.elements], NODE_FIELDS), "n", "_")
    edge_custom = field_ids(custom_fields([c.attributes for c in gmap.connections], EDGE_FIELDS), "e", "_")
    edge_label = any("label" in c.attributes for c in gmap.connections)
    key_specs: list[tuple[str, str, str, str, str | None]] = [("g_name", "graph", "name", "string", None)]
    key_specs += [(k, "node", n, t, d) for k, n, t, d in node_keys]
    key_specs += [(k, "node", n, xml_type_of(t), None) for k, n, t in node_custom]
    key_specs += [(k, "edge", n, t, d) for k, n, t, d in edge_keys]
    if edge_label:
        key_specs.append(("e_label", "edge", "label", "string", None))
    key_specs += [(k, "edge", n, xml_type_of(t), None) for k, n, t in edge_custom]
    for key_id, scope, name, xml_type, default in key_specs:
        key = ET.SubElement(
            root, "key", {"id": key_id, "for": scope, "attr.name": xml_text(name), "attr.type": xml_type}
        )
        if default is not None:
            ET.SubElement(key, "default").text = default

    graph = ET.SubElement(root, "graph", {"id": "G", "edgedefault": "directed" if directed else "undirected"})
    if gmap.name:
        ET.SubElement(graph, "data", {"key": "g_name"}).text = xml_text(gmap.name)

    def data(parent: Any, key: str, value: Any, xml_type: str = "string") -> None:
        if value is None or value == "" or value == []:
            return
        ET.SubElement(parent, "data", {"key": key}).text = typed_text(value, xml_type)

    def custom(parent: Any, key: str, value: Any, field_type: str) -> None:
        # Written even when empty: the field is there (networkx skips an empty <data>; Konbit reads "").
        ET.SubElement(parent, "data", {"key": key}).text = typed_text(value, field_type)

    for e in gmap.elements:
        node = ET.SubElement(graph, "node", {"id": xml_text(e.id)})
        data(node, "n_label", e.label)
        data(node, "n_type", e.type)
        if e.kind != "actor":
            data(node, "n_kind", e.kind)
        data(node, "n_function", e.function)
        data(node, "n_tags", e.tags)
        data(node, "n_description", e.description)
        data(node, "n_perspectives", e.perspectives)
        if e.position is not None:
            data(node, "n_x", e.position[0], "double")
            data(node, "n_y", e.position[1], "double")
        for key_id, name, field_type in node_custom:
            if name in e.attributes:
                custom(node, key_id, e.attributes[name], field_type)

    taken = {c.id for c in gmap.connections if c.id}
    for c in gmap.connections:
        arcs = [(c.source, c.target, False)]
        if mirrored and c.direction != DIRECTED:
            arcs.append((c.target, c.source, True))
        for source, target, mirror in arcs:
            attrs = {"source": xml_text(source), "target": xml_text(target)}
            if c.id:
                edge_id = unique_id(f"{c.id}~mirror", taken) if mirror else c.id
                attrs = {"id": xml_text(edge_id), **attrs}
            edge = ET.SubElement(graph, "edge", attrs)
            data(edge, "e_type", c.type)
            data(edge, "e_direction", c.direction)
            data(edge, "e_sign", c.sign)
            data(edge, "e_weight", c.strength, "double")
            data(edge, "e_perspective", c.perspective)
            data(edge, "e_description", c.description)
            data(edge, "e_tags", c.tags)
            if edge_label:
                data(edge, "e_label", c.attributes.get("label"))
            for key_id, name, field_type in edge_custom:
                if name in c.attributes:
                    custom(edge, key_id, c.attributes[name], field_type)
            if mirror:
                data(edge, "e_mirror", True, "boolean")
    return to_bytes(root)
