"""Map file formats: round trips, the real Kumu backup, messy input reported by row, unsafe files refused."""

from __future__ import annotations

import copy
import dataclasses
import io
import json
import zipfile
from dataclasses import asdict
from pathlib import Path

import openpyxl
import pytest

from konbit.maps import formats
from konbit.maps.formats import (
    FormatError,
    Problem,
    detect_format,
    dump,
    load,
    read_gexf,
    read_graphml,
    read_kumu_backup,
    read_kumu_blueprint,
    read_kumu_csv,
    read_kumu_csv_files,
    read_kumu_csv_zip,
    read_kumu_xlsx,
    read_perspectives_csv,
    write_kumu_backup,
    write_kumu_csv,
    write_kumu_csv_zip,
    write_perspectives_csv,
)
from konbit.maps.formats import base as formats_base
from konbit.maps.formats.base import normalise_sign, split_tags
from konbit.maps.graph import GConnection, GElement, GMap

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[3].parent / "shared"
KUMU_BACKUP = SHARED / "fixtures" / "kumu-project-backup-sample.json"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared (real data samples) is not present")


def sample_map() -> GMap:
    """A small map that uses every field of the data model."""
    return GMap(
        name="Bean value chain",
        elements=[
            GElement(
                id="org-1",
                label="Coop Lavi",
                type="Cooperative",
                function="core",
                tags=["farmers", "north, coast"],
                description="Buys beans from 300 farmers",
                attributes={"founded": 1998, "members": 120.5, "certified": True, "region": "Nord"},
                position=(10.5, -3.25),
                perspectives=["Farmers", "Buyers"],
            ),
            GElement(
                id="org-2",
                label="Banque Agricole",
                type="Bank",
                function="supporting",
                tags=["Food, drink"],
                attributes={"founded": 2005, "members": 3.0, "certified": False, "region": "Ouest"},
                position=(0.0, 100.0),
                perspectives=["Buyers"],
            ),
            GElement(
                id="factor-1",
                label="Road quality",
                kind="factor",
                function="rules",
                description="Two lines\nof text",
                attributes={"region": "Sud"},
            ),
        ],
        connections=[
            GConnection(
                "org-1",
                "org-2",
                id="c1",
                type="Credit",
                sign="+",
                strength=2.5,
                perspective="Farmers",
                description="Seasonal loans",
                tags=["finance"],
                attributes={"since": 2019, "formal": True},
            ),
            GConnection(
                "org-2",
                "factor-1",
                id="c2",
                direction="mutual",
                sign="-",
                perspective="Buyers",
                attributes={"since": 2021, "formal": False},
            ),
            GConnection("factor-1", "org-1", id="c3", direction="undirected", perspective="Farmers"),
        ],
    )


def content(gmap: GMap) -> dict:
    return {
        "name": gmap.name,
        "elements": [asdict(e) for e in gmap.elements],
        "connections": [asdict(c) for c in gmap.connections],
    }


# --- round trips -------------------------------------------------------------------------------------


@pytest.mark.parametrize("format", ["konbit", "kumu-backup", "kumu-json", "xlsx", "graphml", "gexf"])
def test_round_trip_keeps_every_field(format):
    original = sample_map()
    gmap, problems = load(dump(original, format), format=format)
    assert problems == []
    assert content(gmap) == content(original)


@pytest.mark.parametrize("format", ["konbit", "kumu-json", "graphml", "gexf", "kumu-csv", "perspectives-csv"])
def test_export_import_export_is_byte_identical(format):
    first = dump(sample_map(), format)
    assert dump(load(first, format=format)[0], format) == first


def test_kumu_csv_round_trip_keeps_everything_as_text():
    original = sample_map()
    gmap, problems = read_kumu_csv_zip(write_kumu_csv_zip(original))
    assert problems == []
    expected = content(original)
    expected["name"] = ""  # two CSV tables have nowhere to keep the map's name
    for item in expected["elements"] + expected["connections"]:
        item["attributes"] = {k: str(v) for k, v in item["attributes"].items()}
    assert content(gmap) == expected


def test_perspectives_csv_round_trip_keeps_what_the_format_holds():
    original = sample_map()
    gmap, problems = read_perspectives_csv(write_perspectives_csv(original))
    assert problems == []
    labels = {e.id: e.label for e in original.elements}
    assert [e.label for e in gmap.elements] == ["Coop Lavi", "Banque Agricole", "Road quality"]
    assert [
        (c.source, c.target, c.sign, c.perspective, c.type, c.direction, c.strength, c.description)
        for c in gmap.connections
    ] == [
        (
            labels[c.source],
            labels[c.target],
            c.sign,
            c.perspective,
            c.type,
            c.direction,
            c.strength,
            c.description,
        )
        for c in original.connections
    ]
    assert gmap.elements[0].perspectives == ["Farmers"]


