"""`make bench`: every benchmark, one after the other, then one report.

    .venv/bin/python -m bench.run [--quick]

Runs, each as its own process (so one's memory and caches do not colour the next):

1. bench.pages       — page and API server time at scale L, on SQLite and on PostgreSQL
2. bench.map_analysis — map analysis at 10k/50k and 100k/500k beside networkx and the igraph floor
3. bench.map_render  — a 10,000-element map (and with XL a 100,000 one) drawn in headless Chromium
4. bench.engagement  — engagement scores and warnings for a whole scale-L programme, both databases
5. bench.imports     — 100,000 interaction rows (CSV, XLSX) and a 10,000-element Kumu JSON map
6. bench.phone       — the quick-log journey and the main pages' weight on an emulated 3G phone (demo
                       programme, gunicorn in production mode)

`--quick` runs scale S, only the 10,000-element maps and one phone journey (minutes, to check the
plumbing). The scale programmes are built once and kept in bench/out/ (SQLite files) and in the
PostgreSQL databases konbit_bench_<scale>. Each benchmark writes its Markdown to bench/out/; this script
joins them, with the machine, date and commit, into bench/results.md and prints it. A benchmark that
fails is reported as failed in the table and the others still run.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
RESULTS = Path(__file__).resolve().parent / "results.md"
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def _run(name: str, args: list[str]) -> tuple[str, float, bool]:
    print(f"\n=== {name}: {' '.join(args)}", flush=True)
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", *args], cwd=ROOT, check=False)  # noqa: S603
    return name, time.perf_counter() - started, result.returncode == 0


def _pg_database(name: str) -> str:
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=False, capture_output=True)
    return f"{POSTGRES}/{name}"


def _machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT, check=False
    ).stdout.strip()
    return (
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC · commit {commit or 'unknown'} · "
        f"{os.cpu_count()} cores ({model or 'unknown CPU'}) · Python {platform.python_version()}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="scale S, 10,000-element maps and one phone journey only"
    )
    args = parser.parse_args(argv)
    OUT.mkdir(exist_ok=True)
    scale = "S" if args.quick else "L"
    pg = _pg_database(f"konbit_bench_{scale.lower()}")
    runs = [
        _run("pages, SQLite", ["bench.pages", "--scale", scale]),
        _run("pages, PostgreSQL", ["bench.pages", "--scale", scale, "--database", pg]),
        _run("engagement, SQLite", ["bench.engagement", "--scale", scale]),
        _run("engagement, PostgreSQL", ["bench.engagement", "--scale", scale, "--database", pg]),
        _run("map analysis", ["bench.map_analysis", *(["--quick"] if args.quick else [])]),
        _run("map render", ["bench.map_render", *([] if args.quick else ["--xl"])]),
        _run(
            "imports", ["bench.imports", *(["--rows", "10000", "--elements", "2000"] if args.quick else [])]
        ),
        _run("phone", ["bench.phone", *(["--runs", "1"] if args.quick else [])]),
        _run("hostile uploads", ["bench.uploads"]),
    ]
    parts = [
        "# Konbit benchmarks",
        "",
        _machine(),
        "",
        "| benchmark | wall time | result |",
        "|---|---|---|",
        *[
            f"| {name} | {seconds / 60:.1f} min | {'ok' if ok else '**failed**'} |"
            for name, seconds, ok in runs
        ],
        "",
    ]
    engines = ["sqlite", "postgresql"]
    files = [
        *[OUT / f"pages-{scale}-{engine}.md" for engine in engines],
        *[OUT / f"engagement-{scale}-{engine}.md" for engine in engines],
        OUT / "map_analysis.md",
        OUT / "map_render.md",
        OUT / "imports.md",
        OUT / "uploads.md",
        OUT / "phone.md",
    ]
    for path in files:
        if path.exists():
            parts += [path.read_text().replace("\n# ", "\n## ").replace("# ", "## ", 1), ""]
    text = "\n".join(parts)
    RESULTS.write_text(text)
    print(text)
    return 0 if all(ok for _name, _seconds, ok in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
