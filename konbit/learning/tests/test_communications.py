"""The communication plan: next-due dates, the log, overdue items on the programme overview."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import World, client_for
from konbit.learning import services
from konbit.learning.models import Communication
from konbit.learning.schedule import add_months, next_due
from konbit.learning.tests.helpers import staff_access

TODAY = timezone.localdate()


def plan(world: World, **data: Any) -> Communication:
    values = {
        "title": "Quarterly report",
        "frequency": "quarterly",
        "first_due_on": TODAY - datetime.timedelta(days=200),
        "owner": world.mel,
        **data,
    }
    return services.communication_create(access=staff_access(world), by=world.facilitator, data=values)


def test_next_due_follows_the_frequency_from_the_last_sending() -> None:
    first = datetime.date(2026, 1, 10)
    assert next_due(frequency="monthly", first_due_on=first, last_sent_on=None) == first
    assert next_due(frequency="weekly", first_due_on=first, last_sent_on=datetime.date(2026, 2, 3)) == (
        datetime.date(2026, 2, 10)
    )
    assert next_due(frequency="monthly", first_due_on=first, last_sent_on=datetime.date(2026, 1, 31)) == (
        datetime.date(2026, 2, 28)
    )
    assert next_due(frequency="quarterly", first_due_on=first, last_sent_on=datetime.date(2026, 11, 30)) == (
        datetime.date(2027, 2, 28)
    )
    assert next_due(frequency="yearly", first_due_on=first, last_sent_on=datetime.date(2024, 2, 29)) == (
        datetime.date(2026, 1, 10)  # never before the first due date
    )
    assert next_due(frequency="once", first_due_on=first, last_sent_on=datetime.date(2026, 1, 9)) is None
    assert next_due(frequency="monthly", first_due_on=first, last_sent_on=None, is_active=False) is None
    assert add_months(datetime.date(2026, 11, 15), -12) == datetime.date(2025, 11, 15)


def test_logging_a_sending_moves_the_next_due_date(world: World) -> None:
    communication = plan(world)
    client = client_for(world.facilitator)
    sent_on = TODAY - datetime.timedelta(days=10)
    response = client.post(
        f"/p/alpha/learning/communications/{communication.pk}/log/",
        {"sent_on": sent_on.isoformat(), "note": "Sent with the Q3 story", "link": "https://example.org/q3"},
    )
    assert response.status_code == 302
    communication.refresh_from_db()
    assert communication.last_sent_on == sent_on
    assert communication.next_due_on == add_months(sent_on, 3)
    page = client.get(f"/p/alpha/learning/communications/{communication.pk}/").content.decode()
    assert "Sent with the Q3 story" in page and "https://example.org/q3" in page


def test_a_sending_in_the_future_is_refused(world: World) -> None:
    communication = plan(world)
    response = client_for(world.facilitator).post(
        f"/p/alpha/learning/communications/{communication.pk}/log/",
        {"sent_on": (TODAY + datetime.timedelta(days=3)).isoformat()},
    )
    assert response.status_code == 200 and "the date is in the future" in response.content.decode()
    assert communication.sendings.count() == 0


def test_removing_a_log_line_brings_the_due_date_back(world: World) -> None:
    communication = plan(world)
    sending = services.communication_log_sending(
        communication=communication, by=world.facilitator, sent_on=TODAY - datetime.timedelta(days=1)
    )
    client_for(world.facilitator).post(
        f"/p/alpha/learning/communications/{communication.pk}/log/{sending.pk}/delete/"
    )
    communication.refresh_from_db()
    assert communication.last_sent_on is None and communication.next_due_on == communication.first_due_on


def test_overdue_communications_show_on_the_programme_overview_for_staff_only(world: World) -> None:
    plan(world, title="Late funder update")
    fresh = plan(world, title="Future newsletter", first_due_on=TODAY + datetime.timedelta(days=5))
    page = client_for(world.viewer).get("/p/alpha/").content.decode()
    box = page[page.index('id="overdue-comms-title"') :].split("</article>")[0]
    assert "Late funder update" in box and fresh.title not in box
    partner_page = client_for(world.partner_user).get("/p/alpha/").content.decode()
    assert "Late funder update" not in partner_page


def test_nothing_overdue_shows_no_box(world: World) -> None:
    plan(world, title="Future newsletter", first_due_on=TODAY + datetime.timedelta(days=5))
    assert "Overdue communications" not in client_for(world.owner).get("/p/alpha/").content.decode()


def test_plan_page_filters_overdue_and_says_what_to_do_when_empty(world: World) -> None:
    client = client_for(world.facilitator)
    assert "Plan the first communication." in client.get("/p/alpha/learning/communications/").content.decode()
    plan(world, title="Late funder update")
    plan(world, title="Future newsletter", first_due_on=TODAY + datetime.timedelta(days=5))
    page = client.get("/p/alpha/learning/communications/?state=overdue").content.decode()
    assert "Late funder update" in page and "Future newsletter" not in page


def test_creating_and_a_stale_edit(world: World) -> None:
    client = client_for(world.facilitator)
    response = client.post(
        "/p/alpha/learning/communications/new/",
        {
            "title": "Briefing",
            "audience_kind": "government",
            "channel": "meeting",
            "frequency": "yearly",
            "owner": world.owner.pk,
            "first_due_on": TODAY.isoformat(),
            "is_active": "on",
        },
    )
    communication = Communication.objects.get(title="Briefing")
    assert response.status_code == 302 and communication.next_due_on == TODAY
    data = {
        "title": "Mine",
        "audience_kind": "government",
        "channel": "meeting",
        "frequency": "yearly",
        "owner": world.owner.pk,
        "first_due_on": TODAY.isoformat(),
        "version": communication.version,
    }
    client_for(world.mel).post(
        f"/p/alpha/learning/communications/{communication.pk}/edit/", {**data, "title": "MEL's"}
    )
    response = client.post(f"/p/alpha/learning/communications/{communication.pk}/edit/", data)
    assert "Someone else saved this record" in response.content.decode()
    communication.refresh_from_db()
    assert communication.title == "MEL's" and communication.next_due_on is None  # unticked: paused


def test_owner_must_be_a_team_member(world: World) -> None:
    response = client_for(world.facilitator).post(
        "/p/alpha/learning/communications/new/",
        {
            "title": "Briefing",
            "audience_kind": "government",
            "channel": "meeting",
            "frequency": "yearly",
            "owner": world.partner_user.pk,
            "first_due_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 200 and not Communication.objects.exists()


def test_plan_queries_do_not_grow_with_rows(world: World, django_assert_num_queries: Any) -> None:
    client = client_for(world.facilitator)
    plan(world)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/p/alpha/learning/communications/").status_code == 200
    for i in range(15):
        plan(world, title=f"Item {i}", owner=world.owner if i % 2 else world.mel)
    with django_assert_num_queries(len(few)):
        assert client.get("/p/alpha/learning/communications/").status_code == 200
