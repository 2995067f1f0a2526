from __future__ import annotations

from typing import Any

from ninja import Field, Schema

from konbit.api.schemas import Paged
from konbit.core.numbers import BodyId, FiniteFloat


class MapOut(Schema):
    id: int
    name: str
    description: str
    content_version: int
    element_count: int
    connection_count: int


class MapPage(Paged):
    items: list[MapOut]


class PerspectiveOut(Schema):
    id: int
    name: str
    kind: str
    organization_id: int | None
    is_private: bool
    connection_count: int


class ElementOut(Schema):
    id: int
    key: str
    label: str
    kind: str
    type: str
    function: str
    organization_id: int | None
    tags: str
    description: str
    attributes: dict[str, Any]
    x: float | None
    y: float | None


class ElementPage(Paged):
    items: list[ElementOut]


class ConnectionOut(Schema):
    id: int
    key: str
    source_id: int
    target_id: int
    type: str
    direction: str
    sign: str
    strength: float | None
    perspective_id: int | None


class ConnectionPage(Paged):
    items: list[ConnectionOut]


class ElementIn(Schema):
    label: str = Field(min_length=1, max_length=300, pattern=r"^[^\x00]*$")
    kind: str = Field("actor", pattern="^(actor|factor)$")
    type: str = Field("", max_length=100, pattern=r"^[^\x00]*$")
    function: str = Field("", pattern="^(|core|supporting|rules)$")
    tags: str = Field("", max_length=500, pattern=r"^[^\x00]*$")
    description: str = Field("", max_length=10_000, pattern=r"^[^\x00]*$")
    perspective_ids: list[BodyId] = Field(default_factory=list, max_length=100)


class ConnectionIn(Schema):
    source_id: BodyId
    target_id: BodyId
    # The map's own vocabulary ("+-", "Lead firm supplies"…), as in the forms; Konbit's defaults are
    # models.ConnectionType.
    type: str = Field("cooperation", max_length=100, pattern=r"^[^\x00]*$")
    direction: str = Field("directed", pattern="^(directed|mutual|undirected)$")
    sign: str = Field("", pattern=r"^(|\+|-|\?)$")
    strength: FiniteFloat | None = Field(None, ge=0, le=1_000_000)
    perspective_id: BodyId | None = None


class AnalysisOut(Schema):
    map: dict[str, Any]
    elements: list[dict[str, Any]]
    loops: dict[str, Any]
    gaps: dict[str, Any]
    suggestions: list[dict[str, Any]]


class ComparisonOut(Schema):
    perspectives: list[str]
    connections: list[dict[str, Any]]
    blind_spots: list[dict[str, Any]]
    disagreements: list[dict[str, Any]]
    direction_disagreements: list[dict[str, Any]]
    alignment: dict[str, dict[str, float]]
    # The counts behind each alignment figure: {"shared": both draw, "either": either draws}.
    overlap: dict[str, dict[str, dict[str, int]]] = {}
    consensus: list[dict[str, Any]]
