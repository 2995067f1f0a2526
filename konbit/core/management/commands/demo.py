from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from konbit.core.demo import DEMO_SLUG, build_demo, demo_exists, demo_logins
from konbit.core.models import Program


class Command(BaseCommand):
    help = "Build the demo programme (deterministic), then print its logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the database already holds a programme."
        )
        parser.add_argument("--seed", type=int, default=20241, help="Random seed (same seed, same data).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Program.objects.exists() and not demo_exists():
            self.stdout.write("The database already holds programmes; no demo loaded.")
            return
        if demo_exists():
            self.stdout.write(f"The demo programme '{DEMO_SLUG}' is already loaded.")
        else:
            program = build_demo(seed=options["seed"])
            self.stdout.write(self.style.SUCCESS(f"Demo programme '{program.name}' built."))
        self.stdout.write("\nDemo logins (sign in at http://127.0.0.1:8000/):")
        for email, password, role in demo_logins():
            self.stdout.write(f"  {role:<12} {email:<34} {password}")
