"""Reads of the map pillar. Partner users see only their own perspectives (and what is in them);
the programme team sees every perspective of its programme's maps."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from konbit.core.access import Access

from . import fields, graph, named_loops
from .models import AnalysisResult, Connection, Element, ElementMerge, Map, MapView, Perspective, Snapshot


def _get(qs: QuerySet[Any], pk: int) -> Any:
    try:
        return qs.get(pk=pk)
    except qs.model.DoesNotExist:
        raise Http404 from None


def _count_per_map(rows: QuerySet[Any]) -> Coalesce:
    """A correlated COUNT per map. Two joined COUNT(DISTINCT …) would multiply elements by connections
    (measured: 15 s for one 1,000-element map); two subqueries stay proportional to each map's size."""
    counted = rows.filter(map=OuterRef("pk")).order_by().values("map").annotate(n=Count("pk", distinct=True))
    return Coalesce(Subquery(counted.values("n"), output_field=IntegerField()), 0)


def map_list(*, access: Access) -> QuerySet[Map]:
    """Every map of the programme. For a partner user the counts cover only its own perspectives."""
    qs = Map.objects.filter(program=access.program)
    elements, connections = Element.objects.all(), Connection.objects.all()
    if access.is_partner:
        own = access.membership.organization_id or 0
        elements = elements.filter(perspectives__organization_id=own)
        connections = connections.filter(perspective__organization_id=own)
    return qs.annotate(
        element_count=_count_per_map(elements), connection_count=_count_per_map(connections)
    ).order_by("name")


def map_get(*, access: Access, pk: int) -> Map:
    return _get(Map.objects.filter(program=access.program), pk)


