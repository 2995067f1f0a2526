"""Random and hostile map files through the real import page (upload → preview → import).

Whatever the file, the page answers (never a server error), says what is wrong in words, and writes
nothing until the person importing confirms; what it does import opens as a map whose data the
browser can parse. Hypothesis draws random bytes, JSON shaped like Kumu's two formats, GraphML and
GEXF trees and Kumu-style spreadsheets; the hand-made files below are the attacks and accidents
seen in the wild, and the regressions this fuzzing found.
"""

from __future__ import annotations

import csv
import html
import io
import json
import zipfile
from typing import Any
from xml.etree import ElementTree as ET

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, event, given
from hypothesis import settings as fuzz_settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from conftest import World, client_for
from konbit.core.models import AuditEvent
from konbit.maps.models import Connection, Element, Map, Perspective

IMPORT = "/p/alpha/maps/import/"
FUZZ = fuzz_settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
PASSWD = "root:x:0:0"  # the first line of /etc/passwd: must never reach a page


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    settings.KONBIT_IMPORT_DIR = tmp_path / "imports"


def counts() -> dict[str, int]:
    return {
        "maps": Map.all_objects.count(),
        "elements": Element.all_objects.count(),
        "connections": Connection.all_objects.count(),
        "perspectives": Perspective.all_objects.count(),
        "element perspectives": Element.perspectives.through.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def outcome(what: str) -> None:
    """What became of a generated file (--hypothesis-show-statistics shows the mix)."""
    if currently_in_test_context():
        event(what)


def flash(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON a browser can parse")


def upload(client: Any, filename: str, data: bytes) -> Any:
    return client.post(IMPORT, {"file": SimpleUploadedFile(filename, data), "name": ""})


def refused(client: Any, filename: str, data: bytes) -> str:
    """Upload a file that must be refused as a whole; returns the message shown next to the field."""
    before = counts()
    response = upload(client, filename, data)
    assert response.status_code == 200
    assert "token" not in response.context, "the file was accepted"
    errors = response.context["form"].errors["file"]
    assert len(errors) == 1 and len(errors[0]) > 20
    assert html.escape(errors[0]) in response.content.decode()
    assert counts() == before
    return str(errors[0])


def import_through_the_pages(client: Any, filename: str, data: bytes) -> Map | None:
    """Upload, check the preview, refuse and then confirm the import as a person would; checks every
    step and returns the new map (None when the file was refused as a whole, with a message)."""
    before = counts()
    response = upload(client, filename, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert counts() == before  # reading and previewing write nothing
    if "token" not in response.context:
        errors = response.context["form"].errors["file"]
        assert errors and all(len(e) > 10 for e in errors)
        assert html.escape(errors[0]) in page
        outcome("refused as a whole")
        return None
    if response.context.get("columns_needed"):
        # A table whose header names say too little: the person is asked which column holds what.
        assert response.context.get("gmap") is None
        assert html.escape(response.context["columns_needed"]) in page
        assert '<select name="column-from"' in page
        outcome("asked for its columns")
        return None
    token, gmap, problems = response.context["token"], response.context["gmap"], response.context["problems"]
    assert f"The file has {len(gmap.elements)} elements and {len(gmap.connections)} connections." in page
    for problem in problems[:200]:
        assert html.escape(problem.message) in page
        if problem.row:
            assert f"row {problem.row}" in page
    name = response.context["name"]  # what the browser sends back from the prefilled field
    if problems:
        kept_out = client.post(f"{IMPORT}{token}/", {"name": name})
        assert kept_out.status_code == 302 and kept_out["Location"] == IMPORT
        assert flash(kept_out) == [
            "The file has problems: fix them, or confirm that the rows named are left out."
        ]
        assert counts() == before
        client.get(IMPORT)  # the page the person is sent back to, where the message is read
    done = client.post(f"{IMPORT}{token}/", {"name": name, "accept_problems": "1"})
    assert done.status_code == 302
    map = Map.objects.latest("pk")
    assert done["Location"] == f"/p/alpha/maps/{map.pk}/"
    assert flash(done) == [f"Imported {len(gmap.elements)} elements and {len(gmap.connections)} connections."]
    after = counts()
    assert after["maps"] == before["maps"] + 1
    assert after["elements"] - before["elements"] == len(gmap.elements)
    assert after["connections"] - before["connections"] == len(gmap.connections)
    # The new map opens, and the browser can parse the data it is drawn from.
    assert client.get(done["Location"]).status_code == 200
    drawn = client.get(f"/p/alpha/maps/{map.pk}/data.json")
    assert drawn.status_code == 200
    nodes = json.loads(drawn.content, parse_constant=refuse_constant)["nodes"]
    assert len(nodes) == len(gmap.elements)
    outcome("imported after confirming problems" if problems else "imported")
    return map


# --- hypothesis: what the files hold ---------------------------------------------------------------

FILENAMES = [
    "map.json",
    "map.xlsx",
    "map.csv",
    "map.graphml",
    "map.gexf",
    "map.xml",
    "map.zip",
    "map.txt",
    "map",
]
# Text that an XML document or a workbook can hold (no control characters, no lone surrogates).
xml_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=12)
labels = st.sampled_from(["Seed Co", "seed co", "Farmers", "Bank ", "", "=1+1", "Ω"]) | xml_text
numbers = (
    st.integers()
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats(allow_nan=False, allow_infinity=False)
)
json_scalars = st.none() | st.booleans() | numbers | st.text(max_size=12)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)
directions = st.sampled_from(["directed", "mutual", "undirected", "<->", "sideways", ""]) | json_values
blueprint_elements = st.fixed_dictionaries(
    {},
    optional={
        "id": st.sampled_from(["a", "b", 1, ""]) | json_scalars,
        "label": labels | json_values,
        "type": json_values,
        "tags": st.lists(labels, max_size=3) | json_values,
        "konbit:kind": st.sampled_from(["actor", "factor", "planet"]) | json_values,
        "konbit:function": st.sampled_from(["core", "rules", "moon"]) | json_values,
        "konbit:perspectives": st.lists(labels, max_size=2) | json_values,
        "konbit:x": numbers | json_values,
        "konbit:y": numbers | json_values,
        "custom": json_values,
    },
)
blueprint_connections = st.fixed_dictionaries(
    {},
    optional={
        "from": labels | st.sampled_from(["a", "b", 1]) | json_values,
        "to": labels | st.sampled_from(["a", "b", 1]) | json_values,
        "direction": directions,
        "konbit:sign": st.sampled_from(["+", "-", "", "maybe"]) | json_values,
        "konbit:strength": numbers | json_values,
        "konbit:perspective": labels | json_values,
        "custom": json_values,
    },
)
blueprints = st.fixed_dictionaries(
    {
        "elements": st.lists(blueprint_elements | json_values, max_size=6),
        "connections": st.lists(blueprint_connections | json_values, max_size=6),
    },
    optional={"name": labels | json_values, "loops": json_values},
)
backup_ids = st.sampled_from(["e1", "e2", "e3", ""]) | json_scalars
backups = st.fixed_dictionaries(
    {
        "elements": st.lists(
            st.fixed_dictionaries(
                {
                    "_id": backup_ids,
                    "attributes": st.dictionaries(st.sampled_from(["label", "tags", "x"]), json_values),
                }
            )
            | json_values,
            max_size=5,
        ),
        "connections": st.lists(
            st.fixed_dictionaries(
                {"_id": backup_ids, "from": backup_ids, "to": backup_ids, "direction": directions},
                optional={"attributes": st.dictionaries(st.text(max_size=8), json_values, max_size=3)},
            )
            | json_values,
            max_size=5,
        ),
    },
    optional={
        "name": labels | json_values,
        "maps": st.lists(
            st.fixed_dictionaries(
                {
                    "elements": st.lists(
                        st.fixed_dictionaries(
                            {
                                "element": backup_ids,
                                "position": st.fixed_dictionaries({"x": numbers, "y": numbers}),
                            }
                        )
                        | json_values,
                        max_size=4,
                    )
                }
            )
            | json_values,
            max_size=2,
        ),
    },
)


@st.composite
def xml_documents(draw: st.DrawFn) -> bytes:
    """A GraphML or GEXF tree with random keys, types, ids, values and positions."""
    ids = st.sampled_from(["n1", "n2", "n3", ""]) | xml_text
    types = st.sampled_from(["string", "int", "long", "double", "float", "boolean", "liststring", ""])
    values = st.sampled_from(["1", "-2.5", "INF", "-INF", "NaN", "1e999", "true", "", "9" * 400]) | xml_text
    if draw(st.booleans()):
        root = ET.Element("graphml", {"xmlns": "http://graphml.graphdrawing.org/xmlns"})
        keys = draw(
            st.lists(
                st.sampled_from(["label", "weight", "x", "y", "kind", "sign", "tags"]) | xml_text, max_size=5
            )
        )
        for index, name in enumerate(keys):
            ET.SubElement(
                root,
                "key",
                {
                    "id": f"d{index}",
                    "for": draw(st.sampled_from(["node", "edge", "all", "graph"])),
                    "attr.name": name,
                    "attr.type": draw(types),
                },
            )
        graph = ET.SubElement(
            root, "graph", {"edgedefault": draw(st.sampled_from(["directed", "undirected", "?"]))}
        )
        for _ in range(draw(st.integers(0, 4))):
            node = ET.SubElement(graph, "node", {"id": draw(ids)})
            for _ in range(draw(st.integers(0, 3))):
                ET.SubElement(node, "data", {"key": f"d{draw(st.integers(0, 5))}"}).text = draw(values)
        for _ in range(draw(st.integers(0, 4))):
            edge = ET.SubElement(graph, "edge", {"source": draw(ids), "target": draw(ids)})
            if draw(st.booleans()):
                edge.set("directed", draw(st.sampled_from(["true", "false", "1", "maybe"])))
            for _ in range(draw(st.integers(0, 2))):
                ET.SubElement(edge, "data", {"key": f"d{draw(st.integers(0, 5))}"}).text = draw(values)
    else:
        root = ET.Element(
            "gexf", {"xmlns": "http://www.gexf.net/1.2draft", "xmlns:viz": "http://www.gexf.net/1.2draft/viz"}
        )
        graph = ET.SubElement(
            root,
            "graph",
            {"defaultedgetype": draw(st.sampled_from(["directed", "undirected", "mutual", "?"]))},
        )
        attributes = ET.SubElement(
            graph, "attributes", {"class": draw(st.sampled_from(["node", "edge", "x"]))}
        )
        for index in range(draw(st.integers(0, 3))):
            ET.SubElement(
                attributes, "attribute", {"id": str(index), "title": draw(xml_text), "type": draw(types)}
            )
        nodes = ET.SubElement(graph, "nodes")
        for _ in range(draw(st.integers(0, 4))):
            node = ET.SubElement(nodes, "node", {"id": draw(ids), "label": draw(xml_text)})
            if draw(st.booleans()):
                ET.SubElement(node, "viz:position", {"x": draw(values), "y": draw(values)})
            attvalues = ET.SubElement(node, "attvalues")
            for _ in range(draw(st.integers(0, 2))):
                ET.SubElement(
                    attvalues, "attvalue", {"for": str(draw(st.integers(0, 4))), "value": draw(values)}
                )
        edges = ET.SubElement(graph, "edges")
        for _ in range(draw(st.integers(0, 4))):
            edge = ET.SubElement(edges, "edge", {"source": draw(ids), "target": draw(ids)})
            if draw(st.booleans()):
                edge.set("weight", draw(values))
            if draw(st.booleans()):
                edge.set("type", draw(st.sampled_from(["directed", "undirected", "mutual", "sideways"])))
    encoding = draw(st.sampled_from(["utf-8", "utf-16"]))
    return ET.tostring(root, encoding=encoding, xml_declaration=True)


ELEMENT_HEADERS = ["Label", "ID", "Type", "Description", "Tags", "Kind", "Function", "Perspectives", "X", "Y"]
CONNECTION_HEADERS = ["From", "To", "ID", "Type", "Direction", "Sign", "Strength", "Perspective", "Tags"]
cells = (
    st.none()
    | labels
    | st.integers(min_value=-(10**15), max_value=10**15)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.booleans()
    | st.dates()
    | st.sampled_from(["A|B", "+", "-", "mutual", "factor", "core", "0,5", "'=1+1"])
)


def table(known: list[str]) -> st.SearchStrategy[list[list[Any]]]:
    """A header of known names (any case, repeated, missing) and random ones, then rows of any cells."""
    header = st.lists(
        st.sampled_from(known) | st.sampled_from([h.upper() for h in known]) | xml_text, max_size=6
    )
    return header.flatmap(
        lambda names: st.lists(st.lists(cells, max_size=len(names) + 1), max_size=5).map(
            lambda rows: [names, *rows]
        )
    )


def workbook(sheets: dict[str, list[list[Any]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


@FUZZ
@given(
    filename=st.sampled_from(FILENAMES),
    head=st.sampled_from(
        [b"", b"PK\x03\x04", b"{", b"[", b"<graphml>", b"<gexf>", b"\xef\xbb\xbf", b"from,to\n"]
    ),
    body=st.binary(max_size=2000),
)
def test_random_bytes_are_refused_with_a_message_or_imported_whole(
    world: World, filename: str, head: bytes, body: bytes
) -> None:
    import_through_the_pages(client_for(world.facilitator), filename, head + body)


@FUZZ
@given(document=blueprints | backups | json_values, ascii_only=st.booleans())
def test_random_kumu_json_is_refused_with_a_message_or_imported_whole(
    world: World, document: Any, ascii_only: bool
) -> None:
    data = json.dumps(document, ensure_ascii=ascii_only).encode()
    import_through_the_pages(client_for(world.facilitator), "map.json", data)


@FUZZ
@given(document=xml_documents(), extension=st.sampled_from(["graphml", "gexf", "xml"]))
def test_random_graphml_and_gexf_are_refused_with_a_message_or_imported_whole(
    world: World, document: bytes, extension: str
) -> None:
    import_through_the_pages(client_for(world.facilitator), f"map.{extension}", document)


@FUZZ
@given(
    elements=table(ELEMENT_HEADERS),
    connections=table(CONNECTION_HEADERS),
    names=st.sampled_from([("Elements", "Connections"), ("Sheet1", "Sheet2"), ("Elements (ignore)", "x")]),
    as_csv=st.booleans(),
)
def test_random_kumu_spreadsheets_are_refused_with_a_message_or_imported_whole(
    world: World,
    elements: list[list[Any]],
    connections: list[list[Any]],
    names: tuple[str, str],
    as_csv: bool,
) -> None:
    client = client_for(world.facilitator)
    if as_csv:
        import_through_the_pages(client, "connections.csv", csv_bytes(connections))
    else:
        data = workbook({names[0]: elements, names[1]: connections})
        import_through_the_pages(client, "map.xlsx", data)


# --- hand-made: attacks --------------------------------------------------------------------------

XXE = (
    '<?xml version="1.0"?><!DOCTYPE graphml [<!ENTITY leak SYSTEM "file:///etc/passwd">]>'
    '<graphml><key id="l" for="node" attr.name="label"/><graph><node id="a"><data key="l">&leak;</data>'
    "</node></graph></graphml>"
)
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE gexf [<!ENTITY a "hahahahaha">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
    + ']><gexf><graph><nodes><node id="x" label="&i;"/></nodes></graph></gexf>'
)


def xlsx_with_entity() -> bytes:
    """A real workbook whose sheet declares an external entity and uses it in a cell."""
    source = workbook({"Connections": [["From", "To"], ["LEAKHERE", "B"]]})
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as src, zipfile.ZipFile(buffer, "w") as target:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                doctype = (
                    b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY leak SYSTEM "file:///etc/passwd">]>'
                )
                data = doctype + data.replace(b"LEAKHERE", b"&leak;")
            target.writestr(info, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "filename,data",
    [
        ("xxe.graphml", XXE.encode()),
        ("xxe.xml", XXE.encode()),
        ("laughs.gexf", LAUGHS.encode()),
        ("xxe.xlsx", xlsx_with_entity()),
    ],
)
def test_xml_entities_are_refused_and_never_read_a_file(world: World, filename: str, data: bytes) -> None:
    client = client_for(world.facilitator)
    message = refused(client, filename, data)
    assert "DTD or entities" in message
    assert PASSWD not in upload(client, filename, data).content.decode()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "filename,members,expected",
    [
        (
            "bomb.xlsx",
            {"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": b"\0" * (8 << 20)},
            "zip bomb",
        ),
        ("bomb.zip", {"connections.csv": b"From,To\n" + b" " * (8 << 20)}, "zip bomb"),
    ],
)
def test_zip_bombs_are_refused_before_they_expand(
    world: World, filename: str, members: dict[str, bytes], expected: str
) -> None:
    data = zip_bytes(members)
    assert len(data) < 50_000
    assert expected in refused(client_for(world.facilitator), filename, data)


def test_a_file_over_50_mb_is_refused_by_the_upload_limit_with_a_message(world: World) -> None:
    data = b'{"elements": [' + b" " * (50 * 1024 * 1024) + b"]}"
    assert refused(client_for(world.facilitator), "huge.json", data) == "The file is larger than 50 MB."


def test_a_10_mb_file_under_the_limit_is_read_not_refused_for_its_size(world: World) -> None:
    padding = " " * (10 * 1024 * 1024)
    document = '{"elements": [{"label": "Seed Co"}, {"label": "Farmers"}],' + padding + '"connections": []}'
    map = import_through_the_pages(client_for(world.facilitator), "big.json", document.encode())
    assert map is not None and Element.objects.filter(map=map).count() == 2


def test_formula_text_is_stored_as_text_and_exported_neutralised(world: World) -> None:
    client = client_for(world.facilitator)
    formulas = ["=cmd|' /C calc'!A0", "@SUM(1+1)", "+1+1", "-2+3"]
    book = openpyxl.Workbook()
    elements = book.active
    elements.title = "Elements"
    elements.append(["ID", "Label"])
    for number, formula in enumerate(formulas):
        elements.append([f"f{number}", formula])
        elements.cell(elements.max_row, 2).data_type = "s"  # typed as text, as Excel keeps "'=…"
    connections = book.create_sheet("Connections")
    connections.append(["From", "To", "Perspective"])
    for number in range(len(formulas)):
        connections.append([f"f{number}", "Farmers", "Team"])
    buffer = io.BytesIO()
    book.save(buffer)
    map = import_through_the_pages(client, "formulas.xlsx", buffer.getvalue())
    assert map is not None
    assert set(formulas) < set(Element.objects.filter(map=map).values_list("label", flat=True))

    exported = openpyxl.load_workbook(io.BytesIO(client.get(f"/p/alpha/maps/{map.pk}/export.xlsx").content))
    cells = {c.value: c for row in exported["Elements"].iter_rows() for c in row if c.value in formulas}
    assert set(cells) == set(formulas)
    assert all(cell.data_type == "s" for cell in cells.values())  # text, never a formula Excel runs
    export = client.get(f"/p/alpha/maps/{map.pk}/export.perspectives.csv").content.decode("utf-8-sig")
    assert {row[0] for row in list(csv.reader(io.StringIO(export)))[1:]} == {"'" + f for f in formulas}


# --- hand-made: encodings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "filename,data",
    [
        ("utf16.csv", "from,to,sign,perspective\nCafé,B,+,P\n".encode("utf-16")),
        ("utf16.json", '{"elements": [{"label": "Café"}]}'.encode("utf-16")),
        ("utf16-no-bom.csv", "from,to,sign,perspective\nCafe,B,+,P\n".encode("utf-16-le")),
        ("latin1.csv", "From,To\nCafé,B\n".encode("latin-1")),
    ],
)
def test_text_that_is_not_utf8_is_refused_with_what_to_do(world: World, filename: str, data: bytes) -> None:
    message = refused(client_for(world.facilitator), filename, data)
    assert message.startswith("The file is not valid UTF-8 text") and "Save it as UTF-8" in message


def test_utf8_with_a_byte_order_mark_and_utf16_xml_are_read(world: World) -> None:
    client = client_for(world.facilitator)
    map = import_through_the_pages(client, "bom.csv", "\ufeffFrom,To\nCafé,Ñandú\n".encode())
    assert map is not None
    assert set(Element.objects.filter(map=map).values_list("label", flat=True)) == {"Café", "Ñandú"}
    graphml = '<?xml version="1.0" encoding="UTF-16"?><graphml><graph><node id="Café"/></graph></graphml>'
    map = import_through_the_pages(client, "utf16.graphml", graphml.encode("utf-16"))
    assert map is not None and Element.objects.get(map=map).label == "Café"


# --- regressions found by the fuzzing above ------------------------------------------------------


def test_json_with_an_unpaired_surrogate_or_nul_is_refused_not_a_server_error(world: World) -> None:
    """Was a 500: "\\ud800" decoded to a lone surrogate that no page or database can encode; "\\u0000"
    was a 500 on PostgreSQL."""
    client = client_for(world.facilitator)
    for escape in ["\\ud800", "\\udfff", "\\u0000"]:
        data = ('{"elements": [{"label": "Seed' + escape + 'Co"}]}').encode()
        assert "cannot be stored" in refused(client, "map.json", data)
    # A real pair of surrogates is one character, and "\\u0000" spelled out is just text.
    map = import_through_the_pages(
        client, "map.json", b'{"elements": [{"label": "\\ud83c\\udf31 \\\\u0000"}]}'
    )
    assert map is not None and Element.objects.get(map=map).label == "\U0001f331 \\u0000"


def test_nul_bytes_in_a_csv_are_refused_not_a_server_error(world: World) -> None:
    """Was a 500 on PostgreSQL, which cannot store NUL."""
    message = refused(client_for(world.facilitator), "map.csv", b"From,To\nSeed\x00Co,Farmers\n")
    assert "NUL byte on line 2" in message


@pytest.mark.parametrize(
    "number", ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "9" * 5000], ids=lambda n: n[:10]
)
def test_json_numbers_json_cannot_hold_are_refused_not_a_server_error(world: World, number: str) -> None:
    """Was a 500: NaN and 1e400 (read as infinity) broke the database's JSON check, and an integer of
    thousands of digits raised in Python's int()."""
    data = ('{"elements": [{"label": "Seed Co", "score": ' + number + "}]}").encode()
    message = refused(client_for(world.facilitator), "map.json", data)
    assert message.startswith("The file is not valid JSON (") and "sys." not in message


