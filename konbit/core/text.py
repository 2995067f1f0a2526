"""Text compared the way people read it (pure; no Django)."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Case and accents set aside: "Élément Coopératif" → "element cooperatif". Every comparison that
    ignores them (names, header names, signs, searches) starts here and then drops what it also ignores."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
