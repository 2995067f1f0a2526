"""Programmes full of recognisable rows, for the tests that attack the API (tests/test_api_attack.py and
tests/test_api_fuzz.py).

`plant(world)` fills programme A ("alpha") with a row of every kind the API serves, adds a second
partner organisation with its own partner user, and fills programme B ("bravo", the outsider's) the
same way. Every text a reader could recognise carries a tag:

- `confidential-alpha` / `confidential-bravo`: the team's own data (notes, interventions, lessons…),
  never for an outsider, nor for a partner user;
- `partner-one-own` / `partner-two-own`: rows that belong to one partner organisation (its view of the
  map, its benchmark, the event only it was invited to, the job it started); the partner user may see
  its own and never the other's.

So a test finds a leak by searching a response for a tag, without knowing which endpoint shows what.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.auth.models import User
from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, ForeignKey

from conftest import World
from konbit.core import services as core_services
from konbit.core.access import Access
from konbit.core.models import Membership, Program
from konbit.core.roles import Role
from konbit.indicators import services as indicator_services
from konbit.learning import services as learning_services
from konbit.maps import services as map_services
from konbit.maps.models import Map, PerspectiveKind
from konbit.partners import services as partner_services
from konbit.partners.models import DriverNote, Initiative, Organization, SupportEntry
from konbit.results import services as result_services
from tests.factories import OrganizationFactory, UserFactory

TAG_A = "confidential-alpha"
TAG_B = "confidential-bravo"
PARTNER_ONE = "partner-one-own"
PARTNER_TWO = "partner-two-own"
PARTNER_TWO_ORG = "Alpha Second Partner Mill"
PARTNER_TWO_EMAIL = "partner2@alpha.example.org"

# What must never reach someone who has no role in programme A (the tag covers every planted text;
# the names and addresses come from the `world` fixture in conftest.py).
ALPHA_SECRETS = [
    TAG_A,
    PARTNER_ONE,
    PARTNER_TWO,
    "Alpha Market Systems",
    "Alpha Secret Processor",
    "Alpha Partner Cooperative",
    PARTNER_TWO_ORG,
    "alpha.example.org",
]
BRAVO_SECRETS = [TAG_B, "Bravo Pump Suppliers", "Bravo Water Collective", "bravo.example.org"]
DAY = datetime.date(2025, 3, 4)


@dataclass
class Refs:
    """Ids that a request body may point to, one of each kind, all in one programme."""

    organizations: list[int]  # partners of the programme (what interventions and events may involve)
    event: int
    event_organization: int  # an organisation on that event
    elements: tuple[int, int]  # two elements of the map
    perspective: int
    intervention: int
    chain_box: int
    dimension: int
    category: int


@dataclass
class Planted:
    program: Program
    owner: User
    # API resource (the path segment before `{pk}`) → ids of this programme's rows of that kind.
    ids: dict[str, list[int]]
    refs: Refs
    # Per partner organisation: the ids that are its own (for the "own rows only" checks).
    own: dict[int, dict[str, list[int]]] = field(default_factory=dict)


@dataclass
class Attack:
    world: World
    alpha: Planted
    bravo: Planted
    partner_two: User
    partner_two_org: Organization

    def partner(self, which: str) -> tuple[User, Organization, str, str]:
        """(user, organisation, own tag, the other partner's tag) of partner "one" or "two"."""
        if which == "one":
            return self.world.partner_user, self.world.partner_org, PARTNER_ONE, PARTNER_TWO
        return self.partner_two, self.partner_two_org, PARTNER_TWO, PARTNER_ONE


def access_of(program: Program, user: User) -> Access:
    return Access(program=program, membership=Membership.objects.get(program=program, user=user))


def _plant_programme(
    program: Program, owner: User, tag: str, partners: list[Organization], others: list[Organization]
) -> Planted:
    """The team's rows of every kind, each text tagged."""
    access = access_of(program, owner)
    by = owner
    everyone = partners + others
    for organization in everyone:
        partner_services.organization_update(
            organization=organization, by=by, data={"notes": f"{tag}-note-on-{organization.pk}"}
        )
    partnerships = [
        partner_services.partnership_create(
            access=access, organization=o, by=by, data={"segment": "active", "notes": f"{tag}-partnership"}
        )
        for o in everyone
    ]
    for partnership in partnerships:
        partner_services.partnership_child_create(
            partnership=partnership,
            model=DriverNote,
            by=by,
            data={"category": "driver", "kind": "revenue", "recorded_on": DAY, "note": f"{tag}-driver"},
        )
        partner_services.partnership_child_create(
            partnership=partnership,
            model=SupportEntry,
            by=by,
            data={
                "direction": "given",
                "kind": "training",
                "value": 100,
                "occurred_on": DAY,
                "description": f"{tag}-support",
            },
        )
    # Every partner is invited to this event, so its title is not a secret from them; its notes are.
    round_table = partner_services.interaction_log(
        access=access,
        by=by,
        data={
            "kind": "round_table",
            "occurred_on": DAY,
            "title": f"{program.name} round table",
            "notes": f"{tag}-round-table-notes",
        },
        organizations=everyone,
        follow_ups=[
            {"organization": o, "description": f"{tag}-follow-up", "owner": by, "due_on": DAY}
            for o in everyone
        ],
    )
    talk = partner_services.interaction_log(
        access=access,
        by=by,
        data={"kind": "conversation", "occurred_on": DAY, "title": f"{tag}-talk", "notes": f"{tag}-talk"},
        organizations=others or partners,
    )
    initiative = Initiative.objects.create(program=program, name=f"{tag}-initiative")
    partner_services.initiative_support_add(
        access=access, by=by, initiative=initiative, organization=everyone[0], how=f"{tag}-how"
    )

    # The map's name is shared with partner users (they see the list of maps); the team's view is not.
    the_map = map_services.map_create(access=access, by=by, data={"name": f"{program.name} map"})
    team = map_services.perspective_create(
        access=access, map=the_map, by=by, data={"name": f"{tag}-team-view", "kind": PerspectiveKind.TEAM}
    )
    one, two = (
        map_services.element_create(
            access=access, map=the_map, by=by, data={"label": f"{tag}-element-{n}"}, perspectives=[team]
        )
        for n in (1, 2)
    )
    map_services.connection_create(
        access=access, map=the_map, by=by, data={"source": one, "target": two, "perspective": team}
    )
    job = core_services.job_start(
        access=access,
        kind="konbit.maps.tasks.exact_betweenness",
        label=f"{tag}-job",
        params={"map": the_map.pk},
        by=by,
    )

    intervention = result_services.intervention_create(
        access=access,
        by=by,
        data={"title": f"{tag}-intervention", "description": tag, "function": "core", "lever": "lead_firm"},
        organizations=partners,
    )
    box = result_services.chain_box_create(
        intervention=intervention, by=by, data={"level": "activity", "text": f"{tag}-chain-box"}
    )
    result_services.aaer_entry_create(
        intervention=intervention,
        by=by,
        data={"organization": everyone[-1], "stage": "adopt", "observed_on": DAY, "evidence": f"{tag}-aaer"},
    )

    dimension = indicator_services.dimension_create(
        access=access, by=by, name=f"{tag}-dimension", categories=["Women", "Men"]
    )
    indicator = indicator_services.indicator_create(
        access=access,
        by=by,
        data={"name": f"{tag}-indicator", "unit": "farmers", "type": "outcome", "intervention": intervention},
        dimensions=[dimension],
    )
    indicator_services.target_set(
        indicator=indicator,
        by=by,
        data={"period_label": "2025", "period_end": datetime.date(2025, 12, 31), "value": Decimal(1000)},
    )
    women = dimension.categories.get(name="Women")
    for category in (None, women):
        indicator_services.measurement_record(
            indicator=indicator,
            by=by,
            data={
                "period_label": "2025-Q1",
                "period_end": datetime.date(2025, 3, 31),
                "value": Decimal(40),
                "category": category,
                "note": f"{tag}-measurement",
            },
        )
    for organization in others:  # the partners' own benchmarks are planted by plant() below
        indicator_services.benchmark_create(
            access=access,
            by=by,
            data={
                "organization": organization,
                "description": f"{tag}-benchmark",
                "incentive": tag,
                "due_on": DAY,
                "indicator": indicator,
            },
        )

    lesson = learning_services.lesson_create(
        access=access,
        by=by,
        data={"title": f"{tag}-lesson", "action": tag, "tags": "partner engagement", "status": "published"},
        organizations=everyone,
        interventions=[intervention],
    )
    communication = learning_services.communication_create(
        access=access,
        by=by,
        data={
            "title": f"{tag}-communication",
            "purpose": tag,
            "frequency": "monthly",
            "first_due_on": DAY,
            "owner": by,
        },
    )
    learning_services.communication_log_sending(
        communication=communication, by=by, sent_on=DAY, note=f"{tag}-sending"
    )
    follow_ups = list(round_table.follow_ups.values_list("pk", flat=True))
    return Planted(
        program=program,
        owner=owner,
        ids={
            "organizations": [o.pk for o in everyone],
            "partners": [p.pk for p in partnerships],
            "interactions": [round_table.pk, talk.pk],
            "follow-ups": follow_ups,
            "maps": [the_map.pk],
            "jobs": [job.pk],
            "interventions": [intervention.pk],
            "indicators": [indicator.pk],
            "lessons": [lesson.pk],
            "communications": [communication.pk],
        },
        refs=Refs(
            organizations=[o.pk for o in partners],
            event=round_table.pk,
            event_organization=everyone[0].pk,
            elements=(one.pk, two.pk),
            perspective=team.pk,
            intervention=intervention.pk,
            chain_box=box.pk,
            dimension=dimension.pk,
            category=women.pk,
        ),
    )


def _plant_partner(planted: Planted, organization: Organization, user: User, tag: str) -> None:
    """What belongs to one partner organisation: its private view of the map (drawn by its partner
    user), the benchmark it committed to, an event only it was invited to, and a job it started."""
    program, owner = planted.program, planted.owner
    staff = access_of(program, owner)
    own = access_of(program, user)
    the_map = Map.objects.get(pk=planted.ids["maps"][0])
    view = map_services.perspective_create(access=own, map=the_map, by=user, data={"name": f"{tag}-view"})
    one, two = (
        map_services.element_create(
            access=staff, map=the_map, by=owner, data={"label": f"{tag}-element-{n}"}, perspectives=[view]
        )
        for n in (1, 2)
    )
    map_services.connection_create(
        access=staff, map=the_map, by=owner, data={"source": one, "target": two, "perspective": view}
    )
    benchmark = indicator_services.benchmark_create(
        access=staff,
        by=owner,
        data={
            "organization": organization,
            "description": f"{tag}-benchmark",
            "incentive": tag,
            "due_on": DAY,
        },
    )
    event = partner_services.interaction_log(
        access=staff,
        by=owner,
        data={"kind": "workshop", "occurred_on": DAY, "title": f"{tag}-event", "notes": f"{TAG_A}-{tag}"},
        organizations=[organization],
    )
    job = core_services.job_start(
        access=own,
        kind="konbit.maps.tasks.exact_betweenness",
        label=f"{tag}-job",
        params={"map": the_map.pk, "perspectives": [view.pk]},
        by=user,
    )
    planted.ids["interactions"].append(event.pk)
    planted.ids["jobs"].append(job.pk)
    planted.own[organization.pk] = {
        "organizations": [organization.pk],
        "jobs": [job.pk],
        "perspectives": [view.pk],
        "elements": [one.pk, two.pk],
        "benchmarks": [benchmark.pk],
        "events": [event.pk, planted.refs.event],
    }


def plant(world: World) -> Attack:
    partner_two_org = OrganizationFactory(program=world.program_a, name=PARTNER_TWO_ORG)
    partner_two = UserFactory(email=PARTNER_TWO_EMAIL)
    Membership.objects.create(
        program=world.program_a, user=partner_two, role=Role.PARTNER, organization=partner_two_org
    )
    alpha = _plant_programme(
        world.program_a,
        world.owner,
        TAG_A,
        partners=[world.partner_org, partner_two_org],
        others=[world.other_org_a],
    )
    _plant_partner(alpha, world.partner_org, world.partner_user, PARTNER_ONE)
    _plant_partner(alpha, partner_two_org, partner_two, PARTNER_TWO)
    bravo_other = OrganizationFactory(program=world.program_b, name="Bravo Drillers Guild")
    bravo = _plant_programme(
        world.program_b, world.outsider, TAG_B, partners=[world.org_b], others=[bravo_other]
    )
    return Attack(
        world=world, alpha=alpha, bravo=bravo, partner_two=partner_two, partner_two_org=partner_two_org
    )


# --- the OpenAPI document, read as a list of operations ------------------------------------------

PREFIX = "/api/v1/programs"
PARAM = re.compile(r"\{(\w+)\}")


def operations(schema: dict[str, Any]) -> list[tuple[str, str]]:
    """(method, path) of every operation, path relative to /api/v1/programs ("" is the list itself)."""
    return [
        (method, path.removeprefix(PREFIX))
        for path, item in schema["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def resource_of(path: str) -> str | None:
    """The kind of row `{pk}` names: the path segment just before it ("/{slug}/maps/{pk}/elements" → maps)."""
    parts = path.split("/")
    return parts[parts.index("{pk}") - 1] if "{pk}" in parts else None


def url_of(path: str, slug: str, pk: int | None = None) -> str:
    values = {"slug": slug, "pk": str(pk)}
    return PREFIX + PARAM.sub(lambda m: values[m.group(1)], path)


def find(data: Any, key: str) -> list[Any]:
    """Every value of `key` anywhere in a JSON document."""
    if isinstance(data, dict):
        return [v for k, v in data.items() if k == key] + [x for v in data.values() for x in find(v, key)]
    if isinstance(data, list):
        return [x for v in data for x in find(v, key)]
    return []


# --- the database, checked for rows that point into another programme ------------------------------


def cross_programme_links() -> list[str]:
    """Every foreign key or many-to-many link from a row of one programme to a row of another (the
    API checks each id it is sent; this finds the one it forgot, whatever the endpoint)."""
    found = []
    for model in apps.get_app_configs():
        if not model.name.startswith("konbit."):
            continue
        for cls in model.get_models():
            if not _has_program(cls):
                continue
            manager = getattr(cls, "all_objects", cls._default_manager)
            for f in cls._meta.get_fields():
                if isinstance(f, ForeignKey) and f.name != "program" and _has_program(f.related_model):
                    bad = manager.exclude(**{f"{f.name}__isnull": True}).exclude(
                        **{f"{f.name}__program": F("program")}
                    )
                    found += [f"{cls.__name__}.{f.name} #{pk}" for pk in bad.values_list("pk", flat=True)]
            for m2m in cls._meta.many_to_many:
                through = m2m.remote_field.through
                source, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
                if not _has_program(m2m.related_model):
                    continue
                bad_links = through.objects.exclude(**{f"{source}__program": F(f"{target}__program")})
                found += [
                    f"{cls.__name__}.{m2m.name} link #{pk}" for pk in bad_links.values_list("pk", flat=True)
                ]
    return found


def _has_program(model: Any) -> bool:
    try:
        return isinstance(model._meta.get_field("program"), ForeignKey)
    except FieldDoesNotExist:
        return False
