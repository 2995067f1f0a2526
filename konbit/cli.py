"""The `konbit` console command: Django's management commands under one name.

`konbit runserver`, `konbit migrate`, `konbit demo` … are the management commands of the project.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv if argv is not None else sys.argv)
