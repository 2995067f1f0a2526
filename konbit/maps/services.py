"""Every write of the map pillar. Element and connection changes bump the map's content version,
which invalidates cached analysis results."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from konbit.core import audit
from konbit.core.access import Access
from konbit.core.models import AuditAction, Program
from konbit.core.numbers import finite_float
from konbit.core.services import (
    tenant_record_create,
    tenant_record_delete,
    tenant_record_restore,
    tenant_record_update,
)
from konbit.core.transactions import service
from konbit.partners.models import Organization
from konbit.partners.names import normalize_name

from . import graph, named_loops
from .merge import filled_fields
from .models import (
    AnalysisResult,
    Connection,
    Element,
    ElementMerge,
    Map,
    MapView,
    Perspective,
    PerspectiveKind,
    Snapshot,
)


def new_key() -> str:
    return uuid.uuid4().hex[:16]


def _touch(map: Map) -> None:
    """The version bump: always the last write of an element or connection change, inside its
    transaction, so a cached analysis never outlives the content it was computed from."""
    Map.all_objects.filter(pk=map.pk).update(content_version=F("content_version") + 1)
    map.refresh_from_db(fields=["content_version"])


# --- maps and perspectives ----------------------------------------------------------------------


@service
def map_create(*, access: Access, by: User, data: dict[str, Any]) -> Map:
    return tenant_record_create(model=Map, program=access.program, by=by, data=data)


@service
def perspective_create(*, access: Access, map: Map, by: User, data: dict[str, Any]) -> Perspective:
    """Add a perspective. A partner user starting its view again (a double click, a second tab) gets
    the view it already has, not a second one the unique name would refuse; for staff a name already
    used on the map is a ValidationError with a message."""
    if access.is_partner:
        # A partner user draws its own view: always its organisation's, always private.
        data = {
            **data,
            "kind": PerspectiveKind.PARTNER,
            "organization": access.organization,
            "is_private": True,
        }
        existing = Perspective.objects.filter(
            program=access.program, map=map, organization=access.organization, name=data.get("name")
        ).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            return tenant_record_create(
                model=Perspective, program=access.program, by=by, data={"map": map, **data}
            )
    except IntegrityError:
        # Two posts at once: the other one created it in between.
        existing = Perspective.objects.filter(
            program=access.program, map=map, organization=access.organization, name=data.get("name")
        ).first()
        if access.is_partner and existing is not None:
            return existing
        raise ValidationError(_("A perspective with this name already exists on this map.")) from None


# --- elements and connections -------------------------------------------------------------------


@service
def element_create(
    *, access: Access, map: Map, by: User, data: dict[str, Any], perspectives: Iterable[Perspective] = ()
) -> Element:
    element = tenant_record_create(
        model=Element, program=access.program, by=by, data={"map": map, "key": new_key(), **data}
    )
    element.perspectives.set(list(perspectives))
    _touch(map)
    return element


@service
def element_update(
    *,
    element: Element,
    by: User,
    data: dict[str, Any],
    expected_version: int | None = None,
    perspectives: Iterable[Perspective] | None = None,
) -> dict[str, list[Any]]:
    """Change an element's fields and, when given, which perspectives include it."""
    changes = tenant_record_update(instance=element, by=by, data=data, expected_version=expected_version)
    if perspectives is not None:
        before = sorted(p.name for p in element.perspectives.all())
        element.perspectives.set(list(perspectives))
        after = sorted(p.name for p in element.perspectives.all())
        if before != after:
            changes["perspectives"] = [before, after]
            audit.record(
                program=element.program,
                actor=by,
                action=AuditAction.UPDATE,
                instance=element,
                changes={"perspectives": [before, after]},
            )
    if changes:
        _touch(element.map)
    return changes


@service
def element_delete(*, element: Element, by: User) -> None:
    """The element and its connections go to the trash together (restoring brings back the element)."""
    for connection in Connection.objects.filter(map=element.map).filter(
        source=element
    ) | Connection.objects.filter(map=element.map, target=element):
        tenant_record_delete(instance=connection, by=by)
    tenant_record_delete(instance=element, by=by)
    _touch(element.map)


