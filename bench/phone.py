"""A phone on 3G: the quick-log journey from a partner page, and what each main page weighs.

    .venv/bin/python -m bench.phone [--runs 3] [--cpu-throttle 1]

Builds the demo programme (`konbit demo`) in a new SQLite database in a temporary folder, collects the
static files into a temporary STATIC_ROOT (WhiteNoise's compressed, hashed files, as in production) and
starts Konbit in production mode (DEBUG=false) with gunicorn — or `runserver --insecure` when gunicorn is
not installed — on a free loopback port. Only what a plain-http loopback run needs is relaxed: no HTTPS
redirect, no Secure cookies, no HSTS.

Headless Chromium (Debian's, driven by Playwright) is a phone: 375 × 812 viewport, touch, mobile user
agent, and 3G through the DevTools protocol (750 kb/s down and up, 100 ms latency; CPU throttling only
with --cpu-throttle). It

1. signs in as the demo facilitator (not measured), then, `--runs` times in a fresh context, opens a
   partner's page and logs a conversation from it: each tap and typed field is counted, and the wait
   after each tap that asks the server for something is timed from the tap to the next page's `load`
   event and to the moment its last request finished (the network is quiet). Typing is not waiting.
   The conversation is then looked up in the database.
2. opens each main page once in a fresh context (cold cache) and adds up what came over the wire for
   every response (Playwright's encoded body size + response headers, and the DevTools protocol's
   `encodedDataLength` as a check), with the number of requests, whether the HTML was compressed and
   what it would weigh if it were.

The server is always stopped and the folder removed. Writes bench/out/phone.md and prints it.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.map_render import BIN, CHROMIUM, CHROMIUM_ARGS, OUT, ROOT, free_port, log, machine, server

SLUG = "demo"
VIEWPORT = {"width": 375, "height": 812}
USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Mobile Safari/537.36"
)
THREE_G = {
    "offline": False,
    "latency": 100,  # ms
    "downloadThroughput": 750 * 1024 / 8,  # bytes/s: 750 kb/s
    "uploadThroughput": 750 * 1024 / 8,
}
TARGET_TAPS = 6
TARGET_WAIT_S = 4.0
TARGET_PAGE_KB = 150.0
TIMEOUT_MS = 120_000
# One throwaway key for this run: the server and this process (which builds the demo) must share it.
SECRET_KEY = secrets.token_urlsafe(50)


@dataclass
class Step:
    what: str
    kind: str  # "tap" or "type"
    on_first_screen: bool | None = None  # the target was in the viewport before the tap (no scrolling)
    request: bool = False  # the tap asks the server for a page
    to_load_s: float = 0.0  # tap → next page's load event
    to_quiet_s: float = 0.0  # tap → last request of that page finished
    page_load_ms: float = 0.0  # the new page's own navigation timing: its navigation start → loadEventEnd


@dataclass
class Journey:
    steps: list[Step] = field(default_factory=list)
    notes: str = ""
    preselected: bool = False
    confirmed_on_page: bool = False
    in_database: bool = False
    error: str = ""

    @property
    def taps(self) -> int:
        return sum(1 for s in self.steps if s.kind == "tap")

    @property
    def typed(self) -> int:
        return sum(1 for s in self.steps if s.kind == "type")

    @property
    def wait_load_s(self) -> float:
        return sum(s.to_load_s for s in self.steps)

    @property
    def wait_quiet_s(self) -> float:
        return sum(s.to_quiet_s for s in self.steps)


@dataclass
class Resource:
    url: str
    type: str
    status: int
    bytes: int  # encoded body + response headers
    encoding: str


@dataclass
class PageWeight:
    name: str
    path: str
    status: int = 0
    resources: list[Resource] = field(default_factory=list)
    cdp_bytes: int = 0  # sum of Network.loadingFinished encodedDataLength
    html_body: int = 0  # the document's body as sent
    html_gzip_body: int = 0  # …and gzipped (level 6), had the server compressed it
    html_encoding: str = ""
    accept_encoding: str = ""  # what the browser offered for the page
    load_s: float = 0.0  # goto() → load event on 3G, cold cache
    failed: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def total(self) -> int:
        return sum(r.bytes for r in self.resources)

    @property
    def total_if_html_gzipped(self) -> int:
        if self.html_encoding:
            return self.total
        return self.total - self.html_body + self.html_gzip_body


def production_env(folder: Path) -> dict[str, str]:
    """Production settings (DEBUG=false: hashed, compressed static files through WhiteNoise) with only
    what plain http on loopback needs turned off."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "false",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{folder / 'phone.sqlite3'}",
        "KONBIT_VAR_DIR": str(folder / "var"),
        "STATIC_ROOT": str(folder / "static"),
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
    }


