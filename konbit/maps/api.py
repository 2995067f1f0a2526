"""The map pillar's JSON API: maps, perspectives, elements, connections, analysis and comparison,
on the same rules as the pages (ProgramAuth checks the token, the membership and the action first)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from konbit.api.auth import NotFound, ProgramAuth, program_access
from konbit.api.schemas import body_responses, page_of, responses
from konbit.core import services as core_services
from konbit.core.access import acting_user
from konbit.core.api import PageParams
from konbit.core.numbers import Id, QueryFloat
from konbit.core.roles import Action
from konbit.core.schemas import JobOut
from konbit.core.tasks import kind_of

from . import selectors, services
from .models import Map, Perspective
from .schemas import (
    AnalysisOut,
    ComparisonOut,
    ConnectionIn,
    ConnectionOut,
    ConnectionPage,
    ElementIn,
    ElementOut,
    ElementPage,
    MapOut,
    MapPage,
    PerspectiveOut,
)
from .tasks import exact_betweenness
from .views.common import analysis_or_job, analysis_scope, comparison_for, exact_params

router = Router(tags=["maps"])


def _map(request: HttpRequest, pk: int) -> Map:
    try:
        return selectors.map_get(access=program_access(request), pk=pk)
    except Http404:
        raise NotFound from None


@router.get(
    "/{slug}/maps", auth=ProgramAuth(Action.MAP_VIEW), response=responses(MapPage), summary="System maps"
)
def list_maps(request: HttpRequest, slug: str, page: Query[PageParams]) -> MapPage:
    count, rows, next_offset = page_of(selectors.map_list(access=program_access(request)), page)
    return MapPage(count=count, next_offset=next_offset, items=[MapOut.model_validate(m) for m in rows])


@router.get(
    "/{slug}/maps/{pk}/perspectives",
    auth=ProgramAuth(Action.MAP_VIEW),
    response=responses(list[PerspectiveOut]),
    summary="Perspectives of a map (a partner user sees only its own)",
)
def list_perspectives(request: HttpRequest, slug: str, pk: Id) -> list[PerspectiveOut]:
    map = _map(request, pk)
    return [
        PerspectiveOut.model_validate(p)
        for p in selectors.perspective_list(access=program_access(request), map=map)
    ]


class ElementFilters(PageParams):
    perspective: list[Id] = Field(default_factory=list, max_length=100)


@router.get(
    "/{slug}/maps/{pk}/elements",
    auth=ProgramAuth(Action.MAP_VIEW),
    response=responses(ElementPage),
    summary="Elements of a map",
)
def list_elements(request: HttpRequest, slug: str, pk: Id, filters: Query[ElementFilters]) -> ElementPage:
    map = _map(request, pk)
    qs = selectors.element_list(
        access=program_access(request), map=map, perspective_ids=filters.perspective or None
    )
    count, rows, next_offset = page_of(qs.order_by("pk"), filters)
    return ElementPage(
        count=count, next_offset=next_offset, items=[ElementOut.model_validate(e) for e in rows]
    )


@router.get(
    "/{slug}/maps/{pk}/connections",
    auth=ProgramAuth(Action.MAP_VIEW),
    response=responses(ConnectionPage),
    summary="Connections of a map",
)
def list_connections(
    request: HttpRequest, slug: str, pk: Id, filters: Query[ElementFilters]
) -> ConnectionPage:
    map = _map(request, pk)
    qs = selectors.connection_list(
        access=program_access(request), map=map, perspective_ids=filters.perspective or None
    )
    count, rows, next_offset = page_of(qs.order_by("pk"), filters)
    return ConnectionPage(
        count=count, next_offset=next_offset, items=[ConnectionOut.model_validate(c) for c in rows]
    )


@router.post(
    "/{slug}/maps/{pk}/elements",
    auth=ProgramAuth(Action.MAP_CHANGE),
    response=body_responses(ElementOut, status=201),
    summary="Add an element",
)
def create_element(request: HttpRequest, slug: str, pk: Id, payload: ElementIn) -> Status[ElementOut]:
    access = program_access(request)
    map = _map(request, pk)
    perspectives = list(
        selectors.perspective_list(access=access, map=map).filter(pk__in=payload.perspective_ids)
    )
    if len(perspectives) != len(set(payload.perspective_ids)):
        raise NotFound
    element = services.element_create(
        access=access,
        map=map,
        by=acting_user(request),
        data=payload.model_dump(exclude={"perspective_ids"}),
        perspectives=perspectives,
    )
    return Status(201, ElementOut.model_validate(element))


@router.post(
    "/{slug}/maps/{pk}/connections",
    auth=ProgramAuth(Action.MAP_CHANGE),
    response=body_responses(ConnectionOut, status=201),
    summary="Add a connection",
)
def create_connection(request: HttpRequest, slug: str, pk: Id, payload: ConnectionIn) -> Status[Any]:
    access = program_access(request)
    map = _map(request, pk)
    elements = {
        e.pk: e
        for e in selectors.element_list(access=access, map=map).filter(
            pk__in=[payload.source_id, payload.target_id]
        )
    }
    perspective: Perspective | None = None
    if payload.perspective_id is not None:
        perspective = (
            selectors.perspective_list(access=access, map=map).filter(pk=payload.perspective_id).first()
        )
    if (
        payload.source_id not in elements
        or payload.target_id not in elements
        or (payload.perspective_id and perspective is None)
    ):
        return Status(
            422,
            {
                "detail": [
                    {
                        "type": "value_error",
                        "loc": ["body", "payload"],
                        "msg": "Unknown element or perspective.",
                    }
                ]
            },
        )
    if payload.source_id == payload.target_id:
        return Status(
            422,
            {
                "detail": [
                    {
                        "type": "value_error",
                        "loc": ["body", "payload"],
                        "msg": "A connection needs two different elements.",
                    }
                ]
            },
        )
    data = payload.model_dump(exclude={"source_id", "target_id", "perspective_id"})
    try:
        connection = services.connection_create(
            access=access,
            map=map,
            by=acting_user(request),
            data={
                **data,
                "source": elements[payload.source_id],
                "target": elements[payload.target_id],
                "perspective": perspective,
            },
        )
    except ValidationError as exc:
        return Status(
            422,
            {"detail": [{"type": "value_error", "loc": ["body", "payload"], "msg": m} for m in exc.messages]},
        )
    return Status(201, ConnectionOut.model_validate(connection))


class PerspectiveFilter(Schema):
    perspective: list[Id] = Field(default_factory=list, max_length=100)


@router.get(
    "/{slug}/maps/{pk}/analysis",
    auth=ProgramAuth(Action.MAP_ANALYSE),
    response={**responses(AnalysisOut), 202: JobOut},
    summary="Network analysis of a map (cached per map version); for a big map not yet analysed, 202 and "
    "the background job computing it (follow it at /jobs/{id}, then ask again)",
)
def map_analysis(
    request: HttpRequest, slug: str, pk: Id, filters: Query[PerspectiveFilter]
) -> AnalysisOut | Status[JobOut]:
    map = _map(request, pk)
    result, job = analysis_or_job(
        access=program_access(request),
        map=map,
        perspective_ids=filters.perspective or None,
        by=acting_user(request),
    )
    if result is None:
        return Status(202, JobOut.model_validate(job, from_attributes=True))
    return AnalysisOut.model_validate(result)


@router.post(
    "/{slug}/maps/{pk}/analysis/exact",
    auth=ProgramAuth(Action.MAP_ANALYSE),
    response={202: JobOut, **{k: v for k, v in responses(JobOut).items() if k != 200}},
    summary="Start exact betweenness as a background job (follow it at /jobs/{id})",
)
def map_analysis_exact(
    request: HttpRequest, slug: str, pk: Id, filters: Query[PerspectiveFilter]
) -> Status[JobOut]:
    access = program_access(request)
    map = _map(request, pk)
    scope_ids, _key = analysis_scope(access=access, map=map, perspective_ids=filters.perspective or None)
    job = core_services.job_start(
        access=access,
        kind=kind_of(exact_betweenness),
        label=_("Exact betweenness of %(map)s") % {"map": map.name},
        params=exact_params(map, scope_ids),
        by=acting_user(request),
    )
    return Status(202, JobOut.model_validate(job, from_attributes=True))


class CompareFilter(PerspectiveFilter):
    threshold: QueryFloat = Field(0.5, ge=0, le=1)
    # Consensus as a number of perspectives ("drawn by at least 3"); when given, threshold is not used.
    at_least: int | None = Field(None, ge=1, le=10_000)


@router.get(
    "/{slug}/maps/{pk}/comparison",
    auth=ProgramAuth(Action.MAP_ANALYSE),
    response=responses(ComparisonOut),
    summary="Agreement, blind spots, disagreements and alignment between perspectives",
)
def map_comparison(request: HttpRequest, slug: str, pk: Id, filters: Query[CompareFilter]) -> ComparisonOut:
    access = program_access(request)
    map = _map(request, pk)
    perspectives = list(selectors.perspective_list(access=access, map=map))
    chosen = [p.pk for p in perspectives if not filters.perspective or p.pk in filters.perspective]
    result, _labels = comparison_for(
        access=access,
        map=map,
        perspectives=perspectives,
        chosen=chosen,
        threshold=filters.threshold,
        at_least=filters.at_least,
    )
    return ComparisonOut.model_validate(result)
