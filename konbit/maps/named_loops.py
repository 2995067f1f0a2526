"""Kumu's named loops: loops a map's authors drew and named ("R1 Investment spiral"), with a narrative.

The Kumu import keeps them as they were in the file, in ``Map.extra``: a project backup's under
``extra["kumu:project"]["loops"]``, a blueprint's under ``extra["kumu:blueprint"]["loops"]``. Each is a
JSON object; what this module reads of it, tolerantly (Kumu's own shape, and hand-written ones):

- its name: ``attributes.label``, else ``label`` or ``name``;
- its narrative: ``attributes.description``, else ``description``, ``narrative`` or ``attributes.narrative``;
- its members, in order: the lists ``members``, ``connections`` and ``elements`` (``attributes`` too),
  each item an id, or an object naming one under ``connection``, ``element``, ``_id`` or ``id``. An id
  is a connection's or an element's key in the map (an element's label too, for hand-written files).

Nothing here rewrites what was imported: the page resolves the members against the map as it is now
(`describe`), so a loop whose element went to the trash shows as broken, naming it, and comes back whole
when the element is restored; an export leaves out the members that no longer exist (`prune`); merging
an element into another points the loops at the element kept (`follow_merge`). No Django in here.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from konbit.maps.graph import DIRECTED, MUTUAL

# Where the Kumu import keeps a file's loops (formats.kumu EXTRA_PROJECT / EXTRA_BLUEPRINT).
CONTAINERS = ("kumu:project", "kumu:blueprint")
MEMBER_LISTS = ("members", "connections", "elements")
MEMBER_KEYS = ("connection", "element", "_id", "id")


@dataclass
class LiveConnection:
    source: str  # element key
    target: str
    sign: str
    direction: str = DIRECTED


@dataclass
class NamedLoop:
    name: str
    narrative: str
    steps: list[str] = field(default_factory=list)  # what the loop goes through, as labels, in order
    sign: str = ""  # reinforcing / balancing / unknown, from the current signs; "" when it cannot be told
    missing: list[str] = field(default_factory=list)  # members no longer in the map, named
    gaps: list[str] = field(default_factory=list)  # consecutive elements with no connection between them

    @property
    def broken(self) -> bool:
        return bool(self.missing)


def raw_loops(extra: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every named loop kept in a map's ``extra``, as stored (objects only)."""
    for container in CONTAINERS:
        project = extra.get(container)
        if isinstance(project, dict) and isinstance(project.get("loops"), list):
            yield from (loop for loop in project["loops"] if isinstance(loop, dict))


def _text(loop: dict[str, Any], keys: tuple[str, ...]) -> str:
    attributes = loop.get("attributes")
    for source in (attributes if isinstance(attributes, dict) else {}, loop):
        for key in keys:
            value = source.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return ""


def _member_lists(loop: dict[str, Any]) -> Iterator[list[Any]]:
    attributes = loop.get("attributes")
    for source in (loop, attributes if isinstance(attributes, dict) else {}):
        for key in MEMBER_LISTS:
            if isinstance(source.get(key), list):
                yield source[key]


def _ref(item: Any) -> str | None:
    if isinstance(item, str | int) and not isinstance(item, bool):
        return str(item)
    if isinstance(item, dict):
        for key in MEMBER_KEYS:
            value = item.get(key)
            if isinstance(value, str | int) and not isinstance(value, bool):
                return str(value)
    return None


def members(loop: dict[str, Any]) -> list[str]:
    """The ids a loop names, in order."""
    return [ref for items in _member_lists(loop) for ref in map(_ref, items) if ref is not None]


def describe(
    extra: dict[str, Any],
    *,
    elements: dict[str, str],
    connections: dict[str, LiveConnection],
    trashed: dict[str, str],
) -> list[NamedLoop]:
    """The named loops as the analysis page shows them. ``elements``: the map's element keys → labels;
    ``connections``: its connection keys → ends and sign; ``trashed``: keys of elements and connections
    in the trash → how to name them."""
    from konbit.maps.analysis.loops import loop_polarities  # igraph loads only when loops are shown

    by_label = {label: key for key, label in elements.items()}
    described = []
    for loop in raw_loops(extra):
        named = NamedLoop(
            name=_text(loop, ("label", "name")),
            narrative=_text(loop, ("description", "narrative")),
        )
        loop_connections: list[LiveConnection] = []
        loop_elements: list[str] = []
        for ref in members(loop):
            if ref in connections:
                loop_connections.append(connections[ref])
            elif ref in elements:
                loop_elements.append(ref)
            elif ref in by_label:
                loop_elements.append(by_label[ref])
            else:
                named.missing.append(trashed.get(ref, ref))
        if loop_connections:
            named.steps = _connection_steps(loop_connections, elements)
            polarities = loop_polarities([{c.sign} for c in loop_connections])
        elif loop_elements:
            named.steps = [elements[key] for key in loop_elements]
            steps, named.gaps = _element_steps(loop_elements, connections, elements)
            polarities = loop_polarities(steps) if not named.gaps else []
        else:
            polarities = []
        # A loop that lost a member has no polarity to tell; parallel connections of opposite signs
        # give it more than one, which is shown as unknown too.
        if not named.missing and polarities:
            named.sign = polarities[0] if len(polarities) == 1 else "unknown"
        described.append(named)
    return described


