"""The steering pillar's JSON API, on the same rules as its pages: each operation declares its Action
with `ProgramAuth`; reads go through selectors.py and writes through services.py. Partner users get
404 everywhere here, as on the pages."""

from __future__ import annotations

import datetime
import math
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import BeforeValidator, StringConstraints, WithJsonSchema

from konbit.api.auth import ProgramAuth
from konbit.api.auth import program_access as _access
from konbit.api.schemas import (
    Paged,
    body_responses,
    conflict,
    conflict_of,
    created_links,
    invalid,
    page_of,
    responses,
    selected,
)
from konbit.core.access import acting_user
from konbit.core.api import PageParams
from konbit.core.numbers import BodyId, Id
from konbit.core.roles import Action
from konbit.core.services import ConflictError
from konbit.partners import selectors as partner_selectors
from konbit.partners.models import Organization
from konbit.partners.schemas import WEBSITE, Date, Version

from . import selectors, services
from .models import AaerEntry, Intervention

router = Router(tags=["results"])

NO_NUL = r"^[^\x00]*$"
Title = Annotated[
    str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00]*[^\x00\s][^\x00]*$")
]
LongText = Annotated[str, StringConstraints(max_length=20_000, pattern=NO_NUL)]
Evidence = Annotated[
    str, StringConstraints(min_length=1, max_length=20_000, pattern=r"^[^\x00]*[^\x00\s][^\x00]*$")
]
Function = Literal["core", "supporting", "rules"]
LeverName = Literal["lead_firm", "rules", "supporting_function", "other"]
Status_ = Literal["planned", "active", "paused", "completed", "dropped"]
IntensityName = Literal["", "low", "medium", "high"]
StageName = Literal["adopt", "adapt", "expand", "respond"]
MAX_AMOUNT = Decimal("999999999999.99")
AMOUNT_TEXT = re.compile(r"\d{1,12}(\.\d{1,2})?")
CENT = Decimal("0.01")


def _amount(value: object) -> object:
    """Money as the schema states it: a JSON number, rounded to the cent (what is stored), or a decimal
    string such as "1500.50". Pydantic alone took any decimal text ("1e3", " 5") and refused a number
    with a third decimal, while the published schema promised the opposite (tests/test_api_fuzz.py)."""
    if isinstance(value, bool):
        raise ValueError("Use a number.")
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("Use a finite number.")
        amount = Decimal(str(value))
        # Out of range stays as it is, for the range check to refuse (quantize would overflow).
        if 0 <= amount <= MAX_AMOUNT and amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
            return amount.quantize(CENT, rounding=ROUND_HALF_UP)
        return amount
    if isinstance(value, str) and not AMOUNT_TEXT.fullmatch(value):
        raise ValueError("Use a number, or text such as 1500.50.")
    return value


Amount = Annotated[
    Decimal,
    BeforeValidator(_amount),
    Field(ge=0, le=MAX_AMOUNT, max_digits=14, decimal_places=2),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": 999999999999.99},
                {"type": "string", "pattern": f"^{AMOUNT_TEXT.pattern}$"},
            ],
            "description": "In the programme's currency; a number is rounded to the cent.",
        }
    ),
]


class InterventionOut(Schema):
    id: int
    title: str
    description: str
    function: str
    lever: str
    status: str
    start_date: datetime.date | None
    end_date: datetime.date | None
    planned_amount: Decimal | None
    planned_intensity: str
    actual_intensity: str
    organization_ids: list[int]
    version: int


class InterventionPage(Paged):
    items: list[InterventionOut]


class InterventionFilters(PageParams):
    q: Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL)] = ""
    status: Status_ | None = None
    function: Function | None = None
    lever: LeverName | None = None


class InterventionIn(Schema):
    title: Title
    description: LongText = ""
    function: Function
    lever: LeverName
    status: Status_ = "planned"
    start_date: Date | None = None
    end_date: Date | None = None
    planned_amount: Amount | None = None
    planned_intensity: IntensityName = ""
    actual_intensity: IntensityName = ""
    organization_ids: list[BodyId] = Field(default_factory=list, max_length=500)


