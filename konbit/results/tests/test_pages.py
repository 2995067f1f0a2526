"""The Steer change pages as the team uses them: playbook and checklist, interventions, results chains,
AAER, the matrix — and what partner users and other roles may not do."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import World, client_for
from konbit.core.access import Access
from konbit.core.models import Membership
from konbit.partners import services as partner_services
from konbit.partners.models import Organization
from konbit.results import services
from konbit.results.models import (
    AaerEntry,
    ChainBox,
    ChainLink,
    ChainVersion,
    ChecklistItem,
    Intervention,
    PhasePlaybook,
    RelationshipAssessment,
)
from konbit.results.playbook import DEFAULTS
from tests.factories import OrganizationFactory

HX = {"HTTP_HX_REQUEST": "true"}


def _access(world: World) -> Access:
    return Access(
        program=world.program_a, membership=Membership.objects.get(program=world.program_a, user=world.owner)
    )


def _intervention(
    world: World, title: str = "Embedded advice", organizations: Any = (), **data: Any
) -> Intervention:
    return services.intervention_create(
        access=_access(world),
        by=world.owner,
        data={"title": title, "function": "supporting", "lever": "lead_firm", **data},
        organizations=organizations,
    )


# --- playbook -----------------------------------------------------------------------------------


def test_defaults_show_until_a_tick_copies_the_phase_and_records_who_and_when(world: World) -> None:
    client = client_for(world.mel)
    page = client.get("/p/alpha/change/playbook/analysis/").content.decode()
    first = str(DEFAULTS["analysis"].checklist[0])
    assert first in page and "default guidance" in page
    assert not PhasePlaybook.objects.filter(program=world.program_a).exists()

    response = client.post("/p/alpha/change/playbook/analysis/tick/", {"item": "d0", "done": "1"}, **HX)
    assert response.status_code == 200
    item = ChecklistItem.objects.get(program=world.program_a, phase="analysis", text=first)
    assert item.done_by == world.mel and item.done_at is not None
    assert "ticked by" in response.content.decode()
    assert ChecklistItem.objects.filter(program=world.program_a, phase="analysis").count() == len(
        DEFAULTS["analysis"].checklist
    )

    client.post("/p/alpha/change/playbook/analysis/tick/", {"item": str(item.pk), "done": "0"})
    item.refresh_from_db()
    assert item.done_at is None and item.done_by is None


def test_progress_shows_on_the_hub_and_the_overview_shows_the_phase(world: World) -> None:
    world.program_a.phase = "start_up"
    world.program_a.save()
    services.checklist_tick(access=_access(world), phase="start_up", item="d1", done=True, by=world.owner)
    total = len(DEFAULTS["start_up"].checklist)
    hub = client_for(world.viewer).get("/p/alpha/change/").content.decode()
    assert f"1 of {total} checklist items are done" in hub
    overview = client_for(world.viewer).get("/p/alpha/").content.decode()
    assert "Current phase:" in overview and "Start-up and first interventions" in overview


def test_owner_edits_guidance_and_checklist_keeping_ticks_on_unchanged_lines(world: World) -> None:
    access = _access(world)
    services.checklist_tick(access=access, phase="visioning", item="d0", done=True, by=world.owner)
    kept = ChecklistItem.objects.get(program=world.program_a, phase="visioning", position=0)
    client = client_for(world.owner)
    form = client.get("/p/alpha/change/playbook/visioning/edit/").context["form"]
    response = client.post(
        "/p/alpha/change/playbook/visioning/edit/",
        {
            "why": "Our own reason",
            "know": "x",
            "tools": "y",
            "items": f"{kept.text}\nA brand new item",
            "version": form.initial.get("version") or form["version"].value(),
        },
    )
    assert response.status_code == 302
    items = list(
        ChecklistItem.objects.filter(program=world.program_a, phase="visioning").order_by("position")
    )
    assert [i.text for i in items] == [kept.text, "A brand new item"]
    assert items[0].pk == kept.pk and items[0].done_at is not None
    page = client.get("/p/alpha/change/playbook/visioning/").content.decode()
    assert "Our own reason" in page


@pytest.mark.parametrize("language", ["en", "fr"])
def test_saving_the_shipped_playbook_unchanged_keeps_following_it(world: World, language: str) -> None:
    """A save with nothing changed copies nothing: the programme keeps the shipped guidance, in each
    reader's own language, instead of freezing it in the language of whoever pressed Save."""
    client = client_for(world.owner)
    client.cookies["django_language"] = language
    form = client.get("/p/alpha/change/playbook/scale_up/edit/").context["form"]
    data = {name: form[name].value() or "" for name in ("why", "know", "tools", "items", "version")}
    response = client.post("/p/alpha/change/playbook/scale_up/edit/", data)
    assert response.status_code == 302
    assert not PhasePlaybook.objects.filter(program=world.program_a).exists()
    assert not ChecklistItem.objects.filter(program=world.program_a).exists()


