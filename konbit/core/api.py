from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from konbit.api.auth import NotFound, api_access
from konbit.api.schemas import responses

from . import selectors
from .roles import Action
from .schemas import JobOut, MemberOut, MemberPage, ProgramOut

router = Router(tags=["programmes"])


class PageParams(Schema):
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


@router.get("", response=responses(list[ProgramOut], not_found=False), summary="Programmes you belong to")
def list_programs(request: HttpRequest) -> list[ProgramOut]:
    return [
        ProgramOut(
            slug=m.program.slug,
            name=m.program.name,
            country=m.program.country,
            sector=m.program.sector,
            phase=m.program.phase,
            start_date=m.program.start_date,
            end_date=m.program.end_date,
            role=m.role,
        )
        for m in selectors.memberships_of_user(user=request.user)
    ]


@router.get("/{slug}/members", response=responses(MemberPage), summary="Members of a programme")
def list_members(request: HttpRequest, slug: str, page: Query[PageParams]) -> MemberPage:
    access = api_access(request, slug, Action.MEMBER_VIEW)
    qs = selectors.member_list(access=access)
    count = qs.count()
    rows = list(qs[page.offset : page.offset + page.limit])
    next_offset = page.offset + page.limit if page.offset + page.limit < count else None
    return MemberPage(
        count=count,
        next_offset=next_offset,
        items=[
            MemberOut(
                id=m.pk,
                email=m.user.email,
                name=m.user.get_full_name(),
                role=m.role,
                organization_id=m.organization_id,
                organization_name=m.organization.name if m.organization else None,
            )
            for m in rows
        ],
    )


@router.get("/{slug}/jobs/{pk}", response=responses(JobOut), summary="A background job and its progress")
def get_job(request: HttpRequest, slug: str, pk: int) -> JobOut:
    access = api_access(request, slug, Action.JOB_VIEW)
    try:
        return JobOut.model_validate(selectors.job_get(access=access, pk=pk), from_attributes=True)
    except Http404:
        raise NotFound from None