@service
def connection_create(*, access: Access, map: Map, by: User, data: dict[str, Any]) -> Connection:
    if data["source"].map_id != map.pk or data["target"].map_id != map.pk:
        raise ValidationError(_("Both ends must be elements of this map."))
    connection = tenant_record_create(
        model=Connection, program=access.program, by=by, data={"map": map, "key": new_key(), **data}
    )
    if connection.perspective_id:
        connection.perspective.elements.add(connection.source, connection.target)  # type: ignore[union-attr]
    _touch(map)
    return connection


@service
def connection_update(
    *, connection: Connection, by: User, data: dict[str, Any], expected_version: int | None = None
) -> dict[str, list[Any]]:
    changes = tenant_record_update(instance=connection, by=by, data=data, expected_version=expected_version)
    if changes:
        _touch(connection.map)
    return changes


@service
def connection_delete(*, connection: Connection, by: User) -> None:
    tenant_record_delete(instance=connection, by=by)
    _touch(connection.map)


@service
def positions_save(*, access: Access, map: Map, positions: dict[str, tuple[float, float]]) -> int:
    """Store laid-out positions (element key → x, y). Positions are not analysed: no version bump.
    Raises ValueError for a coordinate that is not a finite number (it would break the map's JSON)."""
    positions = {key: (finite_float(x), finite_float(y)) for key, (x, y) in positions.items()}
    elements = list(Element.objects.filter(program=access.program, map=map, key__in=list(positions)))
    for element in elements:
        element.x, element.y = positions[element.key]
    Element.objects.bulk_update(elements, ["x", "y"], batch_size=2000)
    Map.all_objects.filter(pk=map.pk).update(layout_version=F("layout_version") + 1)
    return len(elements)


@service
def element_merge(*, access: Access, keep: Element, merge: Element, by: User) -> ElementMerge:
    """Fold a duplicate element into another (e.g. the same actor drawn by two partners): its
    connections and perspectives move over, the kept element takes the duplicate's values for the
    fields it leaves empty (merge_filled_fields), and the duplicate goes to the trash. Everything it
    changes is recorded (ElementMerge) so that element_merge_undo can put it back exactly."""
    if keep.pk == merge.pk or keep.map_id != merge.map_id or keep.program_id != access.program.pk:
        raise ValidationError(_("Choose two different elements of the same map."))
    if merge.program_id != access.program.pk or keep.deleted_at or merge.deleted_at:
        raise ValidationError(_("Choose two different elements of the same map."))
    moved: list[list[Any]] = []
    for side in ("source", "target"):
        ends = Connection.all_objects.filter(map=keep.map, **{side: merge})
        moved += [[pk, side] for pk in ends.values_list("pk", flat=True)]
        ends.update(**{side: keep})
    had = set(keep.perspectives.values_list("pk", flat=True))
    added = [p.pk for p in merge.perspectives.all() if p.pk not in had]
    keep.perspectives.add(*added)
    filled = filled_fields(keep, merge)
    before = {
        name: (keep.organization_id if name == "organization" else getattr(keep, name)) for name in filled
    }
    if filled:
        tenant_record_update(instance=keep, by=by, data=filled)
    tenant_record_delete(instance=merge, by=by)
    # Kumu's named loops that went through the duplicate now go through the element kept.
    extra_before = keep.map.extra
    extra = named_loops.follow_merge(extra_before, merged=merge.key, kept=keep.key)
    if extra is not None:
        Map.all_objects.filter(pk=keep.map_id).update(extra=extra)
        keep.map.extra = extra
    record = tenant_record_create(
        model=ElementMerge,
        program=access.program,
        by=by,
        data={
            "map": keep.map,
            "kept": keep,
            "merged": merge,
            "moved": moved,
            "perspectives_added": added,
            "fields_before": before,
            "extra_change": None if extra is None else {"before": extra_before, "after": extra},
        },
    )
    audit.record(
        program=access.program,
        actor=by,
        action=AuditAction.UPDATE,
        instance=keep,
        changes={"merged": [merge.label, keep.label]},
    )
    _touch(keep.map)
    return record


