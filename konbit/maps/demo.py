"""Demo map: the market system of the demo programme as seen by the team and five other perspectives
that disagree in places, with two snapshots a year apart."""

from __future__ import annotations

import datetime
import random
from typing import TYPE_CHECKING

import igraph

from konbit.partners.models import Organization, OrganizationType, Partnership

from . import graph as g
from .models import Connection, Element, Map, Perspective, PerspectiveKind, Snapshot

if TYPE_CHECKING:
    from konbit.core.demo import DemoContext
    from konbit.core.models import Program

FUNCTION_OF_TYPE = {
    OrganizationType.LEAD_FIRM: "core",
    OrganizationType.PRODUCER_GROUP: "core",
    OrganizationType.AWARDEE: "core",
    OrganizationType.SERVICE_PROVIDER: "supporting",
    OrganizationType.FINANCIAL: "supporting",
    OrganizationType.RESEARCH: "supporting",
    OrganizationType.MEDIA: "supporting",
    OrganizationType.NGO: "supporting",
    OrganizationType.DONOR: "supporting",
    OrganizationType.GOVERNMENT: "rules",
}
TIE_OF_TYPES = {
    ("core", "core"): "trade",
    ("core", "supporting"): "service",
    ("supporting", "core"): "service",
    ("rules", "core"): "regulation",
    ("core", "rules"): "regulation",
}
FACTORS = [
    "Price of certified seed",
    "Access to credit for smallholders",
    "Trust between buyers and producer groups",
    "Road conditions in the rainy season",
    "Quality of extension advice",
    "Buyer demand for traceable produce",
]
DEMO_DAY = datetime.date(2026, 11, 15)


