"""Request and response schemas of the learning API (konbit/learning/api.py). Input limits mirror
the model fields so that bad input is a 422 from the schema before any service runs."""

from __future__ import annotations

import datetime
from typing import Annotated

from ninja import Field, Schema
from pydantic import StringConstraints

from konbit.api.schemas import Paged
from konbit.core.api import PageParams
from konbit.core.models import Phase
from konbit.core.numbers import BodyId
from konbit.partners.schemas import NO_NUL, Date, LongText, Text200, Text300, Version

from .models import Audience, LessonStatus

Title = Annotated[
    str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00]*[^\x00\s][^\x00]*$")
]
Note = Annotated[str, StringConstraints(max_length=500, pattern=NO_NUL)]
Link = Annotated[
    str,
    StringConstraints(
        max_length=500,
        pattern=r"^(https?://([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(/[A-Za-z0-9._~%/-]*)?)?$",
    ),
]


class LessonFilters(PageParams):
    q: Text200 = Field("", description="Words to find anywhere in the lesson (stemmed, prefix match).")
    tag: Text200 = ""
    phase: Phase | None = None
    status: LessonStatus | None = None


class LessonOut(Schema):
    id: int
    title: str
    context: str
    action: str = Field(description="What was done.")
    lesson: str = Field(description="Results and the lesson.")
    application: str
    recommendation: str
    tags: str
    phases: list[str]
    organization_ids: list[int]
    intervention_ids: list[int]
    learned_on: datetime.date
    status: str
    published_on: datetime.date | None
    author_email: str | None
    version: int = Field(description="Send it back when you change the lesson (stale → 409).")
    updated_at: datetime.datetime


class LessonPage(Paged):
    items: list[LessonOut]


class LessonIn(Schema):
    title: Title
    context: LongText = ""
    action: LongText = ""
    lesson: LongText = ""
    application: LongText = ""
    recommendation: LongText = ""
    tags: Text300 = ""
    phases: list[Phase] = Field(default_factory=list, max_length=5)
    organization_ids: list[BodyId] = Field(default_factory=list, max_length=200)
    intervention_ids: list[BodyId] = Field(default_factory=list, max_length=200)
    learned_on: Date | None = None
    status: LessonStatus = LessonStatus.DRAFT


class LessonPatch(Schema):
    version: Version = Field(description="The version you read; a stale one answers 409.")
    title: Title | None = None
    context: LongText | None = None
    action: LongText | None = None
    lesson: LongText | None = None
    application: LongText | None = None
    recommendation: LongText | None = None
    tags: Text300 | None = None
    phases: list[Phase] | None = Field(None, max_length=5)
    organization_ids: list[BodyId] | None = Field(None, max_length=200)
    intervention_ids: list[BodyId] | None = Field(None, max_length=200)
    learned_on: Date | None = None
    status: LessonStatus | None = None


class CommunicationFilters(PageParams):
    audience: Audience | None = None
    state: Annotated[str, StringConstraints(pattern=r"^(|overdue|planned|done)$")] = Field(
        "", description="`overdue`, `planned` (still due) or `done` (nothing more due)."
    )


class SendingOut(Schema):
    id: int
    sent_on: datetime.date
    sent_by_email: str | None
    note: str
    link: str


class CommunicationOut(Schema):
    id: int
    title: str
    audience_kind: str
    audience: str
    purpose: str
    channel: str
    frequency: str
    owner_email: str | None
    first_due_on: datetime.date
    is_active: bool
    last_sent_on: datetime.date | None
    next_due_on: datetime.date | None
    overdue: bool


class CommunicationPage(Paged):
    items: list[CommunicationOut]


class SendingIn(Schema):
    sent_on: Date
    note: Note = ""
    link: Link = ""
