from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from konbit.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a Konbit backup file into an EMPTY database (after `konbit migrate`), all or nothing. "
        "Works across SQLite and PostgreSQL. Uploaded files: copy MEDIA_ROOT back."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="The backup file written by `konbit backup`; - for stdin.")

    def handle(self, *args: Any, **options: Any) -> None:
        source = options["file"]
        try:
            if source == "-":
                summary = backup_restore(sys.stdin.buffer)
            else:
                with open(source, "rb") as stream:
                    summary = backup_restore(stream)
        except BackupError as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(f"Cannot read {source}: {error}") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {len(summary.programs)} programme(s) ({', '.join(summary.programs) or 'none'}), "
                f"{summary.total} rows, from {source}."
            )
        )
