"""Rolling exit: the pure evaluation checked by hand, the selector on real partner data, and the
'what if' view that changes the lists and writes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import World, client_for
from konbit.core.access import Access
from konbit.core.models import AuditEvent, Membership
from konbit.partners import services as partner_services
from konbit.partners.models import EngagementScore, Partnership, SupportEntry
from konbit.results import exit as rules
from konbit.results import selectors, services
from konbit.results.models import ExitCriteria, ExitDecision, Intervention
from tests.factories import OrganizationFactory

T = rules.Thresholds(
    engagement_min=60,
    engagement_months=3,
    coinvestment_min=40,
    attendance_min=3,
    attendance_of=4,
    aaer_min_stage="adapt",
    margin=10,
)


def test_a_partner_that_meets_every_criterion_qualifies() -> None:
    data = rules.PartnerData(
        1,
        "Ready",
        monthly_scores=[70, 61, 80],
        given=Decimal(60),
        put_in=Decimal(40),
        attended=3,
        stage="expand",
    )
    [result] = rules.evaluate([data], T)
    assert result.overall == rules.QUALIFIES
    assert result.results[rules.ENGAGEMENT].value == 61  # the lowest of the last three months
    assert result.results[rules.COINVESTMENT].value == 40.0  # 40 / (60 + 40)
    assert {r.status for r in result.results.values()} == {rules.MET}


def test_a_partner_short_by_less_than_the_margin_is_nearly_there() -> None:
    # Lowest score 55: below 60 but above 60 × 0.9 = 54. Everything else met.
    data = rules.PartnerData(
        2,
        "Almost",
        monthly_scores=[75, 55, 68],
        given=Decimal(50),
        put_in=Decimal(50),
        attended=4,
        stage="adapt",
    )
    [result] = rules.evaluate([data], T)
    assert result.results[rules.ENGAGEMENT].status == rules.NEARLY
    assert result.results[rules.ENGAGEMENT].value == 55
    assert result.overall == rules.NEARLY_QUALIFIES


def test_a_partner_far_below_a_threshold_fails() -> None:
    # Co-investment 20 / (80 + 20) = 20 % < 40 × 0.9 = 36; only one round table; only adopted.
    data = rules.PartnerData(
        3,
        "Far",
        monthly_scores=[90, 90, 90],
        given=Decimal(80),
        put_in=Decimal(20),
        attended=1,
        stage="adopt",
    )
    [result] = rules.evaluate([data], T)
    assert result.results[rules.COINVESTMENT].status == rules.FAILED
    assert result.results[rules.ATTENDANCE].status == rules.FAILED
    assert result.results[rules.AAER].status == rules.NEARLY  # one stage short of "adapt"
    assert result.overall == rules.NOT_YET


def test_missing_history_fails_and_switched_off_criteria_are_ignored() -> None:
    young = rules.PartnerData(4, "Young", monthly_scores=[90], given=Decimal(0), put_in=Decimal(0))
    [result] = rules.evaluate([young], T)
    assert result.results[rules.ENGAGEMENT].status == rules.FAILED  # one month of three
    assert result.results[rules.COINVESTMENT].value is None
    only_scores = rules.Thresholds(
        use_coinvestment=False, use_attendance=False, use_aaer=False, engagement_months=1, engagement_min=60
    )
    [result] = rules.evaluate([young], only_scores)
    assert list(result.results) == [rules.ENGAGEMENT]
    assert result.overall == rules.QUALIFIES


def test_judge_boundaries() -> None:
    assert rules.judge(60, 60, 10) == rules.MET
    assert rules.judge(54, 60, 10) == rules.NEARLY
    assert rules.judge(53.9, 60, 10) == rules.FAILED
    assert rules.judge(None, 60, 10) == rules.FAILED


# --- on the database ----------------------------------------------------------------------------


def _access(world: World) -> Access:
    return Access(
        program=world.program_a, membership=Membership.objects.get(program=world.program_a, user=world.owner)
    )


def _partner(world: World, name: str, scores: list[float], given: int, put_in: int) -> Partnership:
    access = _access(world)
    org = OrganizationFactory(program=world.program_a, name=name)
    partnership = partner_services.partnership_create(
        access=access, organization=org, by=world.owner, data={"segment": "active"}
    )
    today = timezone.localdate()
    EngagementScore.objects.filter(partnership=partnership).delete()
    for back, total in enumerate(reversed(scores)):
        index = today.year * 12 + today.month - 1 - back
        month = datetime.date(index // 12, index % 12 + 1, 1)
        EngagementScore.objects.create(
            program=world.program_a, partnership=partnership, month=month, total=total
        )
    for direction, value in (("given", given), ("contributed", put_in)):
        if value:
            SupportEntry.objects.create(
                program=world.program_a,
                partnership=partnership,
                direction=direction,
                kind="cash",
                value=value,
                occurred_on=today - datetime.timedelta(days=10),
            )
    return partnership


def _world_for_exit(world: World) -> None:
    """Three partners: Ready meets everything, Almost is 5 points short on one score, Far fails."""
    access = _access(world)
    ready = _partner(world, "Ready Traders", [80, 75, 70, 72, 81, 66], 50, 50)
    almost = _partner(world, "Almost Millers", [80, 75, 56, 72, 81, 66], 50, 50)
    far = _partner(world, "Far Growers", [30, 35, 20, 25, 31, 26], 90, 10)
    iv = services.intervention_create(
        access=access, by=world.owner, data={"title": "Exit test", "function": "core", "lever": "lead_firm"}
    )
    for p in (ready, almost, far):
        services.aaer_entry_create(
            intervention=iv,
            by=world.owner,
            data={
                "organization": p.organization,
                "stage": "adapt",
                "observed_on": datetime.date(2025, 5, 1),
                "evidence": "Seen in the field",
            },
        )
    services.exit_criteria_save(
        access=access,
        by=world.owner,
        data={"engagement_min": 60, "engagement_months": 6, "coinvestment_min": 40, "use_attendance": False},
    )


def test_the_exit_page_lists_who_meets_nearly_meets_and_fails(world: World) -> None:
    _world_for_exit(world)
    evaluation = selectors.exit_evaluation(access=_access(world))
    overall = {r.name: r.overall for r in evaluation["results"]}
    assert overall["Ready Traders"] == rules.QUALIFIES
    assert overall["Almost Millers"] == rules.NEARLY_QUALIFIES  # lowest score 56 ≥ 54
    assert overall["Far Growers"] == rules.NOT_YET
    body = client_for(world.owner).get("/p/alpha/change/exit/?show=nearly").content.decode()
    assert "Almost Millers" in body and "Ready Traders" not in body


def _row_counts() -> dict[str, object]:
    return {
        "criteria": list(ExitCriteria.all_objects.values_list("pk", "version", "engagement_min")),
        "decisions": ExitDecision.all_objects.count(),
        "audit": AuditEvent.objects.count(),
        "interventions": list(Intervention.all_objects.values_list("pk", "version")),
        "partnerships": list(Partnership.all_objects.values_list("pk", "version", "segment")),
    }


def test_what_if_changes_the_lists_and_writes_nothing(world: World) -> None:
    _world_for_exit(world)
    client = client_for(world.owner)
    before = _row_counts()
    params = {
        "use_engagement": "on",
        "engagement_min": "85",  # nobody has six months above 85
        "engagement_months": "6",
        "use_coinvestment": "on",
        "coinvestment_min": "40",
        "attendance_min": "3",
        "attendance_of": "4",
        "aaer_min_stage": "adapt",
        "use_aaer": "on",
        "margin": "10",
    }
    with CaptureQueriesContext(connection) as queries:
        strict = client.get("/p/alpha/change/exit/what-if/", params)
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert strict.status_code == 200
    rows = {r["result"].name: r for r in strict.context["rows"]}
    assert rows["Ready Traders"]["result"].overall == rules.NOT_YET
    assert rows["Ready Traders"]["changed"] is True
    lenient = client.get(
        "/p/alpha/change/exit/what-if/", {**params, "engagement_min": "20", "coinvestment_min": "10"}
    )
    names = {r["result"].name for r in lenient.context["rows"] if r["result"].overall == rules.QUALIFIES}
    assert names == {"Ready Traders", "Almost Millers", "Far Growers"}
    assert _row_counts() == before
    # The saved criteria are untouched: the status page still shows the programme's own thresholds.
    assert selectors.exit_criteria(access=_access(world)).engagement_min == 60


def test_starting_an_exit_records_the_decision_and_moves_the_segment(world: World) -> None:
    _world_for_exit(world)
    ready = Partnership.objects.get(organization__name="Ready Traders")
    response = client_for(world.facilitator).post(
        f"/p/alpha/change/exit/partners/{ready.organization_id}/",
        {"decision": "start_exit", "decided_on": "2026-11-01", "reason": "Meets every criterion"},
    )
    assert response.status_code == 302
    decision = ExitDecision.objects.get(organization=ready.organization)
    assert decision.created_by == world.facilitator and decision.reason == "Meets every criterion"
    ready.refresh_from_db()
    assert ready.segment == "exiting"
    page = client_for(world.owner).get("/p/alpha/change/exit/").content.decode()
    assert "Start the exit" in page