def perspective_list(*, access: Access, map: Map) -> QuerySet[Perspective]:
    qs = Perspective.objects.filter(program=access.program, map=map).select_related("organization")
    if access.is_partner:
        qs = qs.filter(organization_id=access.membership.organization_id or 0)
    # A correlated count per perspective, not a join grouped by every perspective column (140 ms → a few
    # ms for 6 perspectives of a 50,000-connection map).
    counted = (
        Connection.objects.filter(perspective=OuterRef("pk"))
        .order_by()
        .values("perspective")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(connection_count=Coalesce(Subquery(counted, output_field=IntegerField()), 0)).order_by(
        "name"
    )


def perspective_get(*, access: Access, map: Map, pk: int) -> Perspective:
    return _get(perspective_list(access=access, map=map), pk)


def visible_perspective_ids(*, access: Access, map: Map) -> list[int] | None:
    """None means every perspective (staff); a list limits a partner user to its own."""
    if not access.is_partner:
        return None
    return list(perspective_list(access=access, map=map).values_list("pk", flat=True))


def element_list(*, access: Access, map: Map, perspective_ids: list[int] | None = None) -> QuerySet[Element]:
    qs = Element.objects.filter(program=access.program, map=map)
    allowed = visible_perspective_ids(access=access, map=map)
    if allowed is not None:
        perspective_ids = [p for p in (perspective_ids or allowed) if p in allowed]
    if perspective_ids is not None:
        qs = qs.filter(perspectives__in=perspective_ids).distinct()
    return qs.select_related("organization")


def element_get(*, access: Access, map: Map, pk: int) -> Element:
    return _get(element_list(access=access, map=map), pk)


def connection_list(
    *, access: Access, map: Map, perspective_ids: list[int] | None = None
) -> QuerySet[Connection]:
    qs = Connection.objects.filter(program=access.program, map=map)
    allowed = visible_perspective_ids(access=access, map=map)
    if allowed is not None:
        perspective_ids = [p for p in (perspective_ids or allowed) if p in allowed]
    if perspective_ids is not None:
        qs = qs.filter(perspective_id__in=perspective_ids)
    return qs.select_related("source", "target", "perspective")


def connection_get(*, access: Access, map: Map, pk: int) -> Connection:
    return _get(connection_list(access=access, map=map), pk)


def vocabulary(*, access: Access, map: Map, connections: bool = False) -> tuple[list[str], dict[str, str]]:
    """The map's own vocabulary for its elements (or connections): the types in use, most used first,
    and {custom field name: kind} (konbit.maps.fields.field_kinds) over what the user may see."""
    qs: QuerySet[Any] = (
        connection_list(access=access, map=map) if connections else element_list(access=access, map=map)
    )
    types = [
        row["type"]
        for row in qs.order_by().values("type").annotate(n=Count("pk")).order_by("-n", "type")
        if row["type"]
    ]
    return types, fields.field_kinds(qs.order_by().values_list("attributes", flat=True))


def snapshot_list(*, access: Access, map: Map) -> QuerySet[Snapshot]:
    return Snapshot.objects.filter(program=access.program, map=map).order_by("-taken_on", "-id")


def snapshot_get(*, access: Access, map: Map, pk: int) -> Snapshot:
    return _get(snapshot_list(access=access, map=map), pk)


def _tags(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def map_extra(*, access: Access, map: Map) -> dict[str, Any]:
    """What an imported file had that Konbit has no field for (`Map.extra`: Kumu's loops, views,
    perspectives and settings, connections kept aside, `konbit:extra` notes), for readers who may see
    it. It is the team's map-level data and names the whole map's elements and connections, so a
    partner user, who sees only its own perspectives, gets none of it; the team sees the whole map,
    so it gets all of it (an export then imports back as the same map). Kumu's named loops leave out
    the elements and connections that are no longer in the map (in the trash, or merged away)."""
    if access.is_partner:
        return {}
    extra = dict(map.extra)
    if any(True for _ in named_loops.raw_loops(extra)):
        elements = Element.objects.filter(program=access.program, map=map).values_list("key", "label")
        live = {text for row in elements for text in row}
        live |= set(
            Connection.objects.filter(program=access.program, map=map)
            .exclude(key="")
            .values_list("key", flat=True)
        )
        live |= named_loops.orphan_ids(extra)  # connections kept aside are exported as they were
        extra = named_loops.prune(extra, live=live)
    return extra


def named_loop_list(*, access: Access, map: Map) -> list[named_loops.NamedLoop]:
    """Kumu's named loops of the map (team only, like the rest of `map_extra`), each resolved against
    the map as it is now: its elements as labels, its polarity from the current signs, and what it lost
    to the trash named."""
    if access.is_partner or not any(True for _ in named_loops.raw_loops(map.extra)):
        return []
    elements = dict(Element.objects.filter(program=access.program, map=map).values_list("key", "label"))
    connections = {
        key: named_loops.LiveConnection(source=source, target=target, sign=sign, direction=direction)
        for key, source, target, sign, direction in Connection.objects.filter(
            program=access.program, map=map
        ).values_list("key", "source__key", "target__key", "sign", "direction")
        if key
    }
    trashed: dict[str, str] = dict(
        Element.all_objects.filter(program=access.program, map=map, deleted_at__isnull=False).values_list(
            "key", "label"
        )
    )
    for key, source, target in Connection.all_objects.filter(
        program=access.program, map=map, deleted_at__isnull=False
    ).values_list("key", "source__label", "target__label"):
        if key:
            trashed[key] = f"{source} → {target}"
    return named_loops.describe(map.extra, elements=elements, connections=connections, trashed=trashed)


def view_list(*, access: Access, map: Map) -> QuerySet[MapView]:
    """The map's views (a Kumu project's maps). Like `map_extra`, they lay out and name the whole map,
    so a partner user, who sees only its own perspectives, gets none."""
    if access.is_partner:
        return MapView.objects.none()
    return MapView.objects.filter(program=access.program, map=map)


def view_get(*, access: Access, map: Map, pk: int) -> MapView:
    return _get(view_list(access=access, map=map), pk)


def view_shows(*, access: Access, map: Map, view: MapView) -> tuple[set[str], set[str], set[str]]:
    """What a view shows, as (element keys, connection keys it lists, connection keys any view lists).
    A connection is shown when the view lists it, or when no view lists it (it was added in Konbit
    after the import) and both its ends are shown — as Kumu shows a connection in a map holding both
    its ends."""
    listed: set[str] = set()
    for keys in view_list(access=access, map=map).values_list("connection_keys", flat=True):
        listed.update(keys)
    return set(view.element_keys), set(view.connection_keys), listed


def to_gmap(*, access: Access, map: Map, perspective_ids: list[int] | None = None) -> graph.GMap:
    """The map (or some perspectives of it) as plain data, in three queries of plain values (building
    model instances for 10,000 elements and 50,000 connections took most of the time)."""
    element_rows = list(
        element_list(access=access, map=map, perspective_ids=perspective_ids)
        .order_by("pk")
        .values_list(
            "pk",
            "key",
            "label",
            "type",
            "kind",
            "function",
            "tags",
            "description",
            "attributes",
            "x",
            "y",
            "organization_id",
        )
    )
    names: dict[int, list[str]] = {}
    links = Element.perspectives.through.objects.filter(
        element__map=map, perspective__map=map, perspective__deleted_at__isnull=True
    )
    visible = visible_perspective_ids(access=access, map=map)
    if visible is not None:  # a partner user: never the names of other partners' perspectives
        links = links.filter(perspective_id__in=visible)
    for element_id, name in links.values_list("element_id", "perspective__name"):
        names.setdefault(element_id, []).append(name)
    g = graph.GMap(name=map.name, extra=map_extra(access=access, map=map))
    g.views = [
        graph.GView(
            key=view.key,
            name=view.name,
            positions={k: (float(p[0]), float(p[1])) for k, p in view.positions.items()},
            elements=list(view.element_keys),
            connections=list(view.connection_keys),
        )
        for view in view_list(access=access, map=map)
    ]
    for pk, key, label, type_, kind, function, tags, description, attributes, x, y, org_id in element_rows:
        attributes = dict(attributes)
        if org_id:
            attributes.setdefault("partner", True)
        g.elements.append(
            graph.GElement(
                id=key,
                label=label,
                type=type_,
                kind=kind,
                function=function,
                tags=_tags(tags),
                description=description,
                attributes=attributes,
                position=(x, y) if x is not None and y is not None else None,
                perspectives=sorted(names.get(pk, [])),
            )
        )
    keys = {row[1] for row in element_rows}
    connections = (
        connection_list(access=access, map=map, perspective_ids=perspective_ids)
        .order_by("pk")
        .values_list(
            "pk",
            "key",
            "source__key",
            "target__key",
            "type",
            "direction",
            "sign",
            "strength",
            "description",
            "tags",
            "attributes",
            "perspective__name",
        )
    )
    for (
        pk,
        key,
        source,
        target,
        type_,
        direction,
        sign,
        strength,
        description,
        tags,
        attributes,
        name,
    ) in connections:
        if source not in keys or target not in keys:
            continue
        g.connections.append(
            graph.GConnection(
                id=key or str(pk),
                source=source,
                target=target,
                type=type_,
                direction=direction,
                sign=sign,
                strength=strength,
                description=description,
                tags=_tags(tags),
                attributes=dict(attributes),
                perspective=name or "",
            )
        )
    return g


def cached_analysis(*, map: Map, perspective_key: str = "") -> AnalysisResult | None:
    return AnalysisResult.objects.filter(
        map=map, content_version=map.content_version, perspective_key=perspective_key
    ).first()


def cached_map_figures(*, maps: list[Map]) -> dict[int, dict[str, Any]]:
    """The whole-map figures (the "map" part) of the current cached analysis of every perspective,
    for many maps in one query; a map without one is left out. Only that part of each result is read
    (a 10,000-element map's result is megabytes of per-element metrics)."""
    rows = AnalysisResult.objects.filter(
        map__in=maps, perspective_key="", content_version=F("map__content_version")
    ).values_list("map_id", "result__map")
    return {map_id: figures or {} for map_id, figures in rows}


def perspective_ties(*, access: Access, perspective: Perspective) -> list[dict[str, Any]]:
    """The ties a partner drew from its own element (the rows of its simple form)."""
    own_label = perspective.organization.name if perspective.organization else perspective.name
    connections = Connection.objects.filter(
        program=access.program, perspective=perspective, source__label=own_label
    ).select_related("target")
    return [
        {
            "name": c.target.label,
            "type": c.type,
            "strength": str(int(c.strength or 1)),
            "direction": c.direction,
        }
        for c in connections
    ]


def merge_list(*, access: Access, map: Map) -> QuerySet[ElementMerge]:
    """The map's merges, newest first, with both elements (the merged one is in the trash)."""
    return (
        ElementMerge.objects.filter(program=access.program, map=map)
        .select_related("kept", "merged", "created_by")
        .order_by("-created_at", "-id")
    )


def merge_get(*, access: Access, map: Map, pk: int) -> ElementMerge:
    return _get(merge_list(access=access, map=map), pk)


def element_connections(*, access: Access, map: Map, element: Element) -> QuerySet[Connection]:
    """Every connection of an element (either end), with both ends and the perspective."""
    return (
        connection_list(access=access, map=map).filter(Q(source=element) | Q(target=element)).order_by("pk")
    )
