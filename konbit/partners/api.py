"""The partner pillar's JSON API, on the same rules as its pages.

Each operation declares the Action it performs with `auth=ProgramAuth(Action.X)`, the API's twin of
`@program_view(Action.X)`: the token, the membership and the role rule are checked before ninja reads
the query or the body, as ProgramMiddleware runs before a page's view. So a non-member, or a role that
may not do X, gets 404 whatever it sends — never a 422 that would describe the endpoint's input.
Row-level limits (a partner user sees only its own organisation) stay in the selectors; every read
goes through selectors.py and every write through services.py.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from konbit.api.auth import ProgramAuth
from konbit.api.auth import program_access as _access
from konbit.api.schemas import (
    body_responses,
    conflict,
    conflict_of,
    created_links,
    invalid,
    page_of,
    responses,
    selected,
    unprocessable,
)
from konbit.core.access import Access, acting_user
from konbit.core.api import PageParams
from konbit.core.numbers import Id
from konbit.core.roles import Action
from konbit.core.services import ConflictError

from . import selectors, services
from .engagement import cost_share
from .models import (
    FollowUp,
    InitiativeSupport,
    Interaction,
    Organization,
    Partnership,
)
from .schemas import (
    PARTNER_PROFILE_FIELDS,
    AttendanceIn,
    CostShareOut,
    FollowUpFilters,
    FollowUpOut,
    FollowUpPage,
    InitiativeOut,
    InitiativePage,
    InteractionDetailOut,
    InteractionFilters,
    InteractionIn,
    InteractionOut,
    InteractionPage,
    InvitationOut,
    InvitationPage,
    OrganizationFilters,
    OrganizationIn,
    OrganizationOut,
    OrganizationPage,
    OrganizationPatch,
    ParticipationOut,
    PartnerDetailOut,
    PartnerFilters,
    PartnerOut,
    PartnerPage,
    SegmentIn,
    WarningOut,
    WarningPage,
)

router = Router(tags=["partners"])


# --- organisations ------------------------------------------------------------------------------


def _organization_out(organization: Organization, access: Access) -> OrganizationOut:
    out = OrganizationOut.model_validate(organization)
    if access.is_partner:  # the programme's notes about an organisation are not for its own people
        out.notes = None
    return out


@router.get(
    "/{slug}/organizations",
    auth=ProgramAuth(Action.ORGANIZATION_LIST),
    response=responses(OrganizationPage),
    summary="Organisations of a programme",
)
def list_organizations(
    request: HttpRequest, slug: str, filters: Query[OrganizationFilters]
) -> OrganizationPage:
    access = _access(request)
    qs = selectors.organization_list(
        access=access, query=filters.q, type=filters.type or "", region=filters.region
    )
    count, rows, next_offset = page_of(qs, filters)
    return OrganizationPage(
        count=count, next_offset=next_offset, items=[_organization_out(o, access) for o in rows]
    )


@router.get(
    "/{slug}/organizations/{pk}",
    auth=ProgramAuth(Action.ORGANIZATION_VIEW),
    response=responses(OrganizationOut),
    summary="One organisation (a partner user: its own only)",
)
def get_organization(request: HttpRequest, slug: str, pk: Id) -> OrganizationOut:
    access = _access(request)
    return _organization_out(selected(selectors.organization_get, access=access, pk=pk), access)


@router.post(
    "/{slug}/organizations",
    auth=ProgramAuth(Action.ORGANIZATION_CREATE),
    response=body_responses(OrganizationOut, status=201),
    summary="Add an organisation",
    openapi_extra=created_links(
        GetOrganization="konbit_partners_api_get_organization",
        UpdateOrganization="konbit_partners_api_update_organization",
    ),
)
def create_organization(request: HttpRequest, slug: str, payload: OrganizationIn) -> Status[Any]:
    access = _access(request)
    try:
        organization = services.organization_create(
            access=access, by=acting_user(request), data=payload.model_dump(mode="json")
        )
    except ValidationError as exc:
        return invalid(exc)
    return Status(201, _organization_out(organization, access))


@router.patch(
    "/{slug}/organizations/{pk}",
    auth=ProgramAuth(Action.ORGANIZATION_CHANGE),
    response={**body_responses(OrganizationOut), 409: conflict_of(OrganizationOut)},
    summary="Change an organisation (409 with the stored record when `version` is stale)",
)
def update_organization(request: HttpRequest, slug: str, pk: Id, payload: OrganizationPatch) -> Status[Any]:
    access = _access(request)
    organization = selected(selectors.organization_get, access=access, pk=pk)
    data = payload.model_dump(mode="json", exclude_none=True, exclude={"version"})
    forbidden = sorted(set(data) - PARTNER_PROFILE_FIELDS) if access.is_partner else []
    if forbidden:
        return unprocessable({f: [_("Partner users may change the profile fields only.")] for f in forbidden})
    try:
        services.organization_update(
            organization=organization, by=acting_user(request), data=data, expected_version=payload.version
        )
    except ConflictError:  # someone saved in between: answer with what is stored now
        stored = selected(selectors.organization_get, access=access, pk=pk)
        return conflict(_organization_out(stored, access), sent_version=payload.version)
    except ValidationError as exc:
        return invalid(exc)
    return Status(200, _organization_out(organization, access))


# --- partnerships -------------------------------------------------------------------------------


def _partner_fields(partnership: Partnership) -> dict[str, Any]:
    organization = partnership.organization
    return {
        "id": partnership.pk,
        "organization_id": organization.pk,
        "organization_name": organization.name,
        "organization_type": organization.type,
        "segment": partnership.segment,
        "since": partnership.since,
        "until": partnership.until,
        "score": partnership.score,
        "last_contact_on": partnership.last_contact_on,
        "warnings": partnership.warnings,
        "facilitator_email": partnership.facilitator.email if partnership.facilitator else None,
    }


def _cost_share(access: Access, partnership: Partnership) -> CostShareOut:
    """The same twelve-month totals as the partner's page."""
    ledger = selectors.partnership_ledger(access=access, partnership=partnership)
    return CostShareOut(
        given=ledger["given"],
        contributed=ledger["put_in"],
        **cost_share(ledger["given"], ledger["put_in"]),
    )


