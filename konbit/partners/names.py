"""Name matching for duplicate detection and imports (pure functions)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz import fuzz, process

from konbit.core.text import fold

_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
_SPACE = re.compile(r"\s+")


def normalize_name(name: str) -> str:
    """Ignore case, accents, spaces and punctuation: 'Koperativ  Kafé, Limbé' → 'koperativ kafe limbe'."""
    return _SPACE.sub(" ", _PUNCT.sub(" ", fold(name))).strip()


def similar_names(
    name: str, candidates: Iterable[tuple[int, str]], *, cutoff: float = 88.0
) -> list[tuple[int, float]]:
    """Ids of candidates (id, normalized name) whose name is the same or nearly so, best first."""
    target = normalize_name(name)
    if not target:
        return []
    choices = dict(candidates)
    matches = process.extract(target, choices, scorer=fuzz.token_sort_ratio, score_cutoff=cutoff, limit=10)
    return [(key, round(score, 1)) for _value, score, key in matches]