@service
def element_merge_undo(*, access: Access, record: ElementMerge, by: User) -> int:
    """Undo a merge: the duplicate comes back from the trash, each connection end that moved goes back
    to it (also on connections edited or trashed since), the kept element loses the perspectives the
    merge added and gets back the values of the fields the merge filled (unless someone has changed
    them since). Returns the number of connection ends moved back."""
    if record.program_id != access.program.pk:
        raise ValidationError(_("This merge is not part of this programme."))
    if record.undone_at is not None:
        raise ValidationError(_("This merge has already been undone."))
    merged = Element.all_objects.get(pk=record.merged_id, program=access.program)
    kept = Element.all_objects.get(pk=record.kept_id, program=access.program)
    if merged.deleted_at is not None:
        tenant_record_restore(instance=merged, by=by)
    count = 0
    for pk, side in record.moved:
        if side in ("source", "target"):
            count += Connection.all_objects.filter(
                pk=pk, map_id=record.map_id, **{f"{side}_id": kept.pk}
            ).update(**{side: merged})
    kept.perspectives.remove(*record.perspectives_added)
    filled = _fields_to_set_back(kept, merged, record.fields_before)
    if filled:
        tenant_record_update(instance=kept, by=by, data=filled)
    change = record.extra_change
    if change and Map.all_objects.get(pk=record.map_id).extra == change["after"]:
        Map.all_objects.filter(pk=record.map_id).update(extra=change["before"])
    tenant_record_update(instance=record, by=by, data={"undone_at": timezone.now()})
    audit.record(
        program=access.program,
        actor=by,
        action=AuditAction.UPDATE,
        instance=kept,
        changes={"merge undone": [merged.label, kept.label]},
    )
    _touch(record.map)
    return count


def _fields_to_set_back(kept: Element, merged: Element, before: dict[str, Any]) -> dict[str, Any]:
    """The kept element's fields to set back on undo: each filled field that still holds the value the
    merge gave it (a value someone changed since is theirs, and stays)."""
    back: dict[str, Any] = {}
    for name, old in before.items():
        if name == "organization":
            if kept.organization_id == merged.organization_id:
                back[name] = old and Organization.objects.filter(pk=old, program_id=kept.program_id).first()
        elif name == "attributes":
            current = dict(kept.attributes or {})
            added = {k for k in (merged.attributes or {}) if k not in (old or {})}
            for key in added:
                if current.get(key) == (merged.attributes or {}).get(key):
                    current.pop(key, None)
            back[name] = current
        elif getattr(kept, name) == getattr(merged, name):
            back[name] = old
    return back


# --- a partner's own view -----------------------------------------------------------------------


@service
def partner_view_save(
    *, access: Access, perspective: Perspective, by: User, ties: list[dict[str, Any]]
) -> int:
    """The simple form for partners: 'which organisations do you work with, how, how strongly?'.
    Replaces the perspective's connections from the partner's own element with `ties`
    (each: name, type, strength 1–3, direction). Names are matched to elements of this
    perspective by normalized label; facilitators merge them with other perspectives' elements later."""
    map = perspective.map
    own_org = perspective.organization
    own_label = own_org.name if own_org else perspective.name
    elements = {normalize_name(e.label): e for e in perspective.elements.all()}
    own = elements.get(normalize_name(own_label))
    if own is None:
        own = element_create(
            access=access,
            map=map,
            by=by,
            data={"label": own_label, "organization": own_org, "kind": "actor"},
            perspectives=[perspective],
        )
        elements[normalize_name(own_label)] = own
    for connection in Connection.objects.filter(perspective=perspective, source=own):
        tenant_record_delete(instance=connection, by=by)
    count = 0
    for tie in ties:
        key = normalize_name(tie["name"])
        if not key or key == normalize_name(own_label):
            continue
        other = elements.get(key)
        if other is None:
            other = element_create(
                access=access,
                map=map,
                by=by,
                data={"label": tie["name"].strip(), "kind": "actor"},
                perspectives=[perspective],
            )
            elements[key] = other
        connection_create(
            access=access,
            map=map,
            by=by,
            data={
                "source": own,
                "target": other,
                "type": tie.get("type") or "cooperation",
                "direction": tie.get("direction") or graph.MUTUAL,
                "strength": float(tie.get("strength") or 1),
                "perspective": perspective,
            },
        )
        count += 1
    _touch(map)
    return count


