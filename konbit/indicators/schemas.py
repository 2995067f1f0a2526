"""Request and response schemas of the indicators API (konbit/indicators/api.py). Input limits mirror
the model fields so that bad input is a 422 from the schema, before any service runs."""

from __future__ import annotations

import datetime
import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import BeforeValidator, StringConstraints, WithJsonSchema

from konbit.api.schemas import Paged
from konbit.core.api import PageParams
from konbit.core.numbers import BodyId, Id
from konbit.partners.schemas import NO_NUL, WEBSITE, Date, Version

from .models import Aggregation, BenchmarkStatus, Direction, IndicatorType, Status, TargetMode

Text30 = Annotated[str, StringConstraints(max_length=30, pattern=NO_NUL)]
Text40 = Annotated[str, StringConstraints(max_length=40, pattern=NO_NUL)]
Text60 = Annotated[
    str, StringConstraints(min_length=1, max_length=60, pattern=r"^[^\x00]*[^\x00\s][^\x00]*$")
]
Text300 = Annotated[str, StringConstraints(max_length=300, pattern=NO_NUL)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=r"^[^\x00]*[^\x00\s][^\x00]*$")]
LongText = Annotated[str, StringConstraints(max_length=20_000, pattern=NO_NUL)]
# What the model's URLField accepts (a looser pattern promised "https://7", which it refuses).
Link = Annotated[str, StringConstraints(max_length=500, pattern=WEBSITE)]


NUMBER_LIMIT = Decimal("999999999999")
STORED_PLACES = Decimal("0.0001")  # the models' DecimalField(max_digits=16, decimal_places=4)


def _json_number(value: object) -> object:
    """A JSON number (not "12" or true, which pydantic would also take), as a Decimal rounded to the four
    decimal places that are stored: the schema accepts any number in range, and a fifth decimal was a
    422 from the model's digit check (found by tests/test_api_fuzz.py)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError("Use a number.")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("Use a finite number.")
    number = Decimal(str(value))
    # Out of range stays as it is, for the range check to refuse (quantize would overflow).
    if abs(number) <= NUMBER_LIMIT and number != number.quantize(STORED_PLACES, rounding=ROUND_HALF_UP):
        return number.quantize(STORED_PLACES, rounding=ROUND_HALF_UP)
    return number


Number = Annotated[
    Decimal,
    BeforeValidator(_json_number),
    Field(ge=-NUMBER_LIMIT, le=NUMBER_LIMIT),
    WithJsonSchema(
        {
            "type": "number",
            "minimum": -999999999999,
            "maximum": 999999999999,
            "description": "Rounded to four decimal places.",
        }
    ),
]


class IndicatorFilters(PageParams):
    q: Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL)] = Field(
        "", description="Part of the name, code or definition."
    )
    type: IndicatorType | None = None
    intervention: Id | None = Field(None, description="Only the indicators of this intervention.")
    status: Status | None = None


class IndicatorOut(Schema):
    id: int
    name: str
    code: str
    definition: str
    unit: str
    type: str
    intervention_id: int | None
    chain_box_id: int | None
    target_mode: str
    aggregation: str
    direction: str
    baseline_value: Decimal | None
    baseline_date: datetime.date | None
    data_source: str
    collection_method: str
    dimension_ids: list[int]
    status: str
    progress: float | None
    achieved: float | None
    version: int = Field(description="Send it back when you change the record (stale → 409).")
    updated_at: datetime.datetime


class IndicatorPage(Paged):
    items: list[IndicatorOut]


class IndicatorIn(Schema):
    name: Name
    code: Text30 = ""
    definition: LongText = ""
    unit: Text60
    type: IndicatorType
    intervention_id: BodyId | None = None
    chain_box_id: BodyId | None = None
    target_mode: TargetMode = TargetMode.CUMULATIVE
    aggregation: Aggregation = Aggregation.SUM
    direction: Direction = Direction.HIGHER
    baseline_value: Number | None = None
    baseline_date: Date | None = None
    data_source: Text300 = ""
    collection_method: Text300 = ""
    dimension_ids: list[BodyId] = Field(default_factory=list, max_length=20)


class IndicatorPatch(Schema):
    """Only the fields sent (and not null) change."""

    version: Version
    name: Name | None = None
    code: Text30 | None = None
    definition: LongText | None = None
    unit: Text60 | None = None
    type: IndicatorType | None = None
    target_mode: TargetMode | None = None
    aggregation: Aggregation | None = None
    direction: Direction | None = None
    baseline_value: Number | None = None
    baseline_date: Date | None = None
    data_source: Text300 | None = None
    collection_method: Text300 | None = None


class MeasurementOut(Schema):
    id: int
    indicator_id: int
    period_label: str
    period_start: datetime.date | None
    period_end: datetime.date
    category_id: int | None
    category: str | None
    value: Decimal
    evidence_link: str
    has_evidence_file: bool
    note: str
    version: int


class MeasurementPage(Paged):
    items: list[MeasurementOut]


class MeasurementIn(Schema):
    period_label: Text40 = Field("", description="e.g. 2025-Q2: fills the dates when they are not sent.")
    period_start: Date | None = None
    period_end: Date | None = Field(None, description="Needed unless period_label gives it.")
    category_id: BodyId | None = Field(None, description="Empty: the total.")
    value: Number
    evidence_link: Link = ""
    note: LongText = ""


class PointOut(Schema):
    period_end: datetime.date
    label: str
    value: float | None
    derived: bool
    achieved: float | None
    target: float | None
    milestone: float | None
    progress: float | None


class CategoryProgressOut(Schema):
    category_id: int
    achieved: float | None
    target: float | None
    progress: float | None
    share: float | None


class ProgressOut(Schema):
    indicator_id: int
    period_end: datetime.date | None
    period_label: str
    achieved: float | None
    target: float | None
    target_label: str
    expected: float | None
    progress: float | None = Field(description="(achieved − baseline) / (target − baseline) × 100.")
    status: str
    points: list[PointOut]
    categories: list[CategoryProgressOut]


class BenchmarkFilters(PageParams):
    organization: Id | None = Field(None, description="Only this partner's benchmarks.")
    status: BenchmarkStatus | None = None


class BenchmarkOut(Schema):
    id: int
    organization_id: int
    organization_name: str
    indicator_id: int | None
    description: str
    target_value: Decimal | None
    incentive: str
    due_on: datetime.date
    status: str
    status_note: str
    status_recorded_at: datetime.datetime | None


class BenchmarkPage(Paged):
    items: list[BenchmarkOut]
