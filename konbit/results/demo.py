"""The steering part of the demo programme: six interventions across levers and functions, the team's
role history in each, results chains with one saved version, two years of adopt–adapt–expand–respond
entries (including actors that are not partners), exit criteria, two matrix pairs, and checklist
progress that fits the demo programme's phase (start-up and first interventions).

Bulk inserts, every choice drawn from `ctx.rng` in a fixed order over rows read in a fixed order, so
the same seed gives the same programme. Seed rows are not user activity: no audit trail.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from konbit.core.demo import DemoContext
from konbit.core.models import Phase, Program
from konbit.partners.models import Organization, OrganizationType, Partnership, Segment

from .models import (
    AaerEntry,
    ChainBox,
    ChainLink,
    ChainVersion,
    ChecklistItem,
    ExitCriteria,
    FacilitatorRole,
    Intervention,
    PhasePlaybook,
    RelationshipAssessment,
    RelationshipGroup,
)
from .playbook import DEFAULTS

D = datetime.date

# (title, function, lever, status, start, end, planned, intensity, partner types, roles, description)
INTERVENTIONS: list[dict[str, Any]] = [
    {
        "title": "Embedded advice through input suppliers",
        "function": "supporting",
        "lever": "lead_firm",
        "status": "active",
        "start": D(2024, 6, 1),
        "planned": Decimal(60000),
        "intensity": "high",
        "types": [OrganizationType.LEAD_FIRM, OrganizationType.SERVICE_PROVIDER],
        "partners": 4,
        "roles": [
            (D(2024, 6, 1), "doer", "We ran the first demonstration plots ourselves."),
            (D(2025, 3, 1), "coach", "Suppliers' own agronomists run the plots; we coach them."),
            (D(2026, 4, 1), "observer", "Suppliers fund the advice from their sales margin."),
        ],
        "description": (
            "Input suppliers give farmers advice with the products they sell, paid from their margin."
        ),
    },
    {
        "title": "Warehouse receipts with processors and banks",
        "function": "core",
        "lever": "lead_firm",
        "status": "active",
        "start": D(2024, 10, 1),
        "planned": Decimal(45000),
        "intensity": "medium",
        "types": [OrganizationType.FINANCIAL, OrganizationType.LEAD_FIRM],
        "partners": 3,
        "roles": [(D(2024, 10, 1), "broker", "Brought two processors and a bank to the same table.")],
        "description": "Farmers store grain in approved warehouses and borrow against the receipt.",
    },
    {
        "title": "Seed certification rules with the ministry",
        "function": "rules",
        "lever": "rules",
        "status": "active",
        "start": D(2025, 2, 1),
        "planned": Decimal(25000),
        "intensity": "low",
        "types": [OrganizationType.AWARDEE, OrganizationType.SERVICE_PROVIDER],
        "partners": 2,
        "roles": [
            (D(2025, 2, 1), "broker", "Convened seed producers and the ministry's service."),
            (D(2026, 1, 15), "coach", "Support the working group drafting the inspection guide."),
        ],
        "description": "A simpler inspection and labelling procedure for locally multiplied seed.",
    },
    {
        "title": "Mobile payments for mango collectors",
        "function": "supporting",
        "lever": "supporting_function",
        "status": "active",
        "start": D(2025, 5, 1),
        "planned": Decimal(30000),
        "intensity": "medium",
        "types": [OrganizationType.FINANCIAL, OrganizationType.SERVICE_PROVIDER],
        "partners": 2,
        "roles": [(D(2025, 5, 1), "broker", "Linked a mobile-money operator with the collectors' network.")],
        "description": "Collectors pay farmers by phone instead of carrying cash on the roads.",
    },
    {
        "title": "Business training by local providers",
        "function": "supporting",
        "lever": "supporting_function",
        "status": "paused",
        "start": D(2024, 9, 1),
        "planned": Decimal(20000),
        "intensity": "low",
        "types": [OrganizationType.SERVICE_PROVIDER, OrganizationType.PRODUCER_GROUP],
        "partners": 3,
        "roles": [
            (D(2024, 9, 1), "doer", "Co-delivered the first courses."),
            (D(2025, 9, 1), "observer", "Paused while providers test a fee-based offer."),
        ],
        "description": "Local providers sell record-keeping and marketing courses to producer groups.",
    },
    {
        "title": "Cacao quality grading standard",
        "function": "rules",
        "lever": "rules",
        "status": "planned",
        "start": D(2026, 12, 1),
        "planned": Decimal(15000),
        "intensity": "",
        "types": [OrganizationType.LEAD_FIRM],
        "partners": 1,
        "roles": [],
        "description": "A shared grading grid so that quality earns a price premium.",
    },
]

CHAINS: dict[int, list[tuple[str, str]]] = {
    0: [
        ("activity", "Co-fund demonstration plots with input suppliers"),
        ("activity", "Train suppliers' agronomists"),
        ("output", "Suppliers offer advice with their products"),
        ("outcome", "Farmers use better inputs and practices"),
        ("systemic", "Other suppliers copy the embedded-advice model"),
        ("impact", "Higher yields and incomes for smallholders"),
    ],
    1: [
        ("activity", "Broker agreements between warehouses and a bank"),
        ("output", "Approved warehouses issue receipts"),
        ("outcome", "Farmers borrow against stored grain"),
        ("systemic", "Banks treat receipts as ordinary collateral"),
        ("impact", "Farmers sell later at better prices"),
    ],
    2: [
        ("activity", "Convene seed producers and the ministry"),
        ("output", "A simpler inspection guide is drafted"),
        ("outcome", "More local seed is certified"),
        ("systemic", "The ministry applies the guide nationwide"),
    ],
}
LINKS: dict[int, list[tuple[int, int, str]]] = {
    0: [
        (0, 2, "Suppliers see advice as a way to sell more"),
        (1, 2, "Agronomists stay with the suppliers"),
        (2, 3, "Farmers trust the suppliers' advice"),
        (3, 4, "Competitors notice the sales gained"),
        (4, 5, "Prices for produce hold"),
    ],
    1: [
        (0, 1, "Warehouses meet the bank's standards"),
        (1, 2, "Interest is lower than the price gain"),
        (2, 3, "Repayment rates stay high"),
        (3, 4, ""),
    ],
    2: [(0, 1, "The ministry keeps its focal point"), (1, 2, "Inspection fees stay affordable"), (2, 3, "")],
}
STAGE_STEPS = [
    ("adopt", "Started using the model with its own money."),
    ("adapt", "Changed the model to fit its customers and kept paying for it."),
    ("expand", "Took the model to new areas or products without our support."),
    ("respond", "Changed its own offer after seeing others succeed."),
]
NON_PARTNERS = 3


def _stamp(row: Any, program: Program, by: Any, day: datetime.date) -> Any:
    at = datetime.datetime(day.year, day.month, day.day, 10, 0, tzinfo=datetime.UTC)
    row.program = program
    row.created_by = row.updated_by = by
    row.created_at = row.updated_at = at
    return row


def _by_type(program: Program) -> dict[str, list[Organization]]:
    partners = (
        Partnership.objects.filter(program=program)
        .exclude(segment__in=[Segment.EXITED, Segment.PROSPECT])
        .select_related("organization")
        .order_by("organization__name")
    )
    out: dict[str, list[Organization]] = {}
    for p in partners:
        out.setdefault(p.organization.type, []).append(p.organization)
    return out


def build_demo(program: Program, ctx: DemoContext) -> None:
    rng = ctx.rng
    owner, facilitator, mel = ctx.users["owner"], ctx.users["facilitator"], ctx.users["mel"]
    pools = _by_type(program)
    used: set[int] = set()
    interventions: list[Intervention] = []
    members: list[list[Organization]] = []
    for spec in INTERVENTIONS:
        iv = _stamp(
            Intervention(
                title=spec["title"],
                description=spec["description"],
                function=spec["function"],
                lever=spec["lever"],
                status=spec["status"],
                start_date=spec["start"],
                planned_amount=spec["planned"],
                planned_intensity=spec["intensity"],
                actual_intensity=spec["intensity"] if spec["status"] != "planned" else "",
            ),
            program,
            owner,
            min(spec["start"], D(2026, 11, 1)) - datetime.timedelta(days=20),
        )
        chosen: list[Organization] = []
        candidates = [o for t in spec["types"] for o in pools.get(t, []) if o.pk not in used]
        for org in rng.sample(candidates, min(spec["partners"], len(candidates))):
            chosen.append(org)
            used.add(org.pk)
        interventions.append(iv)
        members.append(chosen)
    # The demo partner user's organisation takes part in the business training (it shows AAER change).
    partner_org = ctx.data.get("partner_organization")
    if partner_org is not None and partner_org.pk not in used:
        members[4].append(partner_org)
    Intervention.objects.bulk_create(interventions)
    through = Intervention.organizations.through
    through.objects.bulk_create(
        [
            through(intervention_id=iv.pk, organization_id=o.pk)
            for iv, orgs in zip(interventions, members, strict=True)
            for o in orgs
        ]
    )
    FacilitatorRole.objects.bulk_create(
        [
            _stamp(
                FacilitatorRole(intervention=iv, role=role, from_date=day, note=note),
                program,
                facilitator,
                day,
            )
            for iv, spec in zip(interventions, INTERVENTIONS, strict=True)
            for day, role, note in spec["roles"]
        ]
    )
    _chains(program, interventions, mel)
    _aaer(program, ctx, interventions, members)
    _playbook(program, owner, facilitator)
    ExitCriteria.objects.bulk_create(
        [
            _stamp(
                ExitCriteria(engagement_min=55, engagement_months=6, coinvestment_min=40, attendance_min=2),
                program,
                owner,
                D(2026, 6, 1),
            )
        ]
    )
    _matrix(program, pools, mel)


def _chains(program: Program, interventions: list[Intervention], by: Any) -> None:
    boxes: dict[int, list[ChainBox]] = {}
    rows = []
    for index, spec in CHAINS.items():
        iv = interventions[index]
        positions: dict[str, int] = {}
        boxes[index] = []
        for level, text in spec:
            box = _stamp(
                ChainBox(intervention=iv, level=level, text=text, position=positions.get(level, 0)),
                program,
                by,
                iv.start_date or D(2024, 6, 1),
            )
            positions[level] = positions.get(level, 0) + 1
            boxes[index].append(box)
            rows.append(box)
    ChainBox.objects.bulk_create(rows)
    links = []
    for index, spec_links in LINKS.items():
        iv = interventions[index]
        for s, t, assumption in spec_links:
            links.append(
                _stamp(
                    ChainLink(
                        intervention=iv, source=boxes[index][s], target=boxes[index][t], assumption=assumption
                    ),
                    program,
                    by,
                    iv.start_date or D(2024, 6, 1),
                )
            )
    ChainLink.objects.bulk_create(links)
    first = interventions[0]
    data = {
        "boxes": [
            {"id": b.pk, "level": b.level, "text": b.text, "position": b.position} for b in boxes[0][:5]
        ],
        "links": [
            {"source": li.source_id, "target": li.target_id, "assumption": li.assumption}
            for li in links
            if li.intervention_id == first.pk and li.target_id != boxes[0][5].pk
        ],
    }
    ChainVersion.objects.bulk_create(
        [
            _stamp(
                ChainVersion(
                    intervention=first,
                    review_date=D(2025, 6, 30),
                    note="First review: impact box added afterwards.",
                    data=data,
                ),
                program,
                by,
                D(2025, 6, 30),
            )
        ]
    )


def _aaer(
    program: Program, ctx: DemoContext, interventions: list[Intervention], members: list[list[Organization]]
) -> None:
    rng = ctx.rng
    by = ctx.users["mel"]
    partner_ids = set(Partnership.objects.filter(program=program).values_list("organization_id", flat=True))
    others = list(
        Organization.objects.filter(
            program=program, type__in=[OrganizationType.LEAD_FIRM, OrganizationType.SERVICE_PROVIDER]
        )
        .exclude(pk__in=partner_ids)
        .order_by("name")[:20]
    )
    copiers = rng.sample(others, min(NON_PARTNERS, len(others)))
    entries = []
    for index, (iv, orgs) in enumerate(zip(interventions, members, strict=True)):
        if iv.status == "planned":
            continue
        for org in orgs:
            furthest = rng.choice([0, 1, 1, 2, 2, 3]) if index < 2 else rng.choice([0, 0, 1, 2])
            day = max(iv.start_date or D(2024, 6, 1), D(2024, 12, 1)) + datetime.timedelta(
                days=rng.randint(30, 120)
            )
            for step in range(furthest + 1):
                if day > D(2026, 11, 10):
                    break
                stage, text = STAGE_STEPS[step]
                entries.append(
                    _stamp(
                        AaerEntry(
                            intervention=iv, organization=org, stage=stage, observed_on=day, evidence=text
                        ),
                        program,
                        by,
                        day,
                    )
                )
                day += datetime.timedelta(days=rng.randint(90, 200))
    # Firms that were never partners copied the first two interventions (and one responded).
    for i, org in enumerate(copiers):
        iv = interventions[i % 2]
        day = D(2025, 9, 1) + datetime.timedelta(days=rng.randint(0, 300))
        stage = "respond" if i == len(copiers) - 1 else "adopt"
        text = (
            "Copied the model after seeing a competitor's results."
            if stage == "adopt"
            else "Lowered its prices and added advice to compete."
        )
        entries.append(
            _stamp(
                AaerEntry(intervention=iv, organization=org, stage=stage, observed_on=day, evidence=text),
                program,
                by,
                day,
            )
        )
    AaerEntry.objects.bulk_create(entries)


def _playbook(program: Program, owner: Any, facilitator: Any) -> None:
    """Earlier phases fully done; the current one (start-up) half done; later ones untouched."""
    order = list(Phase)
    current = order.index(Phase(program.phase))
    books, items = [], []
    for i, phase in enumerate(order[: current + 1]):
        d = DEFAULTS[phase.value]
        day = D(2024, 1, 15) + datetime.timedelta(days=120 * i)
        books.append(
            _stamp(
                PhasePlaybook(phase=phase.value, why=str(d.why), know=str(d.know), tools=str(d.tools)),
                program,
                owner,
                day,
            )
        )
        for position, text in enumerate(d.checklist):
            done = i < current or position < len(d.checklist) // 2
            at = datetime.datetime(
                day.year, day.month, day.day, 15, 0, tzinfo=datetime.UTC
            ) + datetime.timedelta(days=10 + 7 * position)
            items.append(
                _stamp(
                    ChecklistItem(
                        phase=phase.value,
                        text=str(text),
                        position=position,
                        done_at=at if done else None,
                        done_by=facilitator if done else None,
                    ),
                    program,
                    owner,
                    day,
                )
            )
    PhasePlaybook.objects.bulk_create(books)
    ChecklistItem.objects.bulk_create(items)


def _matrix(program: Program, pools: dict[str, list[Organization]], by: Any) -> None:
    firms = pools.get(OrganizationType.LEAD_FIRM, [])
    banks = pools.get(OrganizationType.FINANCIAL, [])
    providers = pools.get(OrganizationType.SERVICE_PROVIDER, [])
    pairs = [
        (
            "Input suppliers in the north",
            firms[:2],
            [(D(2025, 1, 20), 4, 1), (D(2025, 10, 5), 3, 2), (D(2026, 8, 12), 3, 3)],
            (2, 4),
        ),
        (
            "Banks and training providers",
            banks[:1] + providers[:2],
            [(D(2025, 4, 2), 1, 1), (D(2026, 5, 18), 1, 2)],
            (1, 4),
        ),
    ]
    groups = []
    for name, _orgs, _history, _want in pairs:
        groups.append(_stamp(RelationshipGroup(name=name, note=""), program, by, D(2025, 1, 10)))
    RelationshipGroup.objects.bulk_create(groups)
    through = RelationshipGroup.organizations.through
    through.objects.bulk_create(
        [
            through(relationshipgroup_id=g.pk, organization_id=o.pk)
            for g, (_n, orgs, _h, _w) in zip(groups, pairs, strict=True)
            for o in orgs
        ]
    )
    RelationshipAssessment.objects.bulk_create(
        [
            _stamp(
                RelationshipAssessment(
                    group=g,
                    assessed_on=day,
                    competition=comp,
                    cooperation=coop,
                    desired_competition=want[0],
                    desired_cooperation=want[1],
                ),
                program,
                by,
                day,
            )
            for g, (_n, _o, history, want) in zip(groups, pairs, strict=True)
            for day, comp, coop in history
        ]
    )
