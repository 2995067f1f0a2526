from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from konbit.core.backup import BackupError, backup_write
from konbit.core.services import backup_record


class Command(BaseCommand):
    help = (
        "Write every programme (or those given with --program) to one Konbit backup file "
        "(gzip-compressed JSON Lines; see konbit/core/backup.py). Uploaded files are not in it: "
        "copy MEDIA_ROOT."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="The backup file to write (replaced if it exists); - for stdout.")
        parser.add_argument(
            "--program",
            action="append",
            metavar="SLUG",
            help="Only this programme (its short name in addresses); repeat for several.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        target = options["file"]
        try:
            if target == "-":
                summary = backup_write(sys.stdout.buffer, program_slugs=options["program"])
                sys.stdout.buffer.flush()
                backup_record(program_slugs=summary.programs)
                return
            path = Path(target)
            # Written beside the target, then moved over it: a failed backup never leaves half a file.
            fd, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent or ".")
            try:
                with os.fdopen(fd, "wb") as stream:
                    summary = backup_write(stream, program_slugs=options["program"])
                os.replace(partial, path)
            except BaseException:
                Path(partial).unlink(missing_ok=True)
                raise
            # Each programme in the file gets a line in its audit trail (once the file is complete).
            backup_record(program_slugs=summary.programs)
        except BackupError as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(f"Cannot write {target}: {error}") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {len(summary.programs)} programme(s) ({', '.join(summary.programs) or 'none'}), "
                f"{summary.total} rows, to {target}."
            )
        )