def test_a_copied_phase_still_reads_in_each_readers_language_and_keeps_ticks_on_a_french_save(
    world: World,
) -> None:
    french = client_for(world.owner)
    french.cookies["django_language"] = "fr"
    french.post("/p/alpha/change/playbook/scale_up/tick/", {"item": "d0", "done": "1"})
    assert PhasePlaybook.objects.filter(program=world.program_a, phase="scale_up").exists()
    english = client_for(world.facilitator)
    english.cookies["django_language"] = "en"
    assert (
        "Review the exit status of every partner"
        in english.get("/p/alpha/change/playbook/scale_up/").content.decode()
    )
    french_page = french.get("/p/alpha/change/playbook/scale_up/").content.decode()
    assert "Review the exit status of every partner" not in french_page
    form = french.get("/p/alpha/change/playbook/scale_up/edit/").context["form"]
    data = {name: form[name].value() or "" for name in ("why", "know", "tools", "items", "version")}
    assert french.post("/p/alpha/change/playbook/scale_up/edit/", data).status_code == 302
    items = ChecklistItem.objects.filter(program=world.program_a, phase="scale_up").order_by("position")
    assert items[0].done_at is not None  # the ticked line was kept, not replaced by a French copy
    assert (
        "Review the exit status of every partner"
        in english.get("/p/alpha/change/playbook/scale_up/").content.decode()
    )