def prepare(folder: Path) -> tuple[dict[str, Any], list[tuple[str, str]], dict[str, float]]:
    """Migrate, build the demo and collect the static files in this process (before any browser starts);
    returns the journey's ids, the main pages (name, path) and the setup timings."""
    os.environ.update(production_env(folder))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from konbit.core.demo import DEMO_USERS, demo_email
    from konbit.core.roles import Role
    from konbit.indicators.models import Indicator
    from konbit.maps.models import Map
    from konbit.partners.models import EVENT_KINDS, Interaction, Partnership
    from konbit.results.models import Intervention

    timings: dict[str, float] = {}
    for name, options in (
        ("migrate", {"interactive": False}),
        ("demo", {}),
        ("collectstatic", {"interactive": False}),
    ):
        start = time.perf_counter()
        call_command(name, verbosity=0, stdout=io.StringIO(), **options)
        timings[name] = time.perf_counter() - start
        log(f"{name}: {timings[name]:.1f} s")

    live = {"program__slug": SLUG, "deleted_at__isnull": True}
    partnership = Partnership.objects.filter(**live).select_related("organization").order_by("pk").first()
    event = (
        Interaction.objects.filter(**live, kind__in=EVENT_KINDS, participations__isnull=False)
        .order_by("pk")
        .first()
    )
    gmap = Map.objects.filter(**live).order_by("pk").first()
    indicator = Indicator.objects.filter(**live).order_by("pk").first()
    intervention = Intervention.objects.filter(**live).order_by("pk").first()
    missing = [
        name
        for name, obj in (
            ("partnership", partnership),
            ("event", event),
            ("map", gmap),
            ("indicator", indicator),
            ("intervention", intervention),
        )
        if obj is None
    ]
    if missing or partnership is None or event is None or gmap is None:
        raise RuntimeError(f"the demo has no {', '.join(missing)}")
    facilitator = next(key for key, _f, _l, role in DEMO_USERS if role == Role.FACILITATOR)
    ids = {
        "email": demo_email(facilitator),
        "partnership": partnership.pk,
        "organization": partnership.organization_id,
        "organization_name": partnership.organization.name,
    }
    p = f"/p/{SLUG}"
    pages = [
        ("overview", f"{p}/"),
        ("partners", f"{p}/partners/"),
        ("a partner", f"{p}/partners/{partnership.pk}/"),
        ("organisations", f"{p}/partners/organizations/"),
        ("interactions", f"{p}/partners/interactions/"),
        ("quick log", f"{p}/partners/interactions/new/?organization={partnership.organization_id}"),
        ("an event (attendance)", f"{p}/partners/interactions/{event.pk}/"),
        ("follow-ups", f"{p}/partners/follow-ups/"),
        ("warnings", f"{p}/partners/warnings/"),
        ("maps", f"{p}/maps/"),
        ("a map (+ data.json, bundle)", f"{p}/maps/{gmap.pk}/"),
        ("map table", f"{p}/maps/{gmap.pk}/table/"),
        ("comparison", f"{p}/maps/{gmap.pk}/compare/"),
        ("indicators", f"{p}/change/indicators/"),
        ("an indicator", f"{p}/change/indicators/{indicator.pk if indicator else 0}/"),
        ("interventions", f"{p}/change/interventions/"),
        ("an intervention", f"{p}/change/interventions/{intervention.pk if intervention else 0}/"),
        ("its results chain", f"{p}/change/interventions/{intervention.pk if intervention else 0}/chain/"),
        ("portfolio", f"{p}/change/portfolio/"),
        ("exit", f"{p}/change/exit/"),
        ("learning", f"{p}/learning/"),
        ("lessons", f"{p}/learning/lessons/"),
        ("funder report", f"{p}/learning/report/"),
    ]
    connections.close_all()
    return ids, pages, timings