def test_backup_position_too_large_for_a_float_is_no_position(world: World) -> None:
    """Was a 500 (OverflowError) when reading, and again when exporting the views kept from the file."""
    huge = "1" * 400
    data = (
        '{"elements": [{"_id": "e1", "attributes": {"label": "Seed Co"}}], "connections": [],'
        ' "maps": [{"elements": [{"element": "e1", "position": {"x": ' + huge + ', "y": 2}}]}]}'
    ).encode()
    client = client_for(world.facilitator)
    map = import_through_the_pages(client, "backup.json", data)
    assert map is not None
    assert Element.objects.get(map=map).x is None
    exported = client.get(f"/p/alpha/maps/{map.pk}/export.kumu.json")
    assert exported.status_code == 200
    assert json.loads(exported.content)["elements"][0]["attributes"]["label"] == "Seed Co"


def test_infinite_numbers_in_graphml_gexf_and_workbooks_are_kept_as_text(world: World) -> None:
    """Were a 500: INF (valid XML Schema) and 1e400 in a workbook reached the JSON custom fields, and
    GEXF positions of INF reached the map data as Infinity, which the browser cannot parse."""
    client = client_for(world.facilitator)
    graphml = (
        b'<graphml><key id="s" for="node" attr.name="score" attr.type="double"/>'
        b'<key id="x" for="node" attr.name="x" attr.type="long"/>'
        b'<key id="y" for="node" attr.name="y" attr.type="double"/>'
        b'<key id="w" for="edge" attr.name="weight" attr.type="string"/><graph>'
        b'<node id="a"><data key="s">INF</data><data key="x">'
        + b"9"
        * 400
        + b'</data><data key="y">1</data></node>'
        b'<node id="b"/><edge source="a" target="b"><data key="w">NaN</data></edge></graph></graphml>'
    )
    map = import_through_the_pages(client, "inf.graphml", graphml)
    assert map is not None
    a = Element.objects.get(map=map, key="a")
    assert a.attributes["score"] == "INF" and a.x is None
    assert Connection.objects.get(map=map).strength is None

    gexf = (
        b'<gexf xmlns:viz="http://www.gexf.net/1.2draft/viz"><graph><nodes>'
        b'<node id="a" label="Seed Co"><viz:position x="INF" y="1e999"/></node>'
        b'<node id="b" label="Farmers"><viz:position x="1.5" y="-2"/></node></nodes>'
        b'<edges><edge source="a" target="b" weight="-INF"/></edges></graph></gexf>'
    )
    map = import_through_the_pages(client, "inf.gexf", gexf)
    assert map is not None
    assert list(Element.objects.filter(map=map).order_by("key").values_list("x", "y")) == [
        (None, None),
        (1.5, 2.0),  # Gephi's y grows upward, Konbit's downward
    ]

    source = workbook({"Elements": [["Label", "Score", "X", "Y"], ["Seed Co", 12345, 54321, 1]]})
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as src, zipfile.ZipFile(buffer, "w") as target:
        for info in src.infolist():
            data = (
                src.read(info)
                .replace(b"<v>12345</v>", b"<v>1e400</v>")
                .replace(b"<v>54321</v>", b"<v>-1e400</v>")
            )
            target.writestr(info, data)
    map = import_through_the_pages(client, "inf.xlsx", buffer.getvalue())
    assert map is not None
    seed = Element.objects.get(map=map)
    assert seed.attributes == {"Score": "inf", "X": "-inf", "Y": 1} and seed.x is None


