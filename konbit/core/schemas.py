from __future__ import annotations

import datetime

from ninja import Field, Schema

from konbit.api.schemas import Paged


class ProgramOut(Schema):
    slug: str
    name: str
    country: str
    sector: str
    phase: str
    start_date: datetime.date | None
    end_date: datetime.date | None
    role: str = Field(description="Your role in this programme.")


class MemberOut(Schema):
    id: int
    email: str
    name: str
    role: str
    organization_id: int | None
    organization_name: str | None


class MemberPage(Paged):
    items: list[MemberOut]


class JobOut(Schema):
    id: int
    label: str
    status: str = Field(description="queued, running, done or failed.")
    progress: float = Field(description="0 to 1.")
    message: str = Field(description="The current step.")
    result: dict[str, object] = Field(description='When done: at least "url", the page of the result.')
    error: str
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
