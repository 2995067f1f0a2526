"""`compare`: how far the perspectives recorded on a map agree with each other."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from konbit.core.text import fold
from konbit.maps.graph import DIRECTED, MUTUAL, NEGATIVE, POSITIVE, UNDIRECTED, GConnection

from .build import normalise_sign

# A connection's identity: (from, to, directed). A directed connection is the ordered pair; a mutual or
# undirected one is the unordered pair, written with from ≤ to.
Key = tuple[str, str, bool]

FORWARD, BACKWARD = "forward", "backward"
# The directions that claim something about who influences whom ("undirected" claims none).
_CLAIMS = {FORWARD, BACKWARD, MUTUAL}


def connection_key(connection: GConnection) -> Key:
    """The identity of a connection: the ordered pair (source, target) when it is directed, the
    unordered pair otherwise (mutual, undirected, or an unknown direction)."""
    if connection.direction == DIRECTED:
        return (connection.source, connection.target, True)
    low, high = sorted((connection.source, connection.target))
    return (low, high, False)


def _combine(claims: set[str]) -> set[str]:
    """One perspective's view of a pair: forward and backward together, or either with mutual, make
    mutual (so each perspective states at most one direction); "undirected" is kept beside it."""
    stated = claims & _CLAIMS
    if MUTUAL in stated or {FORWARD, BACKWARD} <= stated:
        stated = {MUTUAL}
    return stated | (claims & {UNDIRECTED})


def _pair(key: Key) -> dict[str, Any]:
    return {"from": key[0], "to": key[1], "directed": key[2]}


def jaccard(a: set[Key], b: set[Key]) -> float:
    """|a ∩ b| / |a ∪ b|; 1.0 for two empty sets (they are identical, as on the diagonal)."""
    union = len(a | b)
    return len(a & b) / union if union else 1.0


def compare(
    connections: Iterable[GConnection],
    perspectives: Sequence[str] | None = None,
    *,
    threshold: float = 0.5,
    at_least: int | None = None,
) -> dict[str, Any]:
    """Overlay the perspectives' connections and measure their agreement.

    ``perspectives``: the names to compare (default: every non-empty ``connection.perspective``);
    connections of other perspectives, and those recorded without one, are left out. A named
    perspective without connections still counts, as one that sees nothing.

    A connection is identified by its ordered pair when directed and by its unordered pair when mutual
    or undirected (`connection_key`), so A→B, B→A and A–B are three connections; each entry below
    carries "from", "to" and "directed" (from ≤ to when not directed). Every list is sorted by
    (from, to, directed), names and ids alphabetically. Result::

        {"perspectives": [names],
         "connections": [{"from", "to", "directed", "perspectives": [names],
                          "agreement": share of the perspectives that include it,
                          "count": how many include it, "of": how many are compared}],
         "blind_spots": [{"from", "to", "directed", "perspective"}]  — seen by exactly one perspective
             (only when there are at least two),
         "disagreements": [{"from", "to", "directed", "signs": {"+"|"-"|""|"?": [names]}}]  — the
             same connection recorded as + by some and − by others (a perspective that recorded it
             twice with both signs is listed under both). No sign ("") and an unknown sign ("?") claim
             no polarity, so they disagree with nothing; they are listed beside a real disagreement,
         "direction_disagreements": [{"from", "to", "directions": {"forward"|"backward"|"mutual"|
             "undirected": [names]}}]  — the unordered pair {from ≤ to} on which the perspectives that
             state a direction do not state the same one. "forward" is from→to, "backward" to→from; a
             perspective with both (or either and mutual) is counted as "mutual"; "undirected" states
             no direction, so it conflicts with nothing, but is listed when there is a disagreement,
         "alignment": {name: {name: Jaccard similarity of their sets of connections}}  — 1.0 on the
             diagonal and for two perspectives that both see nothing,
         "overlap": {name: {name: {"shared": connections both draw, "either": connections either
             draws}}}  — the counts behind each alignment figure ("12 of 40 shared"),
         "consensus": [{"from", "to", "directed", "agreement", "count", "of"}]  — agreement ≥
             threshold, or, when ``at_least`` is given, drawn by at least that many perspectives
             (a count says "3 of 6" exactly, where a share would need rounding),
         "elements": {"only_some": [{"id", "perspectives": [names]}]}  — elements (endpoints of
             connections) that some but not all perspectives include}
    """
    connections = list(connections)
    if perspectives is None:
        names = sorted({c.perspective for c in connections if c.perspective})
    else:
        names = sorted(set(perspectives))
    wanted = set(names)
    seen: dict[str, set[Key]] = {name: set() for name in names}
    signs: dict[Key, dict[str, set[str]]] = {}
    directions: dict[tuple[str, str], dict[str, set[str]]] = {}
    members: dict[str, set[str]] = {}
    for c in connections:
        name = c.perspective
        if name not in wanted:
            continue
        key = connection_key(c)
        seen[name].add(key)
        signs.setdefault(key, {}).setdefault(normalise_sign(c.sign), set()).add(name)
        low, high = sorted((c.source, c.target))
        if c.direction == DIRECTED:
            claim = FORWARD if (c.source, c.target) == (low, high) else BACKWARD
        else:
            claim = MUTUAL if c.direction == MUTUAL else UNDIRECTED
        directions.setdefault((low, high), {}).setdefault(name, set()).add(claim)
        members.setdefault(c.source, set()).add(name)
        members.setdefault(c.target, set()).add(name)

    total = len(names)
    holders: dict[Key, list[str]] = {}
    for name in names:
        for key in seen[name]:
            holders.setdefault(key, []).append(name)
    keys = sorted(holders)

    entries = [
        {
            **_pair(key),
            "perspectives": holders[key],
            "agreement": len(holders[key]) / total,
            "count": len(holders[key]),
            "of": total,
        }
        for key in keys
    ]
    blind_spots = (
        [{**_pair(key), "perspective": holders[key][0]} for key in keys if len(holders[key]) == 1]
        if total >= 2
        else []
    )
    disagreements = [
        {**_pair(key), "signs": {sign: sorted(who) for sign, who in sorted(signs[key].items())}}
        for key in keys
        if {POSITIVE, NEGATIVE} <= signs[key].keys()
    ]
    direction_disagreements = []
    for (low, high), views in sorted(directions.items()):
        combined = {name: _combine(claims) for name, claims in views.items()}
        stated = {claim for claims in combined.values() for claim in claims if claim in _CLAIMS}
        if len(stated) > 1:
            by_direction: dict[str, list[str]] = {}
            for name in sorted(combined):
                for claim in sorted(combined[name]):
                    by_direction.setdefault(claim, []).append(name)
            direction_disagreements.append(
                {"from": low, "to": high, "directions": dict(sorted(by_direction.items()))}
            )
    alignment = {a: {b: 1.0 if a == b else jaccard(seen[a], seen[b]) for b in names} for a in names}
    overlap = {
        a: {b: {"shared": len(seen[a] & seen[b]), "either": len(seen[a] | seen[b])} for b in names}
        for a in names
    }

    def reaches(count: int) -> bool:
        return count >= at_least if at_least is not None else count / total >= threshold

    consensus = [
        {**_pair(key), "agreement": len(holders[key]) / total, "count": len(holders[key]), "of": total}
        for key in keys
        if reaches(len(holders[key]))
    ]
    only_some = [
        {"id": element, "perspectives": sorted(who)}
        for element, who in sorted(members.items())
        if len(who) < total
    ]
    return {
        "perspectives": names,
        "connections": entries,
        "blind_spots": blind_spots,
        "disagreements": disagreements,
        "direction_disagreements": direction_disagreements,
        "alignment": alignment,
        "overlap": overlap,
        "consensus": consensus,
        "elements": {"only_some": only_some},
    }


def perspective_summary(result: dict[str, Any], name: str) -> dict[str, Any]:
    """One perspective's part in a comparison (``compare``'s result): what only it draws, where it
    disagrees with the others, and which other perspective draws most and least like it. Result::

        {"blind_spots": [blind spots of this perspective],
         "disagreements": [sign disagreements it takes a side in (it recorded + or −)],
         "direction_disagreements": [direction disagreements where it states a direction],
         "closest": {"name", "alignment", "shared", "either"} | None,
         "furthest": the same | None  — None when there is no other perspective; the closest and the
             furthest are the same one when there is only one other}
    Ties are broken by name, so the summary does not change from one request to the next."""
    blind = [row for row in result["blind_spots"] if row["perspective"] == name]
    signs = [
        row
        for row in result["disagreements"]
        if name in row["signs"].get(POSITIVE, []) or name in row["signs"].get(NEGATIVE, [])
    ]
    directions = [
        row
        for row in result["direction_disagreements"]
        if any(name in who for claim, who in row["directions"].items() if claim in _CLAIMS)
    ]
    alignment = result["alignment"].get(name, {})
    overlap = result.get("overlap", {}).get(name, {})
    others = [
        {
            "name": other,
            "alignment": value,
            "shared": overlap.get(other, {}).get("shared"),
            "either": overlap.get(other, {}).get("either"),
        }
        for other, value in sorted(alignment.items())
        if other != name
    ]
    closest = max(others, key=lambda o: o["alignment"], default=None)  # the first of equals: by name
    furthest = min(others, key=lambda o: o["alignment"], default=None)
    return {
        "blind_spots": blind,
        "disagreements": signs,
        "direction_disagreements": directions,
        "closest": closest,
        "furthest": furthest,
    }


def search_key(text: str) -> str:
    """What a search compares: no case, no accents, no spaces or punctuation, so "trust in fin" finds
    "Trust in  finance" and "nord est" finds "Nord-Est"."""
    return "".join(c for c in fold(text) if c.isalnum())