def test_konbit_export_keeps_extra_data_of_other_formats():
    gmap, _ = read_kumu_blueprint((FIXTURES / "blueprint.json").read_bytes())
    again, problems = load(dump(gmap, "konbit"), format="konbit")
    assert problems == []
    assert again.extra["kumu:blueprint"] == {"loops": [{"label": "R1"}]}
    assert content(again) == content(gmap)


# --- the real Kumu project backup ------------------------------------------------------------------------


@pytest.fixture
def kumu_backup() -> bytes:
    return KUMU_BACKUP.read_bytes()


@needs_shared
def test_kumu_backup_keeps_every_element_field_and_position(kumu_backup):
    raw = json.loads(kumu_backup)
    gmap, problems = read_kumu_backup(kumu_backup)

    assert problems == []
    assert gmap.name == "US State Population Growth"
    assert len(gmap.elements) == len(raw["elements"]) == 51
    assert len(gmap.connections) == len(raw["connections"]) == 113
    positions = {entry["element"]: entry["position"] for entry in raw["maps"][0]["elements"]}
    for element, item in zip(gmap.elements, raw["elements"], strict=True):
        attrs = item["attributes"]
        assert element.id == item["_id"]
        assert element.label == attrs["label"]
        assert element.type == attrs["element type"]
        custom = {k: v for k, v in attrs.items() if k not in ("label", "element type")}
        assert element.attributes == custom
        assert element.position == (positions[item["_id"]]["x"], positions[item["_id"]]["y"])
    new_york = next(e for e in gmap.elements if e.label == "New York")
    assert new_york.attributes["2014 population"] == 19746227
    assert new_york.attributes["region"] == "Northeast"
    for conn, item in zip(gmap.connections, raw["connections"], strict=True):
        assert (conn.id, conn.source, conn.target, conn.direction) == (
            item["_id"],
            item["from"],
            item["to"],
            "undirected",
        )
    assert not gmap.directed


@needs_shared
def test_kumu_backup_exports_back_to_the_same_json(kumu_backup):
    gmap, _ = read_kumu_backup(kumu_backup)
    exported = write_kumu_backup(gmap)
    assert json.loads(exported) == json.loads(kumu_backup)
    # an unchanged Kumu import even gives back Kumu's own bytes
    assert exported == kumu_backup
    assert write_kumu_backup(read_kumu_backup(exported)[0]) == exported


@needs_shared
def test_kumu_backup_keeps_elements_with_the_same_label(kumu_backup):
    raw = json.loads(kumu_backup)
    for item in raw["elements"][:3]:
        item["attributes"]["label"] = "Georgia"
    data = json.dumps(raw).encode()

    gmap, problems = load(data, filename="project.json")

    assert problems == []
    assert [e.label for e in gmap.elements].count("Georgia") == 4
    assert len({e.id for e in gmap.elements}) == 51
    assert json.loads(write_kumu_backup(gmap)) == raw


@needs_shared
def test_konbit_fields_and_moved_positions_survive_a_kumu_project(kumu_backup):
    gmap, _ = read_kumu_backup(kumu_backup)
    gmap.elements[0].kind = "factor"
    gmap.elements[0].function = "rules"
    gmap.elements[0].perspectives = ["Census"]
    gmap.elements[0].position = (1.0, 2.0)
    gmap.connections[0].sign = "-"
    gmap.connections[0].strength = 0.5
    gmap.connections[0].perspective = "Census"

    exported = write_kumu_backup(gmap)
    again, problems = read_kumu_backup(exported)

    assert problems == []
    assert content(again) == content(gmap)
    document = json.loads(exported)
    assert document["elements"][0]["attributes"]["konbit:kind"] == "factor"
    assert document["connections"][0]["attributes"]["konbit:sign"] == "-"
    view_entry = next(e for e in document["maps"][0]["elements"] if e["element"] == gmap.elements[0].id)
    assert view_entry["position"] == {"x": 1.0, "y": 2.0}
    assert view_entry["pinned"] is True


