"""The demo partner pillar: a few hundred actors of a northern-Haiti agricultural market system and
almost three years (2024-01 … 2026-11) of partner engagement with about a hundred and ten of them.

Everything is drawn from `ctx.rng` and dated against DEMO_TODAY, so the same seed gives the same
programme. Each partnership follows a *story* (champion, active, fading, wait-and-see, dormant, …): its
segment history drives how often the team talks to it, how often it comes to events, the tone of the
conversations, its follow-ups and its share of the support ledger. The engagement scores are then
computed by the real service, so charts and early warnings come out of the data, not out of the demo.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .models import (
    Agreement,
    AgreementKind,
    Attendance,
    Contact,
    DriverCategory,
    DriverKind,
    DriverNote,
    EventSeries,
    FollowUp,
    Frequency,
    Initiative,
    InitiativeSupport,
    Interaction,
    InteractionKind,
    Organization,
    OrganizationSize,
    OrganizationType,
    Participation,
    Partnership,
    Segment,
    SegmentChange,
    SupportDirection,
    SupportEntry,
    SupportKind,
    ValueGained,
    ValueKind,
)
from .names import normalize_name

if TYPE_CHECKING:
    import random

    from konbit.core.demo import DemoContext
    from konbit.core.models import Program

# The demo's data stops here; scores are computed against the real date (see build_demo).
DEMO_TODAY = datetime.date(2026, 11, 15)
PROGRAMME_START = datetime.date(2024, 1, 1)

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


# --- engagement stories -------------------------------------------------------------------------

D = datetime.date
CHAMPION, ACTIVE, FADING, WAIT, PROSPECT, DORMANT, EXITING, EXITED, PLACEHOLDER = (
    "champion",
    "active",
    "fading",
    "wait_and_see",
    "prospect",
    "dormant",
    "exiting",
    "exited",
    "placeholder",
)
# How many partnerships of each type (all awardees, most service providers, a few of the others).
PARTNER_QUOTA: dict[str, int] = {
    OrganizationType.SERVICE_PROVIDER: 52,
    OrganizationType.AWARDEE: 36,
    OrganizationType.LEAD_FIRM: 9,
    OrganizationType.PRODUCER_GROUP: 8,
    OrganizationType.FINANCIAL: 5,
}
# Stories picked per type first (champions that stay strong, partners whose engagement fades).
SPECIAL_STORIES: list[tuple[str, str, int]] = [
    (CHAMPION, OrganizationType.SERVICE_PROVIDER, 2),
    (CHAMPION, OrganizationType.AWARDEE, 1),
    (CHAMPION, OrganizationType.LEAD_FIRM, 1),
    (FADING, OrganizationType.SERVICE_PROVIDER, 4),
    (FADING, OrganizationType.AWARDEE, 2),
    (FADING, OrganizationType.PRODUCER_GROUP, 1),
    (FADING, OrganizationType.FINANCIAL, 1),
]
# The rest of the partnerships (the active count absorbs what is left).
OTHER_STORIES: list[tuple[str, int]] = [
    (WAIT, 18),
    (PROSPECT, 10),
    (DORMANT, 12),
    (EXITING, 3),
    (EXITED, 4),
    (PLACEHOLDER, 2),
]

# Per segment: one-to-one conversations per quarter, chance of coming to an event, mean sentiment.
LEVELS: dict[str, tuple[float, float, float]] = {
    Segment.PROSPECT: (1.2, 0.45, 0.4),
    Segment.ACTIVE: (2.4, 0.74, 0.8),
    Segment.CHAMPION: (3.4, 0.92, 1.4),
    Segment.WAIT_AND_SEE: (1.4, 0.38, -0.2),
    Segment.PLACEHOLDER: (0.15, 0.1, 0.0),
    Segment.DORMANT: (0.0, 0.05, -0.5),
    Segment.EXITING: (1.3, 0.55, 1.0),
    Segment.EXITED: (0.0, 0.0, 0.0),
}
INVITABLE = frozenset(
    {Segment.PROSPECT, Segment.ACTIVE, Segment.CHAMPION, Segment.WAIT_AND_SEE, Segment.EXITING}
)


def _climate(day: datetime.date) -> tuple[float, float, float]:
    """(conversation factor, attendance factor, sentiment shift). Year one was hard: few one-to-one
    conversations, round tables half empty and a slump in the second half; from 2025 the team talks to
    partners regularly and the mood improves."""
    if day < D(2024, 7, 1):
        return 0.7, 0.85, 0.0
    if day < D(2025, 1, 1):
        return 0.75, 0.65, -0.5
    return 1.1, 1.0, 0.0


# Reasons for segment changes, keyed by (previous, new); "" is the first segment.
REASONS: dict[tuple[str, str], list[str]] = {
    ("", Segment.PROSPECT): [
        "Met at the launch meeting; curious but no commitment yet.",
        "Referred by another partner; first conversation planned.",
        "Came to a round table on its own initiative.",
        "Identified in the market analysis as a key supplier in its commune.",
    ],
    ("", Segment.ACTIVE): [
        "Signed up at the launch and named a contact person straight away.",
        "Already working with producer groups we target; agreed on a first joint activity.",
        "Selected as an awardee; work plan agreed.",
    ],
    ("", Segment.PLACEHOLDER): [
        "Listed because a funder asked us to include it; no real contact yet.",
        "Signed the MoU at a group ceremony but has not named anyone to work with us.",
    ],
    (Segment.PROSPECT, Segment.ACTIVE): [
        "Agreed a first activity and sent staff to the training.",
        "Named a focal person and came to two round tables in a row.",
        "Started co-financing the extension visits.",
    ],
    (Segment.PROSPECT, Segment.WAIT_AND_SEE): [
        "Friendly, but waiting to see what peers gain before committing staff time.",
        "Asked what money comes with the programme; undecided when told it offers advice and contacts.",
    ],
    (Segment.PROSPECT, Segment.DORMANT): [
        "Several calls unanswered; we stopped chasing.",
        "Never followed up after the first meeting.",
    ],
    (Segment.ACTIVE, Segment.CHAMPION): [
        "Brings peers to the round table and presented its own results there.",
        "Tripled its farmer clients and now co-finances half of the activities.",
        "Runs its own buyer meetings and invites other partners.",
    ],
    (Segment.ACTIVE, Segment.WAIT_AND_SEE): [
        "Staff stopped coming after the rainy season; says the meetings take too much time.",
        "Disappointed that no equipment comes with the training.",
        "Has missed the last round tables and postpones every visit.",
    ],
    (Segment.WAIT_AND_SEE, Segment.ACTIVE): [
        "Came back after seeing a peer win a supply contract through the round table.",
        "New director keen to take part again.",
        "Re-engaged once the buyer introductions started.",
    ],
    (Segment.WAIT_AND_SEE, Segment.DORMANT): [
        "No reply for several months; left open for later.",
        "Busy with another donor project; agreed to pause.",
    ],
    (Segment.ACTIVE, Segment.DORMANT): [
        "Closed its shop for the season; will call us when it reopens.",
        "Focal person emigrated and nobody replaced her.",
    ],
    (Segment.CHAMPION, Segment.EXITING): [
        "Works with buyers on its own now; support tapering off as planned.",
        "Business model stands without us; moving to light-touch follow-up.",
    ],
    (Segment.ACTIVE, Segment.EXITING): [
        "Activities completed; handing over the contacts before closing the file.",
    ],
    (Segment.EXITING, Segment.EXITED): [
        "Exit review done: the service continues without programme support.",
        "Final review held; the partnership ends as planned.",
    ],
    (Segment.ACTIVE, Segment.EXITED): [
        "Merged into a larger cooperative, which is followed separately.",
        "Stopped trading after the floods; partnership closed.",
    ],
}

# One-to-one conversations: topics, notes by tone, commitments and follow-ups (written for the demo).
TOPICS = [
    "service pricing",
    "client numbers",
    "round-table feedback",
    "training needs",
    "buyer introductions",
    "access to credit",
    "equipment",
    "co-investment",
    "business plan",
    "seasonal planning",
    "quality standards",
    "staff turnover",
    "other donor projects",
    "radio promotion",
    "payment delays",
]
NOTES_BY_TONE: dict[int, list[str]] = {
    2: [
        "Very keen: offered to host the next round table at their place.",
        "Proud of the new contracts; wants to show other partners how they did it.",
        "They already put the pricing tool to use and ask for the next module.",
    ],
    1: [
        "Good exchange; they see the value of the buyer referrals.",
        "Open about their numbers; agreed to share client data each quarter.",
        "Positive about the training, though staff time is tight during harvest.",
        "Constructive talk on how to split the costs of the field day.",
    ],
    0: [
        "Polite but cautious; waiting to see results from others first.",
        "Routine check-in, nothing new on their side.",
        "Interested in principle; no decision until the board meets.",
    ],
    -1: [
        "Frustrated that the programme does not pay for equipment.",
        "Complained that meetings take staff away from paying clients.",
        "Unhappy that the buyer introduced last time never placed an order.",
    ],
    -2: [
        "Said they will stop coming unless some money is on the table.",
        "Angry about a late payment from a buyer we introduced; blames the programme.",
    ],
}
FADING_NOTES = [
    "Hard to reach; the director postponed twice.",
    "Our focal person there has left and the new one knows little about the partnership.",
    "They say another project now covers their training needs.",
    "Kept it short; they were busy and promised to get back to us.",
    "Less interested than last year; asked again what money the programme brings.",
]
COMMITMENTS = [
    "They will bring two member cooperatives to the next round table.",
    "They will pay their own staff's transport to the training.",
    "They will share monthly sales figures with us.",
    "We introduce them to two buyers before the end of the month.",
    "They will host the next field day on their demonstration plot.",
    "We send the costing template; they fill it in for their three main services.",
]
FOLLOW_UPS = [
    "Send the list of buyers met at the fair",
    "Share next quarter's training calendar",
    "Introduce them to a loan officer",
    "Check whether their loan request went through",
    "Collect client numbers for the quarter",
    "Send the draft cost-share budget",
    "Confirm their speaking slot at the round table",
    "Share the results of the price survey",
    "Visit the new demonstration plot",
    "Connect them with the agro-dealers of their commune",
    "Ask for feedback on the last training",
    "Send the MoU draft for comments",
]

# Drivers, motivations, expectations and incentives (category, theme, what was heard).
FIRST_NOTES: list[tuple[str, str, str]] = [
    (DriverCategory.DRIVER, DriverKind.MARKET_ACCESS, "Needs steadier buyers for its members' harvest."),
    (DriverCategory.DRIVER, DriverKind.REVENUE, "Wants fee income from its services, not donor contracts."),
    (
        DriverCategory.DRIVER,
        DriverKind.REPUTATION,
        "Wants to be seen as the serious operator in its commune.",
    ),
    (DriverCategory.DRIVER, DriverKind.MISSION, "Set up to serve smallholders; sees the programme as a fit."),
    (DriverCategory.MOTIVATION, DriverKind.NETWORKING, "Values meeting other providers and buyers."),
    (DriverCategory.MOTIVATION, DriverKind.LEARNING, "Young team keen on practical business skills."),
    (DriverCategory.MOTIVATION, DriverKind.MARKET_ACCESS, "Hopes to meet exporters through the programme."),
    (DriverCategory.EXPECTATION, DriverKind.TECHNICAL_SUPPORT, "Expects help to write a business plan."),
    (
        DriverCategory.EXPECTATION,
        DriverKind.MARKET_ACCESS,
        "Expects introductions to a few buyers this year.",
    ),
    (DriverCategory.EXPECTATION, DriverKind.LEARNING, "Expects training for its field staff."),
]
LATER_NOTES: list[tuple[str, str, str]] = [
    (DriverCategory.INCENTIVE, DriverKind.REVENUE, "Moves on concrete sales leads more than on training."),
    (DriverCategory.INCENTIVE, DriverKind.REPUTATION, "Responds well to being named at the round table."),
    (DriverCategory.INCENTIVE, DriverKind.NETWORKING, "Comes when peers it respects are in the room."),
    (DriverCategory.INCENTIVE, DriverKind.LEARNING, "Certificates for its staff matter to it."),
    (DriverCategory.INCENTIVE, DriverKind.OTHER, "Things move faster when the director is in the meeting."),
    (DriverCategory.MOTIVATION, DriverKind.REVENUE, "Saw a peer win a contract and wants the same."),
    (DriverCategory.EXPECTATION, DriverKind.MARKET_ACCESS, "Now wants a stand at the regional fair."),
    (DriverCategory.DRIVER, DriverKind.MARKET_ACCESS, "Lost a buyer this season; looking for new ones."),
]
SUPPORT_ASKS: list[tuple[str, str]] = [
    (DriverKind.FINANCIAL_SUPPORT, "Expects the programme to cover part of its running costs."),
    (DriverKind.FINANCIAL_SUPPORT, "Asked when the grant window opens and how much it is."),
    (DriverKind.MATERIAL_SUPPORT, "Hopes to receive a motor pump and sprayers."),
    (DriverKind.MATERIAL_SUPPORT, "Wants help to buy a small cold room."),
]
SUPPORT_SHIFTS: list[tuple[str, str, str]] = [
    (
        DriverCategory.EXPECTATION,
        DriverKind.MARKET_ACCESS,
        "No longer asks for a grant; wants buyer contacts.",
    ),
    (DriverCategory.MOTIVATION, DriverKind.REVENUE, "Sees that new clients pay better than a one-off grant."),
    (DriverCategory.EXPECTATION, DriverKind.TECHNICAL_SUPPORT, "Now asks for coaching on pricing instead."),
]
SUPPORT_STAYS: list[tuple[str, str]] = [
    (DriverKind.FINANCIAL_SUPPORT, "Still waiting for cash; says training alone does not pay salaries."),
    (DriverKind.MATERIAL_SUPPORT, "Asked again for equipment; we repeated what the programme can offer."),
]

# Events.
ROUND_TABLE_TOPICS = [
    "How partners price their services",
    "Credit for input shops",
    "Mango post-harvest losses",
    "Quality premiums for cocoa",
    "Seed certification rules",
    "Getting ready for the hurricane season",
    "Mobile money for farm payments",
    "Joint stand at the Cap-Haïtien fair",
    "Women-led agro-enterprises",
    "What worked in year one",
    "Selling services to cooperatives",
    "Transport costs on the northern roads",
    "Buyer panel: what exporters look for",
    "Sharing clients between providers",
    "Honey and beekeeping services",
    "Rice irrigation fees",
    "Working with the municipal markets",
    "Radio and WhatsApp marketing",
    "Peer review of business plans",
    "Rules on pesticide imports",
    "Dairy collection points",
    "Coffee rust and replanting",
    "Lessons from partners who left",
    "Plans for the dry season",
    "Cocoa fermentation centres",
    "Planning the coming year",
    "Price information for farmers",
    "Agro-dealer networks",
]
WORKSHOP_TOPICS = [
    "Mapping who serves smallholders",
    "Market-system constraints in cocoa",
    "Designing paid extension services",
    "Co-investment: who pays for what",
    "Reading the mid-term results",
    "Gender in agricultural services",
    "Scaling what works",
    "Partnerships with municipal authorities",
    "Learning from dropped partners",
    "Sustainability after the programme",
    "Next-phase priorities",
]
TRAININGS: list[tuple[datetime.date, str]] = [
    (D(2024, 4, 17), "Training: costing and pricing your services"),
    (D(2024, 7, 10), "Training: record keeping for agro-dealers"),
    (D(2024, 10, 9), "Training: integrated pest management for mango"),
    (D(2025, 1, 29), "Training: selling to farmer groups"),
    (D(2025, 4, 23), "Training: business planning"),
    (D(2025, 7, 16), "Training: digital payments and mobile money"),
    (D(2025, 10, 8), "Training: post-harvest handling of cocoa"),
    (D(2026, 1, 21), "Training: customer care and after-sales visits"),
    (D(2026, 4, 22), "Training: preparing a loan application"),
    (D(2026, 7, 8), "Training: marketing services on radio and social media"),
    (D(2026, 10, 21), "Training: keeping the business going through a hurricane"),
]
VENUES = [
    "Cap-Haïtien, Chamber of Commerce hall",
    "Limbé, parish hall",
    "Fort-Liberté, agricultural office",
    "Cap-Haïtien, programme office",
]

# Contacts.
FIRST_NAMES = [
    "Jean-Robert",
    "Marie-Lourdes",
    "Guerline",
    "Wilfrid",
    "Jocelyne",
    "Roselaure",
    "Frantz",
    "Yvenel",
    "Marjorie",
    "Evens",
    "Nadine",
    "Kettly",
    "Dieuseul",
    "Claudette",
    "Jacques",
    "Lovely",
    "Wisly",
    "Fritznel",
    "Mirlande",
    "Stéphanie",
    "Ricardo",
    "Gaëlle",
    "Ketia",
    "Louinès",
    "Rose-Andrée",
    "Fednel",
    "Magalie",
    "Osner",
    "Tamara",
    "Carline",
]
LAST_NAMES = [
    "Joseph",
    "Jean-Louis",
    "Pierre-Louis",
    "Saint-Fleur",
    "Dorsainvil",
    "Augustin",
    "Célestin",
    "Toussaint",
    "Étienne",
    "Delva",
    "Fils-Aimé",
    "Jean-Pierre",
    "Michel",
    "Noël",
    "Laguerre",
    "Alexis",
    "Bien-Aimé",
    "Jeune",
    "Mompremier",
    "Dorvil",
    "Casséus",
    "Florestal",
    "Thélusma",
    "Vilsaint",
]
ROLES_BY_TYPE: dict[str, list[str]] = {
    OrganizationType.PRODUCER_GROUP: ["President", "Secretary", "Treasurer", "Field agent"],
    OrganizationType.FINANCIAL: ["Branch manager", "Agricultural loan officer", "Credit analyst"],
    OrganizationType.LEAD_FIRM: ["Managing director", "Purchasing manager", "Quality manager"],
}
DEFAULT_ROLES = ["Director", "Operations manager", "Field coordinator", "Finance officer", "Agronomist"]

# Other initiatives working with the same partners (invented projects and funders).
INITIATIVES: list[dict[str, Any]] = [
    {
        "name": "Tè Fèm Resilience Project",
        "funder": "Northern Rural Partnerships Agency",
        "description": "Soil conservation and climate-resilient farming in the Nord and Nord-Est.",
        "starts_on": D(2023, 4, 1),
        "ends_on": D(2027, 3, 31),
        "types": [OrganizationType.PRODUCER_GROUP, OrganizationType.SERVICE_PROVIDER],
        "size": (12, 20),
        "how": ["Soil conservation training", "Small equipment grants", "Tree nurseries"],
        "notes": "Quarterly call with their field lead since March 2025. They fund equipment, we coach "
        "the providers who sell services around it; invitations to each other's events are shared.",
    },
    {
        "name": "Agri-Finance Bridge",
        "funder": "Caribbean Inclusive Finance Facility",
        "description": "Partial credit guarantees and loan-officer training for agricultural lending.",
        "starts_on": D(2024, 6, 1),
        "ends_on": D(2028, 5, 31),
        "types": [OrganizationType.FINANCIAL, OrganizationType.AWARDEE, OrganizationType.LEAD_FIRM],
        "size": (6, 12),
        "how": ["Credit guarantee", "Loan-officer training", "Loan product design"],
        "notes": "Good fit: we refer partners who need credit, they share anonymised loan data. Watch "
        "for double counting of the same loans in both projects' reports.",
    },
    {
        "name": "Fanm Antreprenè Nò",
        "funder": "Solidarity Enterprise Foundation",
        "description": "Business coaching and seed capital for women-led agro-enterprises.",
        "starts_on": D(2024, 1, 15),
        "ends_on": D(2026, 12, 31),
        "types": [
            OrganizationType.AWARDEE,
            OrganizationType.PRODUCER_GROUP,
            OrganizationType.SERVICE_PROVIDER,
        ],
        "size": (8, 15),
        "how": ["Seed capital", "One-to-one business coaching", "Women's leadership course"],
        "notes": "Their seed capital made some partners expect the same from us; agreed a joint message "
        "on what each project offers. Closing at the end of 2026: plan a hand-over of their clients.",
    },
    {
        "name": "Cocoa Origin Quality Programme",
        "funder": "Fine Cocoa Origins Trust",
        "description": "Fermentation centres, quality premiums and certification for northern cocoa.",
        "starts_on": D(2022, 10, 1),
        "ends_on": D(2026, 9, 30),
        "types": [
            OrganizationType.LEAD_FIRM,
            OrganizationType.PRODUCER_GROUP,
            OrganizationType.SERVICE_PROVIDER,
        ],
        "size": (5, 10),
        "how": ["Fermentation centre equipment", "Certification costs", "Quality training"],
        "notes": "Strong overlap with our cocoa work; they ended in September 2026 and two of their "
        "partners asked us to take over the quality training.",
    },
    {
        "name": "Youth Agri-Skills North",
        "funder": "Atlantic Skills Fund",
        "description": "Apprenticeships for young technicians placed with agricultural service providers.",
        "starts_on": D(2025, 2, 1),
        "ends_on": D(2028, 1, 31),
        "types": [OrganizationType.SERVICE_PROVIDER, OrganizationType.AWARDEE],
        "size": (10, 22),
        "how": ["Apprentice placement", "Stipends for apprentices", "Technical curriculum"],
        "notes": "They also train service providers, which confused some partners about who does what. "
        "Since mid-2025 we invite them to the round table and split the topics: they cover technical "
        "skills, we cover business and market links.",
    },
]

VALUE_TEXTS: dict[str, list[str]] = {
    ValueKind.LEADS: ["Buyer leads from the round table", "Referrals from another partner"],
    ValueKind.CONTRACTS: [
        "Supply contract with an exporter",
        "Service contract with a cooperative union",
        "Seasonal spraying contract",
    ],
    ValueKind.CLIENTS: ["New farmer clients for its services", "New cooperative clients"],
    ValueKind.VISIBILITY: [
        "Presented its model at the regional fair",
        "Featured on a local radio farm programme",
        "Quoted in the programme's newsletter",
    ],
    ValueKind.SKILLS: ["Staff now keep monthly accounts", "Uses a costing sheet for every service"],
}


@dataclass
class _Story:
    """One partnership's engagement over the demo period."""

    org: Organization
    profile: str
    facilitator: Any
    steps: list[tuple[datetime.date, str, str]] = field(default_factory=list)  # (date, segment, reason)
    until: datetime.date | None = None
    fade_start: datetime.date | None = None
    last_talk: datetime.date | None = None  # fading partners: their last one-to-one conversation
    expects_support: str = ""  # "shifts" or "stays" when it first expects money or material
    partner_share: float = 0.4  # its target share of the support ledger
    core: bool = False  # invited to every round table
    partnership: Partnership | None = None
    contacts: list[Contact] = field(default_factory=list)
    talks: list[Interaction] = field(default_factory=list)

    @property
    def since(self) -> datetime.date:
        return self.steps[0][0]

    @property
    def end(self) -> datetime.date:
        return min(self.until or DEMO_TODAY, DEMO_TODAY)

    @property
    def segment(self) -> str:
        return self.steps[-1][1]

    def segment_on(self, day: datetime.date) -> str | None:
        if day < self.since or (self.until is not None and day > self.until):
            return None
        current = None
        for changed_on, segment, _reason in self.steps:
            if changed_on > day:
                break
            current = segment
        return current

    def fade(self, day: datetime.date) -> float:
        """0 before the partner starts drifting away, 1 on DEMO_TODAY."""
        if self.fade_start is None or day < self.fade_start:
            return 0.0
        return min(1.0, (day - self.fade_start).days / max(1, (DEMO_TODAY - self.fade_start).days))


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def _between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + _days(rng.randint(0, max(0, (end - start).days)))


