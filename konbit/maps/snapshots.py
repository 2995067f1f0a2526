"""Comparing two snapshots of a map: what changed in the network (pure functions)."""

from __future__ import annotations

from typing import Any


def _pairs(data: dict[str, Any]) -> set[tuple[str, str]]:
    """Ties as unordered pairs of element ids (who is connected to whom, whatever the direction)."""
    pairs = set()
    for c in data.get("connections", []):
        a, b = c["from"], c["to"]
        if a != b:
            pairs.add((a, b) if a < b else (b, a))
    return pairs


def compare_snapshots(
    first: dict[str, Any],
    first_figures: dict[str, Any],
    second: dict[str, Any],
    second_figures: dict[str, Any],
) -> dict[str, Any]:
    labels = {e["id"]: e["label"] for e in first.get("elements", [])}
    labels.update({e["id"]: e["label"] for e in second.get("elements", [])})
    partners = {e["id"] for e in second.get("elements", []) + first.get("elements", []) if e.get("partner")}
    before, after = _pairs(first), _pairs(second)
    added, lost = sorted(after - before), sorted(before - after)

    def partner_ties(pairs: set[tuple[str, str]]) -> int:
        return sum(1 for a, b in pairs if a in partners and b in partners)

    figures = []
    for key in (
        "elements",
        "connections",
        "density",
        "components",
        "largest_component",
        "average_path_length",
        "modularity",
    ):
        a = first_figures.get("map", {}).get(key)
        b = second_figures.get("map", {}).get(key)
        figures.append({"name": key, "before": a, "after": b})
    first_elements = first_figures.get("elements", {})
    second_elements = second_figures.get("elements", {})
    changes = []
    for element_id in sorted(set(first_elements) | set(second_elements)):
        a, b = first_elements.get(element_id, {}), second_elements.get(element_id, {})
        change = {
            "id": element_id,
            "label": labels.get(element_id, element_id),
            "degree_before": a.get("degree"),
            "degree_after": b.get("degree"),
            "betweenness_before": a.get("betweenness"),
            "betweenness_after": b.get("betweenness"),
        }
        change["degree_change"] = (b.get("degree") or 0) - (a.get("degree") or 0)
        changes.append(change)
    changes.sort(key=lambda c: (-abs(c["degree_change"]), c["label"]))
    return {
        "added": [{"from": labels.get(a, a), "to": labels.get(b, b)} for a, b in added],
        "lost": [{"from": labels.get(a, a), "to": labels.get(b, b)} for a, b in lost],
        "partner_ties_before": partner_ties(before),
        "partner_ties_after": partner_ties(after),
        "figures": figures,
        "changes": changes[:50],
    }