def test_backup_of_a_map_without_views_creates_one_for_positions():
    document = json.loads(write_kumu_backup(sample_map()))
    assert document["maps"][0]["elements"][0] == {
        "_id": "node-org-1",
        "element": "org-1",
        "position": {"x": 10.5, "y": -3.25},
    }


def test_backup_connection_to_a_missing_element_is_reported_and_kept_for_export():
    document = {
        "name": "Broken",
        "elements": [{"_id": "elem-a", "attributes": {"label": "A"}}],
        "connections": [
            {"_id": "conn-1", "direction": "directed", "attributes": {}, "from": "elem-a", "to": "elem-x"}
        ],
    }
    gmap, problems = read_kumu_backup(json.dumps(document))
    assert gmap.connections == []
    assert problems == [
        Problem(1, "to", "connection kept aside (not analysed): no element has the _id 'elem-x'")
    ]
    assert json.loads(write_kumu_backup(gmap)) == document


# --- Kumu blueprint ------------------------------------------------------------------------------------


def test_blueprint_connections_by_label_and_by_id():
    gmap, problems = read_kumu_blueprint((FIXTURES / "blueprint.json").read_bytes())

    ids = [e.id for e in gmap.elements]
    assert ids == ["Coop Lavi", "bank-1", "bank-2", "Trader", "Trader#2"]
    assert [(c.source, c.target, c.direction) for c in gmap.connections] == [
        ("Coop Lavi", "bank-1", "directed"),
        ("bank-2", "Coop Lavi", "mutual"),
        ("Trader", "Coop Lavi", "undirected"),  # the first "Trader" wins
    ]
    assert gmap.connections[0].sign == "+"
    assert gmap.connections[2].attributes == {"Volume": "high"}
    assert gmap.elements[0].attributes == {"Members": 120}
    assert gmap.elements[0].tags == ["farmers", "north"]
    assert [(p.row, p.column) for p in problems] == [(5, "label"), (4, "to")]
    assert "also element 4's" in problems[0].message
    assert "'Nobody'" in problems[1].message


def test_blueprint_without_elements_list_is_unreadable():
    with pytest.raises(FormatError, match="elements"):
        read_kumu_blueprint(b'{"elements": "nope"}')


# --- perspectives CSV ------------------------------------------------------------------------------


def test_messy_perspectives_csv_gives_row_level_problems():
    gmap, problems = load(FIXTURES / "messy_perspectives.csv")

    # problems name the columns as the file does
    assert [(p.row, p.column) for p in problems] == [
        (3, "Sign"),
        (5, "Strength"),
        (6, "From"),
        (7, "PERSPECTIVE"),
    ]
    assert "'plsu'" in problems[0].message and "unknown sign ?" in problems[0].message
    assert str(problems[0]).startswith("row 3, column Sign: ")
    # labels matched ignoring case and spaces; the first spelling is kept
    assert [e.label for e in gmap.elements] == ["Coop Lavi", "Banque Agricole", "Road quality", "Exporter"]
    # an unreadable sign keeps its row with the unknown sign; a blank perspective keeps it outside all
    assert [(c.source, c.target, c.sign, c.perspective, c.strength) for c in gmap.connections] == [
        ("Coop Lavi", "Banque Agricole", "+", "Farmers", 2.0),
        ("Coop Lavi", "Banque Agricole", "?", "Farmers", None),
        ("Banque Agricole", "Road quality", "-", "Buyers", None),
        ("Road quality", "Coop Lavi", "", "", None),
        ("Road quality", "Coop Lavi", "-", "Buyers", 1.5),
        ("Coop Lavi", "Exporter", "+", "Farmers", None),
    ]
    assert gmap.elements[0].perspectives == ["Farmers", "Buyers"]


@pytest.mark.parametrize(
    "spelling,sign",
    [
        *[(s, "+") for s in ["+", "plus", "Positive", "POS", "1", " + "]],
        *[(s, "-") for s in ["-", "\u2212", "minus", "Negative", "neg", "-1"]],
        *[(s, "") for s in ["", "0", "none", "N/A", "None"]],
    ],
)
def test_sign_spellings(spelling, sign):
    assert normalise_sign(spelling) == sign
    gmap, problems = read_perspectives_csv(f"from,to,sign,perspective\nA,B,{spelling},P\n")
    assert problems == [] and gmap.connections[0].sign == sign


