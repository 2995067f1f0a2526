"""`konbit map …`: work on a map file from the command line, without a database or a server.

    konbit map analyze FILE [--format F] [--json] [--top N]   network figures and the most central elements
    konbit map compare FILE [--format F] [--json]             how far the perspectives in a file agree
    konbit map convert FILE OUTPUT [--format F] [--to F]      rewrite a map file in another format

Problems found in the file are printed to stderr as "row N, column C: message" (stdout stays clean, so
`--json` output can be piped). Exit codes: 0 done, 2 the file cannot be read, 1 any other failure.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from konbit.maps.formats import FORMATS, FormatError, Problem, dump, load
from konbit.maps.graph import GMap

UNREADABLE = 2  # exit code for a file that cannot be read (argparse uses 2 for bad usage too)

_OUTPUT_FORMATS = {
    ".json": "konbit",
    ".xlsx": "xlsx",
    ".zip": "kumu-csv",
    ".graphml": "graphml",
    ".gexf": "gexf",
    ".csv": "perspectives-csv",
}


class Command(BaseCommand):
    help = "Analyse a map file, compare the perspectives in it, or convert it (no database needed)."
    requires_system_checks: list[str] = []  # reads files only; must run where no database is set up

    def add_arguments(self, parser: Any) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{analyze,compare,convert}")
        formats = "json, xlsx, csv, kumu-json, kumu-backup, kumu-csv, graphml, gexf, perspectives-csv"

        analyze = actions.add_parser(
            "analyze", help="Network figures and the most central elements of a map file."
        )
        analyze.add_argument("file", help="a map file (Kumu JSON or backup, XLSX, CSV, GraphML, GEXF)")
        analyze.add_argument(
            "--format", help=f"the file's format when its extension does not say ({formats})"
        )
        analyze.add_argument("--json", action="store_true", help="print the full analysis as JSON")
        analyze.add_argument("--top", type=int, default=20, help="elements listed in the table (default 20)")

        compare = actions.add_parser("compare", help="How far the perspectives in a file agree.")
        compare.add_argument("file", help="a perspectives CSV (from, to, sign, perspective) or any map file")
        compare.add_argument(
            "--format", help=f"the file's format when its extension does not say ({formats})"
        )
        compare.add_argument("--json", action="store_true", help="print the full comparison as JSON")

        convert = actions.add_parser("convert", help="Rewrite a map file in another format.")
        convert.add_argument("file", help="the map file to read")
        convert.add_argument("output", help="the file to write")
        convert.add_argument(
            "--format", help=f"the input's format when its extension does not say ({formats})"
        )
        convert.add_argument(
            "--to", help=f"the output format ({', '.join(FORMATS)}); by default from the output's extension"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        handlers: dict[str, Callable[[GMap, dict[str, Any]], None]] = {
            "analyze": self._analyze,
            "compare": self._compare,
            "convert": self._convert,
        }
        gmap = self._load(options["file"], options.get("format"))
        handlers[options["action"]](gmap, options)

    # --- the actions ---------------------------------------------------------------------------

    def _load(self, path: str, format: str | None) -> GMap:
        try:
            gmap, problems = load(Path(path), format=format or None)
        except FormatError as exc:
            raise CommandError(f"{path}: {exc}", returncode=UNREADABLE) from None
        self._problems = problems
        for problem in problems:
            self.stderr.write(str(problem))
        if problems:
            self.stderr.write(f"{path}: {len(problems)} problem(s); the rest of the file was read.")
        return gmap

    def _analyze(self, gmap: GMap, options: dict[str, Any]) -> None:
        try:
            from konbit.maps.analysis import analyze
        except ImportError as exc:
            raise CommandError(f"The map analysis is not available ({exc}).") from None
        result = analyze(gmap)
        if options["json"]:
            self._print_json(result)
            return
        self._print_analysis(gmap, result, options["file"], max(options["top"], 0))
        self._print_loops(gmap, result.get("loops") or {}, max(options["top"], 0))

    def _compare(self, gmap: GMap, options: dict[str, Any]) -> None:
        try:
            from konbit.maps.analysis import compare
        except ImportError as exc:
            raise CommandError(f"The perspective comparison is not available ({exc}).") from None
        if not any(c.perspective for c in gmap.connections):
            self.stderr.write(
                f"{options['file']}: no connection names a perspective; there is nothing to compare."
            )
        result = compare(gmap.connections)
        if options["json"]:
            self._print_json(result)
            return
        self._print_comparison(gmap, result)

    def _convert(self, gmap: GMap, options: dict[str, Any]) -> None:
        output = Path(options["output"])
        target = options.get("to") or _OUTPUT_FORMATS.get(output.suffix.casefold())
        if not target:
            raise CommandError(f"Say which format to write with --to ({', '.join(FORMATS)}).")
        try:
            data = dump(gmap, target)
        except FormatError as exc:
            raise CommandError(str(exc)) from None
        try:
            output.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror or exc}.") from None
        self.stdout.write(
            f"Wrote {output} ({target}): {len(gmap.elements)} elements, {len(gmap.connections)} connections."
        )

    # --- output --------------------------------------------------------------------------------

    def _print_json(self, result: Any) -> None:
        document = _jsonable(result)
        if isinstance(document, dict) and "import_problems" not in document:
            document["import_problems"] = [p.as_dict() for p in self._problems]
        self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False))

    def _print_analysis(self, gmap: GMap, result: dict[str, Any], path: str, top: int) -> None:
        figures = result.get("map", {}) if isinstance(result, dict) else {}
        self.stdout.write(self.style.MIGRATE_HEADING(f"Map: {gmap.name or Path(path).name}"))
        for key, value in figures.items():
            if _is_scalar(value):
                self.stdout.write(f"  {key:<24} {_fmt(value)}")
        elements = [e for e in result.get("elements", []) if isinstance(e, dict)]
        if not elements or not top:
            return
        ranked = sorted(elements, key=lambda e: _number(e.get("betweenness")), reverse=True)[:top]
        labels = {e.id: e.label for e in gmap.elements}
        columns = ["degree", "in_degree", "out_degree", "betweenness", "closeness", "pagerank", "community"]
        titles = ["degree", "in", "out", "betweenness", "closeness", "pagerank", "community"]
        width = min(max([len("element")] + [len(_label(e, labels)) for e in ranked]), 40)
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(f"Top {len(ranked)} elements by betweenness"))
        self.stdout.write(f"  {'#':>3}  {'element':<{width}}  " + "  ".join(f"{t:>11}" for t in titles))
        for rank, element in enumerate(ranked, start=1):
            cells = "  ".join(f"{_fmt(element.get(c, '')):>11}" for c in columns)
            self.stdout.write(f"  {rank:>3}  {_label(element, labels)[:width]:<{width}}  {cells}")

    def _print_loops(self, gmap: GMap, loops: dict[str, Any], top: int) -> None:
        """The feedback loops: how many of each polarity, the bounds of the search in plain words, and
        the first ``top`` loops."""
        counts = loops.get("counts") or {}
        count = loops.get("count", 0)
        self.stdout.write("")
        at_least = "at least " if loops.get("stopped_by") else ""
        self.stdout.write(
            self.style.MIGRATE_HEADING(
                f"Feedback loops: {at_least}{count} ({counts.get('reinforcing', 0)} reinforcing, "
                f"{counts.get('balancing', 0)} balancing, {counts.get('unknown', 0)} unknown)"
            )
        )
        for line in loop_bounds_text(loops):
            self.stdout.write(f"  {line}")
        labels = {e.id: e.label for e in gmap.elements}
        items = loops.get("items") or []
        for item in items[:top]:
            path = " → ".join(labels.get(i, i) for i in item.get("elements", []))
            self.stdout.write(f"  {item.get('sign', ''):<11}  {path}")
        if len(items) > top:
            self.stdout.write(f"  … and {len(items) - top} more listed (use --json for all, or --top N)")

    def _print_comparison(self, gmap: GMap, result: Any) -> None:
        if not isinstance(result, dict):
            self.stdout.write(str(result))
            return
        labels = {e.id: e.label for e in gmap.elements}
        perspectives = result.get("perspectives", [])
        if isinstance(perspectives, list):
            names = [str(p.get("name", p)) if isinstance(p, dict) else str(p) for p in perspectives]
            self.stdout.write(self.style.MIGRATE_HEADING(f"Perspectives ({len(names)}): {', '.join(names)}"))
        for key, value in result.items():
            if key == "perspectives":
                continue
            if _is_scalar(value):
                self.stdout.write(f"{key}: {_fmt(value)}")
            elif key == "alignment" and isinstance(value, dict):
                self.stdout.write(self.style.MIGRATE_HEADING("Alignment between perspectives"))
                for a, row in value.items():
                    if isinstance(row, dict):
                        for b, score in row.items():
                            if str(a) < str(b):
                                self.stdout.write(f"  {a} ~ {b}: {_fmt(score)}")
                    else:
                        self.stdout.write(f"  {a}: {_fmt(row)}")
            elif isinstance(value, list):
                self.stdout.write(self.style.MIGRATE_HEADING(f"{key}: {len(value)}"))
                for item in value[:10]:
                    self.stdout.write(f"  {_describe(item, labels)}")
                if len(value) > 10:
                    self.stdout.write(f"  … and {len(value) - 10} more (use --json for all)")
            elif isinstance(value, dict):
                self.stdout.write(self.style.MIGRATE_HEADING(key))
                for sub_key, sub_value in list(value.items())[:20]:
                    self.stdout.write(f"  {sub_key}: {_describe(sub_value, labels)}")


# --- formatting helpers ----------------------------------------------------------------------------


def loop_bounds_text(loops: dict[str, Any]) -> list[str]:
    """The bounds of a loop search (analysis.loops.find_loops), in plain words."""
    lines = [
        f"Loops of up to {loops.get('max_length', '?')} elements are searched; longer loops are not listed."
    ]
    if loops.get("counts", {}).get("unknown"):
        lines.append("A loop is unknown when a connection on it has no sign or an unknown sign (?).")
    if loops.get("stopped_by") == "time":
        lines.append(
            f"The search stopped after {_fmt(loops.get('time_budget'))} s on this dense map: the count is "
            "a lower bound and longer loops may be missing."
        )
    elif loops.get("stopped_by") == "count":
        lines.append(
            f"The search stopped after counting {loops.get('max_counted')} loops: there are more, and "
            "longer loops may be missing."
        )
    if loops.get("listed", 0) < loops.get("count", 0):
        lines.append(f"Only the {loops.get('listed')} shortest loops are listed; the others are counted.")
    return lines


def _jsonable(value: Any) -> Any:
    """Something json.dumps writes as valid JSON: NaN and infinities become null, tuples and sets lists."""
    if isinstance(value, Problem):
        return value.as_dict()
    if is_dataclass(value) and not isinstance(value, type):
        return _jsonable(asdict(value))
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if hasattr(value, "item"):  # numpy scalars
        return _jsonable(value.item())
    if hasattr(value, "tolist"):  # numpy arrays
        return _jsonable(value.tolist())
    return str(value)


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else -math.inf


def _fmt(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "-" if value is None else str(value).lower()
    if isinstance(value, float):
        return f"{value:.4g}" if math.isfinite(value) else "-"
    return str(value)


def _label(element: dict[str, Any], labels: dict[str, str]) -> str:
    return str(element.get("label") or labels.get(str(element.get("id")), element.get("id", "")))


def _describe(item: Any, labels: dict[str, str]) -> str:
    """One line for an item of the comparison (a connection seen differently, a pair…)."""
    if not isinstance(item, dict):
        return _fmt(item) if _is_scalar(item) else json.dumps(_jsonable(item), ensure_ascii=False)
    source = item.get("source", item.get("from"))
    target = item.get("target", item.get("to"))
    rest = {k: v for k, v in item.items() if k not in ("source", "target", "from", "to")}
    details = json.dumps(_jsonable(rest), ensure_ascii=False)
    if source is not None and target is not None:
        return f"{labels.get(str(source), source)} → {labels.get(str(target), target)}  {details}"
    return details