class InterventionPatch(Schema):
    version: Version
    title: Title | None = None
    description: LongText | None = None
    function: Function | None = None
    lever: LeverName | None = None
    status: Status_ | None = None
    start_date: Date | None = None
    end_date: Date | None = None
    planned_amount: Amount | None = None
    planned_intensity: IntensityName | None = None
    actual_intensity: IntensityName | None = None
    organization_ids: list[BodyId] | None = Field(None, max_length=500)


class AaerOut(Schema):
    id: int
    intervention_id: int
    organization_id: int
    organization_name: str
    stage: str
    observed_on: datetime.date
    evidence: str
    link: str


class AaerPage(Paged):
    items: list[AaerOut]


class AaerIn(Schema):
    organization_id: BodyId
    stage: StageName
    observed_on: Date
    evidence: Evidence
    # What the model's URLField accepts (a looser pattern promised "https://7", which it refuses).
    link: Annotated[str, StringConstraints(max_length=200, pattern=WEBSITE)] = ""


class CriterionOut(Schema):
    criterion: str
    status: str
    value: float | str | None
    threshold: float | str


class ExitPartnerOut(Schema):
    organization_id: int
    name: str
    overall: str
    criteria: list[CriterionOut]


class ExitOut(Schema):
    criteria: list[str]
    thresholds: dict[str, Any]
    summary: dict[str, int]
    partners: list[ExitPartnerOut]


def _out(iv: Intervention) -> InterventionOut:
    return InterventionOut(
        id=iv.pk,
        title=iv.title,
        description=iv.description,
        function=iv.function,
        lever=iv.lever,
        status=iv.status,
        start_date=iv.start_date,
        end_date=iv.end_date,
        planned_amount=iv.planned_amount,
        planned_intensity=iv.planned_intensity,
        actual_intensity=iv.actual_intensity,
        organization_ids=sorted(o.pk for o in iv.organizations.all()),
        version=iv.version,
    )


