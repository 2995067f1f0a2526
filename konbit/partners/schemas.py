"""Request and response schemas of the partner pillar's API (konbit/partners/api.py).

Input limits mirror the model fields (lengths, choices, the sentiment range) so that bad input is a
422 from the schema, before any service runs, rather than a database error."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import BeforeValidator, StrictBool, StringConstraints

from konbit.api.schemas import Paged
from konbit.core.api import PageParams
from konbit.core.numbers import BodyId, Id, json_int

from .models import Attendance, InteractionKind, OrganizationSize, OrganizationType, Segment

# PostgreSQL cannot store NUL characters in text; refusing them here keeps them a 422 on every database.
NO_NUL = r"^[^\x00]*$"
# What Django's URLValidator accepts, narrowed to a shape a schema can state (or empty: no website).
WEBSITE = r"^(https?://([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(/[A-Za-z0-9._~%/-]*)?)?$"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: object) -> object:
    """Dates as the schema says (YYYY-MM-DD); pydantic alone would also take 0 as 1 January 1970."""
    if isinstance(value, datetime.date) or (isinstance(value, str) and ISO_DATE.fullmatch(value)):
        return value
    raise ValueError("Use a date as YYYY-MM-DD.")


# Body values are JSON, so they are taken as typed: "yes" is not a boolean, nor "3" a number.
Date = Annotated[datetime.date, BeforeValidator(_iso_date)]
Flag = StrictBool
Text30 = Annotated[str, StringConstraints(max_length=30, pattern=NO_NUL)]
Text100 = Annotated[str, StringConstraints(max_length=100, pattern=NO_NUL)]
Text200 = Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL)]
Text300 = Annotated[str, StringConstraints(max_length=300, pattern=NO_NUL)]
LongText = Annotated[str, StringConstraints(max_length=20_000, pattern=NO_NUL)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00]*[^\x00\s][^\x00]*$")]
Website = Annotated[str, StringConstraints(max_length=200, pattern=WEBSITE)]
Sentiment = Annotated[int, Field(ge=-2, le=2), BeforeValidator(json_int)]
Minutes = Annotated[int, Field(ge=0, le=100_000), BeforeValidator(json_int)]
Version = Annotated[int, Field(ge=1, le=2**31 - 1), BeforeValidator(json_int)]


# --- filters ------------------------------------------------------------------------------------


class OrganizationFilters(PageParams):
    q: Text200 = Field("", description="Part of the name, acronym or town.")
    type: OrganizationType | None = None
    region: Text100 = ""


class PartnerFilters(PageParams):
    q: Text200 = Field("", description="Part of the organisation's name or acronym.")
    segment: Segment | None = None
    type: OrganizationType | None = Field(None, description="The organisation's type.")
    warning: Annotated[str, StringConstraints(max_length=40, pattern=r"^[a-z_]*$")] = Field(
        "", description="A warning code (e.g. `no_contact`), or `any` for partners with any warning."
    )


class InteractionFilters(PageParams):
    kind: InteractionKind | Literal["events"] | None = Field(
        None, description="A kind, or `events` for round tables, workshops and trainings."
    )
    organization: Id | None = Field(None, description="Only interactions this organisation took part in.")
    since: Date | None = None
    until: Date | None = None


class FollowUpFilters(PageParams):
    owner: Literal["me", "all"] = Field("me", description="Yours (as on the page) or everyone's.")
    state: Literal["open", "done", "all"] = "open"


# --- organisations ------------------------------------------------------------------------------


class OrganizationOut(Schema):
    id: int
    name: str
    acronym: str
    type: str
    sector: str
    region: str
    town: str
    size: str
    website: str
    performs_core: bool
    performs_supporting: bool
    performs_rules: bool
    tags: str
    notes: str | None = Field(description="The programme's internal notes; null for partner users.")
    version: int = Field(description="Send it back when you change the record (stale → 409).")
    updated_at: datetime.datetime


class OrganizationPage(Paged):
    items: list[OrganizationOut]


class OrganizationIn(Schema):
    name: Name
    acronym: Text30 = ""
    type: OrganizationType = OrganizationType.OTHER
    sector: Text200 = Field("", description="Comma-separated.")
    region: Text100 = ""
    town: Text100 = ""
    size: OrganizationSize = OrganizationSize.UNKNOWN
    website: Website = ""
    performs_core: Flag = False
    performs_supporting: Flag = False
    performs_rules: Flag = False
    tags: Text300 = Field("", description="Comma-separated free tags.")
    notes: LongText = ""


# The fields a partner user may change on its own organisation (as PartnerProfileForm on the page).
PARTNER_PROFILE_FIELDS = frozenset({"name", "acronym", "sector", "region", "town", "size", "website", "tags"})


class OrganizationPatch(Schema):
    """Only the fields sent (and not null) change. Partner users may send the profile fields only."""

    version: Version
    name: Name | None = None
    acronym: Text30 | None = None
    type: OrganizationType | None = None
    sector: Text200 | None = None
    region: Text100 | None = None
    town: Text100 | None = None
    size: OrganizationSize | None = None
    website: Website | None = None
    performs_core: Flag | None = None
    performs_supporting: Flag | None = None
    performs_rules: Flag | None = None
    tags: Text300 | None = None
    notes: LongText | None = None


# --- partnerships -------------------------------------------------------------------------------


class PartnerOut(Schema):
    id: int
    organization_id: int
    organization_name: str
    organization_type: str
    segment: str
    since: datetime.date | None
    until: datetime.date | None
    score: float | None = Field(description="This month's engagement score (0–100), if any.")
    last_contact_on: datetime.date | None
    warnings: list[str] = Field(description="Early-warning codes, e.g. `no_contact`.")
    facilitator_email: str | None


class PartnerPage(Paged):
    items: list[PartnerOut]


class CostShareOut(Schema):
    given: Decimal = Field(description="Support given by the programme (all time).")
    contributed: Decimal = Field(description="Support put in by the partner (all time).")
    programme_share: float | None = Field(description="Percent of the total.")
    partner_share: float | None = Field(description="Percent of the total.")
    ratio: float | None = Field(description="Partner's contribution per unit of programme support.")


class PartnerDetailOut(PartnerOut):
    notes: str
    version: int
    score_month: datetime.date | None = Field(description="The month of the latest score.")
    score_components: dict[str, float | None] = Field(
        description="Components (0–100, null when there is nothing to judge) of the latest score."
    )
    cost_share: CostShareOut


class SegmentIn(Schema):
    segment: Segment
    changed_on: Date
    reason: LongText = ""


class WarningOut(Schema):
    partnership_id: int
    organization_id: int
    organization_name: str
    codes: list[str]


class WarningPage(Paged):
    items: list[WarningOut]


# --- interactions -------------------------------------------------------------------------------


class InteractionOut(Schema):
    id: int
    kind: str
    title: str
    occurred_on: datetime.date
    duration_minutes: int | None
    location: str
    sentiment: int | None
    organization_count: int
    attended_count: int


class InteractionPage(Paged):
    items: list[InteractionOut]


class ParticipationOut(Schema):
    organization_id: int
    organization_name: str
    status: str


class InteractionDetailOut(Schema):
    id: int
    kind: str
    title: str
    occurred_on: datetime.date
    duration_minutes: int | None
    location: str
    topics: str
    notes: str
    sentiment: int | None
    commitments: str
    version: int
    facilitator_emails: list[str]
    participations: list[ParticipationOut]


class InteractionIn(Schema):
    kind: InteractionKind
    occurred_on: Date
    title: Text200 = ""
    notes: LongText = ""
    sentiment: Sentiment | None = Field(None, description="From −2 (hostile) to +2 (enthusiastic).")
    duration_minutes: Minutes | None = None
    organization_ids: list[BodyId] = Field(
        min_length=1,
        max_length=500,
        description="Organisations of this programme: invited to an event, or else taking part.",
    )


class AttendanceIn(Schema):
    statuses: dict[Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{0,17}$")], Attendance] = Field(
        description="Organisation id → attendance, for organisations already on the interaction.",
        json_schema_extra={"additionalProperties": False},  # keys are ids, nothing else
    )


# --- follow-ups, initiatives, invitations -------------------------------------------------------


class FollowUpOut(Schema):
    id: int
    description: str
    organization_id: int
    organization_name: str
    interaction_id: int | None
    owner_email: str | None
    due_on: datetime.date
    done_on: datetime.date | None


class FollowUpPage(Paged):
    items: list[FollowUpOut]


class InitiativeOut(Schema):
    id: int
    name: str
    funder: str
    description: str
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    organization_ids: list[int] = Field(description="Organisations this initiative supports.")


class InitiativePage(Paged):
    items: list[InitiativeOut]


class InvitationOut(Schema):
    """What a partner user sees of an event: never its notes or who else was invited."""

    event_id: int
    title: str
    kind: str
    occurred_on: datetime.date
    location: str
    status: str = Field(description="Its organisation's attendance: invited, attended, excused, no_show.")


class InvitationPage(Paged):
    items: list[InvitationOut]
