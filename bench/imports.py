"""Imports at volume: 100,000 interaction rows (CSV and XLSX) and a 10,000-element Kumu JSON map.

    .venv/bin/python -m bench.imports [--rows 100000] [--elements 10000]

Each import runs in its own process against a fresh copy of the scale-S SQLite database (built once by
bench.pages into bench/out/), through the same code as the web import: `readers.read_upload` (the file
as uploaded), `importers.validate` (every row checked) and `io.services.data_import_commit` (all or
nothing); the map through `maps.formats.load` and `maps.services.map_import`. Reported: seconds for
reading + checking + writing, rows per second, and the process's peak memory (max RSS). Targets: 100,000
interactions ≤ 60 s, peak memory ≤ 1 GB. Writes bench/out/imports.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.pages import OUT, _commit, _ensure_programme, _setup

TARGET_SECONDS = 60.0
TARGET_MB = 1024.0
KINDS = ("call", "visit", "conversation", "round_table", "workshop")


def _rows(names: list[str], count: int) -> list[list[str]]:
    start = datetime.date(2024, 1, 1)
    rows = [["date", "kind", "organisations", "title", "sentiment"]]
    for i in range(count):
        day = start + datetime.timedelta(days=i % 1000)
        partners = names[i % len(names)] + (f"; {names[(i * 7) % len(names)]}" if i % 5 == 0 else "")
        rows.append([day.isoformat(), KINDS[i % len(KINDS)], partners, f"Imported {i}", str(i % 5 - 2)])
    return rows


def _file(kind: str, rows: list[list[str]]) -> bytes:
    if kind == "csv":
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        return out.getvalue().encode()
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def one(kind: str, database: Path, count: int) -> dict[str, float]:
    """Runs one import in this process; returns its figures."""
    _setup(f"sqlite:///{database}")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # the kept scale-S copy may predate the code's last migration
    from konbit.core.access import Access
    from konbit.core.models import Membership, Program

    program = Program.objects.get(slug="scale-s")
    membership = Membership.objects.select_related("user").get(program=program, role="owner")
    access = Access(program=program, membership=membership)
    if kind == "kumu":
        from konbit.maps import formats, services
        from konbit.maps.synthetic import power_law_map

        data = formats.dump(power_law_map(count, count * 5, seed=3), "kumu-json")
        started = time.perf_counter()
        gmap, _problems = formats.load(data, "kumu-json")
        services.map_import(access=access, by=membership.user, gmap=gmap, name="Imported")
        rows = len(gmap.elements) + len(gmap.connections)
    else:
        from konbit.core.tabular import readers
        from konbit.partners.io.services import data_import_commit
        from konbit.partners.models import Partnership

        names = list(
            Partnership.objects.filter(program=program).values_list("organization__name", flat=True)[:200]
        )
        data = _file(kind, _rows(names, count))
        started = time.perf_counter()
        table = readers.read_upload(name=f"interactions.{kind}", data=data)
        plan = data_import_commit(access=access, by=membership.user, kind="interactions", table=table)
        if plan.errors:
            raise SystemExit(f"the generated file has errors: {plan.errors[:3]}")
        rows = len(plan.new_rows)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "rows": rows, "peak_mb": peak_mb, "bytes": len(data)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--elements", type=int, default=10_000)
    parser.add_argument("--one", choices=["csv", "xlsx", "kumu"], help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        count = args.elements if args.one == "kumu" else args.rows
        print(json.dumps(one(args.one, Path(args.database), count)))
        return 0
    OUT.mkdir(exist_ok=True)
    source = OUT / "scale-S.sqlite3"
    if not source.exists():
        _setup(f"sqlite:///{source}")
        _ensure_programme("S")
    results = {}
    for kind in ("csv", "xlsx", "kumu"):
        with tempfile.TemporaryDirectory() as folder:
            copy = Path(folder) / "import.sqlite3"
            shutil.copy(source, copy)
            done = subprocess.run(  # noqa: S603 (this script, fixed arguments)
                [
                    sys.executable,
                    "-m",
                    "bench.imports",
                    "--one",
                    kind,
                    "--database",
                    str(copy),
                    "--rows",
                    str(args.rows),
                    "--elements",
                    str(args.elements),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            results[kind] = json.loads(done.stdout.strip().splitlines()[-1])
            print(kind, results[kind], flush=True)
    names = {
        "csv": f"{args.rows:,} interactions, CSV",
        "xlsx": f"{args.rows:,} interactions, XLSX",
        "kumu": f"Kumu JSON map, {args.elements:,} elements / {args.elements * 5:,} connections",
    }
    lines = [
        "# Imports (SQLite, through the web import's code)",
        "",
        f"commit {_commit()} · read + check every row + write, one process each, peak memory = max RSS",
        "",
        "| import | file | seconds | rows per second | peak memory | ≤ 60 s | ≤ 1 GB |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind, r in results.items():
        time_ok = "—" if kind == "kumu" else ("yes" if r["seconds"] <= TARGET_SECONDS else "**no**")
        memory_ok = "yes" if r["peak_mb"] <= TARGET_MB else "**no**"
        rate = r["rows"] / r["seconds"]
        lines.append(
            f"| {names[kind]} | {r['bytes'] / 1e6:.1f} MB | {r['seconds']:.1f} | {rate:,.0f} "
            f"| {r['peak_mb']:.0f} MB | {time_ok} | {memory_ok} |"
        )
    text = "\n".join(lines) + "\n"
    (OUT / "imports.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
