from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from konbit.core.demo import DEMO_SLUG, build_demo, demo_exists, demo_logins
from konbit.core.models import Program
from konbit.core.scale import SCALES, ScaleSpec, build_scale


class Command(BaseCommand):
    help = "Build the demo programme (deterministic), then print its logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the database already holds a programme."
        )
        parser.add_argument("--seed", type=int, default=None, help="Random seed (same seed, same data).")
        parser.add_argument(
            "--scale",
            choices=sorted(SCALES),
            help="Instead of the demo, build a large programme for measuring speed (S, M, L or XL; see "
            "konbit/core/scale.py). L: 10,000 organisations, 300,000 interactions, a 10,000-element map.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["scale"]:
            self._scale(SCALES[options["scale"]], options["seed"])
            return
        if options["if_empty"] and Program.objects.exists() and not demo_exists():
            self.stdout.write("The database already holds programmes; no demo loaded.")
            return
        if demo_exists():
            self.stdout.write(f"The demo programme '{DEMO_SLUG}' is already loaded.")
        else:
            program = build_demo(seed=options["seed"] if options["seed"] is not None else 20241)
            self.stdout.write(self.style.SUCCESS(f"Demo programme '{program.name}' built."))
        self.stdout.write("\nDemo logins (sign in at http://127.0.0.1:8000/):")
        for email, password, role in demo_logins():
            self.stdout.write(f"  {role:<12} {email:<34} {password}")

    def _scale(self, spec: ScaleSpec, seed: int | None) -> None:
        if Program.objects.filter(slug=spec.slug).exists():
            self.stdout.write(
                f"The programme '{spec.slug}' already exists; delete the database to rebuild it."
            )
            return
        started = time.perf_counter()
        self.stdout.write(f"Building scale {spec.name} as programme '{spec.slug}'…")
        build_scale(spec, seed=seed if seed is not None else 7, log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Built in {time.perf_counter() - started:.0f} s."))