# --- import -------------------------------------------------------------------------------------


@service
def map_import(*, access: Access, by: User, gmap: graph.GMap, name: str) -> Map:
    """Create a map from plain data (a file already read and checked). Bulk inserts; one audit line."""
    map = tenant_record_create(
        model=Map,
        program=access.program,
        by=by,
        data={"name": (name or gmap.name or _("Imported map"))[:200], "extra": gmap.extra},
    )
    now = timezone.now()
    common = {
        "program": access.program,
        "map": map,
        "created_by": by,
        "updated_by": by,
        "created_at": now,
        "updated_at": now,
    }
    perspective_names = sorted(
        {p for e in gmap.elements for p in e.perspectives}
        | {c.perspective for c in gmap.connections if c.perspective}
    )
    # Text longer than its column is cut, as labels are below; names that become equal when cut are one
    # perspective. A key too long for its column is replaced, since a cut one could clash with another.
    perspectives: dict[str, Perspective] = {}
    by_short_name: dict[str, Perspective] = {}
    for perspective_name in perspective_names:
        short = perspective_name[:200]
        if short not in by_short_name:
            by_short_name[short] = Perspective.objects.create(
                name=short, kind=PerspectiveKind.OTHER, is_private=False, **common
            )
        perspectives[perspective_name] = by_short_name[short]
    elements = [
        Element(
            key=e.id if e.id and len(e.id) <= 100 else new_key(),
            label=e.label[:300],
            kind=e.kind if e.kind in {"actor", "factor"} else "actor",
            type=e.type[:100],
            function=e.function if e.function in {"core", "supporting", "rules"} else "",
            tags=", ".join(e.tags)[:500],
            description=e.description,
            attributes=e.attributes,
            x=e.position[0] if e.position else None,
            y=e.position[1] if e.position else None,
            **common,
        )
        for e in gmap.elements
    ]
    Element.objects.bulk_create(elements, batch_size=2000)
    by_id = {e.id: element for e, element in zip(gmap.elements, elements, strict=True)}
    through = Element.perspectives.through
    links = [
        through(element_id=by_id[e.id].pk, perspective_id=perspectives[p].pk)
        for e in gmap.elements
        for p in e.perspectives
        if p in perspectives
    ]
    connections = []
    for c in gmap.connections:
        if c.source not in by_id or c.target not in by_id:
            continue
        perspective = perspectives.get(c.perspective) if c.perspective else None
        connections.append(
            Connection(
                key=c.id if c.id and len(c.id) <= 100 else new_key(),
                source=by_id[c.source],
                target=by_id[c.target],
                type=c.type[:100],
                direction=c.direction if c.direction in graph.DIRECTIONS else graph.DIRECTED,
                sign=c.sign if c.sign in graph.SIGNS else graph.NO_SIGN,
                strength=c.strength,
                description=c.description,
                tags=", ".join(c.tags)[:500],
                attributes=c.attributes,
                perspective=perspective,
                **common,
            )
        )
        if perspective is not None:
            links.append(through(element_id=by_id[c.source].pk, perspective_id=perspective.pk))
            links.append(through(element_id=by_id[c.target].pk, perspective_id=perspective.pk))
    Connection.objects.bulk_create(connections, batch_size=2000)
    through.objects.bulk_create(links, batch_size=5000, ignore_conflicts=True)
    _views_import(
        gmap=gmap,
        common=common,
        element_keys={k: e.key for k, e in by_id.items()},
        connections=[
            (c.id, row.key)
            for c, row in zip(
                [c for c in gmap.connections if c.source in by_id and c.target in by_id],
                connections,
                strict=True,
            )
        ],
    )
    audit.record(
        program=access.program,
        actor=by,
        action=AuditAction.CREATE,
        instance=map,
        changes={"imported": [None, f"{len(elements)} elements, {len(connections)} connections"]},
    )
    return map


