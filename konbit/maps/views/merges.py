"""Duplicates: pairs of elements that are probably the same actor, a merge that shows what it will
do before doing it, and an undo of each merge."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from konbit.core.access import access_for, acting_user, program_view
from konbit.core.ids import is_id
from konbit.core.roles import Action

from .. import selectors, services
from ..merge import MERGE_FIELDS, filled_fields, merge_candidates
from ..models import Element, MarketFunction

RECENT_MERGES = 20
LISTED_CONNECTIONS = 30


@program_view(Action.MAP_CHANGE)
def element_merge(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    """Duplicates across perspectives (the same actor drawn by two partners), suggested by label
    matching; each is merged only after a confirmation page that shows what the merge does."""
    access = access_for(request)
    map = selectors.map_get(access=access, pk=pk)
    if request.method == "POST":
        # An old form posting a pair straight here: show its confirmation, never merge unseen.
        keep_pk, merge_pk = request.POST.get("keep", ""), request.POST.get("merge", "")
        if is_id(keep_pk) and is_id(merge_pk):
            keep = selectors.element_get(access=access, map=map, pk=int(keep_pk))
            merge = selectors.element_get(access=access, map=map, pk=int(merge_pk))
            return redirect(
                "element_merge_confirm",
                program=access.program.slug,
                pk=map.pk,
                element=keep.pk,
                other=merge.pk,
            )
        return redirect("element_merge", program=access.program.slug, pk=map.pk)
    elements = list(
        selectors.element_list(access=access, map=map).prefetch_related("perspectives").order_by("pk")
    )
    candidates = merge_candidates(elements)
    return render(
        request,
        "maps/element_merge.html",
        {
            "map": map,
            "likely": [c for c in candidates if not c["different"]],
            "different": [c for c in candidates if c["different"]],
            "merges": selectors.merge_list(access=access, map=map)[:RECENT_MERGES],
        },
    )


def _value(element: Element, name: str) -> Any:
    if name == "organization":
        return element.organization.name if element.organization_id and element.organization else ""
    if name == "function":
        return MarketFunction(element.function).label if element.function else ""
    return getattr(element, name)


@program_view(Action.MAP_CHANGE)
def element_merge_confirm(
    request: HttpRequest, program: str, pk: int, element: int, other: int
) -> HttpResponse:
    """Both elements side by side, what moves, and what the merged element will be; only a POST
    merges (``element`` is kept, ``other`` folded into it and put in the trash)."""
    access = access_for(request)
    map = selectors.map_get(access=access, pk=pk)
    keep = selectors.element_get(access=access, map=map, pk=element)
    merge = selectors.element_get(access=access, map=map, pk=other)
    if keep.pk == merge.pk:
        messages.error(request, _("Choose two different elements of the same map."))
        return redirect("element_merge", program=access.program.slug, pk=map.pk)
    if request.method == "POST":
        try:
            record = services.element_merge(access=access, keep=keep, merge=merge, by=acting_user(request))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("element_merge", program=access.program.slug, pk=map.pk)
        messages.success(
            request,
            _(
                "“%(merge)s” merged into “%(keep)s” (%(count)s connections moved). Changed your mind? "
                "Undo it under “Recent merges” below."
            )
            % {"merge": merge.label, "keep": keep.label, "count": len(record.moved)},
        )
        return redirect(reverse("element_merge", args=[access.program.slug, map.pk]) + "#recent-merges")
    connections = list(selectors.element_connections(access=access, map=map, element=merge))
    keep_perspectives = list(keep.perspectives.all())
    merge_perspectives = list(merge.perspectives.all())
    added = [p for p in merge_perspectives if p not in keep_perspectives]
    filled = filled_fields(keep, merge)
    labels = {
        "type": _("Type"),
        "function": _("Market function"),
        "description": _("Description"),
        "tags": _("Tags"),
        "organization": _("Organisation"),
    }
    fields = [
        {
            "label": labels[name],
            "keep": _value(keep, name),
            "merge": _value(merge, name),
            "result": _value(merge, name) if name in filled else _value(keep, name),
            "filled": name in filled,
        }
        for name in MERGE_FIELDS
    ]
    keys = sorted({*(keep.attributes or {}), *(merge.attributes or {})})
    custom = [
        {
            "label": key,
            "keep": (keep.attributes or {}).get(key, ""),
            "merge": (merge.attributes or {}).get(key, ""),
            "result": (keep.attributes or {}).get(key, (merge.attributes or {}).get(key, "")),
            "filled": key not in (keep.attributes or {}),
        }
        for key in keys
    ]
    return render(
        request,
        "maps/element_merge_confirm.html",
        {
            "map": map,
            "keep": keep,
            "merge": merge,
            "connections": connections[:LISTED_CONNECTIONS],
            "connection_count": len(connections),
            "keep_connection_count": selectors.element_connections(
                access=access, map=map, element=keep
            ).count(),
            "keep_perspectives": keep_perspectives,
            "merge_perspectives": merge_perspectives,
            "added_perspectives": added,
            "after_perspectives": [(p, False) for p in keep_perspectives] + [(p, True) for p in added],
            "fields": fields,
            "custom": custom,
        },
    )


@require_POST
@program_view(Action.MAP_CHANGE)
def element_merge_undo(request: HttpRequest, program: str, pk: int, record: int) -> HttpResponse:
    access = access_for(request)
    map = selectors.map_get(access=access, pk=pk)
    instance = selectors.merge_get(access=access, map=map, pk=record)
    try:
        count = services.element_merge_undo(access=access, record=instance, by=acting_user(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Merge undone: “%(merged)s” is back with its %(count)s connections.")
            % {"merged": instance.merged.label, "count": count},
        )
    return redirect("element_merge", program=access.program.slug, pk=map.pk)