def _partner_detail(access: Access, pk: int) -> PartnerDetailOut:
    partnership = selected(selectors.partnership_get, access=access, pk=pk)
    scores = selectors.partnership_scores(partnership=partnership)
    latest = scores[-1] if scores else None
    return PartnerDetailOut(
        **_partner_fields(partnership),
        notes=partnership.notes,
        version=partnership.version,
        score_month=latest.month if latest else None,
        score_components=latest.components if latest else {},
        cost_share=_cost_share(access, partnership),
    )


@router.get(
    "/{slug}/partners",
    auth=ProgramAuth(Action.PARTNERSHIP_VIEW),
    response=responses(PartnerPage),
    summary="Partners with their score, last contact and warnings",
)
def list_partners(request: HttpRequest, slug: str, filters: Query[PartnerFilters]) -> PartnerPage:
    access = _access(request)
    services.engagement_ensure_current(program=access.program)  # warnings depend on today's date
    qs = selectors.partnership_list(
        access=access,
        query=filters.q,
        segment=filters.segment or "",
        type=filters.type or "",
        warning=filters.warning,
    )
    count, rows, next_offset = page_of(qs, filters)
    return PartnerPage(
        count=count, next_offset=next_offset, items=[PartnerOut(**_partner_fields(p)) for p in rows]
    )


@router.get(
    "/{slug}/partners/{pk}",
    auth=ProgramAuth(Action.PARTNERSHIP_VIEW),
    response=responses(PartnerDetailOut),
    summary="One partner, with its latest score components and cost share",
)
def get_partner(request: HttpRequest, slug: str, pk: Id) -> PartnerDetailOut:
    access = _access(request)
    services.engagement_ensure_current(program=access.program)
    return _partner_detail(access, pk)


@router.post(
    "/{slug}/partners/{pk}/segment",
    auth=ProgramAuth(Action.PARTNERSHIP_CHANGE),
    response=body_responses(PartnerDetailOut),
    summary="Move a partner to another segment, with the date and the reason",
)
def change_segment(request: HttpRequest, slug: str, pk: Id, payload: SegmentIn) -> Status[Any]:
    access = _access(request)
    partnership = selected(selectors.partnership_get, access=access, pk=pk)
    try:
        services.partnership_change_segment(
            partnership=partnership,
            segment=payload.segment.value,
            changed_on=payload.changed_on,
            reason=payload.reason,
            by=acting_user(request),
        )
    except ValidationError as exc:
        return invalid(exc)
    return Status(200, _partner_detail(access, pk))