def _connection_steps(loop: list[LiveConnection], elements: dict[str, str]) -> list[str]:
    """The labels along a loop given as connections: each connection's source, then the last target
    when it does not close the loop."""
    steps = [elements.get(c.source, c.source) for c in loop]
    if loop[-1].target != loop[0].source:
        steps.append(elements.get(loop[-1].target, loop[-1].target))
    return steps


def _element_steps(
    keys: list[str], connections: dict[str, LiveConnection], elements: dict[str, str]
) -> tuple[list[set[str]], list[str]]:
    """For a loop given as elements: the signs of the connections making each step (from an element to
    the next, the last back to the first), and the steps no connection makes."""
    signs: dict[tuple[str, str], set[str]] = {}
    for c in connections.values():
        if c.direction in (DIRECTED, MUTUAL):
            signs.setdefault((c.source, c.target), set()).add(c.sign)
        if c.direction == MUTUAL:
            signs.setdefault((c.target, c.source), set()).add(c.sign)
    steps: list[set[str]] = []
    gaps: list[str] = []
    if len(keys) < 2:
        return steps, gaps
    for i, key in enumerate(keys):
        following = keys[(i + 1) % len(keys)]
        present = signs.get((key, following))
        if present is None:
            gaps.append(f"{elements.get(key, key)} → {elements.get(following, following)}")
        else:
            steps.append(present)
    return steps, gaps


def orphan_ids(extra: dict[str, Any]) -> set[str]:
    """The ids of the connections a Kumu import kept aside (their ends were missing from the file): they
    are written back on export, so loops may keep naming them."""
    project = extra.get("kumu:project")
    orphans = project.get("kumu:orphan_connections") if isinstance(project, dict) else None
    if not isinstance(orphans, list):
        return set()
    return {str(c["_id"]) for c in orphans if isinstance(c, dict) and c.get("_id") not in (None, "")}


def prune(extra: dict[str, Any], *, live: set[str]) -> dict[str, Any]:
    """``extra`` with every named loop's members that are not in ``live`` (the keys of the map's
    elements and connections, and labels of its elements) left out. ``extra`` itself is not changed."""
    if not any(set(members(loop)) - live for loop in raw_loops(extra)):
        return extra
    return _rewrite_members(
        extra, lambda items: [item for item in items if (ref := _ref(item)) is None or ref in live]
    )


def follow_merge(extra: dict[str, Any], *, merged: str, kept: str) -> dict[str, Any] | None:
    """``extra`` with the named loops' references to the element ``merged`` pointing at ``kept`` instead
    (a member repeated by the merge kept once); None when no loop names ``merged``."""
    if not any(merged in members(loop) for loop in raw_loops(extra)):
        return None

    def renamed(items: list[Any]) -> list[Any]:
        result: list[Any] = []
        for item in items:
            if _ref(item) == merged:
                item = _renamed(item, merged, kept)
            if _ref(item) == kept and any(_ref(x) == kept for x in result):
                continue
            result.append(item)
        return result

    return _rewrite_members(extra, renamed)


def _rewrite_members(extra: dict[str, Any], rewrite: Callable[[list[Any]], list[Any]]) -> dict[str, Any]:
    """A copy of ``extra`` with each member list of each named loop replaced by ``rewrite(list)``."""
    changed = dict(extra)
    for container in CONTAINERS:
        project = extra.get(container)
        if not isinstance(project, dict) or not isinstance(project.get("loops"), list):
            continue
        loops = copy.deepcopy(project["loops"])
        for loop in loops:
            if isinstance(loop, dict):
                for items in _member_lists(loop):
                    items[:] = rewrite(items)
        changed[container] = {**project, "loops": loops}
    return changed


def _renamed(item: Any, merged: str, kept: str) -> Any:
    if not isinstance(item, dict):
        return kept
    item = dict(item)
    for key in MEMBER_KEYS:
        if key in item and str(item[key]) == merged:
            item[key] = kept
            break
    return item
