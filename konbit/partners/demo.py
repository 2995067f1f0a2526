"""Demo organisations: a few hundred actors of a northern-Haiti agricultural market system."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from .models import Organization, OrganizationSize, OrganizationType

if TYPE_CHECKING:
    from konbit.core.demo import DemoContext
    from konbit.core.models import Program

REGIONS = {
    "Nord": ["Cap-Haïtien", "Limonade", "Milot", "Plaisance", "Limbé", "Grande-Rivière-du-Nord"],
    "Nord-Est": ["Fort-Liberté", "Ouanaminthe", "Trou-du-Nord", "Terrier-Rouge"],
    "Nord-Ouest": ["Port-de-Paix", "Saint-Louis-du-Nord", "Jean-Rabel"],
    "Artibonite": ["Gonaïves", "Saint-Marc", "Dessalines", "Verrettes"],
    "Centre": ["Hinche", "Mirebalais", "Lascahobas"],
}
CROPS = ["cocoa", "coffee", "mango", "plantain", "rice", "peanut", "honey", "cassava", "vetiver", "dairy"]

# (type, how many, name patterns). Patterns draw from NAMES, PLACES and CROPS.
PLAN: list[tuple[str, int, list[str]]] = [
    (
        OrganizationType.LEAD_FIRM,
        28,
        ["{name} {crop_cap} Exports", "{name} Agro-Industries", "{place} {crop_cap} Processing"],
    ),
    (
        OrganizationType.SERVICE_PROVIDER,
        96,
        [
            "{name} Agro-Services",
            "{place} Veterinary Services",
            "{name} Irrigation Solutions",
            "{place} Input Supply",
            "{name} Extension Consulting",
            "{name} Transport and Logistics",
            "{place} Seed Multipliers",
            "{name} Mechanisation Services",
        ],
    ),
    (
        OrganizationType.AWARDEE,
        36,
        ["{name} {crop_cap} Enterprise", "{place} Agri-Innovation Lab", "{name} Agro-Shop"],
    ),
    (
        OrganizationType.PRODUCER_GROUP,
        80,
        [
            "Koperativ {crop_cap} {place}",
            "Asosyasyon Peyizan {place}",
            "{place} {crop_cap} Growers' Association",
            "Gwoupman Fanm {place}",
        ],
    ),
    (
        OrganizationType.GOVERNMENT,
        14,
        ["Direction Départementale Agricole {region}", "Mairie de {place}", "{region} Phytosanitary Office"],
    ),
    (
        OrganizationType.FINANCIAL,
        18,
        ["{name} Microfinance", "Caisse Populaire {place}", "{name} Agricultural Credit"],
    ),
    (
        OrganizationType.NGO,
        20,
        ["{name} Development Foundation", "Action {crop_cap} {region}", "{place} Community Network"],
    ),
    (
        OrganizationType.DONOR,
        8,
        ["{region} Resilience Initiative", "{crop_cap} Value Chain Project", "{name} Trust Fund"],
    ),
    (
        OrganizationType.RESEARCH,
        10,
        ["{place} Agricultural School", "{name} Research Centre", "{region} Technical Institute"],
    ),
    (OrganizationType.MEDIA, 8, ["Radio {place}", "{name} Agri-News", "Télé {region}"]),
    (OrganizationType.OTHER, 6, ["{place} Chamber of Commerce", "{name} Traders' Guild"]),
]
NAMES = [
    "Lakay",
    "Solèy",
    "Espwa",
    "Konbit",
    "Lavi",
    "Fanmi",
    "Tèt Ansanm",
    "Bon Rekòt",
    "Kreyòl",
    "Lumière",
    "Étoile",
    "Horizon",
    "Caraïbe",
    "Citadelle",
    "Sans-Souci",
    "Lambi",
    "Kalbas",
    "Mapou",
    "Zanmi",
    "Avni",
    "Delta",
    "Vizyon",
    "Progrès",
    "Union",
    "Unité",
    "Racine",
    "Pwogrè",
    "Sèl",
    "Flamboyant",
    "Palmiste",
]
SIZES = [
    OrganizationSize.MICRO,
    OrganizationSize.SMALL,
    OrganizationSize.SMALL,
    OrganizationSize.MEDIUM,
    OrganizationSize.LARGE,
]


def _acronym(name: str) -> str:
    letters = [w[0] for w in name.replace("'", " ").split() if w[:1].isalpha() and w[0].isupper()]
    return "".join(letters)[:6] if len(letters) >= 2 else ""


def build_demo(program: Program, ctx: DemoContext) -> None:
    rng = ctx.rng
    creator = ctx.users["facilitator"]
    seen: set[str] = set()
    rows: list[Organization] = []
    start = datetime.datetime(2024, 1, 15, 9, 0, tzinfo=datetime.UTC)
    for org_type, count, patterns in PLAN:
        made = 0
        while made < count:
            region = rng.choice(list(REGIONS))
            place = rng.choice(REGIONS[region])
            crop = rng.choice(CROPS)
            name = rng.choice(patterns).format(
                name=rng.choice(NAMES), place=place, region=region, crop_cap=crop.capitalize()
            )
            if name in seen:
                continue
            seen.add(name)
            made += 1
            created = start + datetime.timedelta(days=rng.randint(0, 600), minutes=rng.randint(0, 600))
            rows.append(
                Organization(
                    program=program,
                    name=name,
                    acronym=_acronym(name) if rng.random() < 0.4 else "",
                    type=org_type,
                    sector=crop
                    if org_type not in {OrganizationType.GOVERNMENT, OrganizationType.MEDIA}
                    else "",
                    region=region,
                    town=place,
                    size=rng.choice(SIZES),
                    website="",
                    notes="",
                    created_at=created,
                    updated_at=created,
                    created_by=creator,
                    updated_by=creator,
                )
            )
    Organization.objects.bulk_create(rows, batch_size=500)
    ctx.data["partner_organization"] = Organization.objects.get(program=program, name=rows[30].name)
