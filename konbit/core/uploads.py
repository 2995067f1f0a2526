"""The one guard every uploaded file passes before a reader parses it.

A hostile upload is small on the wire and huge once read: a zip that expands a thousand times, an
XLSX whose `xl/sharedStrings.xml` repeats `<si><t>a</t></si>` millions of times (openpyxl builds the
whole string table before the first row is read: 15 million entries held a worker for minutes and
1.5 GB), XML with entity expansion ("billion laughs") or external entities, millions of tiny XML
elements or JSON values. Every reader (partner and indicator imports, the map formats, evidence
files) calls the functions here with its `Limits`, so the same checks hold everywhere:

- the size of the file and, for a zip, the members' declared sizes, their number and each member's
  expansion ratio (zipfile stops reading a member at its declared size, so these are a safe bound);
- for an XLSX, the shared strings, cells and rows *counted* by streaming the decompressed XML through
  a regular expression in small chunks, stopping as soon as a limit is passed, before openpyxl sees it;
- for XML, no DTD or entity declaration and a cap on elements; for JSON, a cap on values and nesting;
- a parse-time `Budget` that readers check while they iterate, the backstop for what counting missed.

Refusals raise `UnsafeUpload` with a translated message a user can act on; readers turn it into
their own error type, so nothing is stored or imported."""

from __future__ import annotations

import functools
import io
import os
import re
import time
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from konbit.core import l10n

MB = 1024 * 1024

# What zipfile raises on damaged archives (bad CRC, truncated data, unknown compression, encryption…).
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    NotImplementedError,
    RuntimeError,
    EOFError,
    OSError,
    ValueError,
    KeyError,
)


class UnsafeUpload(Exception):
    """The file is refused before it is parsed; `message` says why in words a user can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DamagedFile(UnsafeUpload):
    """Not a readable archive at all (readers usually have their own words for this)."""


@dataclass(frozen=True)
class Limits:
    """What one kind of upload may hold. The defaults suit a 100,000-row spreadsheet."""

    max_bytes: int = 10 * MB
    max_unzipped_bytes: int = 250 * MB
    max_members: int = 2_000
    # Real spreadsheets and Office files compress 5-20×; a zip bomb hundreds or thousands of times.
    # Small members (under ratio_min_bytes) may compress better without doing harm.
    max_ratio: int = 100
    ratio_min_bytes: int = 1 * MB
    # openpyxl keeps every shared string in a list before the first row is read.
    max_shared_strings: int = 500_000
    max_cells: int = 5_000_000
    max_rows: int = 1_000_000
    max_xml_elements: int = 3_000_000
    max_json_values: int = 5_000_000
    max_json_depth: int = 100
    seconds: float = 60.0


MAP_FILE = Limits(max_bytes=50 * MB, max_members=10_000)
EVIDENCE = Limits(max_bytes=10 * MB, max_members=10_000)


def too_large(limit_bytes: int) -> str:
    return _("The file is larger than %(mb)s MB. Split it into smaller files.") % {"mb": limit_bytes // MB}


def _bomb() -> str:
    return _(
        "This file expands to too much data to be read safely (it looks like a “zip bomb”). "
        "Nothing was imported."
    )


class Budget:
    """A deadline for reading one file; `check()` refuses the file once it has passed."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise UnsafeUpload(
                _(
                    "Reading this file took longer than %(seconds)s seconds, so it was stopped. Split it "
                    "into smaller files. Nothing was imported."
                )
                % {"seconds": int(self.seconds)}
            )


def check_size(size: int, limits: Limits) -> None:
    if size > limits.max_bytes:
        raise UnsafeUpload(too_large(limits.max_bytes))


# --- zip -------------------------------------------------------------------------------------------