def test_ids_names_and_perspectives_longer_than_their_columns_are_stored(world: World) -> None:
    """Was a 500 on PostgreSQL ("value too long"): an element id or a connection id over 100 characters
    (a long label without an id becomes the id), a perspective name over 200, a map name over 200."""
    long_label = "Seed company of the northern department " * 10  # 400 characters
    document = {
        "name": "Map " * 100,
        "elements": [
            {"label": long_label, "konbit:perspectives": ["P" * 250, "P" * 200 + "Q"]},
            {"id": "i" * 150, "label": "Farmers"},
            {"label": "Bank"},
        ],
        "connections": [
            {"from": long_label, "to": "i" * 150, "id": "c" * 150, "konbit:perspective": "P" * 250},
            {"from": "Bank", "to": long_label},
        ],
    }
    map = import_through_the_pages(client_for(world.facilitator), "long.json", json.dumps(document).encode())
    assert map is not None
    assert map.name == ("Map " * 100)[:200].strip()
    seed = Element.objects.get(map=map, label=long_label[:300])
    farmers = Element.objects.get(map=map, label="Farmers")
    assert len(seed.key) <= 100 and len(farmers.key) <= 100 and seed.key != farmers.key
    assert Element.objects.get(map=map, label="Bank").key == "Bank"  # short ids are kept
    first = Connection.objects.get(map=map, source=seed)
    assert first.target == farmers and len(first.key) <= 100
    # The two perspective names that are equal in their first 200 characters are one perspective.
    assert list(Perspective.objects.filter(map=map).values_list("name", flat=True)) == ["P" * 200]
    assert first.perspective is not None and first.perspective.name == "P" * 200
    assert seed.perspectives.count() == 1


