from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from conftest import World, client_for
from konbit.core.access import Access
from konbit.core.models import Membership
from konbit.partners import services
from konbit.partners.models import (
    Attendance,
    FollowUp,
    Interaction,
    InteractionKind,
    Organization,
    Participation,
    Partnership,
    Segment,
)
from tests.factories import OrganizationFactory


def access_of(world: World, user: Any) -> Access:
    membership = Membership.objects.select_related("program", "organization").get(
        program=world.program_a, user=user
    )
    return Access(program=world.program_a, membership=membership)


def make_partner(world: World, org: Organization, **data: Any) -> Partnership:
    data.setdefault("segment", Segment.ACTIVE)
    data.setdefault("since", timezone.localdate() - datetime.timedelta(days=400))
    return services.partnership_create(
        access=access_of(world, world.facilitator), organization=org, by=world.facilitator, data=data
    )


def test_a_silent_partner_is_warned_about_until_a_conversation_is_logged(world: World) -> None:
    partnership = make_partner(world, world.other_org_a)
    client = client_for(world.facilitator)
    page = client.get("/p/alpha/partners/warnings/").content.decode()
    assert "Alpha Secret Processor" in page and "No recent conversation" in page

    response = client.post(
        "/p/alpha/partners/interactions/new/",
        {
            "organizations": [world.other_org_a.pk],
            "kind": InteractionKind.CONVERSATION,
            "occurred_on": timezone.localdate().isoformat(),
            "sentiment": "1",
            "notes": "Talked about the new seed line.",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/p/alpha/partners/{partnership.pk}/")
    page = client.get("/p/alpha/partners/warnings/").content.decode()
    assert "Alpha Secret Processor" not in page
    partnership.refresh_from_db()
    assert partnership.last_contact_on == timezone.localdate()
    assert partnership.score is not None and partnership.score > 0


def test_early_warnings_come_fifty_to_a_page_with_the_total(world: World) -> None:
    for i in range(55):
        make_partner(world, OrganizationFactory(program=world.program_a, name=f"Silent partner {i:02d}"))
    client = client_for(world.facilitator)
    first = client.get("/p/alpha/partners/warnings/").content.decode()
    assert "55 partners with a warning" in first and "Page 1 of 2" in first
    assert first.count("Silent partner") == 50
    second = client.get("/p/alpha/partners/warnings/?page=2").content.decode()
    assert second.count("Silent partner") == 5


def test_warnings_are_recomputed_when_the_day_changes_without_any_write(world: World) -> None:
    partnership = make_partner(world, world.other_org_a)
    services.interaction_log(
        access=access_of(world, world.facilitator),
        by=world.facilitator,
        data={
            "kind": InteractionKind.CALL,
            "occurred_on": timezone.localdate() - datetime.timedelta(days=50),
        },
        organizations=[world.other_org_a],
    )
    partnership.refresh_from_db()
    assert "no_contact" not in partnership.warnings
    later = timezone.localdate() + datetime.timedelta(days=20)  # now 70 days without a conversation
    services.engagement_ensure_current(program=world.program_a, today=later)
    partnership.refresh_from_db()
    assert "no_contact" in partnership.warnings


def test_round_table_attendance_shows_on_each_partner_and_moves_the_score(world: World) -> None:
    orgs = [OrganizationFactory(program=world.program_a, name=f"Round Table Org {i}") for i in range(3)]
    partnerships = [make_partner(world, o) for o in orgs]
    client = client_for(world.facilitator)
    response = client.post(
        "/p/alpha/partners/interactions/new/",
        {
            "organizations": [o.pk for o in orgs],
            "kind": InteractionKind.ROUND_TABLE,
            "occurred_on": timezone.localdate().isoformat(),
            "title": "Seed quality round table",
        },
    )
    event = Interaction.objects.get(title="Seed quality round table")
    assert response["Location"].endswith(f"/interactions/{event.pk}/")
    assert set(event.participations.values_list("status", flat=True)) == {Attendance.INVITED}
    client.post(
        f"/p/alpha/partners/interactions/{event.pk}/attendance/",
        {
            f"status-{orgs[0].pk}": "attended",
            f"status-{orgs[1].pk}": "no_show",
            f"status-{orgs[2].pk}": "excused",
        },
    )
    for p in partnerships:
        p.refresh_from_db()
    scores = [p.score for p in partnerships]
    assert scores[0] > scores[2] > scores[1]  # attended > excused > no-show
    page = client.get(f"/p/alpha/partners/{partnerships[1].pk}/").content.decode()
    assert "Seed quality round table" in page and "No-show" in page


def test_a_monthly_meeting_is_scheduled_once_with_its_invitations(world: World) -> None:
    client = client_for(world.facilitator)
    start = datetime.date(2027, 1, 31)
    client.post(
        "/p/alpha/partners/events/series/new/",
        {
            "title": "Monthly partnership meeting",
            "kind": InteractionKind.ROUND_TABLE,
            "frequency": "monthly",
            "starts_on": start.isoformat(),
            "occurrences": 3,
            "organizations": [world.partner_org.pk, world.other_org_a.pk],
        },
    )
    dates = list(
        Interaction.objects.filter(title="Monthly partnership meeting")
        .order_by("occurred_on")
        .values_list("occurred_on", flat=True)
    )
    assert dates == [datetime.date(2027, 1, 31), datetime.date(2027, 2, 28), datetime.date(2027, 3, 31)]
    assert Participation.objects.filter(interaction__title="Monthly partnership meeting").count() == 6


def test_segment_changes_are_dated_with_a_reason_and_shown_on_the_timeline(world: World) -> None:
    partnership = make_partner(world, world.other_org_a, segment=Segment.PROSPECT)
    client = client_for(world.facilitator)
    client.post(
        f"/p/alpha/partners/{partnership.pk}/segment/",
        {"segment": Segment.CHAMPION, "changed_on": "2026-03-01", "reason": "Co-hosted the round table"},
    )
    partnership.refresh_from_db()
    assert partnership.segment == Segment.CHAMPION
    page = client.get(f"/p/alpha/partners/{partnership.pk}/").content.decode()
    assert "Prospect → <strong>Champion</strong> — Co-hosted the round table" in page


def test_an_expectation_the_programme_does_not_offer_is_flagged(world: World) -> None:
    partnership = make_partner(world, world.other_org_a)
    client = client_for(world.facilitator)
    client.post(
        f"/p/alpha/partners/{partnership.pk}/add/driver/",
        {
            "category": "expectation",
            "kind": "financial_support",
            "note": "Hopes for a grant",
            "recorded_on": "2026-05-01",
        },
    )
    page = client.get(f"/p/alpha/partners/{partnership.pk}/").content.decode()
    assert "1 expectation the programme does not offer for." in page
    assert "not offered" in page


def test_ledger_shows_cost_share_and_warns_when_the_programme_pays_most(world: World) -> None:
    partnership = make_partner(world, world.other_org_a)
    client = client_for(world.facilitator)
    today = timezone.localdate().isoformat()
    client.post(
        f"/p/alpha/partners/{partnership.pk}/add/support/",
        {"direction": "given", "kind": "grant", "value": "800", "occurred_on": today},
    )
    client.post(
        f"/p/alpha/partners/{partnership.pk}/add/support/",
        {"direction": "contributed", "kind": "cash", "value": "200", "occurred_on": today},
    )
    page = client.get(f"/p/alpha/partners/{partnership.pk}/").content.decode()
    assert "80 %" in page and "more than a market actor would normally bear" in page
    partnership.refresh_from_db()
    assert "programme_share_high" in partnership.warnings


def test_bad_ledger_input_comes_back_with_what_was_typed(world: World) -> None:
    partnership = make_partner(world, world.other_org_a)
    response = client_for(world.facilitator).post(
        f"/p/alpha/partners/{partnership.pk}/add/support/",
        {
            "direction": "given",
            "kind": "grant",
            "value": "-5",
            "occurred_on": "2026-02-30",
            "description": "Seed fund",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="Seed fund"' in body and "Enter a valid date" in body


def test_creating_a_near_duplicate_organisation_asks_first(world: World) -> None:
    client = client_for(world.facilitator)
    response = client.post(
        "/p/alpha/partners/organizations/new/", {"name": "alpha  secret-processor", "type": "lead_firm"}
    )
    assert response.status_code == 200
    assert "Alpha Secret Processor" in response.content.decode()
    assert not Organization.objects.filter(name="alpha  secret-processor").exists()
    client.post(
        "/p/alpha/partners/organizations/new/",
        {"name": "alpha  secret-processor", "type": "lead_firm", "confirm_new": "1"},
    )
    assert Organization.objects.filter(name="alpha  secret-processor").exists()


def test_merging_a_duplicate_keeps_every_linked_row(world: World) -> None:
    duplicate = OrganizationFactory(program=world.program_a, name="ALPHA SECRET PROCESSOR S.A.")
    make_partner(world, duplicate)
    access = access_of(world, world.facilitator)
    interaction = services.interaction_log(
        access=access,
        by=world.facilitator,
        data={"kind": InteractionKind.VISIT, "occurred_on": timezone.localdate()},
        organizations=[duplicate],
        follow_ups=[
            {
                "organization": duplicate,
                "description": "Send the price list",
                "owner": world.facilitator,
                "due_on": timezone.localdate(),
            }
        ],
    )
    client = client_for(world.owner)
    page = client.get(f"/p/alpha/partners/organizations/{world.other_org_a.pk}/").content.decode()
    assert "ALPHA SECRET PROCESSOR S.A." in page and "Possible duplicates" in page
    client.post(f"/p/alpha/partners/organizations/{world.other_org_a.pk}/merge/", {"merge": duplicate.pk})

    assert not Organization.objects.filter(pk=duplicate.pk).exists()  # in the trash
    assert Participation.objects.get(interaction=interaction).organization_id == world.other_org_a.pk
    assert FollowUp.objects.get(description="Send the price list").organization_id == world.other_org_a.pk
    assert Partnership.objects.get(organization=world.other_org_a).program_id == world.program_a.pk


def test_partner_user_sees_its_invitations_and_nothing_internal(world: World) -> None:
    make_partner(world, world.partner_org)
    access = access_of(world, world.facilitator)
    services.interaction_log(
        access=access,
        by=world.facilitator,
        data={
            "kind": InteractionKind.ROUND_TABLE,
            "occurred_on": timezone.localdate(),
            "title": "Input suppliers round table",
            "notes": "internal-judgement",
        },
        organizations=[world.partner_org, world.other_org_a],
    )
    partner = client_for(world.partner_user)
    page = partner.get("/p/alpha/partners/invitations/").content.decode()
    assert "Input suppliers round table" in page
    assert "internal-judgement" not in page and "Alpha Secret Processor" not in page
    for url in [
        "/p/alpha/partners/",
        "/p/alpha/partners/warnings/",
        "/p/alpha/partners/interactions/",
        "/p/alpha/partners/follow-ups/",
    ]:
        assert partner.get(url).status_code == 404, url


ALL_PAGES = [
    "/p/alpha/partners/",
    "/p/alpha/partners/warnings/",
    "/p/alpha/partners/interactions/",
    "/p/alpha/partners/interactions/?kind=events",
    "/p/alpha/partners/follow-ups/?owner=all&state=all",
    "/p/alpha/partners/organizations/",
    "/p/alpha/partners/initiatives/",
]


def _seed(world: World, n: int) -> None:
    access = access_of(world, world.facilitator)
    today = timezone.localdate()
    for i in range(n):
        org = OrganizationFactory(program=world.program_a, name=f"Bulk Org {i:03d}")
        partnership = make_partner(world, org, facilitator=world.facilitator)
        services.interaction_log(
            access=access,
            by=world.facilitator,
            data={"kind": InteractionKind.CALL, "occurred_on": today - datetime.timedelta(days=i)},
            organizations=[org],
            follow_ups=[
                {
                    "organization": org,
                    "description": f"Call back {i}",
                    "owner": world.facilitator,
                    "due_on": today,
                }
            ],
        )
        from konbit.partners.models import Initiative, InitiativeSupport

        if i % 5 == 0:
            initiative = Initiative.objects.create(program=world.program_a, name=f"Initiative {i}")
            InitiativeSupport.objects.create(program=world.program_a, initiative=initiative, organization=org)
        del partnership


@pytest.mark.parametrize("url", ALL_PAGES)
def test_list_pages_run_the_same_number_of_queries_for_few_and_many_rows(world: World, url: str) -> None:
    client = client_for(world.facilitator)
    _seed(world, 3)
    client.get(url)  # warm caches (content types, daily engagement refresh)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _seed(world, 12)
    client.get(url)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]


def test_partner_page_query_count_does_not_grow_with_its_history(world: World) -> None:
    partnership = make_partner(world, world.other_org_a)
    access = access_of(world, world.facilitator)
    client = client_for(world.facilitator)

    def log(n: int) -> None:
        for i in range(n):
            services.interaction_log(
                access=access,
                by=world.facilitator,
                data={
                    "kind": InteractionKind.CALL,
                    "occurred_on": timezone.localdate() - datetime.timedelta(days=i),
                    "sentiment": 1,
                },
                organizations=[world.other_org_a],
            )

    log(2)
    client.get(f"/p/alpha/partners/{partnership.pk}/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/p/alpha/partners/{partnership.pk}/")
    log(15)
    client.get(f"/p/alpha/partners/{partnership.pk}/")
    with CaptureQueriesContext(connection) as many:
        client.get(f"/p/alpha/partners/{partnership.pk}/")
    assert len(many) == len(few)


def test_what_a_partner_wants_is_noted_with_the_conversation_it_came_from(world: World) -> None:
    partnership = make_partner(world, world.other_org_a)
    client = client_for(world.facilitator)
    client.post(
        "/p/alpha/partners/interactions/new/",
        {
            "organizations": [world.other_org_a.pk],
            "kind": InteractionKind.VISIT,
            "occurred_on": "2026-04-02",
            "driver_category": "expectation",
            "driver_kind": "market_access",
            "driver_note": "Wants buyers from Cap-Haïtien",
            "facilitators": [world.facilitator.pk, world.mel.pk],
        },
    )
    interaction = Interaction.objects.get(kind=InteractionKind.VISIT)
    assert set(interaction.facilitators.all()) == {world.facilitator, world.mel}
    page = client.get(f"/p/alpha/partners/{partnership.pk}/").content.decode()
    assert "Wants buyers from Cap-Haïtien" in page
    assert f"/interactions/{interaction.pk}/" in page and "from 2 Apr 2026" in page


def test_people_pickers_show_names_not_logins(world: World) -> None:
    make_partner(world, world.other_org_a)
    name = escape(world.facilitator.get_full_name())
    quick_log = client_for(world.facilitator).get("/p/alpha/partners/interactions/new/").content.decode()
    assert name in quick_log
    follow_up = client_for(world.facilitator).get("/p/alpha/partners/follow-ups/new/").content.decode()
    assert f">{name}</option>" in follow_up
    assert ">facilitator@alpha.example.org</option>" not in follow_up


def test_the_overview_does_not_say_nothing_is_there_when_organisations_are(world: World) -> None:
    page = client_for(world.owner).get("/p/alpha/").content.decode()
    assert "Start by adding the organisations" not in page  # the world has organisations already
    assert "No change recorded through Konbit yet" in page
