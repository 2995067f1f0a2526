"""The header names map tables are recognised by, and signs written as polarity.

Edge lists come with their authors' own words: ``source,target``, ``cause,effect,polarity``,
``id,name``, ``participant``. Each field below lists the names it answers to, in order of preference
(matched by `konbit.core.tabular.headers.header_key`: case, accents, spaces and underscores ignored).
A person can always say which column holds a field (``--columns``, the import preview's selects).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from konbit.core.tabular.headers import HeaderMatch, match_headers
from konbit.maps.graph import NEGATIVE, POSITIVE

from .base import FormatError, normalise_sign, polarity_key, polarity_token_sign

CONNECTION_SYNONYMS: dict[str, tuple[str, ...]] = {
    "from": ("from", "source", "cause", "origin", "from label", "source label", "de", "origine"),
    "to": ("to", "target", "effect", "destination", "to label", "target label", "vers", "cible", "effet"),
    "id": ("id", "connection id", "edge id", "link id"),
    "type": ("type", "connection type", "edge type", "link type", "relationship", "relation"),
    "direction": ("direction", "connection direction", "edge direction"),
    "description": ("description", "connection description"),
    "tags": ("tags", "tag"),
    "sign": ("sign", "polarity", "signe", "polarite", "valence", "effect sign"),
    "strength": ("strength", "weight", "force", "poids"),
    "perspective": (
        "perspective",
        "participant",
        "respondent",
        "group",
        "participant id",
        "respondent id",
        "groupe",
    ),
}
ELEMENT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": ("id", "element id", "node id", "key"),
    "label": ("label", "name", "title", "element", "node", "nom", "libelle", "titre"),
    "type": ("type", "element type", "node type", "category", "categorie"),
    "description": ("description", "element description"),
    "tags": ("tags", "tag"),
    "kind": ("kind",),
    "function": ("function",),
    "perspectives": ("perspectives",),
    "x": ("x",),
    "y": ("y",),
}
# Every field a person may name in a column mapping.
FIELDS: tuple[str, ...] = tuple(dict.fromkeys([*CONNECTION_SYNONYMS, *ELEMENT_SYNONYMS]))
# Fields only an elements table has (the rest of a mapping goes to the connections table when there is one).
ELEMENT_ONLY = tuple(f for f in ELEMENT_SYNONYMS if f not in CONNECTION_SYNONYMS)
CONNECTION_ONLY = tuple(f for f in CONNECTION_SYNONYMS if f not in ELEMENT_SYNONYMS)


class ColumnsNeeded(FormatError):
    """The file is a table, but its header names do not say which column holds which field: the
    person importing can name them (the preview's selects, ``--columns`` on the command line)."""


# Besides the causal-loop tokens (base.polarity_token_sign), a polarity column may name the loop kind.
_LOOP_WORDS = {"reinforcing": POSITIVE, "balancing": NEGATIVE}


def polarity_sign(value: Any) -> str | None:
    """A sign from a sign or polarity cell: every spelling `normalise_sign` reads, plus the causal-loop
    pairs (``++``, ``--`` positive; ``+-``, ``-+`` negative), s/o, same/opposite; None when unreadable."""
    sign = normalise_sign(value)
    if sign is not None or value is None:
        return sign
    return polarity_token_sign(value) or _LOOP_WORDS.get(polarity_key(value))


def type_holds_signs(values: Iterable[Any]) -> bool:
    """Whether a type column is really a polarity column: it has values and every one is a sign
    ("+", "-", "++", "+-", "positive"…; not the unknown sign, so a type such as "?" stays a type)."""
    found = False
    for value in values:
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if polarity_sign(value) not in (POSITIVE, NEGATIVE):
            return False
        found = True
    return found


def connection_match(header: list[str], chosen: Mapping[str, str] | None = None) -> HeaderMatch:
    return match_headers(header, CONNECTION_SYNONYMS, chosen)


def element_match(header: list[str], chosen: Mapping[str, str] | None = None) -> HeaderMatch:
    return match_headers(header, ELEMENT_SYNONYMS, chosen)


def is_connections_header(header: list[str], chosen: Mapping[str, str] | None = None) -> bool:
    return connection_match(header, chosen).has("from", "to")


def is_elements_header(header: list[str], chosen: Mapping[str, str] | None = None) -> bool:
    """An elements table: a label or an id column, and no From/To pair (a nodes file ``id,name``)."""
    if is_connections_header(header, chosen):
        return False
    match = element_match(header, chosen)
    return match.has("label") or match.has("id")


def split_chosen(
    chosen: Mapping[str, str] | None, *, with_connections: bool
) -> tuple[dict[str, str], dict[str, str]]:
    """A person's mapping, split into (elements table, connections table). Fields both tables have
    (id, type, description, tags) go to the connections table when the file has one."""
    elements: dict[str, str] = {}
    connections: dict[str, str] = {}
    for name, column in (chosen or {}).items():
        if name in CONNECTION_SYNONYMS and (with_connections or name in CONNECTION_ONLY):
            connections[name] = column
        if name in ELEMENT_ONLY or (name in ELEMENT_SYNONYMS and not with_connections):
            elements[name] = column
    return elements, connections


# The fields a person maps on the import page, in the order shown.
MAPPED_FIELDS = (
    "from",
    "to",
    "sign",
    "perspective",
    "type",
    "direction",
    "strength",
    "description",
    "label",
    "id",
)


def guess_columns(header: list[str]) -> dict[str, str]:
    """What the reader would take for each field of MAPPED_FIELDS, as field → column name: the
    prefilled choices of the import page's column mapping."""
    connections = connection_match(header)
    table = connections if connections.has("from", "to") else element_match(header)
    guesses = {name: header[index] for name, index in table.fields.items() if name in MAPPED_FIELDS}
    if table is connections:
        elements = element_match(header)
        if "label" in elements.fields and elements.fields["label"] not in connections.fields.values():
            guesses["label"] = header[elements.fields["label"]]
    return guesses
