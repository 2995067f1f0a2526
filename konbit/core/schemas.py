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