def test_elements_without_labels_and_non_objects_are_named_by_row(world: World) -> None:
    """Items that are not objects, and connections to nothing, are reported by row and left out."""
    document = {
        "elements": [{"label": "Seed Co"}, 7, None, {"label": ""}, {"label": "Farmers"}],
        "connections": [{"from": "Seed Co", "to": "Farmers"}, {"from": "Seed Co", "to": "Nobody"}, "x"],
    }
    map = import_through_the_pages(client_for(world.facilitator), "rows.json", json.dumps(document).encode())
    assert map is not None
    assert Element.objects.filter(map=map).count() == 2 and Connection.objects.filter(map=map).count() == 1


def test_a_map_name_sent_back_with_nul_or_too_long_is_refused_with_a_message(world: World) -> None:
    """Was a 500 on PostgreSQL (NUL) and everywhere (over 200 characters): the name posted from the
    preview skipped the checks the upload form makes."""
    client = client_for(world.facilitator)
    response = upload(client, "map.csv", b"From,To\nSeed Co,Farmers\n")
    token = response.context["token"]
    before = counts()
    for name, message in [
        ("Seed\x00map", "Null characters are not allowed."),
        ("m" * 201, "Ensure this value has at most 200 characters (it has 201)."),
    ]:
        refused_name = client.post(f"{IMPORT}{token}/", {"name": name})
        assert refused_name.status_code == 302 and refused_name["Location"] == IMPORT
        assert flash(refused_name) == [message]
        client.get(IMPORT)
        assert counts() == before
    done = client.post(f"{IMPORT}{token}/", {"name": "Seed map"})
    assert done.status_code == 302 and Map.objects.get(name="Seed map").elements.count() == 2
