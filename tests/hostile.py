"""Hostile upload files, built in memory (a few hundred kilobytes at most on the wire): used by
tests/test_uploads.py and bench/uploads.py."""

from __future__ import annotations

import functools
import io
import random
import zipfile

import openpyxl

XXE = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY leak SYSTEM "file:///etc/passwd">]>'
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
    b'<!ENTITY i "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">]>'
)
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 16


def workbook(rows: list[list[str]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def replace_members(source: bytes, members: dict[str, bytes], level: int = 9) -> bytes:
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(source)) as old,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as new,
    ):
        for info in old.infolist():
            if info.filename not in members:
                new.writestr(info.filename, old.read(info))
        for name, data in members.items():
            new.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=level)
    return buffer.getvalue()


def _shared_strings(entries: list[bytes] | bytes, count: int) -> bytes:
    head = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    body = entries * count if isinstance(entries, bytes) else b"".join(entries)
    return head + body + b"</sst>"


@functools.cache
def shared_strings_bomb(count: int = 3_000_000) -> bytes:
    """The attack as found: `<si><t>a</t></si>` repeated (compresses ~500×)."""
    return replace_members(
        workbook([["name"], ["x"]]), {"xl/sharedStrings.xml": _shared_strings(b"<si><t>a</t></si>", count)}
    )


@functools.cache
def shared_strings_flood(count: int = 600_000) -> bytes:
    """Different short strings: compresses like a real sheet, so only counting catches it."""
    rng = random.Random(7)
    letters = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    entries = [b"<si><t>" + bytes(rng.choices(letters, k=5)) + b"</t></si>" for _ in range(count)]
    return replace_members(
        workbook([["name"], ["x"]]), {"xl/sharedStrings.xml": _shared_strings(entries, 0)}, level=1
    )


@functools.cache
def zip_bomb() -> bytes:
    """A sheet of 100 MB of zeros in ~100 KB."""
    return replace_members(
        workbook([["name"], ["x"]]), {"xl/worksheets/sheet1.xml": b"0" * (100 * 1024 * 1024)}
    )


def xlsx_with_doctype(doctype: bytes) -> bytes:
    source = workbook([["name"], ["x"]])
    with zipfile.ZipFile(io.BytesIO(source)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    sheet = doctype + (sheet.split(b"?>", 1)[1] if sheet.startswith(b"<?xml") else sheet)
    return replace_members(source, {"xl/worksheets/sheet1.xml": sheet})


def graphml_with_doctype(doctype: bytes, entity: str) -> bytes:
    return (
        doctype
        + (
            '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph edgedefault="directed">'
            f'<node id="a"><data key="label">&{entity};</data></node></graph></graphml>'
        ).encode()
    )


def docx_with_doctype(doctype: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", doctype + b"<document>&i;&leak;</document>")
    return buffer.getvalue()
