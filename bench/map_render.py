"""How long until a large map is on screen in the browser, and how much the page ships.

    .venv/bin/python -m bench.map_render [--xl] [--runs 3]

Starts Konbit (`konbit runserver --noreload`, DEBUG=true) on a free loopback port against a new SQLite
database in a temporary folder, migrates it, creates a user, a programme and a map of 10,000 elements /
50,000 connections (with --xl also 100,000 / 500,000) through konbit.maps.services.map_import, with
positions already set so the page draws at once (no layout). Then headless Chromium (Debian's, driven by
Playwright) signs in and opens the map page, in a fresh browser context each run (empty cache), and
measures:

- navigation → first frame: from navigation start to the moment `#mapview[data-first-render-ms]`
  appears, in the page's own clock (a MutationObserver installed before the page loads);
- the page's own figure, `data-first-render-ms` (its script start → the frame after Sigma drew);
- the same wait from Playwright's side (goto() called → the attribute seen), which adds the
  round trips between Python and the browser;
- the HTML page and data.json: bytes as sent (and gzipped, for a slow link), and data.json's request
  time in the browser's resource timing.

Every wait is bounded, and the server is always stopped (also on Ctrl-C or an error). The temporary
folder is removed. Writes bench/out/map_render.md and prints the same Markdown.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from konbit.maps.synthetic import power_law_map

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
BIN = Path(sys.executable).parent
CHROMIUM = os.environ.get("KONBIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
EMAIL = "bench@example.org"
PASSWORD = "correct horse battery staple"  # noqa: S105 (a throwaway user in a throwaway database)
SLUG = "bench"
SEED = 1
TARGET_FIRST_RENDER_S = 3.0  # 10,000-element map, from the issue
SERVER_START_TIMEOUT = 60.0
SIZES = [(10_000, 50_000), (100_000, 500_000)]
# How long one page may take to draw before the run is given up, by map size.
RENDER_TIMEOUT_S = {10_000: 120.0, 100_000: 600.0}

# Before any page script: note when the map view marks its first frame, in the page's clock
# (performance.now() counts from navigation start).
OBSERVER = """
(() => {
  const seen = () => {
    const el = document.getElementById("mapview");
    if (el && el.hasAttribute("data-first-render-ms") && window.__firstFrameAt === undefined) {
      window.__firstFrameAt = performance.now();
      // The mark is set in an animation-frame callback, before that frame is drawn; the next
      // callback runs once the frame is done and the main thread is free again.
      requestAnimationFrame(() => {
        window.__frameDoneAt = performance.now();
      });
    }
  };
  new MutationObserver(seen).observe(document, {
    subtree: true, attributes: true, attributeFilter: ["data-first-render-ms"],
  });
})();
"""


@dataclass
class Run:
    navigation_to_frame_ms: float  # the page's mark appears
    navigation_to_frame_done_ms: float  # the next animation frame: the first one is drawn
    page_first_render_ms: float
    playwright_ms: float
    html_ms: float  # navigation start → HTML response end
    data_ms: float  # data.json request start → response end (resource timing)
    html_bytes: int
    data_bytes: int
    status: str


@dataclass
class SizeResult:
    n: int
    m: int
    setup: dict[str, float] = field(default_factory=dict)
    runs: list[Run] = field(default_factory=list)
    data_fetched_bytes: int = 0  # data.json fetched once more, outside the browser
    data_gzip_bytes: int = 0
    html_gzip_bytes: int = 0
    html_has_map_data: bool = False
    error: str = ""


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def django_env(folder: Path) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
        "KONBIT_VAR_DIR": str(folder / "var"),
        "LOG_LEVEL": "WARNING",
    }


Size = tuple[int, int]


def prepare_database(folder: Path, sizes: list[Size]) -> tuple[dict[Size, int], dict[Size, dict[str, float]]]:
    """Migrate a new database and import the maps (in this process, before any browser starts, since the
    ORM must not run inside Playwright's event loop). Returns the map ids and setup timings."""
    os.environ.update(django_env(folder))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from konbit.core import services as core_services
    from konbit.core.access import Access
    from konbit.core.models import Membership
    from konbit.maps import services as map_services

    timings: dict[Size, dict[str, float]] = {}
    start = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrate_seconds = time.perf_counter() - start
    user = core_services.user_create(email=EMAIL, password=PASSWORD)
    program = core_services.program_create(owner=user, name="Bench programme", slug=SLUG)
    access = Access(program=program, membership=Membership.objects.get(program=program, user=user))
    ids: dict[Size, int] = {}
    for n, m in sizes:
        start = time.perf_counter()
        gmap = power_law_map(n, m, SEED, positions=True)
        generated = time.perf_counter() - start
        start = time.perf_counter()
        imported = map_services.map_import(access=access, by=user, gmap=gmap, name=f"Bench {n:,} / {m:,}")
        ids[(n, m)] = imported.pk
        timings[(n, m)] = {
            "migrate": migrate_seconds,
            "generate": generated,
            "map_import": time.perf_counter() - start,
        }
        log(f"{n:,} / {m:,}: imported in {timings[(n, m)]['map_import']:.1f} s")
    connections.close_all()
    return ids, timings


@contextmanager
def server(
    folder: Path, port: int, *, env: dict[str, str] | None = None, command: list[str] | None = None
) -> Iterator[str]:
    """`konbit runserver` on 127.0.0.1:port until the block ends (stopped whatever happens).

    `env` replaces django_env(folder) and `command` the runserver command (bench.phone runs gunicorn in
    production mode); the command must serve on 127.0.0.1:port."""
    env = {**os.environ, **(env if env is not None else django_env(folder))}
    log_file = (folder / "server.log").open("wb")
    process = subprocess.Popen(
        command or [str(BIN / "konbit"), "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server stopped at start: see {folder / 'server.log'}")
            try:
                with urllib.request.urlopen(f"{base}/accounts/login/", timeout=5):  # noqa: S310 (loopback)
                    break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    raise TimeoutError("the server did not answer within 60 s") from None
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log_file.close()


def sign_in(browser: Any, base: str) -> Any:
    """Sign in once; returns the session (cookies) for the fresh contexts of each run."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/p/{SLUG}/**", timeout=30_000)
    state = context.storage_state()
    context.close()
    return state


def wait_for_frame_done(page: Any, deadline: float) -> None:
    """Polls from Python: Playwright's wait_for_function evaluates a string, which the page's CSP
    (no 'unsafe-eval') refuses once it has to poll."""
    while page.evaluate("() => window.__frameDoneAt") is None:
        if time.monotonic() > deadline:
            raise TimeoutError("the first frame was marked but never finished drawing")
        page.wait_for_timeout(20)


def fetch(url: str, state: Any, timeout_s: float) -> bytes:
    """One authenticated GET outside the browser (the browser's copy of a large body is not kept)."""
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in state.get("cookies", []))
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310 (loopback)
    with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310 (loopback)
        body: bytes = response.read()
        return body


def open_map(browser: Any, state: Any, url: str, timeout_s: float) -> tuple[Run, bytes]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, storage_state=state)
    try:
        context.add_init_script(OBSERVER)
        page = context.new_page()
        start = time.perf_counter()
        response = page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
        page.wait_for_selector("#mapview[data-first-render-ms]", state="attached", timeout=timeout_s * 1000)
        playwright_ms = (time.perf_counter() - start) * 1000
        wait_for_frame_done(page, time.monotonic() + timeout_s)
        html = response.body() if response else b""
        timing = page.evaluate(
            """() => {
              const nav = performance.getEntriesByType("navigation")[0];
              const data = performance.getEntriesByType("resource")
                .find((e) => e.name.includes("/data.json"));
              return {
                frame: window.__firstFrameAt,
                own: Number(document.getElementById("mapview").dataset.firstRenderMs),
                html: nav ? nav.responseEnd : null,
                data: data ? data.responseEnd - data.requestStart : null,
                dataBytes: data ? data.decodedBodySize : 0,
                status: document.getElementById("map-status").textContent,
                done: window.__frameDoneAt,
              };
            }"""
        )
        run = Run(
            navigation_to_frame_ms=float(timing["frame"] if timing["frame"] is not None else "nan"),
            navigation_to_frame_done_ms=float(timing["done"] if timing["done"] is not None else "nan"),
            page_first_render_ms=float(timing["own"]),
            playwright_ms=playwright_ms,
            html_ms=float(timing["html"] if timing["html"] is not None else "nan"),
            data_ms=float(timing["data"] if timing["data"] is not None else "nan"),
            html_bytes=len(html),
            data_bytes=int(timing["dataBytes"] or 0),
            status=str(timing["status"]),
        )
        return run, html
    finally:
        context.close()


def measure(sizes: list[tuple[int, int]], runs: int) -> tuple[list[SizeResult], float]:
    folder = Path(tempfile.mkdtemp(prefix="konbit-bench-render-"))
    results = [SizeResult(n, m) for n, m in sizes]
    started = time.perf_counter()
    try:
        ids, timings = prepare_database(folder, sizes)
        for result in results:
            result.setup = timings[(result.n, result.m)]
        port = free_port()
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # nothing touches the ORM from here on
        from playwright.sync_api import sync_playwright

        with server(folder, port) as base, sync_playwright() as p:
            log(f"server on {base}")
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                state = sign_in(browser, base)
                for result in results:
                    url = f"{base}/p/{SLUG}/maps/{ids[(result.n, result.m)]}/"
                    timeout = RENDER_TIMEOUT_S.get(result.n, 600.0)
                    try:
                        for i in range(runs):
                            run, html = open_map(browser, state, url, timeout)
                            result.runs.append(run)
                            log(
                                f"{result.n:,}: run {i + 1}/{runs}: first frame "
                                f"{run.navigation_to_frame_ms:.0f} ms after navigation, drawn at "
                                f"{run.navigation_to_frame_done_ms:.0f} ms ({run.status})"
                            )
                        data = fetch(f"{url}data.json", state, timeout)
                        result.data_fetched_bytes = len(data)
                        result.data_gzip_bytes = len(gzip.compress(data, 6))
                        result.html_gzip_bytes = len(gzip.compress(html, 6))
                        # The page must not carry the map itself: no element label, no connection.
                        result.html_has_map_data = b"Actor 1234" in html or b"c000123" in html
                    except Exception as exc:  # a timeout at one size still reports the others
                        result.error = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
                        log(f"{result.n:,}: {result.error}")
            finally:
                browser.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return results, time.perf_counter() - started


# --- report -----------------------------------------------------------------------------------------


def machine() -> list[str]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    try:
        chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        chromium = CHROMIUM
    now = datetime.datetime.now(tz=datetime.UTC)
    return [
        f"- Machine: nproc {len(os.sched_getaffinity(0))}, {model or 'unknown CPU'}",
        f"- Date: {now:%Y-%m-%d %H:%M} UTC; commit {commit or 'unknown'}",
        f"- {chromium.strip()} headless, {' '.join(CHROMIUM_ARGS)}; Python {platform.python_version()}; "
        "server: `konbit runserver --noreload` (DEBUG=true), SQLite",
    ]


def row(name: str, values: list[float], unit: str = "ms") -> str:
    values = [v for v in values if v == v]  # NaN: not measured
    if not values:
        return f"| {name} | — | — | — |"
    return (
        f"| {name} | {statistics.median(values):,.0f} {unit} | {min(values):,.0f} {unit} "
        f"| {max(values):,.0f} {unit} |"
    )


def kib(count: int) -> str:
    return f"{count:,} B ({count / 1024:,.0f} KiB)"


def report(results: list[SizeResult], seconds: float) -> str:
    lines = ["# Map render benchmark", "", *machine(), f"- Whole script: {seconds / 60:.1f} min", ""]
    for r in results:
        lines += [f"## {r.n:,} elements / {r.m:,} connections", ""]
        if r.setup:
            lines += [
                f"Setup: map generated in {r.setup['generate']:.1f} s, imported with map_import in "
                f"{r.setup['map_import']:.1f} s (migrate {r.setup['migrate']:.1f} s).",
                "",
            ]
        if r.error:
            lines += [f"**Stopped:** {r.error} (after {len(r.runs)} complete run(s)).", ""]
        if not r.runs:
            continue
        last = r.runs[-1]
        marks = [x.navigation_to_frame_ms for x in r.runs]
        drawn = [x.navigation_to_frame_done_ms for x in r.runs]
        lines += [
            f"{len(r.runs)} run{'' if len(r.runs) == 1 else 's'}, each in a fresh browser context "
            f"(empty cache); the page showed "
            f"“{last.status}” (elements · drawn connections). Times from navigation start are in the "
            "page's clock.",
            "",
            "| measure | median | min | max |",
            "|---|---|---|---|",
            row("navigation → first-frame mark (`data-first-render-ms` appears)", marks),
            row("navigation → first frame drawn (next animation frame after the mark)", drawn),
            row(
                "page's own `data-first-render-ms` (its script start → mark)",
                [x.page_first_render_ms for x in r.runs],
            ),
            row("goto() → mark seen (Playwright's side)", [x.playwright_ms for x in r.runs]),
            row("navigation → HTML received", [x.html_ms for x in r.runs]),
            row("data.json request → response end", [x.data_ms for x in r.runs]),
            "",
            f"- data.json: {kib(last.data_bytes)} as the browser received it ({kib(r.data_fetched_bytes)} "
            f"fetched again; the server does not compress it: gzip would make it {kib(r.data_gzip_bytes)})",
            f"- HTML page: {kib(last.html_bytes)} (gzip {kib(r.html_gzip_bytes)}); "
            f"carries map data: {'YES — it should not' if r.html_has_map_data else 'no'}",
        ]
        if r.n == 10_000:
            for name, values in (("mark", marks), ("frame drawn", drawn)):
                median = statistics.median(values) / 1000
                verdict = "met" if median <= TARGET_FIRST_RENDER_S else "MISSED"
                lines.append(
                    f"- Target: first render of a 10,000-element map ≤ {TARGET_FIRST_RENDER_S:g} s, by the "
                    f"{name} — {verdict} ({median:.2f} s)"
                )
        lines.append("")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--xl", action="store_true", help="also the 100,000 / 500,000 map")
    parser.add_argument("--runs", type=int, default=3, help="page loads per map (default 3)")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        sys.exit(f"No Chromium at {CHROMIUM} (set KONBIT_CHROMIUM).")
    if not (ROOT / "build" / "static" / "maps" / "mapview.js").exists():
        sys.exit("The map view bundle is missing: run `make setup` first.")
    results, seconds = measure(SIZES if args.xl else SIZES[:1], max(1, args.runs))
    text = report(results, seconds)
    OUT.mkdir(exist_ok=True)
    (OUT / "map_render.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