@router.get(
    "/{slug}/warnings",
    auth=ProgramAuth(Action.PARTNERSHIP_VIEW),
    response=responses(WarningPage),
    summary="Partners with early warnings",
)
def list_warnings(request: HttpRequest, slug: str, page: Query[PageParams]) -> WarningPage:
    access = _access(request)
    services.engagement_ensure_current(program=access.program)
    count, rows, next_offset = page_of(selectors.partnership_list(access=access, warning="any"), page)
    return WarningPage(
        count=count,
        next_offset=next_offset,
        items=[
            WarningOut(
                partnership_id=p.pk,
                organization_id=p.organization_id,
                organization_name=p.organization.name,
                codes=p.warnings,
            )
            for p in rows
        ],
    )


# --- interactions -------------------------------------------------------------------------------


def _interaction_detail(access: Access, pk: int) -> InteractionDetailOut:
    interaction: Interaction = selected(selectors.interaction_get, access=access, pk=pk)
    return InteractionDetailOut(
        id=interaction.pk,
        kind=interaction.kind,
        title=interaction.title,
        occurred_on=interaction.occurred_on,
        duration_minutes=interaction.duration_minutes,
        location=interaction.location,
        topics=interaction.topics,
        notes=interaction.notes,
        sentiment=interaction.sentiment,
        commitments=interaction.commitments,
        version=interaction.version,
        facilitator_emails=[user.email for user in interaction.facilitators.all()],
        participations=[
            ParticipationOut(
                organization_id=p.organization_id, organization_name=p.organization.name, status=p.status
            )
            for p in interaction.participations.all()
        ],
    )


@router.get(
    "/{slug}/interactions",
    auth=ProgramAuth(Action.INTERACTION_VIEW),
    response=responses(InteractionPage),
    summary="Conversations, calls, visits and events, newest first",
)
def list_interactions(request: HttpRequest, slug: str, filters: Query[InteractionFilters]) -> InteractionPage:
    access = _access(request)
    qs = selectors.interaction_list(
        access=access,
        kind=filters.kind or "",
        organization=filters.organization,
        since=filters.since,
        until=filters.until,
    )
    count, rows, next_offset = page_of(qs, filters)
    return InteractionPage(
        count=count, next_offset=next_offset, items=[InteractionOut.model_validate(i) for i in rows]
    )


@router.get(
    "/{slug}/interactions/{pk}",
    auth=ProgramAuth(Action.INTERACTION_VIEW),
    response=responses(InteractionDetailOut),
    summary="One interaction, with the organisations at it",
)
def get_interaction(request: HttpRequest, slug: str, pk: Id) -> InteractionDetailOut:
    return _interaction_detail(_access(request), pk)


@router.post(
    "/{slug}/interactions",
    auth=ProgramAuth(Action.INTERACTION_LOG),
    response=body_responses(InteractionDetailOut, status=201),
    summary="Log an interaction (an event invites its organisations)",
    openapi_extra=created_links(
        GetInteraction="konbit_partners_api_get_interaction",
        RecordAttendance="konbit_partners_api_record_attendance",
    ),
)
def log_interaction(request: HttpRequest, slug: str, payload: InteractionIn) -> Status[Any]:
    access = _access(request)
    wanted = set(payload.organization_ids)
    organizations = list(selectors.organization_list(access=access).filter(pk__in=wanted))
    unknown = wanted - {o.pk for o in organizations}
    if unknown:  # another programme's organisations are never attachable, nor are trashed ones
        return unprocessable(
            {
                "organization_ids": [
                    _("Unknown organisation: %(id)s.") % {"id": org_id} for org_id in sorted(unknown)
                ]
            }
        )
    data = {
        "kind": payload.kind.value,
        "occurred_on": payload.occurred_on,
        "title": payload.title,
        "notes": payload.notes,
        "sentiment": payload.sentiment,
        "duration_minutes": payload.duration_minutes,
    }
    try:
        interaction = services.interaction_log(
            access=access, by=acting_user(request), data=data, organizations=organizations
        )
    except ValidationError as exc:
        return invalid(exc)
    return Status(201, _interaction_detail(access, interaction.pk))


@router.post(
    "/{slug}/interactions/{pk}/attendance",
    auth=ProgramAuth(Action.INTERACTION_LOG),
    response=body_responses(InteractionDetailOut),
    summary="Record attendance of the organisations at an interaction",
)
def record_attendance(request: HttpRequest, slug: str, pk: Id, payload: AttendanceIn) -> Status[Any]:
    access = _access(request)
    interaction: Interaction = selected(selectors.interaction_get, access=access, pk=pk)
    statuses = {int(org_id): status.value for org_id, status in payload.statuses.items()}
    unknown = set(statuses) - {p.organization_id for p in interaction.participations.all()}
    if unknown:
        return unprocessable(
            {
                "statuses": [
                    _("Organisation %(id)s is not on this interaction.") % {"id": org_id}
                    for org_id in sorted(unknown)
                ]
            }
        )
    services.attendance_record(interaction=interaction, statuses=statuses, by=acting_user(request))
    return Status(200, _interaction_detail(access, pk))


