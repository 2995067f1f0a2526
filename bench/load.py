"""Load: simulated users against a real server (gunicorn + PostgreSQL) on loopback.

    .venv/bin/python -m bench.load [--users 50] [--seconds 120] [--database URL] [--workers 4]

Creates (once) a PostgreSQL database with the demo programme (default
postgres://postgres@127.0.0.1:5432/konbit_load), collects static files into a temporary folder, starts
gunicorn with production settings (DEBUG off) on a free loopback port, and runs `--users` simulated users
for `--seconds`. Each user signs in with its own session, then loops with short think times over a mix:

- page views (65 %): programme overview, partners list (with and without filters), a partner page,
  early warnings, interactions list, a round table's page, the map list, lessons;
- logging a conversation through the quick-log form (15 %: GET the form, POST it with its CSRF token);
- API calls with a personal token (20 %): partners, interactions, warnings, maps.

Standard library only (threads and http.client with keep-alive): the figures are the server's, not a
load tool's. Every request has a timeout, the run stops by itself, and the server is always stopped.
Reports throughput, p50/p95/p99 per kind and overall, and errors (non-2xx/3xx answers and network
failures); writes bench/out/load.md and prints it.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
BIN = Path(sys.executable).parent
TIMEOUT = 30.0  # seconds, per request
# Seconds a user waits between two actions (reading the page, typing), drawn uniformly; locust's examples
# use the same 1–5 s. `--think 0.2,1` turns the users into a stress test that saturates the server.
THINK = (1.0, 5.0)
TARGET_P95_MS = 300.0
PASSWORD = "konbit-demo"  # noqa: S105 (the public demo login)
LOGINS = ["owner", "facilitator", "facilitator2", "mel"]


def _env(database: str, static_root: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "false",
        "SECRET_KEY": "load-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": database,
        "STATIC_ROOT": static_root,
        "LOGIN_FAILURE_LIMIT": "1000",
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _prepare(env: dict[str, str]) -> None:
    konbit = str(BIN / "konbit")
    subprocess.run([konbit, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([konbit, "demo", "--if-empty"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    subprocess.run([konbit, "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)


@dataclass
class Sample:
    kind: str
    ms: float
    ok: bool
    path: str = ""


@dataclass
class Results:
    samples: list[Sample] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, ms: float, ok: bool, error: str = "", path: str = "") -> None:
        with self.lock:
            self.samples.append(Sample(kind, ms, ok, path))
            if not ok:
                self.errors[f"{kind}: {error}"] += 1


class User:
    """One simulated person: its own connection, cookies and CSRF token."""

    def __init__(self, port: int, login: str, token: str, targets: dict[str, list[str]], seed: int) -> None:
        self.port, self.login, self.token, self.targets = port, login, token, targets
        self.rng = random.Random(seed)  # noqa: S311 (a load mix, not a secret)
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def request(
        self, method: str, path: str, body: dict[str, str | list[str]] | None = None, api: bool = False
    ) -> tuple[int, str]:
        headers = {"Host": "127.0.0.1"}
        if api:
            headers["Authorization"] = f"Bearer {self.token}"
        elif self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        for attempt in (1, 2):  # a kept-alive connection the server closed is reopened once
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                text = response.read().decode("utf-8", "replace")
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
                continue
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";", 1)[0]
            return response.status, text
        raise RuntimeError("unreachable")

    def timed(
        self, results: Results, kind: str, method: str, path: str, expect: int = 0, **kwargs: object
    ) -> str:
        start = time.perf_counter()
        try:
            status, text = self.request(method, path, **kwargs)  # type: ignore[arg-type]
        except (http.client.HTTPException, OSError) as error:
            results.add(kind, (time.perf_counter() - start) * 1000, False, type(error).__name__, path)
            return ""
        ok = status == expect if expect else 200 <= status < 400
        results.add(kind, (time.perf_counter() - start) * 1000, ok, str(status), path)
        return text

    def sign_in(self) -> None:
        _status, page = self.request("GET", "/accounts/login/")
        self.request(
            "POST",
            "/accounts/login/",
            {
                "username": f"{self.login}@demo.konbit.local",
                "password": PASSWORD,
                "csrfmiddlewaretoken": _csrf(page),
            },
        )

    def step(self, results: Results) -> None:
        roll = self.rng.random()
        if roll < 0.65:
            self.timed(results, "page", "GET", self.rng.choice(self.targets["pages"]))
        elif roll < 0.80:
            organization = self.rng.choice(self.targets["partners"])
            form = self.timed(
                results, "log: form", "GET", f"/p/demo/partners/interactions/new/?organization={organization}"
            )
            if not form:
                return
            self.timed(
                results,
                "log: save",
                "POST",
                "/p/demo/partners/interactions/new/",
                expect=302,  # saved and redirected; a 200 is the form again, with an error
                body={
                    "csrfmiddlewaretoken": _csrf(form),
                    "kind": "conversation",
                    "occurred_on": datetime.date.today().isoformat(),  # noqa: DTZ011
                    "organizations": [organization],
                    "title": "Load test call",
                    "notes": "Talked about prices and the next delivery.",
                    "sentiment": "1",
                    **_hidden(form),
                },
            )
        else:
            self.timed(results, "api", "GET", self.rng.choice(self.targets["api"]), api=True)


def _csrf(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    return match.group(1) if match else ""


def _hidden(form: str) -> dict[str, str]:
    """Hidden fields of the form other than the CSRF token and the partners (e.g. the version)."""
    fields = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form):
        if name not in ("csrfmiddlewaretoken", "organizations"):
            fields[name] = value
    return fields


def _targets(env: dict[str, str]) -> tuple[dict[str, list[str]], dict[str, str]]:
    """URLs of the demo programme's rows and an API token per login (made through Django directly)."""
    script = (
        "import json\n"
        "from konbit.core.models import Program\n"
        "from konbit.core.services import api_token_create\n"
        "from konbit.partners.models import Interaction, Partnership\n"
        "from konbit.maps.models import Map\n"
        "p = Program.objects.get(slug='demo')\n"
        "parts = list(Partnership.objects.filter(program=p).values_list('pk', 'organization_id')[:40])\n"
        "events = Interaction.objects.filter(program=p, kind='round_table').values_list('pk', flat=True)\n"
        "events = list(events[:10])\n"
        "maps = list(Map.objects.filter(program=p).values_list('pk', flat=True))\n"
        "tokens = {m.user.email.split('@')[0]: api_token_create(user=m.user, name='load')[1]\n"
        "          for m in p.memberships.select_related('user') if m.role != 'partner'}\n"
        "print(json.dumps({'parts': parts, 'events': events, 'maps': maps, 'tokens': tokens}))\n"
    )
    out = subprocess.run(
        [str(BIN / "konbit"), "shell", "-c", script],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout
    import json

    data = json.loads(out.strip().splitlines()[-1])
    p = "/p/demo"
    pages = [
        f"{p}/",
        f"{p}/partners/",
        f"{p}/partners/?segment=active&sort=-score",
        f"{p}/partners/warnings/",
        f"{p}/partners/interactions/",
        f"{p}/maps/",
        f"{p}/learning/lessons/",
    ]
    pages += [f"{p}/partners/{pk}/" for pk, _org in data["parts"][:20]]
    pages += [f"{p}/partners/interactions/{pk}/" for pk in data["events"]]
    api = [
        "/api/v1/programs/demo/partners",
        "/api/v1/programs/demo/interactions",
        "/api/v1/programs/demo/warnings",
        "/api/v1/programs/demo/maps",
    ]
    return {"pages": pages, "api": api, "partners": [str(org) for _pk, org in data["parts"]]}, data["tokens"]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(
    results: Results,
    *,
    users: int,
    seconds: float,
    workers: int,
    database: str,
    think: tuple[float, float] = THINK,
) -> str:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT, check=False
    ).stdout.strip()
    lines = [
        f"# Load: {users} simulated users for {seconds:.0f} s (gunicorn, {workers} workers, "
        f"{'PostgreSQL' if database.startswith('postgres') else 'SQLite'})",
        "",
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC · commit {commit or 'unknown'} · "
        f"{os.cpu_count()} cores · server and simulated users on the same machine · think time "
        f"{think[0]:g}–{think[1]:g} s between a user's actions",
        "",
        "| requests | count | per second | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---|---|---|---|---|---|",
    ]
    kinds = sorted({s.kind for s in results.samples})
    for kind in [*kinds, "all"]:
        rows = [s for s in results.samples if kind in ("all", s.kind)]
        if not rows:
            continue
        ms = [s.ms for s in rows]
        errors = sum(1 for s in rows if not s.ok)
        lines.append(
            f"| {'**all**' if kind == 'all' else kind} | {len(rows):,} | {len(rows) / seconds:.1f} | "
            f"{statistics.median(ms):.0f} | {_percentile(ms, 0.95):.0f} | {_percentile(ms, 0.99):.0f} "
            f"| {errors} |"
        )
    by_path: dict[str, list[float]] = defaultdict(list)
    for sample in results.samples:
        # Ids and query strings vary; the address's shape is what is worth naming.
        by_path[re.sub(r"/\d+/", "/{id}/", sample.path.split("?")[0])].append(sample.ms)
    slowest = sorted(by_path.items(), key=lambda item: -_percentile(item[1], 0.95))[:6]
    lines += ["", "Slowest addresses (p95):", ""]
    lines += [
        f"- `{path}`: p50 {statistics.median(ms):.0f} ms, p95 {_percentile(ms, 0.95):.0f} ms "
        f"({len(ms)} requests)"
        for path, ms in slowest
    ]
    every = [s.ms for s in results.samples]
    met = every and _percentile(every, 0.95) <= TARGET_P95_MS and not results.errors
    lines += [
        "",
        f"Target: zero errors and p95 under {TARGET_P95_MS:.0f} ms — {'met' if met else '**not met**'}.",
    ]
    if results.errors:
        lines += ["", "Errors:", *[f"- {k}: {v}" for k, v in sorted(results.errors.items())]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/konbit_load")
    parser.add_argument(
        "--think", default=",".join(str(t) for t in THINK), help="think time range in seconds, e.g. 1,5"
    )
    args = parser.parse_args(argv)
    think = tuple(float(t) for t in args.think.split(","))
    OUT.mkdir(exist_ok=True)
    static_root = tempfile.mkdtemp(prefix="konbit-load-static-")
    env = _env(args.database, static_root)
    if args.database.startswith("postgres"):
        name = urllib.parse.urlparse(args.database).path.lstrip("/")
        subprocess.run(
            ["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=False, capture_output=True
        )
    server = None
    try:
        _prepare(env)
        targets, tokens = _targets(env)
        port = _free_port()
        server = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
            [
                str(BIN / "gunicorn"),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--timeout",
                "60",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET", "/accounts/login/")
                break
            except OSError:
                time.sleep(0.3)
        # Warm-up, not measured: every gunicorn worker loads its templates and URL patterns on its first
        # requests (seconds each), which would otherwise be counted as the first users' waits.
        warm = User(port, LOGINS[0], tokens[LOGINS[0]], targets, seed=-1)
        warm.sign_in()
        for _ in range(args.workers * 2):
            for path in targets["pages"]:
                warm.request("GET", path)
        results = Results()
        stop = time.monotonic() + args.seconds

        def run(index: int) -> None:
            login = LOGINS[index % len(LOGINS)]
            user = User(port, login, tokens[login], targets, seed=index)
            user.sign_in()
            while time.monotonic() < stop:
                user.step(results)
                time.sleep(user.rng.uniform(think[0], think[-1]))

        started = time.monotonic()
        threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(args.users)]
        for thread in threads:
            thread.start()
            time.sleep(0.05)  # ramp up over a few seconds
        for thread in threads:
            thread.join(timeout=args.seconds + 2 * TIMEOUT)
        elapsed = time.monotonic() - started
        text = report(
            results,
            users=args.users,
            seconds=elapsed,
            workers=args.workers,
            database=args.database,
            think=(think[0], think[-1]),
        )
        (OUT / "load.md").write_text(text)
        print(text)
        return 0
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(static_root, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