def _organizations(access: Any, ids: list[int]) -> list[Organization]:
    found = list(selectors.partner_organizations(access=access).filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ValidationError({"organization_ids": ["Only partners of this programme can be involved."]})
    return found


@router.get(
    "/{slug}/interventions",
    auth=ProgramAuth(Action.CHANGE_VIEW),
    response=responses(InterventionPage),
    summary="Interventions of a programme",
)
def list_interventions(
    request: HttpRequest, slug: str, filters: Query[InterventionFilters]
) -> InterventionPage:
    access = _access(request)
    qs = selectors.intervention_list(
        access=access,
        query=filters.q,
        status=filters.status or "",
        function=filters.function or "",
        lever=filters.lever or "",
    ).prefetch_related("organizations")
    count, rows, next_offset = page_of(qs, filters)
    return InterventionPage(count=count, next_offset=next_offset, items=[_out(iv) for iv in rows])


@router.get(
    "/{slug}/interventions/{pk}",
    auth=ProgramAuth(Action.CHANGE_VIEW),
    response=responses(InterventionOut),
    summary="One intervention",
)
def get_intervention(request: HttpRequest, slug: str, pk: Id) -> InterventionOut:
    return _out(selected(selectors.intervention_get, access=_access(request), pk=pk))


@router.post(
    "/{slug}/interventions",
    auth=ProgramAuth(Action.INTERVENTION_CHANGE),
    response=body_responses(InterventionOut, status=201),
    summary="Add an intervention",
    openapi_extra=created_links(
        GetIntervention="konbit_results_api_get_intervention",
        UpdateIntervention="konbit_results_api_update_intervention",
        ListAaer="konbit_results_api_list_aaer",
        RecordAaer="konbit_results_api_create_aaer",
    ),
)
def create_intervention(request: HttpRequest, slug: str, payload: InterventionIn) -> Status[Any]:
    access = _access(request)
    data = payload.model_dump(exclude={"organization_ids"})
    try:
        organizations = _organizations(access, payload.organization_ids)
        iv = services.intervention_create(
            access=access, by=acting_user(request), data=data, organizations=organizations
        )
    except ValidationError as exc:
        return invalid(exc)
    return Status(201, _out(iv))


@router.patch(
    "/{slug}/interventions/{pk}",
    auth=ProgramAuth(Action.INTERVENTION_CHANGE),
    response={**body_responses(InterventionOut), 409: conflict_of(InterventionOut)},
    summary="Change an intervention (409 with the stored record when `version` is stale)",
)
def update_intervention(request: HttpRequest, slug: str, pk: Id, payload: InterventionPatch) -> Status[Any]:
    access = _access(request)
    iv = selected(selectors.intervention_get, access=access, pk=pk)
    data = payload.model_dump(exclude_unset=True, exclude={"version", "organization_ids"})
    data = {
        k: v for k, v in data.items() if v is not None or k in {"start_date", "end_date", "planned_amount"}
    }
    try:
        organizations = (
            _organizations(access, payload.organization_ids) if payload.organization_ids is not None else None
        )
        services.intervention_update(
            intervention=iv,
            by=acting_user(request),
            data=data,
            organizations=organizations,
            expected_version=payload.version,
        )
    except ConflictError:
        return conflict(
            _out(selected(selectors.intervention_get, access=access, pk=pk)), sent_version=payload.version
        )
    except ValidationError as exc:
        return invalid(exc)
    return Status(200, _out(selected(selectors.intervention_get, access=access, pk=pk)))


def _aaer_out(e: AaerEntry) -> AaerOut:
    return AaerOut(
        id=e.pk,
        intervention_id=e.intervention_id,
        organization_id=e.organization_id,
        organization_name=e.organization.name,
        stage=e.stage,
        observed_on=e.observed_on,
        evidence=e.evidence,
        link=e.link,
    )


@router.get(
    "/{slug}/interventions/{pk}/aaer",
    auth=ProgramAuth(Action.CHANGE_VIEW),
    response=responses(AaerPage),
    summary="Adopt–adapt–expand–respond entries of an intervention, newest first",
)
def list_aaer(request: HttpRequest, slug: str, pk: Id, page: Query[PageParams]) -> AaerPage:
    access = _access(request)
    iv = selected(selectors.intervention_get, access=access, pk=pk)
    count, rows, next_offset = page_of(selectors.aaer_entries(access=access, intervention=iv), page)
    return AaerPage(count=count, next_offset=next_offset, items=[_aaer_out(e) for e in rows])


@router.post(
    "/{slug}/interventions/{pk}/aaer",
    auth=ProgramAuth(Action.INTERVENTION_CHANGE),
    response=body_responses(AaerOut, status=201),
    summary="Record an actor at a stage, with evidence",
)
def create_aaer(request: HttpRequest, slug: str, pk: Id, payload: AaerIn) -> Status[Any]:
    access = _access(request)
    iv = selected(selectors.intervention_get, access=access, pk=pk)
    organization = (
        partner_selectors.organization_choices(access=access).filter(pk=payload.organization_id).first()
    )
    if organization is None:
        return invalid(ValidationError({"organization_id": ["Choose an organisation of this programme."]}))
    data = payload.model_dump(exclude={"organization_id"})
    try:
        entry = services.aaer_entry_create(
            intervention=iv, by=acting_user(request), data={**data, "organization": organization}
        )
    except ValidationError as exc:
        return invalid(exc)
    return Status(201, _aaer_out(entry))


@router.get(
    "/{slug}/exit",
    auth=ProgramAuth(Action.CHANGE_VIEW),
    response=responses(ExitOut),
    summary="Every partner against the programme's rolling-exit criteria (read only)",
)
def exit_evaluation(request: HttpRequest, slug: str) -> ExitOut:
    access = _access(request)
    evaluation = selectors.exit_evaluation(access=access)
    t = evaluation["thresholds"]
    return ExitOut(
        criteria=evaluation["criteria"],
        thresholds={k: getattr(t, k) for k in t.__dataclass_fields__},
        summary=evaluation["summary"],
        partners=[
            ExitPartnerOut(
                organization_id=r.organization_id,
                name=r.name,
                overall=r.overall,
                criteria=[
                    CriterionOut(criterion=c.criterion, status=c.status, value=c.value, threshold=c.threshold)
                    for c in r.results.values()
                ],
            )
            for r in evaluation["results"]
        ],
    )