def test_stale_playbook_edit_shows_the_conflict_and_keeps_the_input(world: World) -> None:
    access = _access(world)
    playbook = services.playbook_materialise(program=world.program_a, phase="analysis", by=world.owner)
    services.playbook_update(
        access=access, phase="analysis", by=world.owner, data={"why": "Newer"}, items=["a"]
    )
    response = client_for(world.owner).post(
        "/p/alpha/change/playbook/analysis/edit/",
        {"why": "Mine", "know": "", "tools": "", "items": "a", "version": playbook.version},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Someone else saved this record" in body and "Mine" in body
    assert PhasePlaybook.objects.get(program=world.program_a, phase="analysis").why == "Newer"


@pytest.mark.parametrize("user", ["viewer", "partner_user"])
def test_viewers_cannot_tick_and_partner_users_see_nothing(world: World, user: str) -> None:
    response = client_for(getattr(world, user)).post(
        "/p/alpha/change/playbook/analysis/tick/", {"item": "d0", "done": "1"}
    )
    assert response.status_code == 404
    assert not ChecklistItem.objects.exists()


# --- interventions ------------------------------------------------------------------------------


def test_facilitator_adds_an_intervention_with_partners_and_finds_it_by_filter(world: World) -> None:
    partner_services.partnership_create(
        access=_access(world), organization=world.partner_org, by=world.owner, data={"segment": "active"}
    )
    client = client_for(world.facilitator)
    response = client.post(
        "/p/alpha/change/interventions/new/",
        {
            "title": "Seed rules",
            "function": "rules",
            "lever": "rules",
            "status": "active",
            "organizations": [world.partner_org.pk],
            "planned_amount": "1000",
        },
    )
    assert response.status_code == 302
    iv = Intervention.objects.get(title="Seed rules")
    assert list(iv.organizations.all()) == [world.partner_org]
    listed = client.get("/p/alpha/change/interventions/?lever=rules").content.decode()
    assert "Seed rules" in listed
    assert "Seed rules" not in client.get("/p/alpha/change/interventions/?lever=lead_firm").content.decode()
    detail = client.get(f"/p/alpha/change/interventions/{iv.pk}/").content.decode()
    assert "Alpha Partner Cooperative" in detail


def test_only_partners_can_be_involved(world: World) -> None:
    with pytest.raises(Exception, match="Only partners"):
        services.intervention_create(
            access=_access(world),
            by=world.owner,
            data={"title": "x", "function": "core", "lever": "rules"},
            organizations=[world.other_org_a],
        )


def test_stale_intervention_edit_shows_conflict(world: World) -> None:
    iv = _intervention(world)
    services.intervention_update(intervention=iv, by=world.owner, data={"title": "Renamed by someone"})
    response = client_for(world.facilitator).post(
        f"/p/alpha/change/interventions/{iv.pk}/edit/",
        {"title": "My title", "function": "core", "lever": "rules", "status": "active", "version": 1},
    )
    assert response.status_code == 200
    assert "Someone else saved this record" in response.content.decode()
    iv.refresh_from_db()
    assert iv.title == "Renamed by someone"


def test_role_history_and_delete_to_trash(world: World) -> None:
    iv = _intervention(world)
    client = client_for(world.facilitator)
    client.post(f"/p/alpha/change/interventions/{iv.pk}/roles/", {"role": "doer", "from_date": "2025-01-01"})
    client.post(
        f"/p/alpha/change/interventions/{iv.pk}/roles/",
        {"role": "coach", "from_date": "2025-06-01", "note": "n"},
    )
    page = client.get(f"/p/alpha/change/interventions/{iv.pk}/").content.decode()
    assert "Coach" in page and "since 1 Jun 2025" in page
    client.post(f"/p/alpha/change/interventions/{iv.pk}/delete/")
    assert not Intervention.objects.filter(pk=iv.pk).exists()
    assert Intervention.all_objects.get(pk=iv.pk).deleted_by == world.facilitator
    assert client.get(f"/p/alpha/change/interventions/{iv.pk}/").status_code == 404


def test_intervention_list_query_count_does_not_grow_with_rows(
    world: World, django_assert_num_queries: Any
) -> None:
    client = client_for(world.owner)
    for i in range(2):
        _intervention(world, title=f"Few {i}")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/p/alpha/change/interventions/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(20):
        iv = _intervention(world, title=f"Many {i}")
        services.facilitator_role_add(
            intervention=iv, by=world.owner, data={"role": "broker", "from_date": datetime.date(2025, 1, 1)}
        )
    assert count() == few


def test_portfolio_and_hub_query_counts_do_not_grow_with_rows(world: World) -> None:
    client = client_for(world.owner)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    partner_services.partnership_create(
        access=_access(world), organization=world.partner_org, by=world.owner, data={}
    )

    def add(i: int) -> None:
        iv = _intervention(world, title=f"More {i}", organizations=[world.partner_org])
        services.aaer_entry_create(
            intervention=iv,
            by=world.owner,
            data={
                "organization": world.other_org_a,
                "stage": "adopt",
                "observed_on": datetime.date(2025, 1, 1),
                "evidence": "e",
            },
        )

    add(0)
    few = {
        url: count(url) for url in ["/p/alpha/change/portfolio/", "/p/alpha/change/", "/p/alpha/change/aaer/"]
    }
    for i in range(1, 9):
        add(i)
    assert {url: count(url) for url in few} == few


# --- results chains -----------------------------------------------------------------------------


def test_add_boxes_and_an_arrow_with_htmx_and_see_them_drawn(world: World) -> None:
    iv = _intervention(world)
    client = client_for(world.mel)
    url = f"/p/alpha/change/interventions/{iv.pk}/chain/"
    client.post(url + "boxes/", {"level": "activity", "text": "Train agronomists"}, **HX)
    response = client.post(url + "boxes/", {"level": "outcome", "text": "Farmers adopt practices"}, **HX)
    assert response.status_code == 200 and "<svg" in response.content.decode()
    a, b = ChainBox.objects.filter(intervention=iv).order_by("pk")
    response = client.post(
        url + "links/", {"source": a.pk, "target": b.pk, "assumption": "Farmers trust them"}, **HX
    )
    body = response.content.decode()
    assert "Farmers trust them" in body and "marker-end" in body
    # The same arrow twice is refused with a message, not a server error.
    again = client.post(url + "links/", {"source": a.pk, "target": b.pk}, **HX).content.decode()
    assert "already linked" in again
    assert ChainLink.objects.filter(intervention=iv).count() == 1


def test_deleting_a_box_takes_its_arrows_to_the_trash(world: World) -> None:
    iv = _intervention(world)
    a = services.chain_box_create(intervention=iv, by=world.owner, data={"level": "activity", "text": "A"})
    b = services.chain_box_create(intervention=iv, by=world.owner, data={"level": "output", "text": "B"})
    services.chain_link_create(intervention=iv, by=world.owner, source=a, target=b)
    client_for(world.owner).post(f"/p/alpha/change/boxes/{a.pk}/delete/", **HX)
    assert not ChainLink.objects.filter(intervention=iv).exists()
    assert ChainLink.all_objects.filter(intervention=iv).count() == 1


def test_a_saved_version_stays_as_it_was_when_the_chain_changes(world: World) -> None:
    iv = _intervention(world)
    a = services.chain_box_create(
        intervention=iv, by=world.owner, data={"level": "activity", "text": "Old activity"}
    )
    client = client_for(world.owner)
    client.post(
        f"/p/alpha/change/interventions/{iv.pk}/chain/versions/", {"review_date": "2026-03-31", "note": "Q1"}
    )
    version = ChainVersion.objects.get(intervention=iv)
    services.chain_box_update(box=a, by=world.owner, data={"text": "New activity"})
    page = client.get(f"/p/alpha/change/chain-versions/{version.pk}/").content.decode()
    assert "Old activity" in page and "New activity" not in page and "31 Mar 2026" in page


# --- AAER ---------------------------------------------------------------------------------------


def test_a_non_partner_copier_is_created_on_the_fly_and_shown_on_the_board(world: World) -> None:
    iv = _intervention(world)
    client = client_for(world.facilitator)
    response = client.post(
        f"/p/alpha/change/interventions/{iv.pk}/aaer/",
        {
            "new_actor": "Copycat Seeds",
            "new_actor_type": "lead_firm",
            "stage": "adopt",
            "observed_on": "2025-09-01",
            "evidence": "Sells the same kit",
        },
    )
    assert response.status_code == 302
    copier = Organization.objects.get(program=world.program_a, name="Copycat Seeds")
    services.aaer_entry_create(
        intervention=iv,
        by=world.owner,
        data={
            "organization": copier,
            "stage": "expand",
            "observed_on": datetime.date(2026, 2, 1),
            "evidence": "New region",
        },
    )
    board = client.get(f"/p/alpha/change/interventions/{iv.pk}/aaer/").context["board"]
    columns = {col["stage"]: [c["entry"].organization.name for c in col["cards"]] for col in board}
    assert columns["expand"] == ["Copycat Seeds"] and columns["adopt"] == []
    summary = client.get("/p/alpha/change/aaer/").content.decode()
    assert "not partners" in summary
    assert AaerEntry.objects.filter(organization=copier).count() == 2


# --- matrix -------------------------------------------------------------------------------------


def test_matrix_pair_with_two_assessments_draws_the_movement(world: World) -> None:
    client = client_for(world.owner)
    response = client.post(
        "/p/alpha/change/matrix/new/",
        {"name": "Rivals", "organizations": [world.partner_org.pk, world.other_org_a.pk]},
    )
    assert response.status_code == 302
    url = response["Location"]
    for day, comp, coop in (("2025-01-01", 4, 1), ("2026-01-01", 3, 3)):
        client.post(
            url,
            {
                "assessed_on": day,
                "competition": comp,
                "cooperation": coop,
                "desired_competition": 2,
                "desired_cooperation": 4,
            },
        )
    assert RelationshipAssessment.objects.count() == 2
    body = client.get(url).content.decode()
    assert "<polyline" in body and "Rather high" in body


def test_a_group_needs_two_actors_of_this_programme(world: World) -> None:
    response = client_for(world.owner).post(
        "/p/alpha/change/matrix/new/", {"name": "Alone", "organizations": [world.partner_org.pk]}
    )
    assert response.status_code == 200
    assert "Choose at least two actors." in response.content.decode()


def test_pages_render_empty_states(world: World) -> None:
    client = client_for(world.owner)
    for url, text in [
        ("/p/alpha/change/interventions/", "No interventions yet."),
        ("/p/alpha/change/portfolio/", "No interventions yet."),
        ("/p/alpha/change/aaer/", "No change recorded yet."),
        ("/p/alpha/change/matrix/", "No pairs or groups followed yet."),
        ("/p/alpha/change/exit/", "No partners to check yet."),
    ]:
        assert text in client.get(url).content.decode(), url


def test_an_organisation_of_another_programme_never_enters_a_chain_or_board(world: World) -> None:
    iv = _intervention(world)
    foreign = OrganizationFactory(program=world.program_b, name="Bravo Intruder")
    with pytest.raises(Exception, match="organisation of this programme"):
        services.aaer_entry_create(
            intervention=iv,
            by=world.owner,
            data={
                "organization": foreign,
                "stage": "adopt",
                "observed_on": datetime.date(2025, 1, 1),
                "evidence": "e",
            },
        )
