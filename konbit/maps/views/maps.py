from __future__ import annotations

import csv
import gzip
import io
import json
import math
from typing import Any

from django.contrib import messages
from django.core.cache import caches
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from konbit.core import audit
from konbit.core import selectors as core_selectors
from konbit.core import services as core_services
from konbit.core.access import Access, access_for, acting_user, program_view
from konbit.core.forms import rebase_form
from konbit.core.ids import is_id, parse_ids
from konbit.core.l10n import shipped
from konbit.core.models import AuditAction
from konbit.core.roles import Action
from konbit.core.services import ConflictError, tenant_record_delete, tenant_record_update
from konbit.core.tasks import kind_of

from .. import fields, selectors, services
from ..forms import MapForm, SnapshotForm
from ..models import Element, ElementKind, Map, MapView, MarketFunction, connection_type_label
from ..tasks import exact_betweenness
from .common import (
    analysis_for,
    analysis_or_job,
    analysis_scope,
    comparison_for,
    exact_params,
    perspective_ids_param,
)

PAGE_SIZE = 100
ID = 987654321  # a placeholder id, replaced by "{id}" in address templates


def url_template(name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs=kwargs).replace(str(ID), "{id}")


@program_view(Action.MAP_VIEW)
def map_list(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    return render(request, "maps/map_list.html", {"maps": selectors.map_list(access=access)})


@program_view(Action.MAP_CHANGE)
def map_create(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    form = MapForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        map = services.map_create(access=access, by=acting_user(request), data=form.changed_data_dict())
        messages.success(request, _("Map created. Add elements and connections, or import a file."))
        return redirect("map_detail", program=access.program.slug, pk=map.pk)
    return render(request, "maps/map_form.html", {"form": form})


@program_view(Action.MAP_CHANGE)
def map_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    map = selectors.map_get(access=access, pk=pk)
    form = MapForm(request.POST or None, instance=map)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            tenant_record_update(
                instance=map,
                by=acting_user(request),
                data=form.changed_data_dict(),
                expected_version=form.cleaned_data.get("version"),
            )
        except ConflictError as exc:
            conflict = exc.current
            form = rebase_form(MapForm, request.POST, exc.current)
        else:
            messages.success(request, _("Saved."))
            return redirect("map_detail", program=access.program.slug, pk=map.pk)
    return render(request, "maps/map_form.html", {"form": form, "map": map, "conflict": conflict})


@require_POST
@program_view(Action.MAP_CHANGE)
def map_delete(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    map = selectors.map_get(access=access, pk=pk)
    tenant_record_delete(instance=map, by=acting_user(request))
    messages.success(
        request, _("“%(name)s” moved to the trash. An owner can restore it.") % {"name": map.name}
    )
    return redirect("map_list", program=access.program.slug)


@program_view(Action.MAP_VIEW)
def map_detail(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    """The WebGL map view. The page itself is light; the graph comes from map_data as JSON."""
    access = access_for(request)
    map = selectors.map_get(access=access, pk=pk)
    perspectives = selectors.perspective_list(access=access, map=map)
    views = list(selectors.view_list(access=access, map=map).only("pk", "name"))
    view = _view_param(request, access=access, map=map)
    query = f"?view={view.pk}" if view is not None else ""
    return render(
        request,
        "maps/map_detail.html",
        {
            "map": map,
            "perspectives": perspectives,
            "views": views,
            "view": view,
            "kinds": ElementKind.choices,
            "functions": [c for c in MarketFunction.choices if c[0]],
            "data_url": reverse("map_data", kwargs={"program": access.program.slug, "pk": map.pk}) + query,
            "positions_url": reverse("map_positions", kwargs={"program": access.program.slug, "pk": map.pk})
            + query,
            "metrics_url": reverse("map_metrics", kwargs={"program": access.program.slug, "pk": map.pk})
            if access.can(Action.MAP_ANALYSE)
            else "",
            "compare_url": reverse("map_compare_layer", kwargs={"program": access.program.slug, "pk": map.pk})
            if access.can(Action.MAP_ANALYSE) and len(perspectives) >= 2
            else "",
            "view_text": _view_text(),
        },
    )


def _view_text() -> dict[str, Any]:
    """The map view's words, translated on the page (the script holds none)."""
    return {
        "kinds": {value: str(label) for value, label in ElementKind.choices},
        "functions": {value: str(label) for value, label in MarketFunction.choices if value},
        "none": _("none"),
        "other": _("other values"),
        "yes": _("yes"),
        "no": _("no"),
        "community": _("community"),
        "signs_title": _("Connections by sign"),
        "comparison_title": _("Comparison of the perspectives"),
        "elements": _("%(count)s elements"),
        "connections": _("%(count)s connections"),
        "showing_elements": _("Showing %(shown)s of %(count)s elements"),
        "showing_connections": _("%(shown)s of %(count)s connections"),
        "signs": {"+": _("+ reinforces"), "-": _("− weakens"), "?": _("? unknown sign"), "": _("no sign")},
        "degree": _("Connections"),
        "degree_help": _("distinct elements it is connected to, as in the analysis"),
        "no_match": _("No element matches."),
        "more_matches": _("%(count)s more: type more letters."),
        "error": _("The map could not be loaded (%(status)s). Reload the page to try again."),
        "network_error": _("The server could not be reached. Check the connection and reload the page."),
        "metrics_error": _("The analysis figures could not be loaded (%(status)s)."),
        "compare_error": _("The comparison could not be loaded (%(status)s)."),
        "save_error": _("The positions were not saved (%(status)s)."),
        "saved": _("%(count)s positions saved."),
        "consensus": _("Consensus: drawn by at least %(threshold)s of %(total)s perspectives"),
        "blind_spots": _("Blind spots: drawn by one perspective only"),
        "disagreements": _("Disagreements: + for some, − for others"),
        "others": _("Other connections"),
        "hide_show": _("Click to hide or show this group."),
    }


@program_view(Action.MAP_VIEW)
def map_data(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    """Compact arrays for the map view (element rows and connection rows as lists, not objects),
    gzipped — a 10,000-element map is ~3.6 MB of JSON, ~0.6 MB compressed; it carries no secret token.
    The compressed body is cached per map version, layout version and the perspectives the user may see
    and asked for (`map_data` cache): encoding and compressing cost more than reading the rows."""
    access = access_for(request)
    map = selectors.map_get(access=access, pk=pk)
    perspective_ids = perspective_ids_param(request)
    view = _view_param(request, access=access, map=map)
    key = ":".join(
        str(part)
        for part in (
            "map-data",
            map.pk,
            view.pk if view is not None else "",
            map.created_at.timestamp(),  # a map with a reused id (restore, tests) is another map
            map.content_version,
            map.layout_version,
            selectors.visible_perspective_ids(access=access, map=map),
            perspective_ids,
            translation.get_language(),  # types that are Konbit's own labels are sent translated
        )
    )
    cache = caches["map_data"]
    packed = cache.get(key)
    if packed is None:
        payload = _map_data(access=access, map=map, perspective_ids=perspective_ids, view=view)
        packed = gzip.compress(json.dumps(payload, separators=(",", ":")).encode(), compresslevel=6)
        cache.set(key, packed)
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response = HttpResponse(packed, content_type="application/json")
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(gzip.decompress(packed), content_type="application/json")
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


def _view_param(request: HttpRequest, *, access: Access, map: Map) -> MapView | None:
    """The view named by ?view=<id> (404 when it is not one of this map's views the user may see)."""
    raw = request.GET.get("view", "")
    if not raw:
        return None
    if not is_id(raw):
        raise Http404
    return selectors.view_get(access=access, map=map, pk=int(raw))


def _map_data(
    *, access: Access, map: Map, perspective_ids: list[int] | None, view: MapView | None = None
) -> dict[str, Any]:
    """The map view's data; with a view, only its elements and connections, at its positions."""
    elements = list(
        selectors.element_list(access=access, map=map, perspective_ids=perspective_ids)
        .order_by("pk")
        .values_list(
            "pk",
            "key",
            "label",
            "kind",
            "function",
            "type",
            "tags",
            "x",
            "y",
            "organization_id",
            "description",
            "attributes",
        )
    )
    shown_connection: Any = None
    if view is not None:
        shown, own, listed = selectors.view_shows(access=access, map=map, view=view)
        positions = view.positions
        elements = [
            (*row[:7], *(positions.get(row[1]) or (None, None)), *row[9:])
            for row in elements
            if row[1] in shown
        ]

        def shown_connection(key: str) -> bool:
            return key in own or key not in listed

    index = {row[0]: i for i, row in enumerate(elements)}
    perspective_rows = list(selectors.perspective_list(access=access, map=map).values_list("pk", "name"))
    p_index = {pk: i for i, (pk, _name) in enumerate(perspective_rows)}
    element_perspectives: dict[int, list[int]] = {}
    through = Element.perspectives.through
    for element_id, perspective_id in through.objects.filter(
        element__map=map, perspective_id__in=list(p_index)
    ).values_list("element_id", "perspective_id"):
        if element_id in index:
            element_perspectives.setdefault(element_id, []).append(p_index[perspective_id])
    edges = [
        [
            index[s],
            index[t],
            direction,
            sign,
            connection_type_label(type_),
            p_index.get(p, -1) if p else -1,
            strength,
        ]
        for s, t, direction, sign, type_, p, strength, key in selectors.connection_list(
            access=access, map=map, perspective_ids=perspective_ids
        )
        .order_by("pk")
        .values_list(
            "source_id", "target_id", "direction", "sign", "type", "perspective_id", "strength", "key"
        )
        if s in index and t in index and (shown_connection is None or shown_connection(key))
    ]
    slug = access.program.slug
    return {
        "version": map.content_version,
        "perspectives": [name for _pk, name in perspective_rows],
        "nodes": [
            [
                key,
                label,
                kind,
                function,
                shipped(type_),
                tags,
                x,
                y,
                org,
                element_perspectives.get(pk, []),
                pk,
                description,
                attributes if isinstance(attributes, dict) and attributes else None,
            ]
            for pk, key, label, kind, function, type_, tags, x, y, org, description, attributes in elements
        ],
        # {custom field name: kind} of the elements (konbit.maps.fields), for colouring by a field.
        "fields": fields.field_kinds(row[11] for row in elements),
        "edges": edges,
        # Address templates for the side panel; the map view replaces {id}.
        "partner_url": url_template("organization_detail", program=slug, pk=ID),
        "element_url": url_template("element_edit", program=slug, pk=map.pk, element=ID),
    }


@program_view(Action.MAP_ANALYSE)
def map_metrics(request: HttpRequest, program: str, pk: int) -> JsonResponse:
    """Per-element figures for sizing and colouring the map view (from the cached analysis)."""
    access = access_for(request)
    map = selectors.map_get(access=access, pk=pk)
    result, job = analysis_or_job(
        access=access, map=map, perspective_ids=perspective_ids_param(request), by=acting_user(request)
    )
    if result is None:  # a big map: its analysis runs in the background
        return JsonResponse(
            {
                "job": reverse("job_detail", args=[access.program.slug, job.pk]) if job else "",
                "message": _("The analysis of this map is running in the background."),
            },
            status=202,
        )
    rows = result.get("elements", [])
    return JsonResponse(
        {
            "keys": [r["id"] for r in rows],
            **{
                name: [r.get(name) for r in rows]
                for name in ("degree", "betweenness", "pagerank", "community")
            },
        }
    )


@program_view(Action.MAP_ANALYSE)
def map_compare_layer(request: HttpRequest, program: str, pk: int) -> JsonResponse:
    """The comparison of the map's perspectives as layers for the map view (views.common.comparison_for):
    ?perspective=<id>… (default: every perspective the user may see) and ?threshold=<number of
    perspectives> for the consensus (default: at least half). Each row is [from key, to key, directed, …]:
    consensus rows end with how many perspectives drew the connection, blind spots with the one
    perspective that did, disagreements with {sign: [perspective names]}."""
    access = access_for(request)
    map = selectors.map_get(access=access, pk=pk)
    perspectives = list(selectors.perspective_list(access=access, map=map))
    asked = set(parse_ids(request.GET.getlist("perspective")))
    chosen = [p.pk for p in perspectives if not asked or p.pk in asked]
    total = len(chosen)
    threshold = max(1, math.ceil(total / 2))
    if request.GET.get("threshold", "").isdigit():
        threshold = int(request.GET["threshold"])
    threshold = min(max(threshold, 1), max(total, 1))
    result, _labels = comparison_for(
        access=access,
        map=map,
        perspectives=perspectives,
        chosen=chosen,
        threshold=threshold / total if total else 1.0,
        at_least=threshold,
    )
    return JsonResponse(
        {
            "perspectives": result.get("perspectives", []),
            "total": total,
            "threshold": threshold,
            "connections": len(result.get("connections", [])),
            "consensus": [
                [row["from"], row["to"], row["directed"], row.get("count", round(row["agreement"] * total))]
                for row in result.get("consensus", [])
            ],
            "blind_spots": [
                [row["from"], row["to"], row["directed"], row["perspective"]]
                for row in result.get("blind_spots", [])
            ],
            "disagreements": [
                [row["from"], row["to"], row["directed"], row["signs"]]
                for row in result.get("disagreements", [])
            ],
        }
    )


@require_POST
@program_view(Action.MAP_CHANGE)
def map_positions(request: HttpRequest, program: str, pk: int) -> JsonResponse:
    """Save laid-out positions sent by the map view: {"positions": {key: [x, y], …}}."""
    access = access_for(request)
    map = selectors.map_get(access=access, pk=pk)
    view = _view_param(request, access=access, map=map)
    try:
        payload = json.loads(request.body or b"{}")
        positions = {
            str(k): (v[0], v[1])  # the service refuses what is not a finite number
            for k, v in payload.get("positions", {}).items()
            if isinstance(v, list | tuple) and len(v) == 2
        }
        if view is not None:
            saved = services.view_positions_save(access=access, view=view, positions=positions)
        else:
            saved = services.positions_save(access=access, map=map, positions=positions)
    except (ValueError, TypeError, AttributeError):
        return JsonResponse({"error": _("Positions must be {key: [x, y]} with finite numbers.")}, status=400)
    return JsonResponse({"saved": saved})


ELEMENT_SORTS = {"label", "degree", "betweenness", "closeness", "pagerank", "constraint", "community"}


@program_view(Action.MAP_VIEW)
def map_table(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    """The same map as sortable tables (for people who prefer lists and for screen readers)."""
    access = access_for(request)
    map = selectors.map_get(access=access, pk=pk)
    perspective_ids = perspective_ids_param(request)
    query = request.GET.get("q", "").strip().casefold()
    metrics: dict[str, dict[str, Any]] = {}
    summary: dict[str, Any] = {}
    analysis_job = None
    if access.can(Action.MAP_ANALYSE):
        result, analysis_job = analysis_or_job(
            access=access, map=map, perspective_ids=perspective_ids, by=acting_user(request)
        )
        metrics = {row["id"]: row for row in (result or {}).get("elements", [])}
        summary = (result or {}).get("map", {})
    _types, field_kinds = selectors.vocabulary(access=access, map=map)
    # A custom field filter: ?field=<name>&value=<words> (konbit.maps.fields.matches).
    field_filter = request.GET.get("field", "")
    field_filter = field_filter if field_filter in field_kinds else ""
    field_value = request.GET.get("value", "")
    rows = []
    for element in selectors.element_list(access=access, map=map, perspective_ids=perspective_ids).order_by(
        "label"
    ):
        if query and query not in element.label.casefold():
            continue
        attributes = element.attributes if isinstance(element.attributes, dict) else {}
        if field_filter and not fields.matches(attributes.get(field_filter), field_value):
            continue
        rows.append(
            {
                "element": element,
                **metrics.get(element.key, {}),
                "fields": [(name, attributes.get(name)) for name in field_kinds],
            }
        )
    sort = request.GET.get("sort", "label")
    field = sort.lstrip("-")
    if field in ELEMENT_SORTS and field != "label":
        rows.sort(key=lambda r: (r.get(field) is None, r.get(field) or 0), reverse=not sort.startswith("-"))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    if request.GET.get("format") == "csv":
        return _metrics_csv(access.program.slug, map.name, rows, request, list(field_kinds))
    return render(
        request,
        "maps/map_table.html",
        {
            "map": map,
            "page": page,
            "summary": summary,
            "analysis_job": analysis_job,
            "sort": sort,
            "query": request.GET.get("q", ""),
            "perspectives": selectors.perspective_list(access=access, map=map),
            "chosen": perspective_ids or [],
            "field_names": list(field_kinds),
            "field_filter": field_filter,
            "field_value": field_value,
        },
    )


def _csv_safe(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + value
    return value


def _metrics_csv(
    slug: str, name: str, rows: list[dict[str, Any]], request: HttpRequest, field_names: list[str]
) -> HttpResponse:
    columns = [
        "degree",
        "in_degree",
        "out_degree",
        "betweenness",
        "closeness",
        "pagerank",
        "constraint",
        "community",
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["label", "type", *columns, *(_csv_safe(f) for f in field_names)])
    for row in rows:
        element = row["element"]
        writer.writerow(
            [
                _csv_safe(element.label),
                _csv_safe(element.type),
                *(row.get(c, "") for c in columns),
                *(_csv_safe(fields.render(value)) for _name, value in row["fields"]),
            ]
        )
    access = access_for(request)
    audit.record(
        program=access.program,
        actor=acting_user(request),
        action=AuditAction.EXPORT,
        object_repr=f"{name} metrics.csv ({len(rows)} rows)",
    )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-map-metrics.csv"'
    return response


@require_POST
@program_view(Action.MAP_ANALYSE)
def map_analysis_exact(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    """Starts exact betweenness as a background job (big maps get an estimate on the page)."""
    access = access_for(request)
    map = selectors.map_get(access=access, pk=pk)
    scope_ids, _key = analysis_scope(access=access, map=map, perspective_ids=perspective_ids_param(request))
    job = core_services.job_start(
        access=access,
        kind=kind_of(exact_betweenness),
        label=_("Exact betweenness of %(map)s") % {"map": map.name},
        params=exact_params(map, scope_ids),
        by=acting_user(request),
    )
    return redirect("job_detail", program=access.program.slug, pk=job.pk)


# Feedback loops shown on the analysis page (the page says how many more the analysis lists).
PAGE_LOOPS = 100


def _loops_for_page(loops: dict[str, Any]) -> dict[str, Any]:
    """The loop search's result with every key the page reads: a result cached before loops had
    counts by polarity and stated bounds (loops of up to 6, 500 listed, a 2-second search) gets them."""
    items = loops.get("items") or []
    counts = loops.get("counts")
    if counts is None:
        counts = {"reinforcing": 0, "balancing": 0, "unknown": 0}
        for item in items:
            counts[item.get("sign", "unknown")] = counts.get(item.get("sign", "unknown"), 0) + 1
    return {
        "count": loops.get("count", len(items)),
        "counts": counts,
        "listed": loops.get("listed", len(items)),
        "stopped_by": loops.get("stopped_by", "time" if loops.get("truncated") else None),
        "max_length": loops.get("max_length", 6),
        "max_loops": loops.get("max_loops", 500),
        "max_counted": loops.get("max_counted", 500),
        "time_budget": loops.get("time_budget", 2.0),
        "items": items[:PAGE_LOOPS],
    }


@program_view(Action.MAP_ANALYSE)
def map_analysis(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    map = selectors.map_get(access=access, pk=pk)
    perspective_ids = perspective_ids_param(request)
    result, analysis_job = analysis_or_job(
        access=access, map=map, perspective_ids=perspective_ids, by=acting_user(request)
    )
    if result is None:  # a big map analysed in the background: its progress until the result is there
        return render(
            request,
            "maps/map_analysis_running.html",
            {
                "map": map,
                "job": analysis_job,
                "perspectives": selectors.perspective_list(access=access, map=map),
                "chosen": perspective_ids or [],
            },
        )
    labels = dict(selectors.element_list(access=access, map=map).values_list("key", "label"))
    elements = result.get("elements", [])
    top = {
        metric: sorted(
            (e for e in elements if e.get(metric) is not None),
            key=lambda e: e[metric],
            reverse=metric != "constraint",
        )[:10]
        for metric in ("betweenness", "pagerank", "degree", "constraint")
    }
    scope_ids, _key = analysis_scope(access=access, map=map, perspective_ids=perspective_ids)
    exact_job = core_selectors.job_latest(
        access=access, kind=kind_of(exact_betweenness), params=exact_params(map, scope_ids)
    )
    return render(
        request,
        "maps/map_analysis.html",
        {
            "map": map,
            "exact_job": exact_job,
            "summary": result.get("map", {}),
            "top": top,
            "loops": _loops_for_page(result.get("loops") or {}),
            "named_loops": selectors.named_loop_list(access=access, map=map),
            "gaps": result.get("gaps", {}),
            "suggestions": result.get("suggestions", []),
            "labels": labels,
            "perspectives": selectors.perspective_list(access=access, map=map),
            "chosen": perspective_ids or [],
        },
    )


@program_view(Action.MAP_CHANGE)
def snapshot_list(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    map = selectors.map_get(access=access, pk=pk)
    form = SnapshotForm(request.POST or None, initial={"taken_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        gmap = selectors.to_gmap(access=access, map=map)
        figures = analysis_for(access=access, map=map, perspective_ids=None)
        services.snapshot_create(
            access=access,
            map=map,
            by=acting_user(request),
            name=form.cleaned_data["name"],
            taken_on=form.cleaned_data["taken_on"],
            gmap=gmap,
            figures={
                "map": figures.get("map", {}),
                "elements": {e["id"]: e for e in figures.get("elements", [])},
            },
        )
        messages.success(request, _("Snapshot taken."))
        return redirect("snapshot_list", program=access.program.slug, pk=map.pk)
    snapshots = list(selectors.snapshot_list(access=access, map=map).defer("data"))
    comparison = None
    a, b = request.GET.get("a", ""), request.GET.get("b", "")
    if is_id(a) and is_id(b):
        from ..snapshots import compare_snapshots

        first = selectors.snapshot_get(access=access, map=map, pk=int(a))
        second = selectors.snapshot_get(access=access, map=map, pk=int(b))
        comparison = compare_snapshots(first.data, first.figures, second.data, second.figures)
        comparison["first"], comparison["second"] = first, second
    return render(
        request,
        "maps/snapshot_list.html",
        {"map": map, "snapshots": snapshots, "form": form, "comparison": comparison},
    )
