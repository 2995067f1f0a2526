"""Uploaded files waiting between the preview and the import.

The rows read from the file are kept on the server under a random token, in a file whose name also
holds the programme and the user: the browser only ever sends the token back, so nobody can slip
other rows in, and a token is worthless in another programme or to another user. Files older than a
day are removed at the next upload, with every other kind of stored upload (konbit.core.uploads)."""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import User

from konbit.core import uploads
from konbit.core.access import Access

from .readers import Table

MAX_AGE_SECONDS = uploads.STORE_MAX_AGE_SECONDS
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


@dataclass(frozen=True)
class Pending:
    kind: str
    filename: str
    table: Table


def _directory() -> Path:
    return uploads.store_directory()


def _file(access: Access, user: User, token: str) -> Path:
    return _directory() / f"{access.program.pk}-{user.pk}-{token}.json"


def _path(access: Access, user: User, token: str) -> Path | None:
    """The file of a token sent by the browser; None when the token is not one we could have made."""
    return _file(access, user, token) if _TOKEN.fullmatch(token) else None


def pending_save(*, access: Access, user: User, kind: str, filename: str, table: Table) -> str:
    uploads.store_sweep()
    token = secrets.token_urlsafe(24)
    path = _file(access, user, token)
    payload = {"kind": kind, "filename": filename, "headers": table.headers, "rows": table.rows}
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(payload, handle, ensure_ascii=False)
    return token


def pending_load(*, access: Access, user: User, token: str) -> Pending | None:
    path = _path(access, user, token)
    if path is None:
        return None
    try:
        if path.stat().st_mtime < time.time() - MAX_AGE_SECONDS:
            path.unlink(missing_ok=True)
            return None
        payload = json.loads(path.read_text(encoding="utf-8"))
        # Our own file, written by pending_save: only its shape needs checking.
        table = Table(
            headers=list(payload["headers"]), rows=[(number, cells) for number, cells in payload["rows"]]
        )
        return Pending(kind=str(payload["kind"]), filename=str(payload["filename"]), table=table)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def pending_delete(*, access: Access, user: User, token: str) -> None:
    path = _path(access, user, token)
    if path is not None:
        path.unlink(missing_ok=True)