# --- follow-ups ---------------------------------------------------------------------------------


def _followup_out(follow_up: FollowUp) -> FollowUpOut:
    return FollowUpOut(
        id=follow_up.pk,
        description=follow_up.description,
        organization_id=follow_up.organization_id,
        organization_name=follow_up.organization.name,
        interaction_id=follow_up.interaction_id,
        owner_email=follow_up.owner.email if follow_up.owner else None,
        due_on=follow_up.due_on,
        done_on=follow_up.done_on,
    )


@router.get(
    "/{slug}/follow-ups",
    auth=ProgramAuth(Action.INTERACTION_VIEW),
    response=responses(FollowUpPage),
    summary="Follow-ups, soonest due first",
)
def list_followups(request: HttpRequest, slug: str, filters: Query[FollowUpFilters]) -> FollowUpPage:
    access = _access(request)
    owner_id = access.user_id if filters.owner == "me" else None
    qs = selectors.followup_list(access=access, owner_id=owner_id, state=filters.state)
    count, rows, next_offset = page_of(qs, filters)
    return FollowUpPage(count=count, next_offset=next_offset, items=[_followup_out(f) for f in rows])


@router.post(
    "/{slug}/follow-ups/{pk}/done",
    auth=ProgramAuth(Action.FOLLOWUP_CHANGE),
    response=responses(FollowUpOut),
    summary="Mark a follow-up done today (no change if it is done already)",
)
def mark_followup_done(request: HttpRequest, slug: str, pk: Id) -> FollowUpOut:
    access = _access(request)
    follow_up: FollowUp = selected(selectors.followup_get, access=access, pk=pk)
    if follow_up.done_on is None:
        services.followup_set_done(follow_up=follow_up, done_on=timezone.localdate(), by=acting_user(request))
    return _followup_out(follow_up)


# --- initiatives and invitations ----------------------------------------------------------------


def _supported_organizations(access: Access, initiative_ids: list[int]) -> dict[int, list[int]]:
    """One query for a whole page of initiatives (no selector lists supports by initiative yet)."""
    supported: dict[int, list[int]] = defaultdict(list)
    rows = (
        InitiativeSupport.objects.filter(
            program=access.program,
            initiative_id__in=initiative_ids,
            organization__deleted_at__isnull=True,
        )
        .order_by("organization_id")
        .values_list("initiative_id", "organization_id")
    )
    for initiative_id, organization_id in rows:
        supported[initiative_id].append(organization_id)
    return supported


@router.get(
    "/{slug}/initiatives",
    auth=ProgramAuth(Action.PARTNERSHIP_VIEW),
    response=responses(InitiativePage),
    summary="Other initiatives in the system and the organisations they support",
)
def list_initiatives(request: HttpRequest, slug: str, page: Query[PageParams]) -> InitiativePage:
    access = _access(request)
    count, rows, next_offset = page_of(selectors.initiative_list(access=access).order_by("name", "pk"), page)
    supported = _supported_organizations(access, [i.pk for i in rows])
    return InitiativePage(
        count=count,
        next_offset=next_offset,
        items=[
            InitiativeOut(
                id=i.pk,
                name=i.name,
                funder=i.funder,
                description=i.description,
                starts_on=i.starts_on,
                ends_on=i.ends_on,
                organization_ids=supported.get(i.pk, []),
            )
            for i in rows
        ],
    )


@router.get(
    "/{slug}/my-invitations",
    auth=ProgramAuth(Action.INVITATIONS_OWN),
    response=responses(InvitationPage),
    summary="Partner users: the events your organisation was invited to",
)
def list_my_invitations(request: HttpRequest, slug: str, page: Query[PageParams]) -> InvitationPage:
    access = _access(request)
    qs = selectors.invitations_of_partner(access=access).order_by("-interaction__occurred_on", "-pk")
    count, rows, next_offset = page_of(qs, page)
    return InvitationPage(
        count=count,
        next_offset=next_offset,
        items=[
            InvitationOut(
                event_id=p.interaction_id,
                title=str(p.interaction),
                kind=p.interaction.kind,
                occurred_on=p.interaction.occurred_on,
                location=p.interaction.location,
                status=p.status,
            )
            for p in rows
        ],
    )
