"""Edge lists in their authors' own words: header synonyms, a column mapping on the command line
(``--columns``), repeated column names, signs written as words or polarity pairs, unreadable signs kept
as unknown. No database: files in, figures out."""

from __future__ import annotations

import csv
import io
import json
from io import StringIO
from itertools import combinations
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from konbit.core.tabular.headers import header_key, match_headers
from konbit.maps.formats import ColumnsNeeded, FormatError, load

# A causal-loop study exported from a survey tool: its own header names, a repeated "notes" column,
# signs as words, one typo ("postive"), one "?" and one "negtive".
STUDY = """cause,effect,polarity,participant_number,notes,notes
Rain,Harvest,positive,1,good year,
Harvest,Income,positive,1,,
Income,Debt,negative,1,,check
Debt,Stress,positive,1,,
Rain,Harvest,positive,2,,
Harvest,Income,negative,2,after the flood,
Income,Debt,postive,2,,
Debt,Stress,positive,2,,
Prices,Income,positive,2,,
Rain,Harvest,?,3,,
Harvest,Income,positive,3,,
Income,Debt,negative,3,,
Prices,Income,negtive,3,,
Prices,Debt,negative,3,,
"""


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("map", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _independent_figures(text: str) -> dict[str, object]:
    """The comparison computed from the raw rows with plain sets, without Konbit's reader or compare."""
    words = {"positive": "+", "negative": "-"}
    edges: dict[str, set[tuple[str, str]]] = {}
    signs: dict[tuple[str, str], dict[str, set[str]]] = {}
    for row in csv.reader(io.StringIO(text)):
        if row[0] == "cause":
            continue
        cause, effect, polarity, who = row[0], row[1], row[2], row[3]
        edges.setdefault(who, set()).add((cause, effect))
        signs.setdefault((cause, effect), {}).setdefault(words.get(polarity, "?"), set()).add(who)
    names = sorted(edges)
    everything = set().union(*edges.values())
    return {
        "per_perspective": {name: len(edges[name]) for name in names},
        "drawn_by": {edge: sum(edge in edges[n] for n in names) for edge in everything},
        "disagreements": {edge for edge, by in signs.items() if by.get("+") and by.get("-")},
        "jaccard": {
            (a, b): len(edges[a] & edges[b]) / len(edges[a] | edges[b]) for a, b in combinations(names, 2)
        },
        "names": names,
    }


def test_must_show_4_a_raw_edge_list_compares_through_columns_with_no_hand_conversion(tmp_path: Path):
    study = tmp_path / "study.csv"
    study.write_text(STUDY, encoding="utf-8")

    out, err = run(
        "compare",
        str(study),
        "--columns",
        "from=cause,to=effect,sign=polarity,perspective=participant_number",
        "--json",
    )
    result = json.loads(out)  # stdout holds only the JSON
    expected = _independent_figures(STUDY)

    # the rows with an unreadable sign or "?" are kept, with the unknown sign, and listed on stderr
    assert "row 8, column polarity: unknown sign 'postive'" in err
    assert "row 14, column polarity: unknown sign 'negtive'" in err
    assert "kept with the unknown sign ?" in err
    assert "column notes: " in err and "appears twice" in err  # the repeated column is named
    assert "row 11" not in err  # "?" is a sign people write: no problem
    mapping = {"from": "cause", "to": "effect", "sign": "polarity", "perspective": "participant_number"}
    gmap, _problems = load(study, columns=mapping)
    assert len(gmap.connections) == 14  # no row dropped
    assert [c.sign for c in gmap.connections if (c.source, c.target) == ("Income", "Debt")] == ["-", "?", "-"]

    assert result["perspectives"] == expected["names"] == ["1", "2", "3"]
    per_perspective = {
        name: sum(name in c["perspectives"] for c in result["connections"]) for name in result["perspectives"]
    }
    assert per_perspective == expected["per_perspective"] == {"1": 4, "2": 5, "3": 5}
    drawn_by = {(c["from"], c["to"]): len(c["perspectives"]) for c in result["connections"]}
    assert drawn_by == expected["drawn_by"]
    for c in result["connections"]:
        assert c["agreement"] == pytest.approx(len(c["perspectives"]) / 3)
    # Harvest→Income: + by 1 and 3, − by 2: the one disagreement. Income→Debt (−, "postive", −) and
    # Prices→Income (+, "negtive") hold unknown signs, which disagree with nothing.
    disagreements = {(d["from"], d["to"]) for d in result["disagreements"]}
    assert disagreements == expected["disagreements"] == {("Harvest", "Income")}
    for (a, b), score in expected["jaccard"].items():
        assert result["alignment"][a][b] == pytest.approx(score, abs=1e-9)
        assert result["alignment"][b][a] == pytest.approx(score, abs=1e-9)


def test_columns_option_refuses_unknown_fields_and_missing_columns(tmp_path: Path):
    study = tmp_path / "study.csv"
    study.write_text(STUDY, encoding="utf-8")
    with pytest.raises(CommandError, match="Unknown field 'cuase'") as unknown:
        run("compare", str(study), "--columns", "cuase=cause,to=effect")
    assert unknown.value.returncode == 2
    with pytest.raises(CommandError, match="no column 'participant' \\(for perspective\\)") as missing:
        run("analyze", str(study), "--columns", "from=cause,to=effect,perspective=participant")
    assert missing.value.returncode == 2
    with pytest.raises(CommandError, match="not FIELD=COLUMN") as malformed:
        run("convert", str(study), str(tmp_path / "out.xlsx"), "--columns", "from")
    assert malformed.value.returncode == 2


def test_columns_option_on_analyze_and_convert(tmp_path: Path):
    source = tmp_path / "links.csv"
    source.write_text("A col,B col,how\nx,y,+\ny,z,-\n", encoding="utf-8")
    out, err = run("analyze", str(source), "--columns", "from=A col,to=B col,sign=how", "--json")
    assert len(json.loads(out)["elements"]) == 3
    output = tmp_path / "links.xlsx"
    run("convert", str(source), str(output), "--columns", "from=a_col,to=b_col,sign=how")
    gmap, problems = load(output)
    assert problems == []
    assert [(c.source, c.target, c.sign) for c in gmap.connections] == [("x", "y", "+"), ("y", "z", "-")]


# --- header synonyms -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "source,target,sign",
        "Source,Target,Polarity",
        "from,to,sign",
        "cause,effect,polarity",
        "Origin,Destination,SIGN",
        "FROM_LABEL,to label,Polarité",
    ],
)
def test_connection_header_synonyms(tmp_path: Path, header: str):
    path = tmp_path / "edges.csv"
    path.write_text(f"{header}\nA,B,+\nB,C,negative\n", encoding="utf-8")
    gmap, problems = load(path)
    assert problems == []
    assert [(c.source, c.target, c.sign) for c in gmap.connections] == [("A", "B", "+"), ("B", "C", "-")]
    out, err = run("analyze", str(path), "--json")  # the command line reads them too
    assert len(json.loads(out)["elements"]) == 3 and err == ""