def open_zip(data: bytes, limits: Limits) -> zipfile.ZipFile:
    """A zip archive whose directory promises nothing dangerous: member count, total declared size
    and each member's expansion ratio checked before anything is decompressed."""
    check_size(len(data), limits)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except ZIP_ERRORS:
        raise DamagedFile(_("The file is damaged or is not the kind of file its name says.")) from None
    members = archive.infolist()
    if len(members) > limits.max_members:
        raise UnsafeUpload(
            _("The archive holds %(count)s files; at most %(max)s are accepted.")
            % {
                "count": l10n.number(len(members), decimals=0),
                "max": l10n.number(limits.max_members, decimals=0),
            }
        )
    if sum(m.file_size for m in members) > limits.max_unzipped_bytes:
        raise UnsafeUpload(_bomb())
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > limits.ratio_min_bytes and ratio > limits.max_ratio:
            raise UnsafeUpload(_bomb())
    return archive


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: Budget) -> Iterator[bytes]:
    """A member's decompressed bytes in pieces that end just before a "<", so no tag is split."""
    carry = b""
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(256 * 1024):
                budget.check()
                buffer = carry + chunk
                cut = buffer.rfind(b"<")
                if cut <= 0 or len(buffer) - cut > 512:
                    carry = b""
                    yield buffer
                else:
                    carry = buffer[cut:]
                    yield buffer[:cut]
    except ZIP_ERRORS:
        raise DamagedFile(_("The file is damaged or is not the kind of file its name says.")) from None
    if carry:
        yield carry


_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def _occurrences(tag: bytes, chunk: bytes) -> int:
    """Start tags named `tag` in a chunk. bytes.count is several times faster than a regular
    expression; the expression is only needed when a namespace prefix ("<x:si>") is in use."""
    if not tag:
        return 0
    if b":" + tag in chunk:
        return sum(1 for _match in _start_tag(tag).finditer(chunk))
    return sum(chunk.count(b"<" + tag + end) for end in (b" ", b">", b"/", b"\t", b"\n", b"\r"))


@functools.cache
def _start_tag(tag: bytes) -> re.Pattern[bytes]:
    # An element's start tag, with or without a namespace prefix (`<si>`, `<x:si …>`), never `</si>`.
    return re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?" + re.escape(tag) + rb"[\s/>]")


def _count(archive: zipfile.ZipFile, info: zipfile.ZipInfo, tag: bytes, limit: int, budget: Budget) -> int:
    """How many `tag` elements a member holds, stopping as soon as it passes `limit`."""
    total = 0
    for chunk in _chunks(archive, info, budget):
        if b"<!" in chunk and _DECLARATION.search(chunk):
            raise UnsafeUpload(unsafe_xml_message())
        total += _occurrences(tag, chunk)
        if total > limit:
            break
    return total


def check_xlsx(data: bytes, limits: Limits, budget: Budget | None = None) -> None:
    """Refuse an XLSX whose parts would cost openpyxl more than `limits` allow, before it opens it."""
    budget = budget or Budget(limits.seconds)
    with open_zip(data, limits) as archive:
        cells = rows = 0
        for info in archive.infolist():
            name = info.filename.casefold()
            if not name.endswith(".xml") and not name.endswith(".rels"):
                continue
            if name.startswith("xl/sharedstrings"):
                if _count(archive, info, b"si", limits.max_shared_strings, budget) > (
                    limits.max_shared_strings
                ):
                    raise UnsafeUpload(
                        _(
                            "This Excel file holds more than %(max)s different texts (shared strings), "
                            "far more than an import needs; it is refused for safety. Nothing was imported."
                        )
                        % {"max": l10n.number(limits.max_shared_strings, decimals=0)}
                    )
            elif name.startswith("xl/worksheets/"):
                cells += _count(archive, info, b"c", limits.max_cells - cells, budget)
                rows += _count(archive, info, b"row", limits.max_rows - rows, budget)
                if cells > limits.max_cells or rows > limits.max_rows:
                    raise UnsafeUpload(
                        _(
                            "This Excel file holds more than %(cells)s cells or %(rows)s rows; it is "
                            "refused for safety. Split it into smaller files. Nothing was imported."
                        )
                        % {
                            "cells": l10n.number(limits.max_cells, decimals=0),
                            "rows": l10n.number(limits.max_rows, decimals=0),
                        }
                    )
            else:  # workbook, styles, relationships…: no entity declarations anywhere
                _count(archive, info, b"", 0, budget)


# --- XML and JSON ----------------------------------------------------------------------------------


def unsafe_xml_message() -> str:
    return _(
        "The file declares a DTD or entities (<!DOCTYPE …> or <!ENTITY …>), which are refused for "
        "safety: they can expand without limit or read other files. Remove them and try again."
    )