def _views_import(
    *,
    gmap: graph.GMap,
    common: dict[str, Any],
    element_keys: dict[str, str],
    connections: list[tuple[str, str]],
) -> None:
    """The map's views (a Kumu project's maps), with element and connection ids as stored keys."""
    connection_keys = {file_id: key for file_id, key in connections if file_id}
    rows = []
    taken: set[str] = set()
    for order, view in enumerate(gmap.views):
        key = view.key if view.key and len(view.key) <= 100 and view.key not in taken else new_key()
        taken.add(key)
        rows.append(
            MapView(
                key=key,
                name=(view.name or key)[:200],
                order=order,
                positions={
                    element_keys[k]: [finite_float(x), finite_float(y)]
                    for k, (x, y) in view.positions.items()
                    if k in element_keys
                },
                element_keys=[element_keys[k] for k in view.elements if k in element_keys],
                connection_keys=[connection_keys[k] for k in view.connections if k in connection_keys],
                **common,
            )
        )
    MapView.objects.bulk_create(rows)


@service
def view_positions_save(*, access: Access, view: MapView, positions: dict[str, tuple[float, float]]) -> int:
    """Store laid-out positions of one view (element key → x, y) for the elements it shows.
    Raises ValueError for a coordinate that is not a finite number."""
    positions = {key: (finite_float(x), finite_float(y)) for key, (x, y) in positions.items()}
    shown = set(view.element_keys)
    live = set(
        Element.objects.filter(program=access.program, map=view.map, key__in=list(positions)).values_list(
            "key", flat=True
        )
    )
    saved = {key: [x, y] for key, (x, y) in positions.items() if key in shown and key in live}
    view.positions = {**view.positions, **saved}
    view.save(update_fields=["positions"])
    Map.all_objects.filter(pk=view.map_id).update(layout_version=F("layout_version") + 1)
    return len(saved)


# --- analysis and snapshots ---------------------------------------------------------------------


@service
def analysis_store(
    *, program: Program, map: Map, perspective_key: str, result: dict[str, Any]
) -> AnalysisResult:
    row, _created = AnalysisResult.objects.update_or_create(
        map=map,
        content_version=map.content_version,
        perspective_key=perspective_key,
        defaults={"program": program, "result": result},
    )
    AnalysisResult.objects.filter(map=map).exclude(content_version=map.content_version).delete()
    return row


@service
def snapshot_create(
    *,
    access: Access,
    map: Map,
    by: User,
    name: str,
    taken_on: datetime.date,
    gmap: graph.GMap,
    figures: dict[str, Any],
) -> Snapshot:
    data = {
        "elements": [
            {"id": e.id, "label": e.label, "partner": bool(e.attributes.get("partner"))}
            for e in gmap.elements
        ],
        "connections": [
            {"from": c.source, "to": c.target, "direction": c.direction, "perspective": c.perspective}
            for c in gmap.connections
        ],
    }
    snapshot: Snapshot = tenant_record_create(
        model=Snapshot, program=access.program, by=by, data={"map": map, "name": name, "taken_on": taken_on}
    )
    Snapshot.all_objects.filter(pk=snapshot.pk).update(data=data, figures=figures)
    snapshot.data, snapshot.figures = data, figures
    return snapshot
