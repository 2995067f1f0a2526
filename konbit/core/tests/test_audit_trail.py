"""The owner's audit trail: sign-ins of the programme's members (decision 7), exports and downloads,
every change; filters, keyset pages, the CSV export; only owners see it."""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import World, client_for
from konbit.core.models import AuditAction, AuditEvent, Membership
from konbit.core.roles import Role
from konbit.core.services import tenant_record_update
from tests.factories import MembershipFactory, UserFactory

AUDIT = "/p/alpha/audit/"
PASSWORD = "correct horse battery staple"


def sign_in(email: str, password: str = PASSWORD, address: str = "198.51.100.7") -> int:
    return (
        Client(REMOTE_ADDR=address)
        .post("/accounts/login/", {"username": email, "password": password})
        .status_code
    )


def trail(user: Any, program: str = "alpha", **params: str) -> str:
    response = client_for(user).get(f"/p/{program}/audit/", params)
    assert response.status_code == 200
    return response.content.decode()


def rows(user: Any, **params: str) -> list[AuditEvent]:
    return list(client_for(user).get(AUDIT, params).context["page"].rows)


def event(
    world: World, *, at: datetime.datetime, action: str = AuditAction.UPDATE, **fields: Any
) -> AuditEvent:
    return AuditEvent.objects.create(program=world.program_a, at=at, action=action, **fields)


def csv_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


# --- sign-ins -----------------------------------------------------------------------------------


def test_a_members_sign_in_shows_in_the_owners_trail_and_not_in_another_programmes(world: World) -> None:
    assert sign_in("facilitator@alpha.example.org") == 302

    signed = AuditEvent.objects.get(action=AuditAction.SIGN_IN, actor=world.facilitator)
    assert signed.program == world.program_a
    page = trail(world.owner, action=AuditAction.SIGN_IN)
    assert "facilitator@alpha.example.org" in page and "Signed in" in page
    assert "facilitator@alpha.example.org" not in trail(world.outsider, program="bravo")


def test_someone_in_two_programmes_shows_as_signed_in_in_both_and_nothing_more(world: World) -> None:
    MembershipFactory(program=world.program_b, user=world.mel, role=Role.VIEWER)
    client_for(world.mel).get("/p/alpha/partners/data/export/partners.csv")  # work in A only

    assert sign_in("mel@alpha.example.org") == 302

    bravo = list(AuditEvent.objects.filter(program=world.program_b))
    assert [(e.action, e.actor) for e in bravo] == [(AuditAction.SIGN_IN, world.mel)]
    assert "partners.csv" not in trail(world.outsider, program="bravo")
    assert "partners.csv" in trail(world.owner)


def test_sign_ins_from_before_someone_joined_stay_out_of_the_trail(world: World) -> None:
    newcomer = UserFactory(email="newcomer@bravo.example.org")
    MembershipFactory(program=world.program_b, user=newcomer, role=Role.FACILITATOR)
    assert sign_in("newcomer@bravo.example.org") == 302
    MembershipFactory(program=world.program_a, user=newcomer, role=Role.VIEWER)

    assert not AuditEvent.objects.filter(program=world.program_a, actor=newcomer).exists()
    assert sign_in("newcomer@bravo.example.org") == 302
    assert AuditEvent.objects.filter(program=world.program_a, actor=newcomer).count() == 1


def test_a_member_who_left_keeps_their_sign_ins_in_the_trail(world: World) -> None:
    assert sign_in("viewer@alpha.example.org") == 302
    Membership.objects.filter(user=world.viewer).delete()
    assert "viewer@alpha.example.org" in trail(world.owner, action=AuditAction.SIGN_IN)


def test_failed_sign_ins_and_the_lockout_of_a_member_show_and_unknown_names_leave_nothing(
    world: World,
) -> None:
    for _ in range(5):
        assert sign_in("viewer@alpha.example.org", password="wrong") in {200, 429, 403}
    for _ in range(3):  # already locked: axes extends the cool-off, the trail stays as it is
        assert sign_in("viewer@alpha.example.org", password="wrong") != 302
    sign_in("nobody@alpha.example.org", password="wrong")

    actions = list(
        AuditEvent.objects.filter(program=world.program_a).order_by("at", "id").values_list("action", "actor")
    )
    assert actions == [(AuditAction.SIGN_IN_FAILED, world.viewer.pk)] * 4 + [
        (AuditAction.LOCKED_OUT, world.viewer.pk)
    ]
    assert not AuditEvent.objects.filter(program=None).exists()
    page = trail(world.owner)
    assert "Failed to sign in" in page and "Was locked out" in page


