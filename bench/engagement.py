"""Engagement scores and early warnings recomputed for a whole programme.

    .venv/bin/python -m bench.engagement [--scale L] [--runs 5] [--database URL]

Uses the scale programme's database of bench.pages (built once, kept in bench/out/), and times
`partners.services.engagement_refresh(program=…)`: loading every partner's activity, the monthly scores
of every partnership since it started (36 months at scale L), the warnings, and writing the scores back.
Target (scale L: 2,000 partnerships × 36 months): ≤ 5 s. Writes bench/out/engagement-<scale>-<engine>.md.
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench.pages import OUT, _commit, _ensure_programme, _setup

TARGET_SECONDS = 5.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", default="L", choices=["S", "M", "L", "XL"])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database", default=None)
    args = parser.parse_args(argv)
    OUT.mkdir(exist_ok=True)
    _setup(args.database or f"sqlite:///{OUT / f'scale-{args.scale}.sqlite3'}")
    program = _ensure_programme(args.scale)

    from django.db import connection

    from konbit.partners import services
    from konbit.partners.models import EngagementScore, Partnership

    seconds = []
    for _ in range(args.runs):
        started = time.perf_counter()
        services.engagement_refresh(program=program)
        seconds.append(time.perf_counter() - started)
    partnerships = Partnership.objects.filter(program=program).count()
    scores = EngagementScore.objects.filter(program=program).count()
    median = statistics.median(seconds)
    text = (
        f"# Engagement recompute at scale {args.scale} ({connection.vendor})\n\n"
        f"commit {_commit()} · {partnerships:,} partnerships · {scores:,} monthly scores written · "
        f"{args.runs} runs\n\n"
        "| median s | min s | max s | target | met |\n|---|---|---|---|---|\n"
        f"| {median:.2f} | {min(seconds):.2f} | {max(seconds):.2f} | ≤ {TARGET_SECONDS:.0f} s | "
        f"{'yes' if median <= TARGET_SECONDS else '**no**'} |\n"
    )
    (OUT / f"engagement-{args.scale}-{connection.vendor}.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
