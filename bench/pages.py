"""Server time and SQL queries of the main pages and every API list at a large programme's scale.

    .venv/bin/python -m bench.pages [--scale L] [--requests 30] [--database URL]

Builds the programme `konbit demo --scale <scale>` in its own database the first time (SQLite file
bench/out/scale-<scale>.sqlite3 by default; give a PostgreSQL URL with --database, e.g.
postgres://postgres@127.0.0.1:5432/konbit_bench_l) and keeps it for the next runs. Then, in-process with
Django's test client and production settings (DEBUG off, so no query logging slows the timed runs), it
requests each page three times to warm up and `--requests` times timed, and counts the SQL queries of one
more request. Server time = the client call (URL resolution, middleware, view, template), without a
network. Writes bench/out/pages-<scale>-<engine>.md and prints the same table.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
TARGET_P95_MS = 150.0


@dataclass
class Row:
    name: str
    url: str
    status: int
    times_ms: list[float]
    queries: int

    @property
    def p50(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times_ms)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _setup(database: str) -> None:
    os.environ.update(
        {
            # The test settings: production settings (DEBUG off) with plain static file names (no
            # collectstatic manifest needed) and no HTTPS redirect for the in-process client.
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DEBUG": "false",
            "DATABASE_URL": database,
            "DB_CONN_MAX_AGE": "600",
        }
    )
    import django

    django.setup()


def _ensure_programme(scale: str) -> Any:
    from django.core.management import call_command
    from django.db import connection

    from konbit.core.models import Program
    from konbit.core.scale import SCALES, build_scale

    call_command("migrate", verbosity=0)
    spec = SCALES[scale]
    program = Program.objects.filter(slug=spec.slug).first()
    if program is None:
        started = time.perf_counter()
        print(f"Building scale {scale} (once; kept for later runs)…", flush=True)
        program = build_scale(spec, log=lambda line: print(line, flush=True))
        print(f"Built in {time.perf_counter() - started:.0f} s", flush=True)
    if connection.vendor == "postgresql":
        # What autovacuum does for a live database in time: statistics for the planner and the visibility
        # map that lets counts read indexes alone (a freshly bulk-loaded table has neither).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return program


def _targets(program: Any) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(pages, API lists) to measure, as (name, URL), for rows that exist in the programme."""
    from django.db.models import Count

    from konbit.api.api import api
    from konbit.maps.models import Map
    from konbit.partners.models import Interaction, InteractionKind, Partnership

    slug = program.slug
    # A typical busy partner and a typical round table: the median, not the extremes.
    partnerships = list(
        Partnership.objects.filter(program=program)
        .annotate(n=Count("organization__participations"))
        .order_by("n", "pk")
        .values_list("pk", "organization_id")
    )
    partnership, organization = partnerships[len(partnerships) // 2]
    event = (
        Interaction.objects.filter(program=program, kind=InteractionKind.ROUND_TABLE)
        .order_by("-occurred_on", "pk")
        .values_list("pk", flat=True)[10]
    )
    map_pk = Map.objects.filter(program=program).order_by("pk").values_list("pk", flat=True)[0]
    p = f"/p/{slug}"
    pages = [
        ("programme overview", f"{p}/"),
        ("partners list", f"{p}/partners/"),
        ("partners list, filtered and sorted", f"{p}/partners/?segment=active&sort=-score&q=Coop"),
        ("partner page", f"{p}/partners/{partnership}/"),
        ("organisations list", f"{p}/partners/organizations/"),
        ("early warnings", f"{p}/partners/warnings/"),
        ("interactions list", f"{p}/partners/interactions/"),
        ("interactions list, filtered", f"{p}/partners/interactions/?kind=round_table"),
        ("event page (round table)", f"{p}/partners/interactions/{event}/"),
        ("follow-ups", f"{p}/partners/follow-ups/"),
        ("map page", f"{p}/maps/{map_pk}/"),
        ("map page data endpoint", f"{p}/maps/{map_pk}/data.json"),
        ("map analysis (cached)", f"{p}/maps/{map_pk}/analysis/"),
        ("perspective comparison", f"{p}/maps/{map_pk}/compare/"),
    ]
    pages += _extra_pages(program)
    ids = {"maps": map_pk, "partners": partnership, "organizations": organization, "interactions": event}
    apis = []
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get is None or "{slug}" not in path or path.endswith("/my-invitations"):  # partner users only
            continue
        responses = get.get("responses", {})
        ok = (responses.get(200) or responses.get("200") or {}).get("content", {}).get("application/json", {})
        ref = ok.get("schema", {}).get("$ref", "")
        is_list = ref.endswith("Page") or path.endswith(("/analysis", "/comparison"))
        if not is_list:
            continue
        url = path.replace("{slug}", slug)
        if "{pk}" in url:
            kind = url.split("/")[5]
            if kind not in ids:
                continue
            url = url.replace("{pk}", str(ids[kind]))
        apis.append((f"API {path.removeprefix('/api/v1/programs/{slug}')}", url))
    return pages, apis


def _extra_pages(program: Any) -> list[tuple[str, str]]:
    """Pages of the steering pillar, when it has data in this programme (indicators, funder report)."""
    from django.db.models import Count
    from django.urls import NoReverseMatch, reverse

    from konbit.indicators.models import Indicator

    found = []
    for name, url_name in (("indicators list", "indicator_list"), ("funder report", "funder_report")):
        try:
            found.append((name, reverse(url_name, args=[program.slug])))
        except NoReverseMatch:
            continue
    # The indicator with the most measurements: the page's heaviest case.
    indicator = (
        Indicator.objects.filter(program=program)
        .annotate(n=Count("measurements"))
        .order_by("-n", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    if indicator is not None:
        found.append(("indicator page", reverse("indicator_detail", args=[program.slug, indicator])))
    return found


def _measure(client: Any, name: str, url: str, requests: int) -> Row:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        response = client.get(url)
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return Row(name, url, response.status_code, times, len(queries))


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True, cwd=ROOT
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def report(rows: list[Row], *, scale: str, engine: str, requests: int, build: str) -> str:
    lines = [
        f"# Page and API server time at scale {scale} ({engine})",
        "",
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC · commit {_commit()} · "
        f"{os.cpu_count()} cores · {platform.processor() or platform.machine()} · Python "
        f"{platform.python_version()} · {requests} timed requests each after 3 warm-ups · {build}",
        "",
        f"| page | p50 ms | p95 ms | max ms | SQL queries | status | p95 ≤ {TARGET_P95_MS:.0f} ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        met = "yes" if row.p95 <= TARGET_P95_MS and row.status == 200 else "**no**"
        lines.append(
            f"| {row.name} | {row.p50:.1f} | {row.p95:.1f} | {max(row.times_ms):.1f} | {row.queries} "
            f"| {row.status} | {met} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", default="L", choices=["S", "M", "L", "XL"])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--database", default=None, help="database URL (default: a SQLite file in bench/out)")
    args = parser.parse_args(argv)
    OUT.mkdir(exist_ok=True)
    database = args.database or f"sqlite:///{OUT / f'scale-{args.scale}.sqlite3'}"
    _setup(database)
    sys.path.insert(0, str(ROOT))
    started = time.perf_counter()
    program = _ensure_programme(args.scale)
    build = f"data ready in {time.perf_counter() - started:.0f} s"

    from django.db import connection
    from django.test import Client

    from konbit.core.services import api_token_create

    owner = program.memberships.get(role="owner").user
    client = Client()
    client.force_login(owner)
    _token, raw = api_token_create(user=owner, name="bench")
    api_client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    pages, apis = _targets(program)
    rows = [_measure(client, name, url, args.requests) for name, url in pages]
    rows += [_measure(api_client, name, url, args.requests) for name, url in apis]
    engine = connection.vendor
    text = report(rows, scale=args.scale, engine=engine, requests=args.requests, build=build)
    (OUT / f"pages-{args.scale}-{engine}.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