@pytest.mark.parametrize("column", ["participant", "Respondent", "group", "perspective"])
def test_perspective_header_synonyms_make_a_perspectives_file(tmp_path: Path, column: str):
    path = tmp_path / "views.csv"
    path.write_text(f"source,target,polarity,{column}\nA,B,+,P1\nA,B,-,P2\n", encoding="utf-8")
    out, err = run("compare", str(path), "--json")
    result = json.loads(out)
    assert result["perspectives"] == ["P1", "P2"]
    assert [(d["from"], d["to"]) for d in result["disagreements"]] == [("A", "B")]


def test_an_elements_csv_with_id_and_name_is_an_elements_file():
    gmap, problems = load(b"id,name,sector\nc1,Coop Lavi,farming\nb1,Banque,finance\n", filename="nodes.csv")
    assert problems == [] and gmap.connections == []
    assert [(e.id, e.label, e.attributes) for e in gmap.elements] == [
        ("c1", "Coop Lavi", {"sector": "farming"}),
        ("b1", "Banque", {"sector": "finance"}),
    ]


def test_a_type_column_of_signs_is_read_as_the_sign_and_kept_as_the_type():
    data = b"From,To,Type\nA,B,++\nB,C,+-\nC,A,-\nA,C,positive\n"
    gmap, problems = load(data, filename="cld.csv")
    assert problems == []
    assert [(c.type, c.sign) for c in gmap.connections] == [
        ("++", "+"),
        ("+-", "-"),
        ("-", "-"),
        ("positive", "+"),
    ]
    # a type column of words stays a type, with no sign
    gmap, _ = load(b"From,To,Type\nA,B,trade\nB,C,+\n", filename="types.csv")
    assert [(c.type, c.sign) for c in gmap.connections] == [("trade", ""), ("+", "")]


def test_xlsx_sheets_in_their_own_words():
    import openpyxl

    workbook = openpyxl.Workbook()
    nodes = workbook.active
    nodes.title = "Nodes"
    for row in [["ID", "Name"], ["a", "Alpha"], ["b", "Beta"]]:
        nodes.append(row)
    edges = workbook.create_sheet("Edges")
    for edge in [["Source", "Target", "Polarity", "Weight"], ["a", "b", "-", 2], ["b", "a", "oops", 1]]:
        edges.append(edge)
    buffer = io.BytesIO()
    workbook.save(buffer)
    gmap, problems = load(buffer.getvalue(), filename="map.xlsx")
    assert [e.label for e in gmap.elements] == ["Alpha", "Beta"]
    assert [(c.source, c.target, c.sign, c.strength) for c in gmap.connections] == [
        ("a", "b", "-", 2.0),
        ("b", "a", "?", 1.0),
    ]
    assert [(p.row, p.column) for p in problems] == [(3, "Polarity")]


def test_repeated_column_names_are_numbered_never_a_crash():
    gmap, problems = load(b"from,to,notes,notes,Notes\nA,B,x,y,z\n", filename="e.csv")
    assert gmap.connections[0].attributes == {"notes": "x", "notes (2)": "y", "Notes (3)": "z"}
    assert [p.column for p in problems] == ["notes", "Notes"]
    assert all("appears twice" in p.message for p in problems)


def test_a_table_whose_headers_say_nothing_asks_for_columns():
    with pytest.raises(ColumnsNeeded, match="'a', 'b'"):
        load(b"a,b\n1,2\n", filename="x.csv")
    with pytest.raises(FormatError, match="Columns can be named only for tables"):
        load(b"<graphml/>", filename="x.graphml", columns={"from": "a"})


def test_header_key_ignores_case_accents_spaces_and_underscores():
    assert header_key("  Participant_ID ") == header_key("participant id") == "participant id"
    assert header_key("Polarité") == "polarite"
    match = match_headers(["Cause", "cause", "x"], {"from": ("from", "cause")})
    assert match.fields == {"from": 0}
    assert match.repeated == [(1, "cause", "cause (2)")]
    assert match.others == [(1, "cause (2)"), (2, "x")]
