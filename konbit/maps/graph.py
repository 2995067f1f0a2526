"""The plain, in-memory form of a map: what file formats read and write, what the analysis and the
comparison take, and what the database rows are converted to and from. No Django in here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Connection direction and sign vocabularies (also used by the models' choices).
DIRECTED, MUTUAL, UNDIRECTED = "directed", "mutual", "undirected"
DIRECTIONS = (DIRECTED, MUTUAL, UNDIRECTED)
# NO_SIGN: the connection states no polarity. UNKNOWN: it should have one, but the source did not say
# which (a "?" in a causal-loop study, or a sign cell that could not be read). Neither is + or −: a loop
# through either has an unknown polarity, and neither ever disagrees with another perspective's sign.
POSITIVE, NEGATIVE, NO_SIGN, UNKNOWN = "+", "-", "", "?"
SIGNS = (POSITIVE, NEGATIVE, NO_SIGN, UNKNOWN)

# How people write a sign in a cell or a field (case and surrounding spaces aside). Formats also read
# causal-loop tokens (formats.base.polarity_token_sign) and numbers.
SIGN_SPELLINGS: dict[str, str] = {
    **dict.fromkeys(("+", "plus", "positive", "pos", "1", "+1"), POSITIVE),
    **dict.fromkeys(("-", "\u2212", "\u2013", "minus", "negative", "neg", "-1"), NEGATIVE),
    **dict.fromkeys(("", "0", "none", "n/a"), NO_SIGN),
    **dict.fromkeys(
        ("?", "unknown", "unsure", "not sure", "don't know", "?/+", "+/?", "-/?", "?/-"), UNKNOWN
    ),
}


def spelled_sign(text: str) -> str | None:
    """The sign a written value stands for ("Positive" → "+"); None when it is not one."""
    return SIGN_SPELLINGS.get(text.strip().casefold())


@dataclass
class GElement:
    id: str  # stable key within the map (a Kumu id or _id, a GraphML node id, or Konbit's own)
    label: str
    type: str = ""  # free text, e.g. "Lead firm", "Factor"
    kind: str = "actor"  # "actor" or "factor"
    function: str = ""  # market-system function: "core", "supporting", "rules" or ""
    tags: list[str] = field(default_factory=list)
    description: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)  # custom fields, kept as read
    position: tuple[float, float] | None = None
    perspectives: list[str] = field(default_factory=list)  # names of the perspectives that include it


@dataclass
class GConnection:
    source: str  # GElement.id
    target: str  # GElement.id
    id: str = ""
    type: str = ""
    direction: str = DIRECTED
    sign: str = NO_SIGN
    strength: float | None = None
    description: str = ""
    tags: list[str] = field(default_factory=list)
    attributes: dict[str, Any] = field(default_factory=dict)
    perspective: str = ""  # the perspective that recorded it ("" = none named)


@dataclass
class GView:
    """One of several views of a map (a Kumu project's maps): its own element positions and the
    elements and connections it shows, over the map's one shared set of elements."""

    key: str  # stable within the map (a Kumu map's _id)
    name: str
    positions: dict[str, tuple[float, float]] = field(default_factory=dict)  # element id → (x, y)
    elements: list[str] = field(default_factory=list)  # ids of the elements it shows, in its order
    connections: list[str] = field(default_factory=list)  # ids of the connections it shows


@dataclass
class GMap:
    name: str = ""
    elements: list[GElement] = field(default_factory=list)
    connections: list[GConnection] = field(default_factory=list)
    # Anything of the source format that has no field above (Kumu loops, views with positions,
    # settings…), kept so that an export gives back what was imported.
    extra: dict[str, Any] = field(default_factory=dict)
    # Several views with their own positions (positions of the elements themselves are the map's
    # own layout, shown when no view is chosen). Empty for a map with one layout.
    views: list[GView] = field(default_factory=list)

    @property
    def directed(self) -> bool:
        """A map is analysed as directed when any connection is directed."""
        return any(c.direction == DIRECTED for c in self.connections)
