"""Fast at scale: every main page and every API list runs the same number of SQL queries whether it
shows 10 rows or 200. A count that grows with the rows is an N+1 (a query per row), which a page of
50 rows pays 5× over (docs/architecture.md, CONVENTIONS.md).

Each case builds its rows in bulk (bulk inserts plus the services that derive what the pages read:
engagement scores and warnings, indicator progress, the lesson search index), requests the page once to
warm what it computes once a day or once per version (engagement refresh, cached map analysis, stored
indicator progress, the token's "last used"), then counts the queries of a second request. "Rows shown"
means rows on the page: paginated pages get a page size of 200, the API a `limit` of 500. Each row
carries a marker (`Qorg0007`, `Qint0012`, …) so the test also checks that the page really shows 10 and
200 rows — or its documented cap (the partner page's timeline shows 30 items, its ledger 25 lines).
"""

from __future__ import annotations

import collections
import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import World, client_for
from konbit.core.access import Access
from konbit.core.models import Membership, Program
from konbit.core.roles import Role
from konbit.core.services import api_token_create
from konbit.indicators import services as indicator_services
from konbit.indicators.models import (
    BenchmarkStatus,
    Category,
    Dimension,
    Indicator,
    IndicatorType,
    Measurement,
    PartnerBenchmark,
    Target,
)
from konbit.learning import services as learning_services
from konbit.learning.models import (
    Communication,
    CommunicationFrequency,
    CommunicationSending,
    Lesson,
    LessonStatus,
)
from konbit.maps import graph
from konbit.maps import selectors as map_selectors
from konbit.maps import services as map_services
from konbit.maps.analysis import analyze
from konbit.maps.models import AnalysisResult, Connection, Element, Map, Perspective
from konbit.partners import services as partner_services
from konbit.partners.models import (
    Agreement,
    AgreementKind,
    Attendance,
    DriverCategory,
    DriverKind,
    DriverNote,
    FollowUp,
    Initiative,
    InitiativeSupport,
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
    ValueGained,
    ValueKind,
)
from konbit.partners.names import normalize_name
from konbit.results import services as result_services
from konbit.results.models import (
    AaerEntry,
    FacilitatorRole,
    FacilitatorRoleKind,
    Intervention,
    InterventionStatus,
    Lever,
    Stage,
    SystemFunction,
)
from tests.factories import UserFactory

