"""The `konbit` console command: Django's management commands under one name.

`konbit runserver`, `konbit migrate`, `konbit demo` … are the management commands of the project.
`konbit map …` is an analyst's tool that reads files and touches no database, so it runs without any
configuration: it gets a throwaway signing key when none is set (it signs nothing).
"""

from __future__ import annotations

import os
import secrets
import sys

OFFLINE_COMMANDS = {"map"}


def main(argv: list[str] | None = None) -> None:
    argv = argv if argv is not None else sys.argv
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    if len(argv) > 1 and argv[1] in OFFLINE_COMMANDS and not os.environ.get("SECRET_KEY"):
        os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)