def _at(day: datetime.date, rng: random.Random) -> datetime.datetime:
    return datetime.datetime(
        day.year, day.month, day.day, rng.randint(8, 17), rng.randint(0, 59), tzinfo=datetime.UTC
    )


def _money(value: float, step: int = 10) -> Decimal:
    return Decimal(max(step, int(round(value / step)) * step))


def _next_month(day: datetime.date) -> datetime.date:
    return D(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _stamp(row: Any, day: datetime.date, by: Any, program: Program, rng: random.Random) -> Any:
    """Tenant bookkeeping for a seed row: programme, author and a creation time on its own date."""
    row.program = program
    row.created_by = row.updated_by = by
    row.created_at = row.updated_at = _at(min(day, DEMO_TODAY), rng)
    return row


# --- organisations ------------------------------------------------------------------------------


def _organizations(program: Program, ctx: DemoContext) -> list[Organization]:
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
                    normalized_name=normalize_name(name),
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
    return rows


# --- stories and partnerships -------------------------------------------------------------------


def _stories(rows: list[Organization], ctx: DemoContext) -> list[_Story]:
    rng = ctx.rng
    staff = [ctx.users["facilitator"], ctx.users["facilitator2"], ctx.users["owner"]]
    pool = {t: rng.sample([r for r in rows if r.type == t], n) for t, n in PARTNER_QUOTA.items()}
    chosen: list[tuple[Organization, str]] = []
    for profile, org_type, count in SPECIAL_STORIES:
        chosen += [(pool[org_type].pop(), profile) for _ in range(count)]
    # The organisation the demo partner user speaks for: an active producer group, at every round table.
    partner_org = pool[OrganizationType.PRODUCER_GROUP].pop()
    chosen.append((partner_org, ACTIVE))
    rest = [org for org_type in PARTNER_QUOTA for org in pool[org_type]]
    rng.shuffle(rest)
    profiles = [p for p, n in OTHER_STORIES for _ in range(n)]
    profiles += [ACTIVE] * (len(rest) - len(profiles))
    chosen += list(zip(rest, profiles, strict=True))

    stories = []
    for org, profile in chosen:
        facilitator = rng.choices(staff, weights=[45, 40, 15])[0]
        story = _Story(org=org, profile=profile, facilitator=facilitator)
        _timeline(story, rng)
        stories.append(story)
    stories.sort(key=lambda s: s.org.name)

    by_profile: dict[str, list[_Story]] = {}
    for story in stories:
        by_profile.setdefault(story.profile, []).append(story)
    # Demotivation of year one: a few partners first expect money or equipment.
    for story in rng.sample(by_profile[WAIT], 2) + rng.sample(by_profile[DORMANT], 1):
        story.expects_support = "stays"
    rng.choice(by_profile[FADING]).expects_support = "stays"
    for story in rng.sample([s for s in by_profile[ACTIVE] if s.org is not partner_org], 3):
        story.expects_support = "shifts"
    # Partner shares of the ledger; a few lean on the programme for most of the cost.
    share_range = {
        CHAMPION: (0.5, 0.65),
        EXITING: (0.55, 0.7),
        ACTIVE: (0.35, 0.6),
        FADING: (0.4, 0.55),
        WAIT: (0.36, 0.48),
        PROSPECT: (0.36, 0.48),
        DORMANT: (0.3, 0.45),
        EXITED: (0.4, 0.6),
        PLACEHOLDER: (0.3, 0.4),
    }
    for story in stories:
        low, high = share_range[story.profile]
        if story.org.type == OrganizationType.LEAD_FIRM:
            low, high = low + 0.15, high + 0.15
        story.partner_share = rng.uniform(low, high)
    leaning = [s for s in by_profile[ACTIVE] + by_profile[WAIT] if s.org.type == OrganizationType.AWARDEE]
    for story in rng.sample(leaning, 4):
        story.partner_share = rng.uniform(0.08, 0.2)
    # Core round-table invitees: champions, the partners about to fade, the partner user's organisation
    # and a dozen regulars.
    regulars = rng.sample([s for s in by_profile[ACTIVE] if s.org is not partner_org], 12)
    for story in by_profile[CHAMPION] + by_profile[FADING] + regulars + rng.sample(by_profile[WAIT], 3):
        story.core = True
    for story in stories:
        if story.org is partner_org:
            story.core = True
    return stories


def _step(story: _Story, day: datetime.date, segment: str, rng: random.Random) -> None:
    previous = story.steps[-1][1] if story.steps else ""
    day = max(day, story.steps[-1][0] + _days(30)) if story.steps else day
    day = min(day, DEMO_TODAY - _days(5))
    options = REASONS.get((previous, segment)) or [""]
    story.steps.append((day, segment, rng.choice(options)))


def _timeline(story: _Story, rng: random.Random) -> None:
    """Segment history: the initial segment and zero to three changes."""
    profile = story.profile
    launch = rng.random() < (0.7 if profile in {CHAMPION, EXITING, EXITED, DORMANT} else 0.5)
    since = (
        _between(rng, D(2024, 1, 8), D(2024, 3, 29))
        if launch
        else _between(rng, D(2024, 4, 1), D(2025, 5, 30))
    )
    if profile in {CHAMPION, EXITING, EXITED, DORMANT}:
        since = min(since, D(2024, 8, 30))
    if profile == PROSPECT:
        _step(story, _between(rng, D(2026, 1, 10), D(2026, 9, 30)), Segment.PROSPECT, rng)
    elif profile == PLACEHOLDER:
        _step(story, _between(rng, D(2024, 3, 1), D(2025, 10, 31)), Segment.PLACEHOLDER, rng)
    elif profile == CHAMPION:
        if rng.random() < 0.5:
            _step(story, since, Segment.PROSPECT, rng)
            _step(story, since + _days(rng.randint(60, 150)), Segment.ACTIVE, rng)
        else:
            _step(story, since, Segment.ACTIVE, rng)
        _step(story, _between(rng, D(2025, 2, 1), D(2025, 10, 31)), Segment.CHAMPION, rng)
    elif profile in {ACTIVE, FADING}:
        variant = rng.random()
        if variant < 0.35 or profile == FADING and variant < 0.5:
            _step(story, since, Segment.PROSPECT, rng)
            _step(story, since + _days(rng.randint(60, 180)), Segment.ACTIVE, rng)
        elif variant < 0.65 and since < D(2024, 6, 1) and profile == ACTIVE:
            _step(story, since, Segment.ACTIVE, rng)
            _step(story, _between(rng, D(2024, 7, 15), D(2024, 11, 30)), Segment.WAIT_AND_SEE, rng)
            _step(story, _between(rng, D(2025, 2, 1), D(2025, 6, 30)), Segment.ACTIVE, rng)
        else:
            _step(story, since, Segment.ACTIVE, rng)
    elif profile == WAIT:
        if rng.random() < 0.5:
            _step(story, since, Segment.PROSPECT, rng)
            _step(story, since + _days(rng.randint(90, 240)), Segment.WAIT_AND_SEE, rng)
        else:
            _step(story, since, Segment.ACTIVE, rng)
            _step(story, _between(rng, D(2024, 8, 1), D(2025, 8, 31)), Segment.WAIT_AND_SEE, rng)
    elif profile == DORMANT:
        first = Segment.ACTIVE if rng.random() < 0.6 else Segment.PROSPECT
        _step(story, since, first, rng)
        if first == Segment.ACTIVE and rng.random() < 0.5:
            _step(story, _between(rng, D(2024, 7, 1), D(2025, 3, 31)), Segment.WAIT_AND_SEE, rng)
        _step(story, _between(rng, D(2024, 10, 1), D(2026, 4, 30)), Segment.DORMANT, rng)
    elif profile == EXITING:
        _step(story, since, Segment.ACTIVE, rng)
        _step(story, _between(rng, D(2024, 10, 1), D(2025, 6, 30)), Segment.CHAMPION, rng)
        _step(story, _between(rng, D(2026, 5, 1), D(2026, 10, 15)), Segment.EXITING, rng)
    elif profile == EXITED:
        _step(story, since, Segment.ACTIVE, rng)
        if rng.random() < 0.5:
            _step(story, _between(rng, D(2025, 1, 1), D(2025, 12, 31)), Segment.EXITING, rng)
        _step(story, _between(rng, D(2025, 4, 1), D(2026, 8, 31)), Segment.EXITED, rng)
        story.until = story.steps[-1][0]
    if profile == FADING:
        story.fade_start = DEMO_TODAY - _days(rng.randint(200, 270))
        story.last_talk = DEMO_TODAY - _days(rng.randint(80, 150))
        if rng.random() < 0.3:  # the team has noticed: moved to wait-and-see a few weeks ago
            _step(story, DEMO_TODAY - _days(rng.randint(20, 45)), Segment.WAIT_AND_SEE, rng)


def _partnerships(program: Program, stories: list[_Story], rng: random.Random) -> None:
    notes = {
        CHAMPION: "Regularly brings peers to the round table; a good example to show others.",
        EXITING: "Rolling exit: support is tapering off as its business stands on its own.",
        PLACEHOLDER: "On the list mainly for reporting; no working relationship yet.",
    }
    rows = []
    for story in stories:
        row = Partnership(
            organization=story.org,
            segment=story.segment,
            since=story.since,
            until=story.until,
            facilitator=story.facilitator,
            notes=notes.get(story.profile, ""),
        )
        rows.append(_stamp(row, story.since, story.facilitator, program, rng))
        story.partnership = row
    Partnership.objects.bulk_create(rows, batch_size=500)
    changes = []
    for story in stories:
        previous = ""
        for changed_on, segment, reason in story.steps:
            change = SegmentChange(
                partnership=story.partnership,
                previous_segment=previous,
                segment=segment,
                changed_on=changed_on,
                reason=reason,
            )
            changes.append(_stamp(change, changed_on, story.facilitator, program, rng))
            previous = segment
    SegmentChange.objects.bulk_create(changes, batch_size=500)


def _contacts(program: Program, stories: list[_Story], ctx: DemoContext) -> None:
    rng = ctx.rng
    partner_user = ctx.users["partner"]
    emails: set[str] = set()
    rows = []
    for story in stories:
        roles = list(ROLES_BY_TYPE.get(story.org.type, DEFAULT_ROLES))
        rng.shuffle(roles)
        count = 1 if story.profile == PLACEHOLDER else rng.choice([1, 2, 2, 3])
        for i in range(count):
            if i == 0 and story.core and story.org is ctx.data.get("partner_organization"):
                first, last = partner_user.first_name, partner_user.last_name
            else:
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            local = ".".join(normalize_name(part).replace(" ", "-") for part in (first, last))
            email, n = f"{local}@example.org", 2
            while email in emails:
                email, n = f"{local}{n}@example.org", n + 1
            emails.add(email)
            contact = Contact(
                organization=story.org,
                name=f"{first} {last}",
                role=roles[i % len(roles)],
                phone=f"+509 3{rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                email=email if rng.random() < 0.8 else "",
            )
            rows.append(_stamp(contact, story.since, story.facilitator, program, rng))
            story.contacts.append(contact)
    Contact.objects.bulk_create(rows, batch_size=500)


def _agreements(
    program: Program, stories: list[_Story], rng: random.Random
) -> list[tuple[_Story, Agreement]]:
    """MoUs with most working partners, grants to some awardees, cost-share with a few firms. Returns
    the grants and cost-share agreements (their money shows in the ledger)."""
    rows = []
    funded: list[tuple[_Story, Agreement]] = []
    grant_purposes = [
        "solar irrigation service",
        "mobile spraying unit",
        "input shop extension",
        "mango drying line",
        "seedling nursery",
        "cocoa fermentation boxes",
        "honey extraction room",
        "mechanised ploughing service",
    ]
    cost_share_purposes = [
        "extension agents for outgrowers",
        "buyer-led quality training",
        "collection points for smallholders",
        "demonstration plots",
    ]
    for story in stories:
        short = story.org.acronym or story.org.name
        if story.profile not in {PROSPECT, PLACEHOLDER, DORMANT} and rng.random() < 0.45:
            signed = story.since + _days(rng.randint(10, 90))
            row = Agreement(
                partnership=story.partnership,
                kind=AgreementKind.MOU,
                title=f"Memorandum of understanding with {short}",
                signed_on=signed,
                starts_on=signed,
                ends_on=D(2028, 12, 31),
            )
            rows.append(_stamp(row, signed, story.facilitator, program, rng))
        if story.org.type == OrganizationType.AWARDEE and (
            story.partner_share < 0.25 or (story.profile in {ACTIVE, CHAMPION, FADING} and rng.random() < 0.3)
        ):
            # The partners that lean on the programme hold a recent grant; others had one earlier.
            window = (
                (D(2025, 9, 1), D(2026, 2, 28))
                if story.partner_share < 0.25
                else (D(2024, 4, 1), D(2025, 3, 31))
            )
            signed = _between(rng, max(story.since, window[0]), max(story.since, window[1]))
            row = Agreement(
                partnership=story.partnership,
                kind=AgreementKind.GRANT,
                title=f"Innovation grant: {rng.choice(grant_purposes)}",
                signed_on=signed,
                starts_on=signed + _days(14),
                ends_on=signed + _days(rng.choice([365, 450, 540])),
                amount=_money(rng.randint(8, 40) * 1000, 500),
            )
            rows.append(_stamp(row, signed, story.facilitator, program, rng))
            funded.append((story, row))
        elif story.org.type == OrganizationType.LEAD_FIRM and story.profile in {CHAMPION, ACTIVE, EXITING}:
            signed = _between(rng, story.since + _days(60), D(2025, 12, 31))
            row = Agreement(
                partnership=story.partnership,
                kind=AgreementKind.COST_SHARE,
                title=f"Cost-share: {rng.choice(cost_share_purposes)}",
                signed_on=signed,
                starts_on=signed + _days(30),
                ends_on=signed + _days(395),
                amount=_money(rng.randint(15, 60) * 1000, 500),
            )
            rows.append(_stamp(row, signed, story.facilitator, program, rng))
            funded.append((story, row))
    Agreement.objects.bulk_create(rows, batch_size=500)
    return funded


# --- interactions -------------------------------------------------------------------------------


def _attend_chance(story: _Story, day: datetime.date, kind: str) -> float:
    segment = story.segment_on(day)
    if segment is None:
        return 0.0
    chance = LEVELS[segment][1] * _climate(day)[1]
    if kind == InteractionKind.TRAINING and story.org.type in {
        OrganizationType.SERVICE_PROVIDER,
        OrganizationType.AWARDEE,
    }:
        chance += 0.08
    if story.profile == CHAMPION and day >= D(2025, 1, 1):
        # Champions hardly ever miss a meeting, and not one in the last half-year.
        chance = 1.0 if day > DEMO_TODAY - _days(200) else 0.95
    if story.fade_start is not None and day >= story.fade_start:
        # Drifting away: shows up less and less, and not at all once the conversations have stopped.
        if day > DEMO_TODAY - _days(95):
            chance = 0.0 if story.last_talk is None or day > story.last_talk else 0.15
        else:
            chance *= 1 - 0.6 * story.fade(day)
    return chance if story.profile == CHAMPION else min(0.97, chance)


def _event_specs(rng: random.Random) -> list[tuple[str, str, datetime.date, str, str, EventSeries | None]]:
    """(kind, title, date, location, theme, series) of every round table, workshop and training."""
    specs: list[tuple[str, str, datetime.date, str, str, EventSeries | None]] = []
    topics = list(ROUND_TABLE_TOPICS)
    # Year one: a round table each quarter, before the team moved to a monthly rhythm.
    for day in [D(2024, 2, 20), D(2024, 5, 21), D(2024, 8, 20), D(2024, 11, 19)]:
        specs.append(
            (InteractionKind.ROUND_TABLE, "Partnership round table", day, VENUES[0], topics.pop(0), None)
        )
    round_tables = EventSeries(
        title="Monthly partnership round table",
        kind=InteractionKind.ROUND_TABLE,
        frequency=Frequency.MONTHLY,
        starts_on=D(2025, 1, 14),
        occurrences=24,
        location=VENUES[0],
    )
    for i in range(round_tables.occurrences):
        day = D(2025 + i // 12, i % 12 + 1, 14)
        specs.append((round_tables.kind, round_tables.title, day, VENUES[0], topics.pop(0), round_tables))
    workshops = EventSeries(
        title="Quarterly learning workshop",
        kind=InteractionKind.WORKSHOP,
        frequency=Frequency.QUARTERLY,
        starts_on=D(2024, 3, 26),
        occurrences=len(WORKSHOP_TOPICS),
        location=VENUES[1],
    )
    for i, theme in enumerate(WORKSHOP_TOPICS):
        month = 2 + 3 * i
        day = D(2024 + month // 12, month % 12 + 1, 26)
        specs.append((workshops.kind, workshops.title, day, VENUES[1], theme, workshops))
    for day, title in TRAININGS:
        specs.append(
            (InteractionKind.TRAINING, title, day, rng.choice(VENUES), title.split(": ", 1)[1], None)
        )
    return specs


def _events(program: Program, stories: list[_Story], ctx: DemoContext) -> None:
    rng = ctx.rng
    staff = [ctx.users["facilitator"], ctx.users["facilitator2"], ctx.users["owner"]]
    specs = _event_specs(rng)
    series = {id(s[5]): s[5] for s in specs if s[5] is not None}
    for row in series.values():
        _stamp(row, row.starts_on - _days(20), ctx.users["owner"], program, rng)
    EventSeries.objects.bulk_create(list(series.values()))

    events: list[Interaction] = []
    invitations: list[list[tuple[_Story, str]]] = []
    for kind, title, day, location, theme, event_series in specs:
        eligible = [s for s in stories if s.segment_on(day) in INVITABLE]
        if kind == InteractionKind.ROUND_TABLE:
            invited = [s for s in eligible if s.core]
            size = rng.randint(24, 38)
        elif kind == InteractionKind.WORKSHOP:
            invited = [s for s in eligible if s.core and s.profile in {CHAMPION, FADING}]
            size = rng.randint(25, 40)
        else:
            invited = [s for s in eligible if s.profile == FADING]
            eligible = [s for s in eligible if s.org.type != OrganizationType.FINANCIAL]
            size = rng.randint(15, 28)
        others = [s for s in eligible if s not in invited]
        invited += rng.sample(others, max(0, min(len(others), size - len(invited))))
        invited.sort(key=lambda s: s.org.name)
        statuses: list[tuple[_Story, str]] = []
        for story in invited:
            if day > DEMO_TODAY:
                status = Attendance.INVITED
            elif rng.random() < _attend_chance(story, day, kind):
                status = Attendance.ATTENDED
            else:
                no_show = 0.75 if story.fade(day) > 0 else 0.45
                status = Attendance.NO_SHOW if rng.random() < no_show else Attendance.EXCUSED
            statuses.append((story, status))
        came = sum(1 for _s, status in statuses if status == Attendance.ATTENDED)
        if day > DEMO_TODAY:
            notes = "Invitations sent; attendance will be taken on the day."
        else:
            notes = f"{came} of {len(invited)} invited partners came. Theme: {theme}."
        event = Interaction(
            kind=kind,
            title=title,
            occurred_on=day,
            duration_minutes=180 if kind != InteractionKind.TRAINING else 360,
            location=location,
            topics=theme,
            notes=notes,
            series=event_series,
        )
        events.append(_stamp(event, day, rng.choice(staff[:2]), program, rng))
        invitations.append(statuses)
    Interaction.objects.bulk_create(events, batch_size=500)

    participations = []
    facilitator_links = []
    through = Interaction.facilitators.through
    for event, statuses in zip(events, invitations, strict=True):
        participations += [
            Participation(program=program, interaction=event, organization=s.org, status=status)
            for s, status in statuses
        ]
        for user in rng.sample(staff, 2):
            facilitator_links.append(through(interaction_id=event.pk, user_id=user.pk))
    Participation.objects.bulk_create(participations, batch_size=1000)
    through.objects.bulk_create(facilitator_links, batch_size=1000)


def _talk_days(story: _Story, rng: random.Random) -> list[datetime.date]:
    """Dates of the one-to-one conversations, calls and visits with one partner."""
    if story.profile == PLACEHOLDER:
        return [story.since + _days(rng.randint(5, 40))] if rng.random() < 0.5 else []
    days = [story.since]  # the introductory conversation
    month = story.since.replace(day=1)
    while month <= story.end:
        segment = story.segment_on(max(month, story.since))
        if segment is not None:
            rate = LEVELS[segment][0] / 3 * _climate(month)[0] * (1 - 0.75 * story.fade(month))
            count = int(rate) + (1 if rng.random() < rate - int(rate) else 0)
            last = min(_next_month(month) - _days(1), story.end)
            first = max(month, story.since + _days(1))
            days += [_between(rng, first, last) for _ in range(count) if first <= last]
        month = _next_month(month)
    if story.last_talk is not None:
        days = [d for d in days if d < story.last_talk] + [story.last_talk]
    elif story.profile == CHAMPION or (story.core and story.profile == ACTIVE):
        days.append(DEMO_TODAY - _days(rng.randint(2, 14)))
    elif story.profile in {ACTIVE, EXITING} and max(days) < DEMO_TODAY - _days(50) and rng.random() < 0.85:
        days.append(DEMO_TODAY - _days(rng.randint(3, 45)))
    return sorted(set(days))


def _sentiment(story: _Story, day: datetime.date, rng: random.Random) -> int | None:
    segment = story.segment_on(day) or Segment.ACTIVE
    mean = LEVELS[segment][2] + _climate(day)[2] - 2.6 * story.fade(day)
    if story.expects_support == "stays":
        mean -= 0.5
    fading = story.fade(day) > 0
    if not fading and rng.random() < 0.15:
        return None
    return max(-2, min(2, round(rng.gauss(mean, 0.7))))


def _one_to_ones(program: Program, stories: list[_Story], ctx: DemoContext) -> None:
    rng = ctx.rng
    staff = [ctx.users["facilitator"], ctx.users["facilitator2"], ctx.users["owner"]]
    kinds = [InteractionKind.CONVERSATION, InteractionKind.CALL, InteractionKind.VISIT]
    talks: list[tuple[_Story, Interaction]] = []
    for story in stories:
        for i, day in enumerate(_talk_days(story, rng)):
            kind = rng.choices(kinds, weights=[45, 35, 20])[0]
            sentiment = _sentiment(story, day, rng)
            chosen = rng.sample(TOPICS, rng.randint(1, 3))
            if story.fade(day) > 0.3:
                notes = rng.choice(FADING_NOTES)
                chosen[0] = rng.choice(["staff turnover", "other donor projects", "payment delays"])
            else:
                notes = rng.choice(NOTES_BY_TONE[sentiment if sentiment is not None else 0])
            title = "Introductory conversation" if i == 0 else chosen[0].capitalize()
            if kind == InteractionKind.VISIT:
                location = story.org.town
            elif kind == InteractionKind.CONVERSATION:
                location = rng.choice([story.org.town, VENUES[3]])
            else:
                location = ""
            talk = Interaction(
                kind=kind,
                title=title,
                occurred_on=day,
                duration_minutes={"call": rng.randint(10, 40), "visit": rng.randint(90, 180)}.get(
                    kind, rng.randint(45, 90)
                ),
                location=location,
                topics=", ".join(chosen),
                notes=notes,
                sentiment=sentiment,
                commitments=rng.choice(COMMITMENTS)
                if sentiment is not None and sentiment > 0 and rng.random() < 0.35
                else "",
            )
            talks.append((story, _stamp(talk, day, story.facilitator, program, rng)))
            story.talks.append(talk)
    Interaction.objects.bulk_create([t for _s, t in talks], batch_size=500)

    participations = []
    facilitator_links = []
    contact_links = []
    facilitators = Interaction.facilitators.through
    people = Interaction.contacts.through
    follow_ups = []
    for story, talk in talks:
        participations.append(
            Participation(
                program=program, interaction=talk, organization=story.org, status=Attendance.ATTENDED
            )
        )
        facilitator_links.append(facilitators(interaction_id=talk.pk, user_id=story.facilitator.pk))
        if rng.random() < 0.2:
            other = rng.choice([u for u in staff if u.pk != story.facilitator.pk])
            facilitator_links.append(facilitators(interaction_id=talk.pk, user_id=other.pk))
        if story.contacts:
            contact_links.append(people(interaction_id=talk.pk, contact_id=rng.choice(story.contacts).pk))
        follow_up = _follow_up(story, talk, staff, rng)
        if follow_up is not None:
            follow_ups.append(_stamp(follow_up, talk.occurred_on, story.facilitator, program, rng))
    Participation.objects.bulk_create(participations, batch_size=1000)
    facilitators.objects.bulk_create(facilitator_links, batch_size=1000)
    people.objects.bulk_create(contact_links, batch_size=1000)
    FollowUp.objects.bulk_create(follow_ups, batch_size=1000)


def _follow_up(story: _Story, talk: Interaction, staff: list[Any], rng: random.Random) -> FollowUp | None:
    fading = story.fade(talk.occurred_on) > 0
    if rng.random() > (0.7 if fading else 0.4):
        return None
    due = talk.occurred_on + _days(rng.randint(7, 30))
    owner = story.facilitator if rng.random() < 0.85 else rng.choice(staff)
    roll = rng.random()
    if fading:
        done = None if roll < 0.55 else due + _days(rng.randint(3, 30)) if roll < 0.85 else due
    elif roll < 0.8:
        done = due - _days(rng.randint(0, (due - talk.occurred_on).days))
    elif roll < 0.98 or due < DEMO_TODAY - _days(90):
        done = due + _days(rng.randint(1, 25))
    else:
        done = None  # slipped through recently
    if done is not None and done > DEMO_TODAY:
        done = None
    return FollowUp(
        organization=story.org,
        interaction=talk,
        description=rng.choice(FOLLOW_UPS),
        owner=owner,
        due_on=due,
        done_on=done,
    )


# --- drivers, ledger, value -------------------------------------------------------------------------


def _driver_notes(program: Program, stories: list[_Story], rng: random.Random) -> None:
    rows = []

    def note(
        story: _Story, category: str, kind: str, text: str, talk: Interaction | None, day: datetime.date
    ) -> None:
        row = DriverNote(
            partnership=story.partnership,
            category=category,
            kind=kind,
            note=text,
            recorded_on=day,
            interaction=talk,
        )
        rows.append(_stamp(row, day, story.facilitator, program, rng))

    for story in stories:
        talks = story.talks
        if not talks:
            continue
        first = talks[0]
        category, kind, text = rng.choice([n for n in FIRST_NOTES if n[0] == DriverCategory.DRIVER])
        note(story, category, kind, text, first, first.occurred_on)
        asked = ""
        if story.expects_support:
            asked, text = rng.choice(SUPPORT_ASKS)
            note(story, DriverCategory.EXPECTATION, asked, text, first, first.occurred_on)
        else:
            category, kind, text = rng.choice([n for n in FIRST_NOTES if n[0] != DriverCategory.DRIVER])
            note(story, category, kind, text, first, first.occurred_on)
        later = talks[1:]
        if not later:
            continue
        extra = rng.randint(0, 2) if story.profile not in {CHAMPION, ACTIVE} else rng.randint(1, 3)
        picked = sorted(rng.sample(later, min(extra, len(later))), key=lambda t: t.occurred_on)
        for talk, (category, kind, text) in zip(picked, rng.sample(LATER_NOTES, len(picked)), strict=True):
            linked = talk if rng.random() < 0.7 else None
            note(story, category, kind, text, linked, talk.occurred_on)
        if story.expects_support == "shifts":
            talk = later[len(later) // 2]
            category, kind, text = rng.choice(SUPPORT_SHIFTS)
            note(story, category, kind, text, talk, talk.occurred_on)
        elif story.expects_support == "stays":
            talk = later[-1]
            kind, text = next(s for s in SUPPORT_STAYS if s[0] == asked)
            note(story, DriverCategory.EXPECTATION, kind, text, talk, talk.occurred_on)
    DriverNote.objects.bulk_create(rows, batch_size=1000)


GIVEN_KINDS = [SupportKind.TECHNICAL_ASSISTANCE, SupportKind.TRAINING, SupportKind.BROKERING]
GIVEN_TEXTS = {
    SupportKind.TECHNICAL_ASSISTANCE: [
        "Coaching on service pricing",
        "Business plan review",
        "Record-keeping set-up",
    ],
    SupportKind.TRAINING: ["Places at the quarterly training", "On-site training of field staff"],
    SupportKind.BROKERING: ["Introductions to buyers", "Meeting with a loan officer arranged"],
}
PUT_IN_TEXTS = {
    SupportKind.STAFF_TIME: ["Staff days at trainings and visits", "Focal person's time"],
    SupportKind.IN_KIND: [
        "Venue and lunch for the field day",
        "Own transport to events",
        "Demonstration plot",
    ],
    SupportKind.CASH: ["Co-financing of extension agents", "Share of the trainer's fees"],
}
QUARTER_GIVEN: dict[str, tuple[int, int]] = {
    Segment.CHAMPION: (1500, 4000),
    Segment.ACTIVE: (800, 2500),
    Segment.EXITING: (400, 1200),
    Segment.WAIT_AND_SEE: (200, 800),
    Segment.PROSPECT: (150, 500),
}


def _ledger(
    program: Program, stories: list[_Story], funded: list[tuple[_Story, Agreement]], rng: random.Random
) -> None:
    rows = []

    def line(story: _Story, direction: str, kind: str, value: Decimal, day: datetime.date, text: str) -> None:
        row = SupportEntry(
            partnership=story.partnership,
            direction=direction,
            kind=kind,
            value=value,
            occurred_on=day,
            description=text,
        )
        rows.append(_stamp(row, day, story.facilitator, program, rng))

    for story in stories:
        quarter = D(story.since.year, 3 * ((story.since.month - 1) // 3) + 1, 1)
        while quarter <= story.end:
            last = min(_next_month(_next_month(_next_month(quarter))) - _days(1), story.end)
            first = max(quarter, story.since)
            segment = story.segment_on(first)
            if segment in QUARTER_GIVEN and first <= last:
                low, high = QUARTER_GIVEN[segment]
                given = rng.uniform(low, high)
                for kind in rng.sample(GIVEN_KINDS, rng.choice([1, 2])):
                    value = _money(given / 2)
                    line(
                        story,
                        SupportDirection.GIVEN,
                        kind,
                        value,
                        _between(rng, first, last),
                        rng.choice(GIVEN_TEXTS[kind]),
                    )
                share = story.partner_share * (1 - 0.5 * story.fade(last))
                put_in = given * share / (1 - share) * rng.uniform(0.85, 1.15)
                if story.org.type == OrganizationType.LEAD_FIRM:
                    kinds = [SupportKind.CASH, SupportKind.STAFF_TIME]
                else:
                    kinds = [SupportKind.STAFF_TIME, SupportKind.IN_KIND]
                for kind in kinds[: rng.choice([1, 2])]:
                    value = _money(put_in / 2 if len(kinds) > 1 else put_in)
                    line(
                        story,
                        SupportDirection.CONTRIBUTED,
                        kind,
                        value,
                        _between(rng, first, last),
                        rng.choice(PUT_IN_TEXTS[kind]),
                    )
            quarter = _next_month(_next_month(_next_month(quarter)))
    for story, agreement in funded:
        assert agreement.amount is not None and agreement.starts_on is not None  # noqa: S101 - built above
        start = agreement.starts_on
        if agreement.kind == AgreementKind.GRANT:
            for part, offset in [(Decimal("0.6"), 0), (Decimal("0.4"), 180)]:
                day = start + _days(offset)
                if day <= DEMO_TODAY:
                    line(
                        story,
                        SupportDirection.GIVEN,
                        SupportKind.GRANT,
                        agreement.amount * part,
                        day,
                        agreement.title,
                    )
        else:
            for offset in [0, 120, 240]:
                day = start + _days(offset)
                if day <= DEMO_TODAY:
                    third = (agreement.amount / 3).quantize(Decimal("1"))
                    line(
                        story,
                        SupportDirection.CONTRIBUTED,
                        SupportKind.CASH,
                        third * Decimal("0.6"),
                        day,
                        agreement.title,
                    )
                    line(
                        story,
                        SupportDirection.GIVEN,
                        SupportKind.TECHNICAL_ASSISTANCE,
                        third * Decimal("0.4"),
                        day,
                        agreement.title,
                    )
    SupportEntry.objects.bulk_create(rows, batch_size=1000)


def _value_gained(program: Program, stories: list[_Story], rng: random.Random) -> None:
    rows = []
    counts = {CHAMPION: (3, 6), EXITING: (2, 5), EXITED: (1, 3), ACTIVE: (0, 3), FADING: (0, 2)}
    for story in stories:
        if story.profile not in counts:
            continue
        start = story.since + _days(120)
        if start >= story.end:
            continue
        for _ in range(rng.randint(*counts[story.profile])):
            kind = rng.choice(list(VALUE_TEXTS))
            text = rng.choice(VALUE_TEXTS[kind])
            value: Decimal | None = None
            if kind == ValueKind.CONTRACTS:
                value = _money(rng.randint(2, 30) * 1000, 100)
            elif kind == ValueKind.CLIENTS:
                text = f"{text}: {rng.randint(5, 60)}"
            elif kind == ValueKind.LEADS:
                text = f"{text} ({rng.randint(2, 6)})"
            day = _between(rng, start, story.end)
            row = ValueGained(
                partnership=story.partnership, kind=kind, description=text, value=value, occurred_on=day
            )
            rows.append(_stamp(row, day, story.facilitator, program, rng))
    ValueGained.objects.bulk_create(rows, batch_size=1000)


def _initiatives(program: Program, stories: list[_Story], ctx: DemoContext) -> None:
    rng = ctx.rng
    owner = ctx.users["owner"]
    initiatives = []
    supports = []
    for spec in INITIATIVES:
        initiative = Initiative(
            name=spec["name"],
            funder=spec["funder"],
            description=spec["description"],
            starts_on=spec["starts_on"],
            ends_on=spec["ends_on"],
            coordination_notes=spec["notes"],
        )
        initiatives.append(_stamp(initiative, max(spec["starts_on"], PROGRAMME_START), owner, program, rng))
        candidates = [s for s in stories if s.org.type in spec["types"]]
        for story in rng.sample(candidates, min(len(candidates), rng.randint(*spec["size"]))):
            support = InitiativeSupport(
                initiative=initiative, organization=story.org, how=rng.choice(spec["how"])
            )
            supports.append(_stamp(support, max(spec["starts_on"], story.since), owner, program, rng))
    Initiative.objects.bulk_create(initiatives)
    InitiativeSupport.objects.bulk_create(supports, batch_size=500)


def build_demo(program: Program, ctx: DemoContext) -> None:
    from .services import engagement_refresh

    rows = _organizations(program, ctx)
    stories = _stories(rows, ctx)
    for story in stories:  # an organisation is on record before its partnership starts
        known = _at(story.since - _days(ctx.rng.randint(3, 40)), ctx.rng)
        story.org.created_at = story.org.updated_at = min(story.org.created_at, known)
    Organization.objects.bulk_create(rows, batch_size=500)
    partner = next(
        s for s in stories if s.core and s.profile == ACTIVE and s.org.type == OrganizationType.PRODUCER_GROUP
    )
    ctx.data["partner_organization"] = partner.org

    _partnerships(program, stories, ctx.rng)
    _contacts(program, stories, ctx)
    funded = _agreements(program, stories, ctx.rng)
    _events(program, stories, ctx)
    _one_to_ones(program, stories, ctx)
    _driver_notes(program, stories, ctx.rng)
    _ledger(program, stories, funded, ctx.rng)
    _value_gained(program, stories, ctx.rng)
    _initiatives(program, stories, ctx)
    # Scores and warnings against the real date: the data stops at DEMO_TODAY, so a demo loaded soon
    # after shows the partners who faded in its last months on the early-warning list.
    engagement_refresh(program=program)
