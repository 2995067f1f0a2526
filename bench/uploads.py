"""Hostile uploads: for each upload endpoint and each hostile file, how long the refusal takes and how
much memory it needs on top of the file itself (target: < 2 s and < 100 MB extra).

Each endpoint is measured through the function its view hands the uploaded bytes to (the partner and
indicator imports: `readers.read_upload` / `spreadsheets.read_table`; the map import, perspectives
CSV included: `maps.formats.load`; evidence: `uploads.check_stored_file`), in-process, with the
hostile files of tests/hostile.py. Peak memory is tracemalloc's peak during the call (Python
allocations, which include zlib's output buffers and openpyxl's strings). Writes bench/out/uploads.md.

    .venv/bin/python -m bench.uploads
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from collections.abc import Callable

from bench.pages import OUT, _setup
from bench.run import _machine

TARGET_SECONDS = 2.0
TARGET_MB = 100.0


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__).parse_args(argv)
    _setup("sqlite:///:memory:")

    from konbit.core import uploads
    from konbit.core.tabular import readers
    from konbit.indicators import spreadsheets
    from konbit.maps.formats import FormatError, load
    from tests import hostile

    def partner(name: str, data: bytes) -> None:
        readers.read_upload(name=name, data=data)

    def indicator(name: str, data: bytes) -> None:
        spreadsheets.read_table(kind="measurements", name=name, data=data)

    def map_import(name: str, data: bytes) -> None:
        load(data, filename=name)

    def evidence(name: str, data: bytes) -> None:
        uploads.check_stored_file(name=name, data=data, limits=uploads.EVIDENCE)

    spreadsheet_files = {
        "shared-strings bomb (3 M `<si>`)": ("bomb.xlsx", hostile.shared_strings_bomb()),
        "shared-strings flood (600 k distinct)": ("flood.xlsx", hostile.shared_strings_flood()),
        "zip bomb (100 MB sheet)": ("zip.xlsx", hostile.zip_bomb()),
        "billion laughs": ("laughs.xlsx", hostile.xlsx_with_doctype(hostile.LAUGHS)),
        "XXE": ("xxe.xlsx", hostile.xlsx_with_doctype(hostile.XXE)),
        "over-size (10 MB + 1)": ("big.csv", b"name\n" + b"x" * readers.MAX_BYTES),
        "wrong type (ELF as .xlsx)": ("program.xlsx", hostile.ELF),
    }
    map_files = {
        **{k: v for k, v in spreadsheet_files.items() if "over-size" not in k and "billion" not in k},
        "billion laughs (GraphML)": ("laughs.graphml", hostile.graphml_with_doctype(hostile.LAUGHS, "i")),
        "XXE (GEXF)": ("xxe.gexf", hostile.graphml_with_doctype(hostile.XXE, "leak")),
        "element flood (4 M `<a/>`)": ("flood.graphml", b"<graphml>" + b"<a/>" * 4_000_000 + b"</graphml>"),
        "JSON nesting (100 k `[`)": ("deep.json", b"[" * 100_000),
        "over-size (50 MB + 1)": ("big.graphml", b"<" + b"x" * (50 * 1024 * 1024)),
        "wrong type (ELF as perspectives CSV)": ("views.perspectives.csv", hostile.ELF),
    }
    evidence_files = {
        **{k: v for k, v in spreadsheet_files.items() if "billion" not in k and "XXE" not in k},
        "billion laughs (.docx)": ("laughs.docx", hostile.docx_with_doctype(hostile.LAUGHS)),
        "XXE (.docx)": ("xxe.docx", hostile.docx_with_doctype(hostile.XXE)),
        "wrong type (ELF as .pdf)": ("report.pdf", hostile.ELF),
    }
    endpoints: list[tuple[str, Callable[[str, bytes], None], dict[str, tuple[str, bytes]]]] = [
        ("partner import (all three kinds)", partner, spreadsheet_files),
        ("indicator import", indicator, spreadsheet_files),
        ("map import (incl. perspectives CSV)", map_import, map_files),
        ("evidence file", evidence, evidence_files),
    ]
    lines = [
        "# Hostile uploads",
        "",
        _machine(),
        "",
        f"Target: every hostile file refused in < {TARGET_SECONDS:g} s with < {TARGET_MB:g} MB extra memory.",
        "",
        "| endpoint | hostile file | size | refused | seconds | peak extra MB | message |",
        "|---|---|---:|---|---:|---:|---|",
    ]
    worst_seconds = worst_mb = 0.0
    missed = 0
    for endpoint, call, files in endpoints:
        for label, (name, data) in files.items():
            tracemalloc.start()
            started = time.perf_counter()
            message = ""
            try:
                call(name, data)
            except (readers.ReadError, uploads.UnsafeUpload, FormatError) as exc:
                message = getattr(exc, "message", str(exc))
            seconds = time.perf_counter() - started
            peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
            tracemalloc.stop()
            worst_seconds, worst_mb = max(worst_seconds, seconds), max(worst_mb, peak)
            ok = bool(message) and seconds < TARGET_SECONDS and peak < TARGET_MB
            missed += not ok
            size = (
                f"{len(data) / 1024:,.0f} KB"
                if len(data) < 1024 * 1024
                else f"{len(data) / 1024 / 1024:.1f} MB"
            )
            short = (message[:70] + "…") if len(message) > 70 else message
            lines.append(
                f"| {endpoint} | {label} | {size} | {'yes' if message else '**NO**'} | {seconds:.3f} | "
                f"{peak:.1f} | {short} |"
            )
            print(lines[-1], flush=True)
    lines += [
        "",
        f"Worst: {worst_seconds:.3f} s, {worst_mb:.1f} MB extra; "
        f"{'all within target' if not missed else f'{missed} MISSED the target'}.",
        "",
    ]
    OUT.mkdir(exist_ok=True)
    (OUT / "uploads.md").write_text("\n".join(lines))
    return 0 if not missed else 1


if __name__ == "__main__":
    raise SystemExit(main())