def test_the_overview_shows_the_team_changes_but_not_sign_ins_or_exports(world: World) -> None:
    assert sign_in("owner@alpha.example.org") == 302
    client_for(world.owner).get("/p/alpha/partners/data/export/partners.csv")
    tenant_record_update(instance=world.other_org_a, by=world.owner, data={"region": "Centre"})

    overview = [e.action for e in client_for(world.viewer).get("/p/alpha/").context["recent_changes"]]
    assert overview == [AuditAction.UPDATE]


# --- exports and downloads ----------------------------------------------------------------------


def test_an_export_shows_with_who_and_what(world: World) -> None:
    response = client_for(world.facilitator).get("/p/alpha/partners/data/export/organizations.csv")
    assert response.status_code == 200

    [row] = rows(world.owner, action=AuditAction.EXPORT)
    assert row.actor == world.facilitator
    assert row.object_repr == "organizations.csv (2 rows)"
    page = trail(world.owner, action=AuditAction.EXPORT)
    assert "Exported" in page and "organizations.csv (2 rows)" in page


def test_the_funder_reports_print_view_and_an_evidence_download_are_recorded(
    world: World, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    from konbit.indicators.models import Indicator, Measurement

    indicator = Indicator.objects.create(program=world.program_a, name="Farmers buying seed", unit="farmers")
    mel = client_for(world.mel)
    upload = SimpleUploadedFile("sales-book.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    mel.post(
        f"/p/alpha/change/indicators/{indicator.pk}/measurements/",
        {"period_label": "2025-Q1", "value": "12", "evidence": upload},
    )
    measurement = Measurement.objects.get()

    assert mel.get(f"/p/alpha/change/indicators/measurements/{measurement.pk}/evidence/").status_code == 200
    assert mel.get("/p/alpha/learning/report/print/?start=2025-01-01&end=2025-12-31").status_code == 200

    downloaded = AuditEvent.objects.get(action=AuditAction.DOWNLOAD)
    assert downloaded.actor == world.mel and downloaded.object_repr.startswith("sales-book.pdf (evidence of")
    assert downloaded.content_type is None  # not in the measurement's history, which the team sees
    printed = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert printed.object_repr == "alpha-report-2025-01-01-2025-12-31 (print view)"
    page = trail(world.owner)
    assert "Downloaded" in page and "sales-book.pdf" in page and "(print view)" in page


@pytest.mark.django_db(transaction=True)
def test_a_backup_leaves_a_line_in_the_trail_of_each_programme_in_the_file(
    world: World, tmp_path: Path
) -> None:
    call_command("backup", str(tmp_path / "alpha.konbit.gz"), "--program", "alpha", stdout=io.StringIO())

    [line] = AuditEvent.objects.filter(action=AuditAction.EXPORT)
    assert line.program == world.program_a and line.actor is None
    assert line.object_repr == "backup file (konbit backup)"


# --- the page -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.MEL, Role.VIEWER, Role.PARTNER])
def test_only_owners_see_the_trail_or_export_it(world: World, role: Role) -> None:
    client = client_for(world.user_for(role))
    assert client.get(AUDIT).status_code == 404
    assert client.get(f"{AUDIT}export.csv").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_an_outsider_sees_nothing_of_the_programmes_trail(world: World) -> None:
    tenant_record_update(
        instance=world.other_org_a, by=world.owner, data={"notes": "confidential-alpha-note 2"}
    )
    outsider = client_for(world.outsider)
    assert outsider.get(AUDIT).status_code == 404
    assert outsider.get(f"{AUDIT}export.csv").status_code == 404
    own = trail(world.outsider, program="bravo")
    assert "Alpha Secret Processor" not in own and "owner@alpha.example.org" not in own
    assert Client().get(AUDIT).status_code == 302  # anonymous: to the sign-in page


def test_filters_by_action_person_dates_and_record_name(world: World) -> None:
    day = datetime.datetime(2025, 3, 10, 12, 0, tzinfo=datetime.UTC)
    event(world, at=day, actor=world.facilitator, object_repr="Alpha Secret Processor")
    event(world, at=day + datetime.timedelta(days=1), actor=world.mel, object_repr="Seed indicator")
    event(
        world,
        at=day + datetime.timedelta(days=2),
        actor=world.facilitator,
        action=AuditAction.EXPORT,
        object_repr="partners.csv (3 rows)",
    )
    event(world, at=day + datetime.timedelta(days=3), actor=world.viewer, action=AuditAction.SIGN_IN)

    def reprs(**params: str) -> list[str]:
        return [e.object_repr or e.action for e in rows(world.owner, **params)]

    assert reprs() == ["sign_in", "partners.csv (3 rows)", "Seed indicator", "Alpha Secret Processor"]
    assert reprs(action="export") == ["partners.csv (3 rows)"]
    assert reprs(person=str(world.facilitator.pk)) == ["partners.csv (3 rows)", "Alpha Secret Processor"]
    assert reprs(start="2025-03-11", end="2025-03-12") == ["partners.csv (3 rows)", "Seed indicator"]
    assert reprs(end="2025-03-10") == ["Alpha Secret Processor"]
    assert reprs(q="secret") == ["Alpha Secret Processor"]
    assert reprs(q="secret", person=str(world.mel.pk)) == []
    assert "No entry matches these filters" in trail(world.owner, q="nothing like this")
    # A person of another programme is not a choice: the filter is ignored and says so.
    refused = client_for(world.owner).get(AUDIT, {"person": str(world.outsider.pk)})
    assert len(refused.context["page"].rows) == 4 and "person" in refused.context["form"].errors
    backwards = client_for(world.owner).get(AUDIT, {"start": "2025-03-12", "end": "2025-03-10"})
    assert "The end date is before the start date." in backwards.content.decode()


def test_an_empty_trail_says_what_will_appear(world: World) -> None:
    AuditEvent.objects.all().delete()
    page = trail(world.owner)
    assert "Nothing recorded yet." in page and "sign-ins" in page


def test_pages_go_back_in_time_by_fifty_and_come_back(world: World) -> None:
    start = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    for n in range(60):
        # Pairs share a timestamp, so the cursor must also order by id.
        event(world, at=start + datetime.timedelta(minutes=n // 2), object_repr=f"record {n:02d}")
    owner = client_for(world.owner)

    first = owner.get(AUDIT, {"q": "record"}).context["page"]
    assert len(first.rows) == 50 and first.rows[0].object_repr == "record 59" and not first.newer
    second = owner.get(AUDIT, {"q": "record", "before": first.older}).context["page"]
    assert [e.object_repr for e in second.rows] == [f"record {n:02d}" for n in range(9, -1, -1)]
    assert not second.older and second.newer
    back = owner.get(AUDIT, {"q": "record", "after": second.newer}).context["page"]
    assert [e.pk for e in back.rows] == [e.pk for e in first.rows] and not back.newer
    assert owner.get(AUDIT, {"before": "not-a-cursor"}).status_code == 200


def test_the_page_costs_the_same_queries_for_five_or_sixty_entries(world: World) -> None:
    def queries() -> int:
        owner = client_for(world.owner)
        with CaptureQueriesContext(connection) as captured:
            assert owner.get(AUDIT).status_code == 200
        return len(captured)

    now = timezone.now()
    for n in range(5):
        event(world, at=now, actor=world.facilitator, object_repr=f"r{n}", changes={"name": ["a", "b"]})
    few = queries()
    for n in range(55):
        event(world, at=now, actor=world.mel, object_repr=f"s{n}", changes={"name": ["a", "b"]})
    assert queries() == few


def test_htmx_filtering_swaps_only_the_rows(world: World) -> None:
    response = client_for(world.owner).get(AUDIT, {"q": "Alpha"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<h1>" not in body and 'id="audit-rows"' not in body


def test_the_csv_export_holds_the_filtered_rows_neutralised_and_is_itself_recorded(world: World) -> None:
    day = datetime.datetime(2025, 3, 10, 12, 0, tzinfo=datetime.UTC)
    event(
        world,
        at=day,
        actor=world.facilitator,
        object_repr='=HYPERLINK("http://x")',
        changes={"notes": [None, "@SUM(1)"]},
    )
    event(world, at=day, actor=world.mel, object_repr="Seed indicator")
    owner = client_for(world.owner)

    response = owner.get(f"{AUDIT}export.csv", {"person": str(world.facilitator.pk), "before": "x"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="alpha-audit-trail.csv"'
    [row] = csv_rows(response.content)
    assert row["person"] == world.facilitator.get_full_name()
    assert row["email"] == "facilitator@alpha.example.org"
    assert row["action"] == "changed" and row["record"] == '\'=HYPERLINK("http://x")'
    assert row["changes"] == "notes: — → @SUM(1)"
    assert row["when"] == "2025-03-10 12:00:00"

    recorded = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert recorded.actor == world.owner
    assert recorded.object_repr == ("alpha-audit-trail.csv (1 rows; person facilitator@alpha.example.org)")
    assert owner.get(f"{AUDIT}export.xlsx").status_code == 200
    assert owner.get(f"{AUDIT}export.pdf").status_code == 404


def test_the_trail_speaks_french(world: World) -> None:
    body = client_for(world.owner).get(AUDIT, headers={"Accept-Language": "fr"}).content.decode()
    assert "<h1>Journal d'audit</h1>" in body and "Tout le monde" in body