def check_xml(data: bytes, limits: Limits) -> None:
    """No DTD or entity declaration (billion laughs, XXE) and no more elements than `limits` allow.
    Counting "<" is a C-speed pass over the bytes and an upper bound on the elements."""
    check_size(len(data), limits)
    if _DECLARATION.search(data):
        raise UnsafeUpload(unsafe_xml_message())
    if data.count(b"<") - data.count(b"</") > limits.max_xml_elements:
        raise UnsafeUpload(
            _("The file holds more than %(max)s XML elements; it is refused for safety.")
            % {"max": l10n.number(limits.max_xml_elements, decimals=0)}
        )


def check_json(data: bytes, limits: Limits) -> None:
    """No more values and no deeper nesting than `limits` allow. Commas, colons and brackets bound the
    number of values from above (those inside strings only make the bound looser)."""
    check_size(len(data), limits)
    values = data.count(b",") + data.count(b"[") + data.count(b"{") + 1
    if values > limits.max_json_values:
        raise UnsafeUpload(
            _("The file holds more than %(max)s values; it is refused for safety.")
            % {"max": l10n.number(limits.max_json_values, decimals=0)}
        )
    # Nesting: a run of opening brackets deeper than the limit (cheap, and enough to stop a parser
    # from recursing through a file made of brackets).
    if re.search(rb"[\[{](?:\s*[\[{]){%d}" % limits.max_json_depth, data):
        raise UnsafeUpload(_("The file is nested too deeply to be read safely."))


# --- evidence files --------------------------------------------------------------------------------

_ZIP_BASED = {"docx", "xlsx", "pptx", "odt", "ods"}
_MAGIC = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
}


def check_stored_file(*, name: str, data: bytes, limits: Limits) -> None:
    """A file that is kept rather than parsed (evidence): its content must be what its extension says,
    and an Office file must not be a zip bomb for whoever opens it later."""
    check_size(len(data), limits)
    extension = name.rsplit(".", 1)[-1].casefold() if "." in name else ""
    wrong = _("The file's content does not match its type (.%(ext)s). Attach the original file.") % {
        "ext": extension
    }
    if extension in _ZIP_BASED:
        if data[:4] != b"PK\x03\x04":
            raise UnsafeUpload(wrong)
        if extension == "xlsx":  # whoever opens it later gets the same protection as an import
            check_xlsx(data, limits)
        else:
            budget = Budget(limits.seconds)
            with open_zip(data, limits) as archive:
                for info in archive.infolist():
                    if info.filename.casefold().endswith((".xml", ".rels")):
                        _count(archive, info, b"", 0, budget)
    elif extension in _MAGIC:
        if not data.startswith(_MAGIC[extension]):
            raise UnsafeUpload(wrong)
    elif extension == "webp":
        if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
            raise UnsafeUpload(wrong)
    elif extension in ("txt", "csv"):
        if b"\x00" in data[: 64 * 1024] or data[:4] == b"PK\x03\x04":
            raise UnsafeUpload(wrong)


# --- uploads kept between preview and commit -------------------------------------------------------

# An upload waiting for its commit is removed after a day, whoever stored it and in whatever subfolder.
STORE_MAX_AGE_SECONDS = 24 * 3600


def store_directory(*parts: str) -> Path:
    """The private folder (mode 0700) under KONBIT_IMPORT_DIR where uploads wait for their commit."""
    root = Path(getattr(settings, "KONBIT_IMPORT_DIR", Path(settings.VAR_DIR) / "imports"))
    directory = root.joinpath(*parts)
    for folder in (root, *(root.joinpath(*parts[: i + 1]) for i in range(len(parts)))):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if folder.stat().st_mode & 0o077:  # made by an older version, or under a loose umask
            folder.chmod(0o700)
    return directory


def store_write(path: Path, data: bytes) -> None:
    """Write a new file readable by this user only (0600), whatever the umask."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def store_sweep(max_age_seconds: float = STORE_MAX_AGE_SECONDS) -> int:
    """Remove every stored upload older than `max_age_seconds`, in every subfolder (partner and
    indicator previews, map uploads…). Returns how many files were removed."""
    cutoff = time.time() - max_age_seconds
    removed = 0
    for path in store_directory().rglob("*"):
        try:
            if path.is_file() and not path.is_symlink() and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                removed += 1
        except OSError:  # another process removed it first
            continue
    return removed
