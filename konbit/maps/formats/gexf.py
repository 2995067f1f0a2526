"""GEXF 1.3 (Gephi's own format; 1.1 and 1.2 files are read too).

Nodes carry their label natively and position in ``viz:position``; edges their weight (= strength),
label and type natively. Everything else is a typed ``<attribute>`` named by its title: type, kind,
function, tags, description, perspectives and custom fields for nodes; type, sign, perspective,
description, tags and custom fields for edges. Several values are joined with "|". The map's name is
kept in ``<meta><description>``.

Direction, as read: a ``direction`` attribute (directed, mutual, undirected) when an edge has one, else
``type`` on the edge, else ``defaultedgetype`` on the graph.

Direction, as written (networkx's ``read_gexf`` refuses an ``undirected`` edge in a directed graph and a
``directed`` one in an undirected graph; Gephi follows the per-edge type): every edge carries a
``direction`` attribute; a map with no directed connection is an undirected graph whose edges have no
type; a map with any directed connection is a directed graph where a directed connection has no type
and a mutual or undirected connection has ``type="mutual"`` — Gephi draws it both ways and networkx
reads it as two opposite arcs, the graph Konbit's own analysis uses (analysis/build.py). (igraph has no
GEXF reader; use the GraphML export there.)

Custom fields keep their type; a field that mixes types or holds lists or objects is a string attribute
whose id is ``njson<i>`` / ``ejson<i>`` and whose values are JSON text, decoded when Konbit reads it.

Positions: Gephi's y axis grows upward, Konbit's (like Kumu's, yEd's and SVG's) downward, so y is
negated on reading and on writing.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET  # only to build and write XML; parsing goes through defusedxml

from konbit.maps.graph import DIRECTED, MUTUAL, NO_SIGN, UNDIRECTED, GConnection, GElement, GMap

from .base import (
    FormatError,
    Problem,
    parse_float,
    unique_id,
)
from .xmlbase import (
    EDGE_FIELDS,
    GEXF_NS,
    GEXF_VIZ_NS,
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

# --- GEXF ------------------------------------------------------------------------------------------


def read_gexf(data: bytes | str) -> tuple[GMap, list[Problem]]:
    root = parse_xml(data)
    if local(root.tag) != "gexf":
        raise FormatError(f"The file is not GEXF (its root element is <{local(root.tag)}>).")
    problems: list[Problem] = []
    graphs = children(root, "graph")
    if not graphs:
        raise FormatError("The GEXF file holds no <graph>.")
    graph = graphs[0]
    name = ""
    for meta in children(root, "meta"):
        for description in children(meta, "description"):
            name = (description.text or "").strip()
    specs: dict[str, dict[str, dict[str, Any]]] = {"node": {}, "edge": {}}
    for block in children(graph, "attributes"):
        scope = block.get("class", "node")
        if scope not in specs:
            continue
        for attribute in children(block, "attribute"):
            default = children(attribute, "default")
            specs[scope][attribute.get("id", "")] = {
                "name": attribute.get("title") or attribute.get("id", ""),
                "type": attribute.get("type", "string"),
                "default": (default[0].text or "") if default else None,
                "json": is_json_field_id(attribute.get("id", ""), ""),
            }
    default_type = (graph.get("defaultedgetype") or "undirected").casefold()

    def values(item: Any, scope: str, row: int) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for block in children(item, "attvalues"):
            for attvalue in children(block, "attvalue"):
                spec = specs[scope].get(attvalue.get("for") or attvalue.get("id") or "")
                if spec is None:
                    problems.append(
                        Problem(row, attvalue.get("for"), f"{scope}: value for an undeclared attribute")
                    )
                    continue
                text = attvalue.get("value", "")
                if spec["json"]:
                    found[spec["name"]] = json_value(text)
                    continue
                try:
                    found[spec["name"]] = convert(text, spec["type"])
                except ValueError:
                    found[spec["name"]] = text
                    problems.append(
                        Problem(
                            row,
                            spec["name"],
                            f"{scope}: {text!r} is not of type {spec['type']}; kept as text",
                        )
                    )
        for spec in specs[scope].values():
            if spec["default"] is not None and spec["name"] not in found:
                try:
                    found[spec["name"]] = convert(spec["default"], spec["type"])
                except ValueError:
                    found[spec["name"]] = spec["default"]
        return found

    gmap = GMap(name=name)
    taken: set[str] = set()
    for nodes in children(graph, "nodes"):
        for node in children(nodes, "node"):
            row = len(taken) + 1
            node_id = node.get("id")
            if not node_id or node_id in taken:
                what = "it has no id" if not node_id else f"the id {node_id!r} is used twice"
                problems.append(Problem(row, "id", f"node skipped: {what}"))
                continue
            taken.add(node_id)
            element = GElement(id=node_id, label=(node.get("label") or "").strip() or node_id)
            for position in children(node, "position"):
                x, y = parse_float(position.get("x")), parse_float(position.get("y"))  # finite, or None
                if x is None or y is None:
                    problems.append(
                        Problem(row, "viz:position", f"node {node_id!r}: position is not a number")
                    )
                else:
                    element.position = (x, -y if y else 0.0)  # Gephi's y grows upward
            apply_node_values(element, values(node, "node", row), row, problems)
            gmap.elements.append(element)

    row = 0
    for edges in children(graph, "edges"):
        for edge in children(edges, "edge"):
            row += 1
            source, target = edge.get("source", ""), edge.get("target", "")
            if not ends_exist(source, target, taken, row, problems):
                continue
            raw_type = (edge.get("type") or default_type).casefold()
            direction = raw_type if raw_type in (DIRECTED, MUTUAL, UNDIRECTED) else None
            if direction is None:
                problems.append(
                    Problem(row, "type", f"edge: unknown type {raw_type!r}; read as {default_type}")
                )
                direction = DIRECTED if default_type == DIRECTED else UNDIRECTED
            conn = GConnection(source=source, target=target, id=edge.get("id", ""), direction=direction)
            if edge.get("label") is not None:
                conn.attributes["label"] = edge.get("label")
            if edge.get("weight") is not None:
                apply_value(conn, "weight", edge.get("weight"), row, problems)
            for attr_name, value in values(edge, "edge", row).items():
                apply_value(conn, attr_name, value, row, problems)
            gmap.connections.append(conn)
    return gmap, problems


def write_gexf(gmap: GMap) -> bytes:
    root = ET.Element("gexf", {"xmlns": GEXF_NS, "xmlns:viz": GEXF_VIZ_NS, "version": "1.3"})
    meta = ET.SubElement(root, "meta")
    ET.SubElement(meta, "creator").text = "Konbit"
    if gmap.name:
        ET.SubElement(meta, "description").text = xml_text(gmap.name)
    directed = gmap.directed
    graph = ET.SubElement(
        root, "graph", {"mode": "static", "defaultedgetype": "directed" if directed else "undirected"}
    )
    node_fields = [
        ("type", "type", "string", None),
        ("kind", "kind", "string", "actor"),
        ("function", "function", "string", None),
        ("tags", "tags", "string", None),
        ("description", "description", "string", None),
        ("perspectives", "perspectives", "string", None),
    ]
    edge_fields = [
        ("e_type", "type", "string", None),
        ("e_direction", "direction", "string", None),
        ("e_sign", "sign", "string", None),
        ("e_perspective", "perspective", "string", None),
        ("e_description", "description", "string", None),
        ("e_tags", "tags", "string", None),
    ]
    node_custom = field_ids(custom_fields([e.attributes for e in gmap.elements], NODE_FIELDS), "n", "")
    edge_custom = field_ids(custom_fields([c.attributes for c in gmap.connections], EDGE_FIELDS), "e", "")
    for scope, fields, custom in (
        ("node", node_fields, node_custom),
        ("edge", edge_fields, edge_custom),
    ):
        block = ET.SubElement(graph, "attributes", {"class": scope, "mode": "static"})
        for attr_id, title, xml_type, default in [*fields, *((k, n, t, None) for k, n, t in custom)]:
            attribute = ET.SubElement(
                block, "attribute", {"id": attr_id, "title": xml_text(title), "type": xml_type_of(xml_type)}
            )
            if default is not None:
                ET.SubElement(attribute, "default").text = default

    def attvalues(parent: Any, pairs: list[tuple[str, Any, str]], custom: list[tuple[str, Any, str]]) -> None:
        # Custom fields are written even when empty: the field is there.
        present = [(k, v, t) for k, v, t in pairs if v is not None and v != "" and v != []] + custom
        if present:
            block = ET.SubElement(parent, "attvalues")
            for key, value, xml_type in present:
                ET.SubElement(block, "attvalue", {"for": key, "value": typed_text(value, xml_type)})

    nodes = ET.SubElement(graph, "nodes")
    for e in gmap.elements:
        node = ET.SubElement(nodes, "node", {"id": xml_text(e.id), "label": xml_text(e.label)})
        attvalues(
            node,
            [
                ("type", e.type, "string"),
                ("kind", e.kind if e.kind != "actor" else None, "string"),
                ("function", e.function, "string"),
                ("tags", e.tags, "string"),
                ("description", e.description, "string"),
                ("perspectives", e.perspectives, "string"),
            ],
            [(k, e.attributes[n], t) for k, n, t in node_custom if n in e.attributes],
        )
        if e.position is not None:
            x, y = e.position
            ET.SubElement(node, "viz:position", {"x": repr(x), "y": repr(-y if y else 0.0), "z": "0.0"})

    edges = ET.SubElement(graph, "edges")
    taken = {c.id for c in gmap.connections if c.id}
    for index, c in enumerate(gmap.connections):
        attrs = {
            "id": xml_text(c.id or unique_id(f"e{index}", taken)),
            "source": xml_text(c.source),
            "target": xml_text(c.target),
        }
        if directed and c.direction != DIRECTED:
            attrs["type"] = MUTUAL  # see the module docstring; the direction attribute says which
        if c.strength is not None:
            attrs["weight"] = repr(float(c.strength))
        if "label" in c.attributes:
            attrs["label"] = xml_text(c.attributes["label"])
        edge = ET.SubElement(edges, "edge", attrs)
        attvalues(
            edge,
            [
                ("e_type", c.type, "string"),
                ("e_direction", c.direction, "string"),
                ("e_sign", c.sign if c.sign != NO_SIGN else None, "string"),
                ("e_perspective", c.perspective, "string"),
                ("e_description", c.description, "string"),
                ("e_tags", c.tags, "string"),
            ],
            [(k, c.attributes[n], t) for k, n, t in edge_custom if n in c.attributes],
        )
    return to_bytes(root)
