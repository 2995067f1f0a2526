"""The partner pillar at scale (see konbit/core/scale.py): organisations, partnerships, three years of
interactions with their participants, follow-ups, support entries, then the engagement scores."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from django.db import transaction

from konbit.core.models import Program
from konbit.core.scale import SCALE_END, SCALE_MONTHS, ScaleContext, ScaleSpec

from . import services
from .models import (
    Attendance,
    FollowUp,
    Interaction,
    InteractionKind,
    Organization,
    OrganizationType,
    Participation,
    Partnership,
    Segment,
    SupportDirection,
    SupportEntry,
    SupportKind,
)
from .names import normalize_name

CHUNK = 10_000  # interactions per transaction; their participants follow in the same one
EVENT_SIZE = (10, 40)  # participants of a round table, workshop or training
_WORDS = ("Agro", "Nord", "Kafe", "Lakay", "Solid", "Vèt", "Tè", "Dlo", "Mango", "Kakao", "Pitimi", "Sèl")
_KINDS = ("Services", "Coop", "Trading", "Finance", "Association", "Transformation", "Distribution")
_REGIONS = ("Nord", "Nord-Est", "Nord-Ouest", "Artibonite", "Centre", "Ouest")
_TOPICS = ("prices", "inputs", "credit", "quality", "logistics", "training", "contracts", "weather")


def _stamp(row: Any, program: Program, by: Any, when: datetime.date) -> Any:
    row.program = program
    row.created_by = row.updated_by = by
    row.created_at = row.updated_at = datetime.datetime.combine(when, datetime.time(12), tzinfo=datetime.UTC)
    return row


def _day(rng: random.Random, start: datetime.date, days: int) -> datetime.date:
    return start + datetime.timedelta(days=int(rng.random() * days))


def _event_sizes(spec: ScaleSpec, partners: int, rng: random.Random) -> list[int]:
    """Sizes of the group events so that one-to-ones (one participant each) and events add up to exactly
    `spec.participations` rows over exactly `spec.interactions` interactions."""
    low, high = EVENT_SIZE[0], min(EVENT_SIZE[1], partners)
    mean = (low + high) / 2
    events = min(spec.interactions, max(0, round((spec.participations - spec.interactions) / (mean - 1))))
    sizes = [low + int(rng.random() * (high - low + 1)) for _ in range(events)]
    missing = spec.participations - (spec.interactions - events) - sum(sizes)
    i = 0
    while missing and sizes:
        step = 1 if missing > 0 else -1
        if low <= sizes[i] + step <= high:
            sizes[i] += step
            missing -= step
        i = (i + 1) % len(sizes)
    return sizes


def build_scale(program: Program, spec: ScaleSpec, ctx: ScaleContext) -> None:
    rng = ctx.rng
    staff = [ctx.users["facilitator"], ctx.users["facilitator2"], ctx.users["mel"]]
    start = SCALE_END - datetime.timedelta(days=SCALE_MONTHS * 365 // 12)
    span = (SCALE_END - start).days

    organizations = []
    for i in range(spec.organizations):
        name = f"{_WORDS[i % len(_WORDS)]} {_KINDS[(i // len(_WORDS)) % len(_KINDS)]} {i + 1:05d}"
        organizations.append(
            _stamp(
                Organization(
                    name=name,
                    normalized_name=normalize_name(name),
                    type=list(OrganizationType)[i % len(OrganizationType)],
                    region=_REGIONS[i % len(_REGIONS)],
                    performs_core=i % 3 == 0,
                    performs_supporting=i % 3 == 1,
                    performs_rules=i % 7 == 0,
                    tags=_TOPICS[i % len(_TOPICS)],
                ),
                program,
                staff[0],
                start,
            )
        )
    Organization.objects.bulk_create(organizations, batch_size=2_000)
    ctx.log(f"    {len(organizations):,} organisations")

    partner_orgs = rng.sample(organizations, spec.partnerships)
    segments = [Segment.ACTIVE] * 6 + [
        Segment.CHAMPION,
        Segment.WAIT_AND_SEE,
        Segment.DORMANT,
        Segment.PROSPECT,
    ]
    partnerships = [
        _stamp(
            Partnership(
                organization=org,
                segment=segments[int(rng.random() * len(segments))],
                since=_day(rng, start, 180),
                facilitator=staff[i % 2],
            ),
            program,
            staff[0],
            start,
        )
        for i, org in enumerate(partner_orgs)
    ]
    Partnership.objects.bulk_create(partnerships, batch_size=2_000)
    ctx.data["partner_organization"] = partner_orgs[0]
    ctx.data["partner_organizations"] = partner_orgs

    # Some partners talk to the programme much more than others.
    weights = [0.2 + 3 * rng.random() ** 2 for _ in partner_orgs]
    sizes = _event_sizes(spec, len(partner_orgs), rng)
    one_to_ones = spec.interactions - len(sizes)
    kinds = [InteractionKind.ROUND_TABLE, InteractionKind.WORKSHOP, InteractionKind.TRAINING]
    plan: list[tuple[str, int]] = [("event", size) for size in sizes] + [("talk", 1)] * one_to_ones
    rng.shuffle(plan)
    statuses = [Attendance.ATTENDED] * 7 + [Attendance.EXCUSED, Attendance.NO_SHOW, Attendance.NO_SHOW]
    made = participants = 0
    for offset in range(0, len(plan), CHUNK):
        chunk = plan[offset : offset + CHUNK]
        talk_orgs = iter(
            rng.choices(partner_orgs, weights=weights, k=sum(1 for k, _ in chunk if k == "talk"))
        )
        rows: list[Interaction] = []
        who: list[list[Organization]] = []
        for what, size in chunk:
            day = _day(rng, start, span)
            topic = _TOPICS[int(rng.random() * len(_TOPICS))]
            if what == "event":
                kind = kinds[int(rng.random() * 3)]
                rows.append(
                    _stamp(
                        Interaction(
                            kind=kind,
                            title=f"{kind.label} on {topic}",
                            occurred_on=day,
                            duration_minutes=180,
                            topics=topic,
                            notes=f"Discussed {topic} with the partners present.",
                        ),
                        program,
                        staff[int(rng.random() * 2)],
                        day,
                    )
                )
                who.append(rng.sample(partner_orgs, size))
            else:
                rows.append(
                    _stamp(
                        Interaction(
                            kind=InteractionKind.CONVERSATION,
                            title=f"Talk about {topic}",
                            occurred_on=day,
                            duration_minutes=45,
                            topics=topic,
                            notes=f"Conversation about {topic}; next steps agreed.",
                            sentiment=int(rng.random() * 5) - 2,
                        ),
                        program,
                        staff[int(rng.random() * 2)],
                        day,
                    )
                )
                who.append([next(talk_orgs)])
        with transaction.atomic():
            Interaction.objects.bulk_create(rows, batch_size=2_000)
            participations = [
                Participation(
                    program=program,
                    interaction=row,
                    organization=org,
                    status=Attendance.ATTENDED
                    if row.kind == InteractionKind.CONVERSATION
                    else statuses[int(rng.random() * len(statuses))],
                )
                for row, orgs in zip(rows, who, strict=True)
                for org in orgs
            ]
            Participation.objects.bulk_create(participations, batch_size=5_000)
        made += len(rows)
        participants += len(participations)
        ctx.log(f"    {made:,} interactions, {participants:,} participants")

    follow_ups = []
    for _ in range(spec.follow_ups):
        org = partner_orgs[int(rng.random() * len(partner_orgs))]
        due = _day(rng, start, span + 60)
        done = due + datetime.timedelta(days=int(rng.random() * 20)) if rng.random() < 0.7 else None
        follow_ups.append(
            _stamp(
                FollowUp(
                    organization=org,
                    description="Send the price list and confirm the next visit",
                    owner=staff[int(rng.random() * 2)],
                    due_on=due,
                    done_on=done if done and done <= SCALE_END else None,
                ),
                program,
                staff[0],
                min(due, SCALE_END),
            )
        )
    FollowUp.objects.bulk_create(follow_ups, batch_size=5_000)

    support = []
    for _ in range(spec.support_entries):
        partnership = partnerships[int(rng.random() * len(partnerships))]
        given = rng.random() < 0.6
        day = _day(rng, start, span)
        support.append(
            _stamp(
                SupportEntry(
                    partnership=partnership,
                    direction=SupportDirection.GIVEN if given else SupportDirection.CONTRIBUTED,
                    kind=SupportKind.TECHNICAL_ASSISTANCE if given else SupportKind.CASH,
                    value=Decimal(100 * (1 + int(rng.random() * 50))),
                    occurred_on=day,
                    description="Support line",
                ),
                program,
                staff[0],
                day,
            )
        )
    SupportEntry.objects.bulk_create(support, batch_size=5_000)
    ctx.log(f"    {len(follow_ups):,} follow-ups, {len(support):,} support entries; scoring…")
    services.engagement_refresh(program=program)