def server_command(port: int) -> tuple[list[str], str]:
    gunicorn = BIN / "gunicorn"
    if gunicorn.exists():
        # Two workers: the machine has two cores (deploy/systemd runs three on its own host).
        command = [str(gunicorn), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
        return command, "gunicorn config.wsgi --workers 2"
    command = [str(BIN / "konbit"), "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"]
    return command, "konbit runserver --insecure (gunicorn is not installed)"


# --- the browser ------------------------------------------------------------------------------------


def phone_context(browser: Any, state: Any = None) -> Any:
    return browser.new_context(
        viewport=VIEWPORT,
        screen=VIEWPORT,
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
        user_agent=USER_AGENT,
        storage_state=state,
    )


def on_3g(context: Any, page: Any, cpu_throttle: float) -> Any:
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", THREE_G)
    if cpu_throttle > 1:
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu_throttle})
    return cdp


def sign_in(browser: Any, base: str, email: str) -> Any:
    from konbit.core.demo import DEMO_PASSWORD

    context = phone_context(browser)
    try:
        page = context.new_page()
        page.goto(f"{base}/accounts/login/")
        page.locator("#id_username").fill(email)
        page.locator("#id_password").fill(DEMO_PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        if "/accounts/login/" in page.url:
            raise RuntimeError(f"signing in as {email} failed")
        return context.storage_state()
    finally:
        context.close()


class Quiet:
    """When the page's last request finished, seen from Python (events are delivered while Playwright
    waits, so the clock is the same perf_counter the taps are timed with)."""

    def __init__(self, page: Any) -> None:
        self.last = 0.0
        page.on("requestfinished", self._done)
        page.on("requestfailed", self._done)

    def _done(self, _request: Any) -> None:
        self.last = time.perf_counter()


def in_viewport(locator: Any) -> bool:
    box = locator.bounding_box()
    return bool(box) and box["y"] >= 0 and box["y"] + box["height"] <= VIEWPORT["height"]


def tap_and_wait(page: Any, quiet: Quiet, locator: Any, step: Step) -> None:
    """Tap, then wait for the next page: load event, then no request in flight for 500 ms (Playwright's
    network idle); the wait counted ends at the load event or the last finished request, whichever is
    later — not 500 ms after it."""
    step.on_first_screen = in_viewport(locator)
    step.request = True
    quiet.last = 0.0
    start = time.perf_counter()
    with page.expect_navigation(wait_until="load", timeout=TIMEOUT_MS):
        locator.tap()
    loaded = time.perf_counter()
    page.wait_for_load_state("networkidle", timeout=TIMEOUT_MS)
    step.to_load_s = loaded - start
    step.to_quiet_s = max(loaded, quiet.last) - start
    step.page_load_ms = float(
        page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventEnd") or 0.0
    )


def journey(browser: Any, base: str, state: Any, ids: dict[str, Any], run: int, cpu: float) -> Journey:
    """Partner page → "Log a conversation" → notes → Save, as a user on a phone would do it."""
    result = Journey(
        notes=f"Phone bench run {run}: they want a second demonstration plot. {secrets.token_hex(4)}"
    )
    context = phone_context(browser, state)
    page = None
    try:
        page = context.new_page()
        on_3g(context, page, cpu)
        quiet = Quiet(page)
        # The starting point is not counted: the user is already on the partner's page.
        page.goto(f"{base}/p/{SLUG}/partners/{ids['partnership']}/", timeout=TIMEOUT_MS)
        page.wait_for_load_state("networkidle", timeout=TIMEOUT_MS)

        step = Step("“Log a conversation” on the partner page", "tap")
        result.steps.append(step)
        # The link is drawn as a button (<a role="button" data-primary>), so that is its role.
        tap_and_wait(page, quiet, page.get_by_role("button", name="Log a conversation"), step)
        chosen = page.locator(f"input[name=organizations][value='{ids['organization']}']")
        result.preselected = chosen.count() == 1 and chosen.is_checked()

        notes = page.locator("form.quick-log textarea[name=notes]")
        result.steps.append(Step("the Notes field (focus it)", "tap", on_first_screen=in_viewport(notes)))
        notes.tap()
        result.steps.append(Step("type the notes", "type"))
        notes.fill(result.notes)

        step = Step("“Save”", "tap")
        result.steps.append(step)
        tap_and_wait(page, quiet, page.locator("form.quick-log button[type=submit]"), step)
        on_partner_page = page.url.rstrip("/").endswith(f"/partners/{ids['partnership']}")
        logged = page.locator(".messages .message", has_text="Logged.").count() > 0
        result.confirmed_on_page = on_partner_page and logged
    except Exception as exc:  # one failed run is reported, the others still run
        where = page.url.removeprefix(base) if page else "?"
        result.error = f"{type(exc).__name__} on {where}: {str(exc).splitlines()[0]}"
        if page is not None:
            OUT.mkdir(exist_ok=True)
            with contextlib.suppress(Exception):  # the screen at the failure, to look at
                page.screenshot(path=OUT / f"phone-failed-run-{run}.png")
    finally:
        context.close()
    return result


def weigh(browser: Any, base: str, state: Any, name: str, path: str, cpu: float) -> PageWeight:
    result = PageWeight(name, path)
    context = phone_context(browser, state)  # a fresh context: empty cache
    try:
        page = context.new_page()
        cdp = on_3g(context, page, cpu)
        finished: list[Any] = []
        encoded: list[int] = []
        page.on("requestfinished", lambda r: finished.append(r))
        page.on("requestfailed", lambda r: result.failed.append(r.url))
        cdp.on("Network.loadingFinished", lambda e: encoded.append(int(e.get("encodedDataLength", 0))))
        start = time.perf_counter()
        response = page.goto(base + path, wait_until="load", timeout=TIMEOUT_MS)
        result.load_s = time.perf_counter() - start
        page.wait_for_load_state("networkidle", timeout=TIMEOUT_MS)
        result.status = response.status if response else 0
        if response is not None:
            body = response.body()
            result.html_body = len(body)
            result.html_gzip_body = len(gzip.compress(body, 6))
            result.html_encoding = response.all_headers().get("content-encoding", "")
            result.accept_encoding = response.request.all_headers().get("accept-encoding", "")
        for request in finished:
            sizes = request.sizes()
            resp = request.response()
            headers = resp.all_headers() if resp else {}
            result.resources.append(
                Resource(
                    url=request.url.removeprefix(base),
                    type=request.resource_type,
                    status=resp.status if resp else 0,
                    bytes=int(sizes["responseBodySize"]) + int(sizes["responseHeadersSize"]),
                    encoding=headers.get("content-encoding", ""),
                )
            )
        result.cdp_bytes = sum(encoded)
    except Exception as exc:
        result.error = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    finally:
        context.close()
    return result


def in_database(ids: dict[str, Any], notes: str) -> bool:
    from konbit.partners.models import Interaction

    return Interaction.objects.filter(
        program__slug=SLUG, notes=notes, participations__organization_id=ids["organization"]
    ).exists()


def measure(runs: int, cpu: float) -> tuple[list[Journey], list[PageWeight], dict[str, Any]]:
    folder = Path(tempfile.mkdtemp(prefix="konbit-bench-phone-"))
    info: dict[str, Any] = {}
    try:
        ids, pages, info["setup"] = prepare(folder)
        info["ids"] = ids
        port = free_port()
        command, info["server"] = server_command(port)
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # only the look-ups after each journey
        from playwright.sync_api import sync_playwright

        with (
            server(folder, port, env=production_env(folder), command=command) as base,
            sync_playwright() as p,
        ):
            log(f"server on {base}: {info['server']}")
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            info["chromium"] = browser.version
            try:
                state = sign_in(browser, base, ids["email"])
                journeys = []
                for i in range(runs):
                    j = journey(browser, base, state, ids, i + 1, cpu)
                    j.in_database = not j.error and in_database(ids, j.notes)
                    journeys.append(j)
                    log(
                        f"journey {i + 1}/{runs}: {j.taps} taps, {j.typed} typed, wait "
                        f"{j.wait_load_s:.2f} s to load / {j.wait_quiet_s:.2f} s to quiet "
                        f"{'(in the database)' if j.in_database else j.error or '(NOT in the database)'}"
                    )
                weights = []
                for name, path in pages:
                    w = weigh(browser, base, state, name, path, cpu)
                    weights.append(w)
                    log(
                        f"{name}: HTTP {w.status}, {len(w.resources)} requests, {w.total / 1024:.1f} KB, "
                        f"{w.load_s:.1f} s {w.error}"
                    )
            finally:
                browser.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return journeys, weights, info


# --- report -----------------------------------------------------------------------------------------


def kb(count: float) -> str:
    return f"{count / 1024:,.1f}"


def report(journeys: list[Journey], weights: list[PageWeight], info: dict[str, Any], cpu: float) -> str:
    setup = info.get("setup", {})
    lines = [
        "# Phone on 3G (quick log journey, page weight)",
        "",
        *machine()[:2],
        f"- Chromium {info.get('chromium', '?')} headless as a phone: {VIEWPORT['width']} × "
        f"{VIEWPORT['height']}, touch, device scale 3, Android Chrome user agent; 3G through the DevTools "
        "protocol: 750 kb/s down and up, 100 ms latency; "
        + (f"CPU throttled {cpu:g}×" if cpu > 1 else "no CPU throttling"),
        f"- Server: {info.get('server', '?')}, production mode (DEBUG=false, collectstatic into a temporary "
        "STATIC_ROOT, WhiteNoise), plain http on loopback (SECURE_SSL_REDIRECT, secure cookies and HSTS "
        "off), SQLite; the demo programme (`konbit demo`: "
        + ", ".join(f"{k} {v:.0f} s" for k, v in setup.items())
        + ")",
        "",
        "## Journey: log a conversation from a partner page",
        "",
        f"As the demo facilitator ({info.get('ids', {}).get('email', '?')}, signed in beforehand, not "
        f"counted), starting on the partner page of {info.get('ids', {}).get('organization_name', '?')}. "
        "Waiting is timed from each tap that asks the server for a page to that page's `load` event, and to "
        "its last finished request (network quiet); typing is not waiting.",
        "",
    ]
    done = [j for j in journeys if not j.error]
    for j in journeys:
        if j.error:
            lines.append(f"- **Run failed:** {j.error}")
    if done:
        first = done[0]
        lines += [
            "| # | action | on the first screen (no scrolling) | asks the server | wait to load, median | "
            "wait to network quiet, median |",
            "|---|---|---|---|---|---|",
        ]
        for i, step in enumerate(first.steps):
            loads = [j.steps[i].to_load_s for j in done]
            quiets = [j.steps[i].to_quiet_s for j in done]
            screen = (
                "—" if step.on_first_screen is None else ("yes" if step.on_first_screen else "no: scroll")
            )
            lines.append(
                f"| {i + 1} | {step.kind}: {step.what} | {screen} | {'yes' if step.request else 'no'} | "
                + (
                    f"{statistics.median(loads):.2f} s | {statistics.median(quiets):.2f} s |"
                    if step.request
                    else "— | — |"
                )
            )
        waits_load = [j.wait_load_s for j in done]
        waits_quiet = [j.wait_quiet_s for j in done]
        taps = max(j.taps for j in done)
        lines += [
            "",
            "| run | taps | typed fields | partner pre-selected | wait to load | wait to network quiet | "
            "shown on the partner page | in the database |",
            "|---|---|---|---|---|---|---|---|",
            *[
                f"| {n} | {j.taps} | {j.typed} | {'yes' if j.preselected else 'NO'} | "
                f"{j.wait_load_s:.2f} s | {j.wait_quiet_s:.2f} s | "
                f"{'yes' if j.confirmed_on_page else 'NO'} | {'yes' if j.in_database else 'NO'} |"
                for n, j in enumerate(journeys, 1)
                if not j.error
            ],
            "",
            f"- Taps: {taps} (+ {max(j.typed for j in done)} typed field) — target ≤ {TARGET_TAPS}: "
            f"{'met' if taps <= TARGET_TAPS else 'NOT met'}",
            "- Waiting, summed over the journey, to network quiet: "
            f"median {statistics.median(waits_quiet):.2f} s, max {max(waits_quiet):.2f} s "
            f"(to the load event: median {statistics.median(waits_load):.2f} s, "
            f"max {max(waits_load):.2f} s) — target ≤ {TARGET_WAIT_S:g} s: "
            f"{'met' if max(waits_quiet) <= TARGET_WAIT_S else 'NOT met'} ({len(done)} runs)",
            "",
        ]
    lines += [
        "## Page weight on the wire (cold cache)",
        "",
        "Each page in a fresh browser context (empty cache), everything it loads until the network is quiet: "
        "encoded (compressed, as sent) body + response headers of every response (Playwright's "
        "`request.sizes()`; the DevTools protocol's `encodedDataLength` sum beside it as a check). "
        "“HTML” is how the page itself was sent; “if HTML gzipped” replaces its body by its gzip (level 6) "
        "size. Load time is goto() → `load` on 3G.",
        "",
        "| page | path | HTTP | requests | KB on the wire | (DevTools) | HTML KB | HTML | "
        f"KB if HTML gzipped | load on 3G | ≤ {TARGET_PAGE_KB:g} KB |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for w in weights:
        if w.error and not w.resources:
            lines.append(
                f"| {w.name} | `{w.path}` | {w.status or '—'} | — | — | — | — | — | — | — | "
                f"**failed**: {w.error} |"
            )
            continue
        met = w.total / 1024 <= TARGET_PAGE_KB and w.status == 200
        lines.append(
            f"| {w.name} | `{w.path}` | {w.status} | {len(w.resources)} | {kb(w.total)} | "
            f"{kb(w.cdp_bytes)} | {kb(w.html_body)} | {w.html_encoding or 'not compressed'} | "
            f"{kb(w.total_if_html_gzipped)} | {w.load_s:.1f} s | {'met' if met else '**NOT met**'} |"
        )
    lines.append("")
    ok = [w for w in weights if w.status == 200]
    as_served = sum(1 for w in ok if w.total / 1024 <= TARGET_PAGE_KB)
    gzipped = sum(1 for w in ok if w.total_if_html_gzipped / 1024 <= TARGET_PAGE_KB)
    plain = sum(1 for w in ok if not w.html_encoding)
    lines += [
        f"- {as_served} of {len(weights)} pages within {TARGET_PAGE_KB:g} KB as served; {gzipped} of "
        f"{len(weights)} if the HTML were gzipped.",
        f"- HTML sent uncompressed on {plain} of {len(ok)} pages (WhiteNoise compresses static files only). "
        f"The browser offered `Accept-Encoding: {ok[0].accept_encoding if ok else '?'}`.",
    ]
    statics = {
        (r.url.split("?")[0], r.encoding or "none", r.bytes)
        for w in weights
        for r in w.resources
        if r.url.startswith("/static/")
    }
    if statics:
        lines += ["", "Static files as sent (first load):", "", "| file | encoding | KB |", "|---|---|---|"]
        lines += [f"| `{u}` | {e} | {kb(b)} |" for u, e, b in sorted(statics)]
    others = {
        (w.name, r.url, r.encoding or "none", r.bytes)
        for w in weights
        for r in w.resources
        if not r.url.startswith("/static/") and r.type != "document"
    }
    if others:
        lines += [
            "",
            "Other requests the pages make:",
            "",
            "| page | request | encoding | KB |",
            "|---|---|---|---|",
        ]
        lines += [f"| {n} | `{u}` | {e} | {kb(b)} |" for n, u, e, b in sorted(others)]
    failed = [(w.name, u) for w in weights for u in w.failed]
    if failed:
        lines += ["", "Failed requests: " + "; ".join(f"{n}: `{u}`" for n, u in failed)]
    errors = [(w.name, w.error) for w in weights if w.error]
    if errors:
        lines += ["", "Errors: " + "; ".join(f"{n}: {e}" for n, e in errors)]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=3, help="journeys (default 3)")
    parser.add_argument(
        "--cpu-throttle", type=float, default=1.0, help="CPU slow-down factor (default: none)"
    )
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        sys.exit(f"No Chromium at {CHROMIUM} (set KONBIT_CHROMIUM).")
    if not (ROOT / "build" / "static" / "maps" / "mapview.js").exists():
        sys.exit("The map view bundle is missing: run `make setup` first.")
    journeys, weights, info = measure(max(1, args.runs), args.cpu_throttle)
    text = report(journeys, weights, info, args.cpu_throttle)
    OUT.mkdir(exist_ok=True)
    (OUT / "phone.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
