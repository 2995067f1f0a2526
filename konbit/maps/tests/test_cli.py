"""`konbit map analyze|compare|convert`: works on files alone (no database: these tests have no `db`
fixture, so any query would fail), reports problems by row on stderr, exits 2 on unreadable files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from konbit.maps.formats import load

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[3].parent / "shared"
KUMU_BACKUP = SHARED / "fixtures" / "kumu-project-backup-sample.json"
REPO = Path(__file__).resolve().parents[3]
KONBIT = Path(sys.executable).parent / "konbit"


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("map", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def konbit(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DEBUG": "true"}
    return subprocess.run(  # noqa: S603 - our own console script with fixed arguments
        [str(KONBIT), "map", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
        check=False,
    )


# --- analyze -----------------------------------------------------------------------------------------


def test_analyze_json_prints_the_analysis_and_the_problems_go_to_stderr():
    out, err = run("analyze", str(FIXTURES / "blueprint.json"), "--json")

    result = json.loads(out)
    assert {"map", "elements"} <= result.keys()
    assert len(result["elements"]) == 5
    assert {"betweenness", "degree", "label"} <= result["elements"][0].keys()
    assert result["import_problems"][1]["row"] == 4
    assert "row 4, column to: connection skipped: no element has the id or label 'Nobody'" in err


def test_analyze_prints_a_table_of_the_most_central_elements():
    out, _ = run("analyze", str(FIXTURES / "gephi.graphml"))
    assert "Top 3 elements by betweenness" in out
    assert "Banque" in out and "betweenness" in out


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared (real data samples) is not present")
def test_analyze_the_real_kumu_backup():
    out, err = run("analyze", str(KUMU_BACKUP), "--json")
    result = json.loads(out)
    assert len(result["elements"]) == 51
    assert err == ""


# --- compare -----------------------------------------------------------------------------------------


def test_compare_messy_perspectives_csv_gives_json_and_row_messages():
    out, err = run("compare", str(FIXTURES / "messy_perspectives.csv"), "--json")

    result = json.loads(out)  # stdout is only JSON
    assert {"perspectives", "alignment"} <= result.keys()
    names = [p if isinstance(p, str) else p.get("name") for p in result["perspectives"]]
    assert sorted(names) == ["Buyers", "Farmers"]
    assert "row 3, column Sign: unknown sign 'plsu'" in err
    assert "row 6, column From: From is blank; row skipped" in err
    assert "row 7, column PERSPECTIVE:" in err
    assert "Traceback" not in err


def test_compare_prints_a_readable_summary():
    out, _ = run("compare", str(FIXTURES / "messy_perspectives.csv"))
    assert "Perspectives (2)" in out
    assert "Farmers" in out and "Buyers" in out


# --- convert -----------------------------------------------------------------------------------------


def test_convert_writes_the_format_of_the_output_extension(tmp_path):
    output = tmp_path / "map.gexf"
    out, _ = run("convert", str(FIXTURES / "blueprint.json"), str(output))
    assert "5 elements, 3 connections" in out
    gmap, problems = load(output)
    assert problems == [] and [e.label for e in gmap.elements][:2] == ["Coop Lavi", "Banque"]


def test_convert_needs_a_known_output_format(tmp_path):
    with pytest.raises(CommandError, match="--to"):
        run("convert", str(FIXTURES / "blueprint.json"), str(tmp_path / "map.pdf"))


# --- unreadable files --------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["analyze", "compare"])
def test_unreadable_files_exit_with_code_2(action, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"from,to,sign,perspective\n\xff\xfe,B,+,P\n")
    cases = {
        str(tmp_path / "missing.json"): "Cannot read the file",
        str(bad): "not valid UTF-8",
        str(FIXTURES / "xxe.graphml"): "DTD or entities",
    }
    for path, message in cases.items():
        with pytest.raises(CommandError, match=message) as caught:
            run(action, path)
        assert caught.value.returncode == 2


def test_console_script_exits_2_without_a_traceback(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"elements": [{"label": "\xe9"}]}')
    result = konbit("analyze", str(bad), "--json")
    assert result.returncode == 2
    assert "not valid UTF-8" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_console_script_compare_json_on_messy_csv():
    result = konbit("compare", str(FIXTURES / "messy_perspectives.csv"), "--json")
    assert result.returncode == 0, result.stderr
    json.loads(result.stdout)
    assert "row 3, column Sign:" in result.stderr
    assert "Traceback" not in result.stderr


def test_console_script_analyze_json():
    result = konbit("analyze", str(FIXTURES / "small.gexf"), "--json")
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["elements"]) == 3


def test_the_map_command_runs_with_no_configuration_at_all(tmp_path: Path) -> None:
    """An analyst with a Kumu export runs it with no SECRET_KEY, no DEBUG and no database."""
    import os
    import subprocess
    import sys

    konbit = Path(sys.executable).parent / "konbit"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    env["KONBIT_VAR_DIR"] = str(tmp_path)
    result = subprocess.run(  # noqa: S603 - our own console script
        [str(konbit), "map", "analyze", str(FIXTURES / "blueprint.json"), "--json"],
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert json.loads(result.stdout)["map"]["elements"] > 0