SIZES = (10, 200)
SHOW_ALL = 500  # page size and API limit: every row on one page
TODAY = timezone.localdate()
MARKER = re.compile(r"\bQ([a-z]{3})(\d{4})\b")
# Every paginated page, so that a page shows all 200 rows.
PAGINATED = (
    "konbit.partners.views.partnerships",
    "konbit.partners.views.interactions",
    "konbit.partners.views.organizations",
    "konbit.results.views.interventions",
    "konbit.indicators.views.indicators",
    "konbit.indicators.views.benchmarks",
    "konbit.learning.views.lessons",
    "konbit.learning.views.communications",
    "konbit.maps.views.maps",
    "konbit.maps.views.compare",
)


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def month_end(back: int) -> datetime.date:
    """The last day of the month `back` months before this one."""
    index = TODAY.year * 12 + TODAY.month - 1 - back + 1
    return datetime.date(index // 12, index % 12 + 1, 1) - days(1)


@dataclass
class Ctx:
    """What a case has built so far, shared between its 10-row and its 200-row rounds."""

    world: World
    objects: dict[str, Any] = field(default_factory=dict)

    @property
    def program(self) -> Program:
        return self.world.program_a

    @property
    def owner(self) -> Any:
        return self.world.owner

    @property
    def access(self) -> Access:
        if "access" not in self.objects:
            membership = Membership.objects.get(program=self.program, user=self.owner)
            self.objects["access"] = Access(program=self.program, membership=membership)
        return self.objects["access"]

    def stamp(self) -> dict[str, Any]:
        return {"program": self.program, "created_by": self.owner, "updated_by": self.owner}

    def once(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self.objects:
            self.objects[key] = make()
        return self.objects[key]


# --- builders: n more rows of one kind, in bulk ---------------------------------------------------


def organizations(ctx: Ctx, rows: range) -> list[Organization]:
    return Organization.objects.bulk_create(
        [
            Organization(
                name=f"Qorg{i:04d} Cooperative",
                normalized_name=normalize_name(f"Qorg{i:04d} Cooperative"),
                type=OrganizationType.SERVICE_PROVIDER,
                region="Nord",
                town="Limbé",
                **ctx.stamp(),
            )
            for i in rows
        ]
    )


def partners(ctx: Ctx, rows: range) -> list[Partnership]:
    """Active partners of organisations Qorg…, last seen 100 days ago: each has the "no recent
    conversation" warning, a score and a last contact."""
    orgs = organizations(ctx, rows)
    made = Partnership.objects.bulk_create(
        [
            Partnership(
                organization=o,
                segment=Segment.ACTIVE,
                facilitator=ctx.world.facilitator,
                since=TODAY - days(120),
                **ctx.stamp(),
            )
            for o in orgs
        ]
    )
    partner_services.interactions_import(
        access=ctx.access,
        by=ctx.owner,
        rows=[({"kind": InteractionKind.CALL, "occurred_on": TODAY - days(100)}, [o]) for o in orgs],
    )
    partner_services.engagement_refresh(program=ctx.program, partnership_ids=[p.pk for p in made])
    return made


def interactions(ctx: Ctx, rows: range, orgs: list[Organization], kinds: Iterable[str]) -> None:
    kinds = list(kinds)
    partner_services.interactions_import(
        access=ctx.access,
        by=ctx.owner,
        rows=[
            (
                {
                    "kind": kinds[i % len(kinds)],
                    "occurred_on": TODAY - days(i + 1),
                    "title": f"Qint{i:04d}",
                    "sentiment": i % 3 - 1,
                },
                orgs,
            )
            for i in rows
        ],
    )


def follow_ups(ctx: Ctx, rows: range, organization: Organization) -> None:
    FollowUp.objects.bulk_create(
        [
            FollowUp(
                organization=organization,
                description=f"Qfup{i:04d}",
                owner=ctx.world.facilitator,
                due_on=TODAY + days(i - 5),
                done_on=TODAY if i % 4 == 0 else None,
                **ctx.stamp(),
            )
            for i in rows
        ]
    )


def initiatives(ctx: Ctx, rows: range, organization: Organization) -> None:
    made = Initiative.objects.bulk_create(
        [Initiative(name=f"Qini{i:04d}", funder="A donor", **ctx.stamp()) for i in rows]
    )
    InitiativeSupport.objects.bulk_create(
        [
            InitiativeSupport(initiative=i, organization=organization, how="Grants", **ctx.stamp())
            for i in made
        ]
    )


def an_intervention(ctx: Ctx) -> Intervention:
    return ctx.once(
        "intervention",
        lambda: result_services.intervention_create(
            access=ctx.access,
            by=ctx.owner,
            data={"title": "Seed dealers", "function": SystemFunction.CORE, "lever": Lever.LEAD_FIRM},
        ),
    )


def interventions(ctx: Ctx, rows: range, organizations: list[Organization]) -> list[Intervention]:
    made = Intervention.objects.bulk_create(
        [
            Intervention(
                title=f"Qivn{i:04d}",
                function=SystemFunction.CORE,
                lever=Lever.LEAD_FIRM,
                status=InterventionStatus.ACTIVE,
                start_date=TODAY - days(300),
                planned_amount=Decimal(1000),
                **ctx.stamp(),
            )
            for i in rows
        ]
    )
    through = Intervention.organizations.through
    through.objects.bulk_create(
        [through(intervention_id=iv.pk, organization_id=o.pk) for iv in made for o in organizations]
    )
    FacilitatorRole.objects.bulk_create(
        [
            FacilitatorRole(
                intervention=iv, role=FacilitatorRoleKind.BROKER, from_date=TODAY - days(200), **ctx.stamp()
            )
            for iv in made
        ]
    )
    return made


def aaer_entries(ctx: Ctx, rows: range, pairs: list[tuple[Intervention, Organization]]) -> None:
    AaerEntry.objects.bulk_create(
        [
            AaerEntry(
                intervention=iv,
                organization=o,
                stage=Stage.values[i % 4],
                observed_on=TODAY - days(i + 1),
                evidence=f"Qaer{i:04d} bought certified seed",
                **ctx.stamp(),
            )
            for i, (iv, o) in zip(rows, pairs, strict=True)
        ]
    )


def an_indicator(ctx: Ctx) -> Indicator:
    def make() -> Indicator:
        dimension = Dimension.objects.create(name="Sex", **ctx.stamp())
        Category.objects.bulk_create(
            [Category(dimension=dimension, name=n, position=p, **ctx.stamp()) for p, n in enumerate("FM")]
        )
        indicator = indicator_services.indicator_create(
            access=ctx.access,
            by=ctx.owner,
            data={
                "name": "Farmers using certified seed",
                "code": "OUT-1",
                "unit": "farmers",
                "type": IndicatorType.OUTCOME,
                "baseline_value": Decimal(0),
                "baseline_date": month_end(240),
            },
            dimensions=[dimension],
        )
        for back, value in ((12, 500), (0, 1000)):
            indicator_services.target_set(
                indicator=indicator,
                by=ctx.owner,
                data={"period_end": month_end(back), "value": Decimal(value)},
            )
        return indicator

    return ctx.once("indicator", make)


def measurements(ctx: Ctx, rows: range, indicator: Indicator) -> None:
    categories = list(Category.objects.filter(dimension__in=indicator.dimensions.all()))
    Measurement.objects.bulk_create(
        [
            Measurement(
                indicator=indicator,
                period_end=month_end(i),
                category=categories[i % 2] if i % 3 == 0 else None,
                value=Decimal(10 + i),
                note=f"Qmsr{i:04d}",
                evidence_link="https://example.org/evidence" if i % 2 else "",
                **ctx.stamp(),
            )
            for i in rows
        ]
    )
    indicator_services.indicator_refresh(indicator=indicator)


def indicators(ctx: Ctx, rows: range) -> list[Indicator]:
    intervention = an_intervention(ctx)
    box = ctx.once(
        "box",
        lambda: result_services.chain_box_create(
            intervention=intervention, by=ctx.owner, data={"level": "outcome", "text": "Farmers buy seed"}
        ),
    )
    dimension = ctx.once("dimension", lambda: Dimension.objects.create(name="Region", **ctx.stamp()))
    made = Indicator.objects.bulk_create(
        [
            Indicator(
                name=f"Qind{i:04d}",
                code=f"IND-{i:04d}",
                unit="farmers",
                type=IndicatorType.values[i % 4],
                intervention=intervention,
                chain_box=box,
                baseline_value=Decimal(0),
                **ctx.stamp(),
            )
            for i in rows
        ]
    )
    through = Indicator.dimensions.through
    through.objects.bulk_create([through(indicator_id=i.pk, dimension_id=dimension.pk) for i in made])
    Target.objects.bulk_create(
        [Target(indicator=i, period_end=month_end(0), value=Decimal(100), **ctx.stamp()) for i in made]
    )
    Measurement.objects.bulk_create(
        [Measurement(indicator=i, period_end=month_end(1), value=Decimal(40), **ctx.stamp()) for i in made]
    )
    for indicator in made:
        indicator_services.indicator_refresh(indicator=indicator)
    return made


def benchmarks(ctx: Ctx, rows: range, organization: Organization) -> None:
    indicator = an_indicator(ctx)
    PartnerBenchmark.objects.bulk_create(
        [
            PartnerBenchmark(
                organization=organization,
                indicator=indicator if i % 2 else None,
                description=f"Qbmk{i:04d}",
                target_value=Decimal(500),
                incentive="A stand at the seed fair",
                due_on=TODAY + days(i - 100),
                status=BenchmarkStatus.MET if i % 3 == 0 else BenchmarkStatus.PENDING,
                status_recorded_at=timezone.now() if i % 3 == 0 else None,
                status_recorded_by=ctx.world.mel if i % 3 == 0 else None,
                **ctx.stamp(),
            )
            for i in rows
        ]
    )


def lessons(ctx: Ctx, rows: range) -> None:
    intervention = an_intervention(ctx)
    made = Lesson.objects.bulk_create(
        [
            Lesson(
                title=f"Qles{i:04d}",
                context="Dealers did not stock seed.",
                lesson="Start with the dealers who already sell inputs.",
                tags="seed, co-investment",
                tag_index=learning_services.tag_index("seed, co-investment"),
                phases=learning_services.phase_string(["start_up"]),
                author=ctx.world.facilitator,
                learned_on=TODAY - days(i + 1),
                status=LessonStatus.PUBLISHED,
                published_on=TODAY - days(i % 300 + 1),
                **ctx.stamp(),
            )
            for i in rows
        ]
    )
    org_links, iv_links = Lesson.organizations.through, Lesson.interventions.through
    org_links.objects.bulk_create(
        [
            org_links(lesson_id=lesson.pk, organization_id=o.pk)
            for lesson in made
            for o in (ctx.world.partner_org, ctx.world.other_org_a)
        ]
    )
    iv_links.objects.bulk_create(
        [iv_links(lesson_id=lesson.pk, intervention_id=intervention.pk) for lesson in made]
    )
    learning_services.lesson_index_rebuild(lessons=made)


def communications(ctx: Ctx, rows: range) -> list[Communication]:
    made = Communication.objects.bulk_create(
        [
            Communication(
                title=f"Qcom{i:04d}",
                audience_kind="funder",
                audience="The donor",
                frequency=CommunicationFrequency.QUARTERLY,
                owner=ctx.world.mel,
                first_due_on=TODAY - days(200 - i),
                **ctx.stamp(),
            )
            for i in rows
        ]
    )
    sendings(ctx, rows, made)
    return made


def sendings(ctx: Ctx, rows: range, communications: list[Communication]) -> None:
    """One sending per row, round the given communications."""
    CommunicationSending.objects.bulk_create(
        [
            CommunicationSending(
                communication=communications[n % len(communications)],
                sent_on=TODAY - days(i % 300 + 1),
                sent_by=ctx.world.mel if i % 2 else ctx.owner,
                note=f"Qsnd{i:04d}",
                link="https://example.org/report",
                **ctx.stamp(),
            )
            for n, i in enumerate(rows)
        ]
    )
    learning_services.communication_refresh_all(communications=communications)


def a_map(ctx: Ctx, size: int, perspectives: int = 3, name: str = "Seed system") -> Map:
    """A map of `size` elements Qelm… and `size` connections (a ring), spread over the perspectives;
    a third of the connections are seen by a second perspective too, with the opposite sign."""
    names = [f"View {p}" for p in range(perspectives)]
    gmap = graph.GMap(
        name=name,
        elements=[
            graph.GElement(
                id=f"e{i}",
                label=f"Qelm{i:04d}",
                function=("core", "supporting", "rules", "")[i % 4],
                tags=["seed"],
                position=(float(i), float(i % 7)),
                perspectives=[names[i % perspectives]],
            )
            for i in range(size)
        ],
        connections=[
            graph.GConnection(
                source=f"e{i}",
                target=f"e{(i + 1) % size}",
                id=f"c{i}-{p}",
                type="trade",
                sign="+" if p == i % perspectives else "-",
                strength=2.0,
                perspective=names[p],
            )
            for i in range(size)
            for p in ([i % perspectives, (i + 1) % perspectives] if i % 3 == 0 else [i % perspectives])
        ],
    )
    made = map_services.map_import(access=ctx.access, by=ctx.owner, gmap=gmap, name=name)
    Element.objects.filter(map=made, key="e0").update(organization=ctx.world.partner_org)
    return made


def maps(ctx: Ctx, rows: range) -> None:
    """Small maps Qmap… (three elements, two connections each), in bulk, with their analysis cached
    as the map pages leave it (the maps are all alike, so one analysis serves them all)."""
    made = Map.objects.bulk_create([Map(name=f"Qmap{i:04d}", **ctx.stamp()) for i in rows])
    team = Perspective.objects.bulk_create([Perspective(map=m, name="Team", **ctx.stamp()) for m in made])
    elements = Element.objects.bulk_create(
        [Element(map=m, key=f"k{j}", label=f"Actor {j}", **ctx.stamp()) for m in made for j in range(3)]
    )
    Connection.objects.bulk_create(
        [
            Connection(
                map=m,
                source=elements[3 * n + j],
                target=elements[3 * n + j + 1],
                perspective=team[n],
                **ctx.stamp(),
            )
            for n, m in enumerate(made)
            for j in range(2)
        ]
    )
    result = analyze(map_selectors.to_gmap(access=ctx.access, map=made[0]))
    AnalysisResult.objects.bulk_create(
        [
            AnalysisResult(program=ctx.program, map=m, content_version=m.content_version, result=result)
            for m in made
        ]
    )


# --- the pages ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    name: str
    build: Callable[[Ctx, range], None]
    url: Callable[[Ctx], str]
    # Marker → most rows the page shows of it (None: all of them).
    caps: dict[str, int | None]
    who: str = "owner"
    api: bool = False
    # Rows shown, when they carry no marker: name → count, read from the response.
    count: Callable[[Any], dict[str, int]] | None = None


def build_partner_list(ctx: Ctx, rows: range) -> None:
    partners(ctx, rows)


def build_partner_page(ctx: Ctx, rows: range) -> None:
    org = ctx.world.partner_org
    partnership = ctx.once(
        "partnership",
        lambda: partner_services.partnership_create(
            access=ctx.access,
            organization=org,
            by=ctx.owner,
            data={"segment": Segment.ACTIVE, "facilitator": ctx.world.facilitator},
        ),
    )
    interactions(ctx, rows, [org], [InteractionKind.CONVERSATION, InteractionKind.ROUND_TABLE])
    follow_ups(ctx, rows, org)
    own = {"partnership": partnership, **ctx.stamp()}
    heard_in = dict(Interaction.objects.filter(program=ctx.program).values_list("title", "pk"))
    notes = [
        DriverNote(
            category=DriverCategory.values[i % 4],
            kind=DriverKind.values[i % len(DriverKind.values)],
            note=f"Qdrv{i:04d}",
            recorded_on=TODAY - days(i + 1),
            interaction_id=heard_in[f"Qint{i:04d}"],
            **own,
        )
        for i in rows
    ]
    DriverNote.objects.bulk_create(notes)
    Agreement.objects.bulk_create(
        [
            Agreement(kind=AgreementKind.MOU, title=f"Qagr{i:04d}", signed_on=TODAY - days(i), **own)
            for i in rows
        ]
    )
    SupportEntry.objects.bulk_create(
        [
            SupportEntry(
                direction=SupportDirection.values[i % 2],
                kind=SupportKind.TRAINING,
                value=Decimal(100 + i),
                occurred_on=TODAY - days(3 * i),
                description=f"Qsup{i:04d}",
                **own,
            )
            for i in rows
        ]
    )
    ValueGained.objects.bulk_create(
        [
            ValueGained(kind=ValueKind.LEADS, description=f"Qval{i:04d}", occurred_on=TODAY - days(i), **own)
            for i in rows
        ]
    )
    initiatives(ctx, rows, org)
    benchmarks(ctx, rows, org)
    made = interventions(ctx, rows, [org])
    aaer_entries(ctx, rows, [(iv, org) for iv in made])
    lessons(ctx, rows)
    partner_services.engagement_refresh(program=ctx.program, partnership_ids=[partnership.pk])


def partner_page_url(ctx: Ctx) -> str:
    return f"/p/alpha/partners/{ctx.objects['partnership'].pk}/"


def build_interactions(ctx: Ctx, rows: range) -> None:
    kinds = [
        InteractionKind.CALL,
        InteractionKind.ROUND_TABLE,
        InteractionKind.VISIT,
        InteractionKind.WORKSHOP,
    ]
    interactions(ctx, rows, [ctx.world.partner_org, ctx.world.other_org_a], kinds)


def build_event(ctx: Ctx, rows: range) -> None:
    event = ctx.once(
        "event",
        lambda: partner_services.interaction_log(
            access=ctx.access,
            by=ctx.owner,
            data={"kind": InteractionKind.ROUND_TABLE, "occurred_on": TODAY - days(2), "title": "Seed fair"},
            organizations=[ctx.world.partner_org],
            follow_ups=[
                {
                    "organization": ctx.world.partner_org,
                    "description": "Send the minutes",
                    "owner": ctx.world.facilitator,
                    "due_on": TODAY,
                }
            ],
        ),
    )
    orgs = organizations(ctx, rows)
    partner_services.event_invite(interaction=event, organizations=orgs, by=ctx.owner)
    statuses = [Attendance.ATTENDED, Attendance.EXCUSED, Attendance.NO_SHOW, Attendance.INVITED]
    partner_services.attendance_record(
        interaction=event, statuses={o.pk: statuses[n % 4] for n, o in enumerate(orgs)}, by=ctx.owner
    )


def build_map(ctx: Ctx, rows: range) -> None:
    ctx.objects["map"] = a_map(ctx, rows.stop, perspectives=3 + rows.stop // 20)


def map_url(suffix: str) -> Callable[[Ctx], str]:
    return lambda ctx: f"/p/alpha/maps/{ctx.objects['map'].pk}/{suffix}"


def data_json_rows(response: Any) -> dict[str, int]:
    data = response.json()
    return {"nodes": len(data["nodes"]), "edges": len({(e[0], e[1]) for e in data["edges"]})}


def compared_rows(response: Any) -> dict[str, int]:
    """Rows of the table "Every connection and who draws it" (one per connection)."""
    return {
        "connections": len(re.findall(r"<td>Qelm\d{4} (?:→|—) Qelm\d{4}</td>", response.content.decode()))
    }


def build_indicator_page(ctx: Ctx, rows: range) -> None:
    measurements(ctx, rows, an_indicator(ctx))
    benchmarks(ctx, rows, ctx.world.partner_org)


def indicator_url(suffix: str = "") -> Callable[[Ctx], str]:
    return lambda ctx: f"/p/alpha/change/indicators/{ctx.objects['indicator'].pk}/{suffix}"


def build_interventions(ctx: Ctx, rows: range) -> None:
    interventions(ctx, rows, [ctx.world.partner_org, ctx.world.other_org_a])


def build_indicators(ctx: Ctx, rows: range) -> None:
    indicators(ctx, rows)


def build_communications(ctx: Ctx, rows: range) -> None:
    communications(ctx, rows)


def build_benchmarks(ctx: Ctx, rows: range) -> None:
    benchmarks(ctx, rows, ctx.world.partner_org)


def build_events(ctx: Ctx, rows: range) -> None:
    kinds = [InteractionKind.ROUND_TABLE, InteractionKind.WORKSHOP, InteractionKind.TRAINING]
    interactions(ctx, rows, [ctx.world.partner_org, ctx.world.other_org_a], kinds)


def build_map_perspectives(ctx: Ctx, rows: range) -> None:
    """A map seen by as many perspectives as rows, each a partner's."""
    ctx.objects["map"] = a_map(ctx, rows.stop, perspectives=rows.stop, name="Views")
    Perspective.objects.filter(map=ctx.objects["map"]).update(organization=ctx.world.partner_org)


def perspectives_shown(response: Any) -> dict[str, int]:
    return {"perspectives": len(set(re.findall(r"\bView \d+\b", response.content.decode())))}


def build_report(ctx: Ctx, rows: range) -> None:
    """A bit of everything the funder report lists: partners with warnings (and their exit status),
    events with attendance, interventions with AAER entries, indicators, lessons, communications
    sent, maps."""
    made = partners(ctx, rows)
    orgs = [p.organization for p in made]
    interactions(ctx, rows, orgs[:3], [InteractionKind.ROUND_TABLE])
    Participation.objects.filter(program=ctx.program, interaction__kind=InteractionKind.ROUND_TABLE).update(
        status=Attendance.ATTENDED
    )
    ivs = interventions(ctx, rows, orgs[:2])
    aaer_entries(ctx, rows, list(zip(ivs, orgs, strict=True)))
    indicators(ctx, rows)
    lessons(ctx, rows)
    communications(ctx, rows)
    maps(ctx, rows)


def report_url(ctx: Ctx) -> str:
    return f"/p/alpha/learning/report/?start={TODAY - days(365)}&end={TODAY}"


# --- the API lists ------------------------------------------------------------------------------


def build_programmes(ctx: Ctx, rows: range) -> None:
    made = Program.objects.bulk_create([Program(name=f"Qprg{i:04d}", slug=f"qprg-{i:04d}") for i in rows])
    Membership.objects.bulk_create(
        [Membership(program=p, user=ctx.world.viewer, role=Role.VIEWER) for p in made]
    )


def build_members(ctx: Ctx, rows: range) -> None:
    orgs = organizations(ctx, rows)
    users = [UserFactory.build(first_name=f"Qmem{i:04d}", last_name="Member") for i in rows]
    made = type(users[0]).objects.bulk_create(users)
    Membership.objects.bulk_create(
        [
            Membership(
                program=ctx.program,
                user=u,
                role=Role.PARTNER if n % 2 else Role.FACILITATOR,
                organization=o if n % 2 else None,
            )
            for n, (u, o) in enumerate(zip(made, orgs, strict=True))
        ]
    )


def build_aaer(ctx: Ctx, rows: range) -> None:
    iv = an_intervention(ctx)
    orgs = organizations(ctx, rows)
    aaer_entries(ctx, rows, [(iv, o) for o in orgs])


def build_exit(ctx: Ctx, rows: range) -> None:
    made = partners(ctx, rows)
    orgs = [p.organization for p in made]
    interactions(ctx, range(rows.start, rows.start + 4), orgs, [InteractionKind.ROUND_TABLE])
    iv = an_intervention(ctx)
    aaer_entries(ctx, rows, [(iv, o) for o in orgs])
    SupportEntry.objects.bulk_create(
        [
            SupportEntry(
                partnership=p,
                direction=d,
                kind=SupportKind.CASH,
                value=Decimal(100),
                occurred_on=TODAY - days(10),
                **ctx.stamp(),
            )
            for p in made
            for d in SupportDirection.values
        ]
    )


def build_measurement_api(ctx: Ctx, rows: range) -> None:
    measurements(ctx, rows, an_indicator(ctx))


def build_sendings(ctx: Ctx, rows: range) -> None:
    plan = ctx.once(
        "communication",
        lambda: learning_services.communication_create(
            access=ctx.access,
            by=ctx.owner,
            data={
                "title": "Quarterly update",
                "audience_kind": "funder",
                "frequency": CommunicationFrequency.QUARTERLY,
                "first_due_on": TODAY - days(400),
                "owner": ctx.world.mel,
            },
        ),
    )
    sendings(ctx, rows, [plan])


def build_invitations(ctx: Ctx, rows: range) -> None:
    interactions(ctx, rows, [ctx.world.partner_org, ctx.world.other_org_a], [InteractionKind.ROUND_TABLE])


def build_partner_api(ctx: Ctx, rows: range) -> None:
    made = partners(ctx, rows)
    org = made[0].organization
    # With organisations that are not partners, so that every partner keeps its warning.
    others = [ctx.world.partner_org, ctx.world.other_org_a]
    interactions(ctx, rows, others, [InteractionKind.CALL, InteractionKind.WORKSHOP])
    follow_ups(ctx, rows, org)
    initiatives(ctx, rows, org)


def api(path: str) -> Callable[[Ctx], str]:
    return lambda ctx: (
        "/api/v1/programs/" + path.format(**{k: getattr(v, "pk", v) for k, v in ctx.objects.items()})
    )


def api_rows(key: str, items: str | None = "items") -> Callable[[Any], dict[str, int]]:
    """How many items an API answer lists: the list under `items`, or the answer itself (None)."""
    return lambda response: {key: len(response.json() if items is None else response.json()[items])}


PAGES = [
    Page(
        "partners list, filtered and sorted",
        build_partner_list,
        lambda ctx: (
            "/p/alpha/partners/?q=Qorg&segment=active&type=service_provider"
            f"&facilitator={ctx.world.facilitator.pk}&warning=any&sort=-score"
        ),
        {"org": None},
    ),
    Page(
        "partner page",
        build_partner_page,
        partner_page_url,
        {
            # The timeline shows 30 items: the segment change and the 29 latest interactions.
            "int": 29,
            "fup": None,
            "drv": None,
            "agr": None,
            "sup": 25,
            "val": None,
            "ini": None,
            "bmk": None,
            "ivn": None,
            "aer": 20,
            "les": 5,  # the five lessons that apply most
        },
    ),
    Page("early warnings", build_partner_list, lambda ctx: "/p/alpha/partners/warnings/", {"org": None}),
    Page(
        "interactions list", build_interactions, lambda ctx: "/p/alpha/partners/interactions/", {"int": None}
    ),
    Page(
        "event page (round table)",
        build_event,
        lambda ctx: f"/p/alpha/partners/interactions/{ctx.objects['event'].pk}/",
        {"org": None},
    ),
    Page(
        "map page data endpoint",
        build_map,
        map_url("data.json"),
        {"nodes": None, "edges": None},
        count=data_json_rows,
    ),
    Page(
        "perspective comparison", build_map, map_url("compare/"), {"connections": None}, count=compared_rows
    ),
    Page("indicator page", build_indicator_page, indicator_url(), {"msr": None}),
    Page("indicators list", build_indicators, lambda ctx: "/p/alpha/change/indicators/", {"ind": None}),
    Page(
        "interventions list", build_interventions, lambda ctx: "/p/alpha/change/interventions/", {"ivn": None}
    ),
    Page("lessons list", lessons, lambda ctx: "/p/alpha/learning/lessons/", {"les": None}),
    Page(
        "funder report",
        build_report,
        report_url,
        # Interactions: the ten with most partners attending; indicators: every one in the table.
        {
            "org": None,
            "int": 10,
            "ivn": None,
            "ind": None,
            "les": None,
            "com": None,
            "snd": None,
            "map": None,
        },
    ),
    # More pages people use every day (the rest of bench/pages.py), and filtered variants.
    Page(
        "interactions list, events of one partner",
        build_events,
        lambda ctx: (
            f"/p/alpha/partners/interactions/?kind=events&q=Qint&organization={ctx.world.partner_org.pk}"
        ),
        {"int": None},
    ),
    Page(
        "organisations list",
        build_partner_list,
        lambda ctx: "/p/alpha/partners/organizations/",
        {"org": None},
    ),
    # The follow-ups list pages by 50, whatever PAGE_SIZE says.
    Page(
        "follow-ups list",
        build_partner_api,
        lambda ctx: "/p/alpha/partners/follow-ups/?owner=all&state=all",
        {"fup": 50},
    ),
    Page("maps list", maps, lambda ctx: "/p/alpha/maps/", {"map": None}),
    Page(
        "map page (perspectives)",
        build_map_perspectives,
        map_url(""),
        {"perspectives": None},
        count=perspectives_shown,
    ),
    Page(
        "map analysis (cached)",
        build_map,
        map_url("analysis/"),
        {"elements": None},
        count=lambda r: {"elements": r.context["summary"]["elements"]},
    ),
    Page(
        "benchmarks list",
        build_benchmarks,
        lambda ctx: "/p/alpha/change/indicators/benchmarks/",
        {"bmk": None},
    ),
    Page(
        "lessons list, searched and filtered",
        lessons,
        lambda ctx: "/p/alpha/learning/lessons/?q=dealers&tag=seed&phase=start_up",
        {"les": None},
    ),
    Page(
        "communication plan",
        build_communications,
        lambda ctx: "/p/alpha/learning/communications/",
        {"com": None},
    ),
    # The API: core
    Page(
        "API programmes",
        build_programmes,
        lambda ctx: "/api/v1/programs",
        {"prg": None},
        who="viewer",
        api=True,
    ),
    Page("API members", build_members, api("alpha/members"), {"mem": None}, api=True),
    # maps
    Page("API maps", maps, api("alpha/maps"), {"map": None}, api=True),
    Page(
        "API map perspectives",
        build_map_perspectives,
        api("alpha/maps/{map}/perspectives"),
        {"perspectives": None},
        api=True,
        count=api_rows("perspectives", None),
    ),
    Page("API map elements", build_map, api("alpha/maps/{map}/elements"), {"elm": None}, api=True),
    Page(
        "API map connections",
        build_map,
        api("alpha/maps/{map}/connections"),
        {"connections": None},
        api=True,
        count=lambda r: {"connections": len({(c["source_id"], c["target_id"]) for c in r.json()["items"]})},
    ),
    Page(
        "API map analysis",
        build_map,
        api("alpha/maps/{map}/analysis"),
        {"elements": None},
        api=True,
        count=api_rows("elements", "elements"),
    ),
    Page(
        "API map comparison",
        build_map,
        api("alpha/maps/{map}/comparison"),
        {"connections": None},
        api=True,
        count=api_rows("connections", "connections"),
    ),
    # results
    Page("API interventions", build_interventions, api("alpha/interventions"), {"ivn": None}, api=True),
    Page(
        "API AAER entries",
        build_aaer,
        api("alpha/interventions/{intervention}/aaer"),
        {"aer": None},
        api=True,
    ),
    Page("API exit evaluation", build_exit, api("alpha/exit"), {"org": None}, api=True),
    # indicators
    Page("API indicators", build_indicators, api("alpha/indicators"), {"ind": None}, api=True),
    Page(
        "API measurements",
        build_measurement_api,
        api("alpha/indicators/{indicator}/measurements"),
        {"measurements": None},
        api=True,
        count=api_rows("measurements"),
    ),
    Page(
        "API indicator progress",
        build_measurement_api,
        api("alpha/indicators/{indicator}/progress"),
        {"points": None},
        api=True,
        count=lambda r: {"points": sum(p["value"] is not None for p in r.json()["points"])},
    ),
    Page(
        "API partner benchmarks",
        build_benchmarks,
        api("alpha/partner-benchmarks"),
        {"bmk": None},
        api=True,
    ),
    # learning
    Page("API lessons", lessons, api("alpha/lessons"), {"les": None}, api=True),
    Page("API communications", build_communications, api("alpha/communications"), {"com": None}, api=True),
    Page(
        "API sendings",
        build_sendings,
        api("alpha/communications/{communication}/sendings"),
        {"snd": None},
        api=True,
    ),
    # partners (also at 3 vs 30 in konbit/partners/tests/test_api.py)
    Page("API organisations", build_partner_api, api("alpha/organizations"), {"org": None}, api=True),
    Page("API partners", build_partner_api, api("alpha/partners"), {"org": None}, api=True),
    Page("API warnings", build_partner_api, api("alpha/warnings"), {"org": None}, api=True),
    Page("API interactions", build_partner_api, api("alpha/interactions"), {"int": None}, api=True),
    Page(
        "API follow-ups",
        build_partner_api,
        api("alpha/follow-ups?owner=all&state=all"),
        {"fup": None},
        api=True,
    ),
    Page("API initiatives", build_partner_api, api("alpha/initiatives"), {"ini": None}, api=True),
    Page(
        "API my invitations",
        build_invitations,
        api("alpha/my-invitations"),
        {"int": None},
        who="partner_user",
        api=True,
    ),
]


def markers(response: Any, wanted: Iterable[str]) -> dict[str, int]:
    """How many distinct rows of each marker the response shows."""
    seen: dict[str, set[str]] = collections.defaultdict(set)
    for prefix, number in MARKER.findall(response.content.decode()):
        seen[prefix].add(number)
    return {prefix: len(seen[prefix]) for prefix in wanted}


def repeated(queries: list[dict[str, Any]]) -> str:
    """The statements run more than once, most repeated first (the N+1 to look for)."""
    shapes = collections.Counter(re.sub(r"\b\d+\b", "?", q["sql"])[:200] for q in queries)
    return "\n".join(f"  {n}× {sql}" for sql, n in shapes.most_common(5) if n > 1)


class ApiClient:
    def __init__(self, user: Any) -> None:
        _token, raw = api_token_create(user=user, name="query counts")
        self.client = Client(headers={"Authorization": f"Bearer {raw}"})

    def get(self, url: str) -> Any:
        path, _, query = url.partition("?")
        return self.client.get(path, {**dict(parse_qsl(query)), "limit": SHOW_ALL})


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_query_count_is_the_same_for_10_and_200_rows(
    world: World, page: Page, monkeypatch: pytest.MonkeyPatch
) -> None:
    for module in PAGINATED:
        monkeypatch.setattr(f"{module}.PAGE_SIZE", SHOW_ALL)
    user = getattr(world, page.who)
    client = ApiClient(user) if page.api else client_for(user)
    ctx = Ctx(world)
    counted: dict[int, list[dict[str, Any]]] = {}
    built = 0
    for size in SIZES:
        page.build(ctx, range(built, size))
        built = size
        url = page.url(ctx)
        client.get(url)  # warm: the daily engagement refresh, cached analysis, stored progress, token use
        caches["map_data"].clear()  # but count building the map view's data, not reading it back
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, f"{page.name}: {url} answered {response.status_code}"
        shown = page.count(response) if page.count else markers(response, page.caps)
        expected = {key: size if cap is None else min(size, cap) for key, cap in page.caps.items()}
        assert shown == expected, f"{page.name}: shows {shown} with {size} rows, expected {expected}"
        counted[size] = captured.captured_queries
    few, many = (len(counted[size]) for size in SIZES)
    message = f"{page.name}: {few} queries for {SIZES[0]} rows, {many} for {SIZES[1]}"
    assert few == many, message + "\n" + repeated(counted[SIZES[1]])


def test_funder_report_shows_the_same_map_figures_from_the_cache_as_computed(world: World) -> None:
    """The report reads every map's cached figures in one query; a map not analysed yet is analysed."""
    from konbit.learning.report.sections import maps_section

    ctx = Ctx(world)
    seed_map = a_map(ctx, 12)
    assert map_selectors.cached_analysis(map=seed_map) is None
    cold = maps_section(access=ctx.access, start=TODAY - days(30), end=TODAY)["tables"][0]["rows"]
    assert map_selectors.cached_analysis(map=seed_map) is not None
    warm = maps_section(access=ctx.access, start=TODAY - days(30), end=TODAY)["tables"][0]["rows"]
    assert warm == cold
    name, elements, connections, density, components, perspectives = cold[0]
    assert (name, elements, connections, perspectives) == ("Seed system", 12, 16, 3)
    assert density is not None and components == 1
