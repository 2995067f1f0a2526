"""Suggest elements that are probably the same actor (pure; a person confirms each merge)."""

from __future__ import annotations

from typing import Any

from rapidfuzz import fuzz, process

from konbit.partners.names import normalize_name

NEAR_MATCH_LIMIT = 2000  # beyond this many elements only exact (normalized) matches are suggested


def merge_candidates(elements: list[Any], *, cutoff: float = 90.0, limit: int = 200) -> list[dict[str, Any]]:
    """Pairs (a, b, score): same label ignoring case, accents, spaces and punctuation (100), or
    nearly the same label (a typo), best first."""
    normalized = [normalize_name(e.label) for e in elements]
    pairs: dict[tuple[int, int], float] = {}
    groups: dict[str, list[int]] = {}
    for i, key in enumerate(normalized):
        if key:
            groups.setdefault(key, []).append(i)
    for members in groups.values():
        for j in members[1:]:
            pairs[(members[0], j)] = 100.0
    if len(elements) <= NEAR_MATCH_LIMIT:
        for i, key in enumerate(normalized):
            if not key:
                continue
            for _match, score, j in process.extract(
                key, normalized, scorer=fuzz.ratio, score_cutoff=cutoff, limit=6
            ):
                if j > i and normalized[j] != key:
                    pairs.setdefault((i, j), float(score))
    ranked = sorted(pairs.items(), key=lambda item: (-item[1], elements[item[0][0]].label))[:limit]
    return [{"a": elements[i], "b": elements[j], "score": score} for (i, j), score in ranked]