@pytest.mark.parametrize("spelling", ["plsu", "2", "yes", "positiv", "postive"])
def test_unknown_sign_keeps_the_row_with_the_unknown_sign(spelling):
    gmap, problems = read_perspectives_csv(f"from,to,sign,perspective\nA,B,{spelling},P\nA,C,+,P\n")
    assert problems == [
        Problem(2, "sign", f"unknown sign {spelling!r} (use +, - or ?); kept with the unknown sign ?")
    ]
    assert [(c.source, c.target, c.sign) for c in gmap.connections] == [("A", "B", "?"), ("A", "C", "+")]


@pytest.mark.parametrize(
    "spelling,sign", [("++", "+"), ("--", "+"), ("+-", "-"), ("-+", "-"), ("?", "?"), ("Unknown", "?")]
)
def test_polarity_pairs_are_signs(spelling, sign):
    gmap, problems = read_perspectives_csv(f"from,to,sign,perspective\nA,B,{spelling},P\n")
    assert problems == [] and gmap.connections[0].sign == sign


def test_perspectives_csv_without_required_columns_is_unreadable():
    with pytest.raises(FormatError, match="missing: perspective"):
        read_perspectives_csv("from,to,sign\nA,B,+\n")


def test_semicolon_separated_csv_from_french_excel():
    gmap, problems = read_perspectives_csv(b"from;to;sign;perspective\r\nA;B;-;Groupe 1\r\n")
    assert problems == [] and gmap.connections[0].perspective == "Groupe 1"


# --- Kumu spreadsheets -----------------------------------------------------------------------------