def build_demo(program: Program, ctx: DemoContext) -> None:
    rng = random.Random(7)
    by = ctx.users["facilitator"]
    partner_org_ids = set(
        Partnership.objects.filter(program=program).values_list("organization_id", flat=True)
    )
    orgs = list(Organization.objects.filter(program=program, pk__in=partner_org_ids).order_by("name"))
    others = list(
        Organization.objects.filter(program=program)
        .exclude(pk__in=partner_org_ids)
        .filter(
            type__in=[OrganizationType.LEAD_FIRM, OrganizationType.GOVERNMENT, OrganizationType.FINANCIAL]
        )
        .order_by("name")[:20]
    )
    actors = orgs + others
    stamp = {"program": program, "created_by": by, "updated_by": by}
    map = Map.objects.create(
        name="Northern agricultural market system",
        description=(
            "Who trades with, serves, finances and regulates whom, as the team and five partners see it."
        ),
        **stamp,
    )
    elements = [
        Element(
            map=map,
            key=f"org-{o.pk}",
            label=o.name,
            kind="actor",
            type=o.get_type_display(),
            function=FUNCTION_OF_TYPE.get(OrganizationType(o.type), ""),
            organization=o,
            tags=o.sector,
            **stamp,
        )
        for o in actors
    ] + [
        Element(map=map, key=f"factor-{i}", label=label, kind="factor", type="Factor", **stamp)
        for i, label in enumerate(FACTORS)
    ]
    Element.objects.bulk_create(elements)

    team = Perspective.objects.create(
        map=map, name="Programme team", kind=PerspectiveKind.TEAM, is_private=False, **stamp
    )
    partner_org = ctx.data["partner_organization"]
    groups = [
        Perspective.objects.create(
            map=map,
            name=partner_org.name,
            kind=PerspectiveKind.PARTNER,
            organization=partner_org,
            is_private=True,
            **stamp,
        ),
        Perspective.objects.create(
            map=map,
            name="Input suppliers' round table",
            kind=PerspectiveKind.WORKSHOP,
            is_private=False,
            **stamp,
        ),
        Perspective.objects.create(
            map=map, name="Lead firms' workshop", kind=PerspectiveKind.WORKSHOP, is_private=False, **stamp
        ),
        Perspective.objects.create(
            map=map, name="Financial institutions", kind=PerspectiveKind.WORKSHOP, is_private=False, **stamp
        ),
        Perspective.objects.create(
            map=map,
            name="Producer groups' assembly",
            kind=PerspectiveKind.WORKSHOP,
            is_private=False,
            **stamp,
        ),
    ]

    # The team's view: a preferential-attachment network among actors, plus causal links to factors.
    n_actors = len(actors)
    skeleton = igraph.Graph.Barabasi(n_actors, 2, directed=False)
    ties: list[tuple[int, int, str, str]] = []
    for a, b in skeleton.get_edgelist():
        ea, eb = elements[a], elements[b]
        kind = TIE_OF_TYPES.get((ea.function, eb.function), "information")
        ties.append((a, b, kind, g.MUTUAL if kind in {"trade", "information"} else g.DIRECTED))
    factor_base = n_actors
    causal: list[tuple[int, int, str]] = [
        (factor_base + 0, factor_base + 1, "-"),
        (factor_base + 1, factor_base + 2, "+"),
        (factor_base + 2, factor_base + 5, "+"),
        (factor_base + 5, factor_base + 2, "+"),
        (factor_base + 3, factor_base + 2, "-"),
        (factor_base + 4, factor_base + 0, "-"),
        (factor_base + 5, factor_base + 4, "+"),
    ]
    connections: list[Connection] = []

    def add(
        a: int, b: int, kind: str, direction: str, sign: str, perspective: Perspective, strength: float
    ) -> None:
        connections.append(
            Connection(
                map=map,
                key=f"c{len(connections)}",
                source=elements[a],
                target=elements[b],
                type=kind,
                direction=direction,
                sign=sign,
                strength=strength,
                perspective=perspective,
                **stamp,
            )
        )

    for a, b, kind, direction in ties:
        add(a, b, kind, direction, "", team, float(rng.choice([1, 2, 3])))
    for a, b, sign in causal:
        add(a, b, "causal", g.DIRECTED, sign, team, 2.0)
    # Each other perspective sees part of the team's view, adds ties the team does not see, and
    # sometimes reads a causal link the other way round.
    for index, perspective in enumerate(groups):
        share = 0.35 + 0.1 * index
        for a, b, kind, direction in ties:
            if rng.random() < share:
                add(a, b, kind, direction, "", perspective, float(rng.choice([1, 2, 3])))
        for _ in range(8 + 2 * index):
            a, b = rng.sample(range(n_actors), 2)
            add(a, b, "cooperation", g.MUTUAL, "", perspective, 1.0)
        for a, b, sign in causal:
            if rng.random() < 0.6:
                flipped = {"+": "-", "-": "+"}[sign] if rng.random() < 0.3 else sign
                add(a, b, "causal", g.DIRECTED, flipped, perspective, 1.0)
    Connection.objects.bulk_create(connections, batch_size=2000)
    through = Element.perspectives.through
    links = {(c.source_id, c.perspective_id) for c in connections} | {
        (c.target_id, c.perspective_id) for c in connections
    }
    through.objects.bulk_create(
        [through(element_id=e, perspective_id=p) for e, p in links], ignore_conflicts=True
    )

    # Positions: a force-directed layout computed once, so the map opens laid out.
    layout_graph = igraph.Graph(n=len(elements))
    position_of = {e.pk: i for i, e in enumerate(elements)}
    layout_graph.add_edges(
        {
            (position_of[c.source_id], position_of[c.target_id])
            for c in connections
            if c.source_id != c.target_id
        }
    )
    random.seed(11)
    igraph.set_random_number_generator(random)
    coords = layout_graph.layout_fruchterman_reingold(niter=500)
    for element, (x, y) in zip(elements, coords.coords, strict=True):
        element.x, element.y = round(x * 40, 2), round(y * 40, 2)
    Element.objects.bulk_update(elements, ["x", "y"])

    _snapshots(program, map, ctx, connections, elements)


def _snapshots(
    program: Program, map: Map, ctx: DemoContext, connections: list[Connection], elements: list[Element]
) -> None:
    """A year ago fewer partners were tied to each other: the earlier snapshot drops a fifth of the ties."""
    from .analysis import analyze

    keep_earlier = [c for i, c in enumerate(connections) if i % 5 != 0]
    partners = {e.key for e in elements if e.organization_id}
    for name, day, rows in (
        ("Baseline", DEMO_DAY - datetime.timedelta(days=365), keep_earlier),
        ("One year on", DEMO_DAY, connections),
    ):
        gmap = g.GMap(
            name=map.name,
            elements=[
                g.GElement(id=e.key, label=e.label, attributes={"partner": e.key in partners})
                for e in elements
            ],
            connections=[
                g.GConnection(source=c.source.key, target=c.target.key, direction=c.direction, sign=c.sign)
                for c in rows
            ],
        )
        result = analyze(gmap)
        Snapshot.objects.create(
            program=program,
            map=map,
            name=name,
            taken_on=day,
            data={
                "elements": [
                    {"id": e.id, "label": e.label, "partner": e.attributes["partner"]} for e in gmap.elements
                ],
                "connections": [
                    {"from": c.source, "to": c.target, "direction": c.direction} for c in gmap.connections
                ],
            },
            figures={"map": result["map"], "elements": {e["id"]: e for e in result["elements"]}},
            created_by=ctx.users["facilitator"],
            updated_by=ctx.users["facilitator"],
        )
