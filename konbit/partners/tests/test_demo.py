"""The demo programme's partner data: what a visitor sees after `konbit demo`.

The demo is built once for the module (building it takes a few seconds), the facts the tests check are
read into plain values, and everything is rolled back. The engagement scores are recomputed for a fixed
day a week after the demo data stops, so these tests give the same answer whatever the real date is.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from typing import Any

import pytest

from konbit.core.demo import DEMO_SLUG, OTHER_SLUG, build_demo
from konbit.core.models import Membership, Program
from konbit.core.roles import Role
from konbit.core.transactions import service_transaction
from konbit.partners.demo import DEMO_TODAY
from konbit.partners.models import (
    ONE_TO_ONE_KINDS,
    Agreement,
    AgreementKind,
    Attendance,
    Contact,
    DriverKind,
    DriverNote,
    EngagementScore,
    EventSeries,
    FollowUp,
    Initiative,
    InitiativeSupport,
    Interaction,
    InteractionKind,
    Organization,
    Participation,
    Partnership,
    Segment,
    SegmentChange,
    SupportDirection,
    SupportEntry,
    ValueGained,
)
from konbit.partners.names import normalize_name
from konbit.partners.services import engagement_refresh

CHECK_DAY = DEMO_TODAY + datetime.timedelta(days=7)
FADING_WARNINGS = {"no_contact", "score_drop", "attendance_falling"}


class _Rollback(Exception):
    pass


def _signature(program: Program) -> dict[str, Any]:
    """What two builds with the same seed must share."""
    return {
        "organizations": list(
            Organization.objects.filter(program=program).order_by("name").values_list("name", "type", "town")
        ),
        "partnerships": list(
            Partnership.objects.filter(program=program)
            .order_by("organization__name")
            .values_list("organization__name", "segment", "since")
        ),
        "interactions": list(
            Interaction.objects.filter(program=program)
            .order_by("occurred_on", "kind", "title", "sentiment")
            .values_list("occurred_on", "kind", "title", "sentiment")
        ),
        "participations": Participation.objects.filter(program=program).count(),
        "follow_ups": FollowUp.objects.filter(program=program).count(),
        "ledger": SupportEntry.objects.filter(program=program).count(),
    }


def _facts(program: Program) -> dict[str, Any]:
    engagement_refresh(program=program, today=CHECK_DAY)
    partnerships = list(Partnership.objects.filter(program=program).select_related("organization"))
    interactions = Interaction.objects.filter(program=program)
    partner_org = Membership.objects.get(program=program, role=Role.PARTNER).organization
    round_table_statuses = Counter(
        Participation.objects.filter(
            program=program, interaction__kind=InteractionKind.ROUND_TABLE
        ).values_list("status", flat=True)
    )
    one_to_ones = interactions.filter(kind__in=ONE_TO_ONE_KINDS)
    return {
        "signature": _signature(program),
        "organizations": Organization.objects.filter(program=program).count(),
        "unnormalized": [
            o.name
            for o in Organization.objects.filter(program=program)
            if o.normalized_name != normalize_name(o.name)
        ],
        "partnerships": len(partnerships),
        "types": Counter(p.organization.type for p in partnerships),
        "segments": Counter(p.segment for p in partnerships),
        "facilitators": {p.facilitator.email for p in partnerships if p.facilitator},
        "warned": sorted(p.organization.name for p in partnerships if FADING_WARNINGS & set(p.warnings)),
        "strong": sorted(p.organization.name for p in partnerships if (p.score or 0) >= 70),
        "champions": [(p.score, p.warnings) for p in partnerships if p.segment == Segment.CHAMPION],
        "share_high": sum(1 for p in partnerships if "programme_share_high" in p.warnings),
        "history": Counter(
            SegmentChange.objects.filter(program=program).values_list("partnership_id", flat=True)
        ),
        "first_day": interactions.order_by("occurred_on").values_list("occurred_on", flat=True).first(),
        "last_past_day": interactions.filter(occurred_on__lte=DEMO_TODAY)
        .order_by("-occurred_on")
        .values_list("occurred_on", flat=True)
        .first(),
        "one_to_ones": one_to_ones.count(),
        "with_sentiment": one_to_ones.filter(sentiment__isnull=False).count(),
        "without_facilitator": interactions.filter(facilitators__isnull=True).count(),
        "round_tables": interactions.filter(kind=InteractionKind.ROUND_TABLE).count(),
        "series": list(EventSeries.objects.filter(program=program).values_list("title", "occurrences")),
        "round_table_statuses": round_table_statuses,
        "event_sizes": [
            i.participations.count()
            for i in interactions.filter(kind__in=[InteractionKind.ROUND_TABLE, InteractionKind.WORKSHOP])
        ],
        "partner_org_segment": Partnership.objects.get(program=program, organization=partner_org).segment,
        "partner_org_round_tables": Participation.objects.filter(
            program=program,
            organization=partner_org,
            interaction__kind=InteractionKind.ROUND_TABLE,
            status=Attendance.ATTENDED,
        ).count(),
        "contacts": list(
            Contact.objects.filter(program=program).values_list("organization_id", "phone", "email")
        ),
        "partner_org_ids": {p.organization_id for p in partnerships},
        "follow_ups": Counter(
            "open"
            if f.done_on is None and f.due_on >= CHECK_DAY
            else "overdue"
            if f.done_on is None
            else "late"
            if f.done_on > f.due_on
            else "on time"
            for f in FollowUp.objects.filter(program=program)
        ),
        "money_expectations": DriverNote.objects.filter(
            program=program, kind__in=[DriverKind.FINANCIAL_SUPPORT, DriverKind.MATERIAL_SUPPORT]
        )
        .values("partnership")
        .distinct()
        .count(),
        "linked_notes": DriverNote.objects.filter(program=program, interaction__isnull=False).count(),
        "agreements": Counter(Agreement.objects.filter(program=program).values_list("kind", flat=True)),
        "ledger_directions": Counter(
            SupportEntry.objects.filter(program=program).values_list("direction", flat=True)
        ),
        "value_gained": ValueGained.objects.filter(program=program).count(),
        "initiatives": [
            InitiativeSupport.objects.filter(initiative=i).count()
            for i in Initiative.objects.filter(program=program)
        ],
        "score_months": EngagementScore.objects.filter(program=program).values("month").distinct().count(),
    }


def _build(seed: int) -> dict[str, Any]:
    """Build the demo, read its facts, roll it back."""
    facts: dict[str, Any] = {}
    try:
        with service_transaction():  # build_demo is one service: durable, so not inside a plain atomic
            facts = _facts(build_demo(seed=seed))
            raise _Rollback
    except _Rollback:
        pass
    return facts


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    with django_db_blocker.unblock():
        first = _build(seed=20241)
        second = _build(seed=20241)
        assert not Program.objects.filter(slug__in=[DEMO_SLUG, OTHER_SLUG]).exists()
    return first, second


@pytest.mark.django_db
def test_about_a_hundred_and_ten_partnerships_of_the_right_kinds(demo):
    facts, _again = demo
    assert facts["organizations"] >= 300
    assert facts["unnormalized"] == []
    assert 100 <= facts["partnerships"] <= 125
    assert facts["types"]["awardee"] >= 36  # every awardee is a partner
    assert facts["types"]["service_provider"] > facts["partnerships"] / 3
    assert {"lead_firm", "producer_group", "financial"} <= set(facts["types"])
    assert {s for s, n in facts["segments"].items() if n} >= {
        Segment.ACTIVE,
        Segment.CHAMPION,
        Segment.WAIT_AND_SEE,
        Segment.PROSPECT,
        Segment.DORMANT,
        Segment.EXITED,
        Segment.PLACEHOLDER,
    }
    assert facts["facilitators"] == {
        "owner@demo.konbit.local",
        "facilitator@demo.konbit.local",
        "facilitator2@demo.konbit.local",
    }
    assert sum(facts["history"].values()) > facts["partnerships"]  # the initial segment and changes
    assert max(facts["history"].values()) <= 4
    assert facts["agreements"][AgreementKind.MOU] > 10
    assert facts["agreements"][AgreementKind.GRANT] >= 3
    assert facts["agreements"][AgreementKind.COST_SHARE] >= 1


@pytest.mark.django_db
def test_two_years_of_interactions_with_facilitators_and_sentiment(demo):
    facts, _again = demo
    assert facts["first_day"] < datetime.date(2024, 3, 1)
    assert (facts["last_past_day"] - facts["first_day"]).days >= 2 * 365
    assert facts["last_past_day"] >= DEMO_TODAY - datetime.timedelta(days=14)
    assert facts["one_to_ones"] > 1000
    assert facts["with_sentiment"] > facts["one_to_ones"] * 0.7
    assert facts["without_facilitator"] == 0


@pytest.mark.django_db
def test_round_tables_with_invitations_and_mixed_attendance(demo):
    facts, _again = demo
    assert ("Monthly partnership round table", 24) in facts["series"]
    assert facts["round_tables"] >= 24
    statuses = facts["round_table_statuses"]
    for status in [Attendance.ATTENDED, Attendance.EXCUSED, Attendance.NO_SHOW]:
        assert statuses[status] > 50
    assert statuses[Attendance.ATTENDED] > statuses[Attendance.NO_SHOW]
    assert all(15 <= size <= 40 for size in facts["event_sizes"])
    # The demo partner user speaks for an engaged partner that comes to the round tables.
    assert facts["partner_org_segment"] in {Segment.ACTIVE, Segment.CHAMPION}
    assert facts["partner_org_round_tables"] >= 10


@pytest.mark.django_db
def test_early_warnings_show_fading_partners_and_champions_stay_strong(demo):
    facts, _again = demo
    assert len(facts["warned"]) >= 5
    assert len(facts["strong"]) >= 3
    strong_champions = [s for s, warnings in facts["champions"] if (s or 0) >= 70 and not warnings]
    assert len(strong_champions) >= 3
    assert 2 <= facts["share_high"] <= 15  # a few partners lean on the programme for most of the cost
    assert facts["score_months"] >= 34  # monthly scores from January 2024


@pytest.mark.django_db
def test_contacts_follow_ups_drivers_ledger_and_other_initiatives(demo):
    facts, _again = demo
    per_org = Counter(org_id for org_id, _phone, _email in facts["contacts"])
    assert set(per_org) == facts["partner_org_ids"]
    assert all(1 <= n <= 3 for n in per_org.values())
    assert all(re.fullmatch(r"\+509 3\d{3} \d{4}", phone) for _o, phone, _e in facts["contacts"])
    assert all(email.endswith("@example.org") for _o, _p, email in facts["contacts"] if email)
    follow_ups = facts["follow_ups"]
    assert follow_ups["on time"] > follow_ups["late"] > follow_ups["overdue"] > 0
    assert facts["money_expectations"] >= 4
    assert facts["linked_notes"] > 100
    assert facts["ledger_directions"][SupportDirection.GIVEN] > 0
    assert facts["ledger_directions"][SupportDirection.CONTRIBUTED] > 0
    assert facts["value_gained"] > 30
    assert 4 <= len(facts["initiatives"]) <= 6
    assert all(5 <= n <= 25 for n in facts["initiatives"])


@pytest.mark.django_db
def test_same_seed_same_demo(demo):
    first, second = demo
    assert first["signature"] == second["signature"]
    assert first["warned"] == second["warned"]
    assert first["strong"] == second["strong"]