def _workbook(**sheets: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_kumu_workbook_with_custom_fields_pipes_and_implied_elements():
    gmap, problems = read_kumu_xlsx(
        _workbook(
            Elements=[
                ["Label", "Type", "Tags", "Description", "Members"],
                ["Coop Lavi", "Cooperative", "farmers|north", "", 120],
                ["Banque", "Bank", "finance, credit", "Lends", None],
            ],
            Connections=[
                ["From", "To", "Type", "Direction", "Sign", "Strength", "Perspective", "Since"],
                ["Coop Lavi", "Banque|Trader", "Credit", "mutual", "+", 2, "Farmers", 2019],
                ["banque", "Coop Lavi", None, "sideways", "plsu", "strong", None, None],
                [None, "Banque"],
            ],
        )
    )

    assert [e.label for e in gmap.elements] == ["Coop Lavi", "Banque", "Trader"]
    assert gmap.elements[0].tags == ["farmers", "north"]
    assert gmap.elements[1].tags == ["finance", "credit"]
    assert gmap.elements[0].attributes == {"Members": 120}
    assert [(c.source, c.target, c.direction, c.sign, c.strength) for c in gmap.connections] == [
        ("Coop Lavi", "Banque", "mutual", "+", 2.0),
        ("Coop Lavi", "Trader", "mutual", "+", 2.0),
        ("Banque", "Coop Lavi", "directed", "?", None),  # an unreadable sign: kept, unknown
    ]
    assert gmap.connections[0].attributes == {"Since": 2019}
    assert gmap.connections[2].attributes == {"Sign": "plsu", "Strength": "strong"}
    assert [(p.row, p.column) for p in problems] == [
        (2, "To"),  # Trader is not on the Elements sheet
        (3, "Direction"),
        (3, "Sign"),
        (3, "Strength"),
        (4, "From"),
    ]


def test_workbook_sheets_marked_ignore_are_skipped():
    workbook = openpyxl.Workbook()
    workbook.active.title = "Read me (ignore)"
    workbook.active.append(["From", "To"])
    workbook.active.append(["X", "Y"])
    connections = workbook.create_sheet("Connections")
    connections.append(["From", "To"])
    connections.append(["A", "B"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    gmap, problems = read_kumu_xlsx(buffer.getvalue())
    assert problems == [] and [e.label for e in gmap.elements] == ["A", "B"]


def test_workbook_keeps_formula_like_text_as_text():
    gmap = GMap(elements=[GElement(id="a", label='=HYPERLINK("http://x")'), GElement(id="b", label="B")])
    gmap.connections.append(GConnection("a", "b"))
    again, _ = load(dump(gmap, "xlsx"), format="xlsx")
    assert again.elements[0].label == gmap.elements[0].label


def test_csv_export_neutralises_formulas_and_reads_them_back():
    gmap = GMap(elements=[GElement(id="a", label="=1+2"), GElement(id="b", label="@SUM(A1)")])
    gmap.connections.append(GConnection("a", "b", sign="-"))
    elements_csv, connections_csv = write_kumu_csv(gmap)
    assert b"'=1+2" in elements_csv and b"'@SUM(A1)" in elements_csv
    again, problems = read_kumu_csv(connections=connections_csv, elements=elements_csv)
    assert problems == [] and [e.label for e in again.elements] == ["=1+2", "@SUM(A1)"]
    assert again.connections[0].sign == "-"


def test_connections_csv_alone_implies_its_elements():
    gmap, problems = load(b"From,To,Type\nCoop,Bank,Credit\nBank,Coop,Trust\n", filename="ties.csv")
    assert problems == []
    assert [e.label for e in gmap.elements] == ["Coop", "Bank"]
    assert [c.type for c in gmap.connections] == ["Credit", "Trust"]


def test_csv_pair_as_files_and_as_zip(tmp_path):
    elements_csv, connections_csv = write_kumu_csv(sample_map())
    (tmp_path / "a.csv").write_bytes(connections_csv)
    (tmp_path / "b.csv").write_bytes(elements_csv)
    from_files, _ = read_kumu_csv_files(str(tmp_path / "a.csv"), str(tmp_path / "b.csv"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("export/Connections.csv", connections_csv)
        archive.writestr("export/Elements.csv", elements_csv)
        archive.writestr("__MACOSX/export/._Elements.csv", b"\x00\x05")
    from_zip, _ = load(buffer.getvalue(), filename="export.zip")
    assert content(from_files) == content(from_zip)
    assert [e.id for e in from_zip.elements] == ["org-1", "org-2", "factor-1"]


def test_tags_separators():
    assert split_tags("a|b, c|") == ["a", "b, c"]
    assert split_tags("a, b ,a") == ["a", "b"]
    assert split_tags("Food, drink|") == ["Food, drink"]


# --- GraphML and GEXF ------------------------------------------------------------------------------


def test_graphml_like_gephi_writes_it():
    gmap, problems = load(FIXTURES / "gephi.graphml")
    assert [(e.id, e.label, e.position) for e in gmap.elements] == [
        ("n0", "Coop Lavi", (-12.5, 40.0)),
        ("n1", "Banque", (88.25, -3.0)),
        ("n2", "n2", None),
    ]
    assert gmap.elements[0].attributes == {"r": 153, "Sector": "Agriculture"}  # the key's default applies
    assert [(c.source, c.target, c.direction, c.strength) for c in gmap.connections] == [
        ("n0", "n1", "directed", 2.0),  # directed="true" on an undirected graph
        ("n1", "n2", "undirected", None),
    ]
    assert problems == [Problem(3, "target", "edge skipped: no node has the id 'n9'")]


def test_gexf_edge_types_positions_and_typed_attributes():
    gmap, problems = read_gexf((FIXTURES / "small.gexf").read_bytes())
    assert [(c.direction, c.sign, c.strength) for c in gmap.connections] == [
        ("directed", "-", 3.0),  # defaultedgetype
        ("mutual", "", None),
        ("undirected", "", None),
    ]
    assert gmap.elements[0].position == (1.5, 2.0)  # Gephi's y grows upward, Konbit's downward
    assert gmap.elements[0].attributes == {"Sector": "Agriculture", "Members": 120}
    assert gmap.elements[1].attributes == {"Members": "many"}
    assert problems == [Problem(2, "Members", "node: 'many' is not of type integer; kept as text")]


def test_graphml_writes_mutual_as_two_arcs_and_reads_it_back_as_one_connection():
    text = dump(sample_map(), "graphml").decode()
    assert 'edgedefault="directed"' in text and "directed=" not in text.replace("edgedefault=", "")
    assert '<edge id="c2" source="org-2" target="factor-1">' in text
    assert '<edge id="c2~mirror" source="factor-1" target="org-2">' in text
    assert [c.direction for c in read_graphml(text)[0].connections] == ["directed", "mutual", "undirected"]


@pytest.mark.parametrize("name", ["xxe.graphml", "billion_laughs.graphml"])
def test_xml_with_entities_is_refused(name):
    with pytest.raises(FormatError, match="DTD or entities"):
        load(FIXTURES / name)


def test_gexf_with_a_doctype_is_refused():
    data = b'<?xml version="1.0"?><!DOCTYPE gexf SYSTEM "http://example.org/x.dtd"><gexf><graph/></gexf>'
    with pytest.raises(FormatError, match="DTD"):
        read_gexf(data)


def test_xml_that_is_not_well_formed_is_unreadable():
    with pytest.raises(FormatError, match="not well-formed"):
        read_graphml(b"<graphml><graph>")


# --- unreadable files and limits -------------------------------------------------------------------


@pytest.mark.parametrize(
    "filename,data",
    [
        ("map.csv", b"from,to,sign,perspective\nCaf\xe9,B,+,P\n"),
        ("map.json", b'{"elements": [{"label": "Caf\xe9"}]}'),
        ("map.graphml", b"<graphml><graph><node id='Caf\xe9'/></graph></graphml>"),
    ],
)
def test_invalid_utf8_is_refused_with_a_clear_message(filename, data):
    with pytest.raises(FormatError, match="not valid UTF-8"):
        load(data, filename=filename)


def test_utf8_with_byte_order_mark_is_accepted():
    gmap, _ = load("\ufefffrom,to,sign,perspective\nCafé,B,+,P\n".encode(), filename="p.csv")
    assert gmap.elements[0].label == "Café"


def test_files_over_the_size_limit_are_refused(monkeypatch, tmp_path):
    monkeypatch.setattr(formats_base, "MAX_FILE_BYTES", 100)
    path = tmp_path / "big.csv"
    path.write_bytes(b"from,to\n" + b"a,b\n" * 50)
    with pytest.raises(FormatError, match="at most"):
        load(path)
    with pytest.raises(FormatError, match="at most"):
        load(path.read_bytes(), filename="big.csv")


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_xlsx_zip_bomb_is_refused_by_its_ratio():
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": b"\x00" * (5 * 1024 * 1024)})
    assert len(bomb) < 20_000
    with pytest.raises(FormatError, match="zip bomb"):
        load(bomb, filename="bomb.xlsx")


def test_zip_expanding_past_the_total_limit_is_refused(monkeypatch):
    limits = dataclasses.replace(formats_base.LIMITS, max_unzipped_bytes=1000)
    monkeypatch.setattr(formats_base, "LIMITS", limits)
    with pytest.raises(FormatError, match="expand"):
        read_kumu_csv_zip(_zip({"elements.csv": b"Label\n" + b"x\n" * 1000}))


def test_xlsx_with_entities_in_a_sheet_is_refused():
    workbook = _workbook(Connections=[["From", "To"], ["A", "B"]])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                doctype = (
                    b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                )
                data = doctype + data.replace(b">A<", b">&e;<")
            target.writestr(info, data)
    with pytest.raises(FormatError, match="DTD or entities"):
        load(buffer.getvalue(), filename="evil.xlsx")


def test_a_file_that_is_not_a_workbook_is_unreadable():
    with pytest.raises(FormatError, match="zip"):
        load(b"Label\nA\n", format="xlsx")


def test_unknown_format_names_are_refused():
    with pytest.raises(FormatError, match="Unknown format"):
        dump(sample_map(), "pdf")
    with pytest.raises(FormatError, match="Unknown format"):
        load(b"{}", format="pdf")


def test_json_nested_too_deeply_is_unreadable():
    with pytest.raises(FormatError, match="nested"):
        load(b"[" * 100_000 + b"]" * 100_000, filename="deep.json")


# --- detection -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "format,expected",
    [
        ("konbit", "kumu-backup"),
        ("kumu-json", "kumu-json"),
        ("xlsx", "xlsx"),
        ("kumu-csv", "kumu-csv"),
        ("graphml", "graphml"),
        ("gexf", "gexf"),
        ("perspectives-csv", "perspectives-csv"),
    ],
)
def test_format_is_detected_from_content_and_extension(format, expected):
    data = dump(sample_map(), format)
    assert detect_format(data) == expected
    extension = formats.FORMATS[format][0]
    assert detect_format(data, filename=f"map{extension}") == expected


def test_csv_without_a_perspective_column_is_read_as_kumu_connections():
    assert detect_format(b"From,To\nA,B\n", "x.csv") == "kumu-csv"
    assert detect_format(b"\n\n from , to , Perspective \nA,B,P\n", "x.csv") == "perspectives-csv"


def test_problem_text():
    assert str(Problem(4, "sign", "bad")) == "row 4, column sign: bad"
    assert str(Problem(None, "label", "bad")) == "column label: bad"
    assert str(Problem(None, None, "bad")) == "bad"


def test_readers_do_not_change_their_input():
    gmap = sample_map()
    before = copy.deepcopy(gmap)
    for format in formats.FORMATS:
        dump(gmap, format)
    assert gmap == before
