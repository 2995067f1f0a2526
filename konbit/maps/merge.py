"""Suggest elements that are probably the same actor (pure; a person confirms each merge)."""

from __future__ import annotations

import re
from typing import Any

from rapidfuzz import fuzz, process

from konbit.partners.names import normalize_name

NEAR_MATCH_LIMIT = 2000  # beyond this many elements only exact (normalized) matches are suggested

# Words that tell two otherwise alike names apart: "Nord-Est" and "Nord-Ouest" are two regions, not a
# typo. A pair whose labels differ by one of these (or by a number) is flagged "probably different"
# and ranked after every other suggestion. In English and French, as the maps are.
_OPPOSITES = [
    {"nord", "sud", "est", "ouest", "north", "south", "east", "west", "n", "s", "e", "w", "o"},
    {"nordest", "nordouest", "sudest", "sudouest", "northeast", "northwest", "southeast", "southwest"},
    {"upper", "lower", "haut", "bas", "haute", "basse", "superieur", "inferieur"},
    {"public", "private", "publique", "prive", "privee"},
    {"formal", "informal", "formel", "informel", "formelle", "informelle"},
    {"old", "new", "ancien", "ancienne", "nouveau", "nouvelle", "vieux"},
    {"men", "women", "hommes", "femmes", "male", "female"},
    {"big", "small", "large", "grand", "grande", "petit", "petite", "gros"},
    {"urban", "rural", "urbain", "urbaine"},
    {"primary", "secondary", "primaire", "secondaire"},
    {"national", "regional", "local", "communal", "departemental", "international"},
    {"wholesale", "retail", "gros", "detail"},
    {"input", "inputs", "output", "outputs", "intrant", "intrants"},
]
_DISTINGUISHING = {word: i for i, group in enumerate(_OPPOSITES) for word in group}
_ROMAN = {"i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"}

# Common abbreviations in organisation names, so "Assoc. des planteurs" matches "Association des
# planteurs" as the same name (not merely a near one).
_ABBREVIATIONS = {
    "assoc": "association",
    "asso": "association",
    "ass": "association",
    "coop": "cooperative",
    "coops": "cooperatives",
    "ste": "societe",
    "soc": "societe",
    "cie": "compagnie",
    "co": "company",
    "dept": "departement",
    "dpt": "departement",
    "min": "ministere",
    "intl": "international",
    "natl": "national",
    "org": "organisation",
    "orgs": "organisations",
    "fed": "federation",
    "grp": "groupement",
    "st": "saint",
    "mt": "mont",
}


def _words(label: str) -> list[str]:
    return normalize_name(label).split()


def _canonical(label: str) -> str:
    """The name with abbreviations spelt out and no spaces: "Assoc. des  Planteurs" and "Association
    des planteurs" give the same, and so do "Seed Co" and "SeedCo"."""
    return "".join(_ABBREVIATIONS.get(w, w) for w in _words(label))


def distinguishing_words(a: str, b: str) -> list[str]:
    """The words that make two alike names probably different things: a compass point, upper/lower,
    public/private, formal/informal, old/new… present in one name and not the other, or a number that
    differs. As written in the labels (lower case), in the order they appear, a's first."""
    words_a, words_b = _words(a), _words(b)
    only_a = [w for w in words_a if w not in words_b]
    only_b = [w for w in words_b if w not in words_a]
    found: list[str] = []
    for word in only_a + only_b:
        numeric = any(ch.isdigit() for ch in word) or word in _ROMAN
        if (word in _DISTINGUISHING or numeric) and word not in found:
            found.append(word)
    return found


def _highlighted(label: str, words: list[str]) -> list[tuple[str, bool]]:
    """The label cut into parts, each with whether it is one of ``words`` (to highlight it)."""
    wanted = set(words)
    parts = re.split(r"(\w+)", label)
    return [(part, normalize_name(part) in wanted) for part in parts if part]


def merge_candidates(elements: list[Any], *, cutoff: float = 90.0, limit: int = 200) -> list[dict[str, Any]]:
    """Pairs of elements that are probably the same, best first. Each: {"a", "b", "score" (100: the
    same name once case, accents, spacing, punctuation and common abbreviations are set aside;
    below: nearly the same, a typo), "different": the distinguishing words (see distinguishing_words;
    empty for a likely duplicate), "a_parts"/"b_parts": the labels cut into (text, highlighted)}.
    Pairs with distinguishing words come after all the others, whatever their score."""
    normalized = [normalize_name(e.label) for e in elements]
    canonical = [_canonical(e.label) for e in elements]
    pairs: dict[tuple[int, int], float] = {}
    for keys in (canonical, [n.replace(" ", "") for n in normalized]):
        groups: dict[str, list[int]] = {}
        for i, key in enumerate(keys):
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
                if j > i:
                    pairs.setdefault((i, j), float(score))
    found = []
    for (i, j), score in pairs.items():
        different = distinguishing_words(elements[i].label, elements[j].label)
        found.append((i, j, score, different))
    found.sort(key=lambda x: (bool(x[3]), -x[2], elements[x[0]].label))
    return [
        {
            "a": elements[i],
            "b": elements[j],
            "score": score,
            "different": different,
            "a_parts": _highlighted(elements[i].label, different),
            "b_parts": _highlighted(elements[j].label, different),
        }
        for i, j, score, different in found[:limit]
    ]


# The fields a merge fills in on the kept element when it has none and the duplicate has one (the
# kept element's own values always win); custom fields are filled key by key.
MERGE_FIELDS = ("type", "function", "description", "tags", "organization")


def filled_fields(keep: Any, merge: Any) -> dict[str, Any]:
    """What a merge of ``merge`` into ``keep`` would give the kept element: {field: new value} for each
    field it fills (custom fields under "attributes", as the whole new dictionary)."""
    filled: dict[str, Any] = {}
    for name in MERGE_FIELDS:
        if name == "organization":
            if not keep.organization_id and merge.organization_id:
                filled[name] = merge.organization
        elif not getattr(keep, name) and getattr(merge, name):
            filled[name] = getattr(merge, name)
    extra = {k: v for k, v in (merge.attributes or {}).items() if k not in (keep.attributes or {})}
    if extra:
        filled["attributes"] = {**(keep.attributes or {}), **extra}
    return filled
