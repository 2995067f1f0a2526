"""The map pillar at scale (see konbit/core/scale.py): a power-law map with six perspectives, and at XL a
second one of 100,000 elements; some actors are the programme's partner organisations."""

from __future__ import annotations

from typing import Any

from konbit.core.access import Access
from konbit.core.models import Membership, Program
from konbit.core.scale import ScaleContext, ScaleSpec

from . import services
from .models import Element, Map
from .synthetic import power_law_map


def build_scale(program: Program, spec: ScaleSpec, ctx: ScaleContext) -> None:
    owner = ctx.users["owner"]
    access = Access(program=program, membership=Membership.objects.get(program=program, user=owner))
    maps = [("Market system", spec.map)] + ([("Whole sector", spec.big_map)] if spec.big_map else [])
    for name, (n, m) in maps:
        gmap = power_law_map(n, m, seed=ctx.rng.randrange(1_000_000), positions=True)
        map = services.map_import(access=access, by=owner, gmap=gmap, name=f"{name} ({n:,} elements)")
        ctx.data.setdefault("maps", []).append(map)
        _link_partners(map, ctx.data.get("partner_organizations", []))
        ctx.log(f"    map {map.name}: {n:,} elements, {m:,} connections")


def _link_partners(map: Map, organizations: list[Any]) -> None:
    """The elements the generator marks as partners become the programme's partner organisations (one
    element each, in order), so map and partner register meet as they do in a real programme."""
    elements = list(
        Element.objects.filter(map=map, attributes__partner=True).order_by("pk")[: len(organizations)]
    )
    for element, organization in zip(elements, organizations, strict=False):
        element.organization = organization
        element.label = organization.name
    Element.objects.bulk_update(elements, ["organization", "label"], batch_size=2_000)
