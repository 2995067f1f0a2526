"""The main pages in French show none of the English that Konbit ships: guidance, choice labels, warning
names, generated titles. The English comes from the catalogue itself (every message whose French differs),
so a new string is checked the day it is translated; the pages come from the URL walk over the demo
programme, so a new page is checked the day it is added."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path
from typing import Any

import lxml.html
from babel.messages.pofile import read_po

from konbit.core.models import Program
from tests.demo_pages import filled_demo, owner_client, page_urls

__all__ = ["filled_demo"]  # the fixture

PO = Path(__file__).resolve().parents[1] / "konbit" / "locale" / "fr" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|%[sdf]|\{\w*\}")
# Attributes whose text a person reads or hears.
READ_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")


@cache
def shipped_english() -> list[str]:
    """Literal English of every translated message: the text between placeholders, whole words only, at
    least three words or 18 characters (shorter pieces are too often also French, data or names)."""
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="fr")
    pieces: set[str] = set()
    for message in catalog:
        if not message.id or message.string == message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for text in ids:
            for piece in PLACEHOLDER.split(text):
                piece = " ".join(piece.split()).strip(" .,:;()—-")
                if len(piece.split()) >= 3 or len(piece) >= 18:
                    pieces.add(piece)
    return sorted(pieces, key=len, reverse=True)


@cache
def demo_texts() -> list[str]:
    """The demo programme's own sample data is written in English on purpose (it is data, like anything a
    team types); its sentences are taken out of a page before looking for shipped English."""
    texts = []
    for path in (PO.parents[3]).glob("*/demo.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) >= 18:
                texts.append(" ".join(node.value.split()))
    return sorted(texts, key=len, reverse=True)


def read_text(html: str) -> str:
    """What a person reads on the page: its text and the labels of its controls, scripts left out."""
    root = lxml.html.fromstring(html)
    for node in root.xpath("//script|//style|//template"):
        node.drop_tree()
    parts = list(root.itertext())  # one piece per element: table cells never run together
    for attribute in READ_ATTRIBUTES:
        parts.extend(root.xpath(f"//@{attribute}"))
    text = " ".join(" ".join(parts).split())
    for sample in demo_texts():
        text = text.replace(sample, " ")
    return text


def english_in(text: str) -> list[str]:
    found = []
    for piece in shipped_english():
        if re.search(rf"(?<![\w]){re.escape(piece)}(?![\w])", text):
            found.append(piece)
    return found


# English ways of writing numbers and months: "14,087.65", "25,000", "Oct 2024".
ENGLISH_FORMATS = re.compile(
    r"(?<![\d.,])[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?(?![\d,])"
    r"|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b"
)


def test_the_catalogue_gives_english_to_look_for() -> None:
    pieces = shipped_english()
    assert len(pieces) > 500
    assert "No recent conversation" in pieces
    assert any("round table" in text for text in demo_texts())


def test_main_pages_in_french_show_no_shipped_english(
    db: Any, filled_demo: tuple[Program, dict[str, list[str]]]
) -> None:
    program, params = filled_demo
    client = owner_client(program, "fr")
    pages = 0
    leaks: list[str] = []
    for url in page_urls(params):
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        pages += 1
        text = read_text(response.content.decode())
        found = english_in(text) + ENGLISH_FORMATS.findall(text)
        if found:
            leaks.append(f"{url}: {found[:8]}")
    assert pages > 60
    assert leaks == [], "\n".join(leaks)
