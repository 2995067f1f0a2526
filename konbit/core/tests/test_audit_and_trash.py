from __future__ import annotations

from conftest import World, client_for
from konbit.core.models import AuditAction, AuditEvent, Program
from konbit.partners.models import Organization


def test_renaming_a_programme_records_old_and_new_name_with_the_editor(world: World) -> None:
    client = client_for(world.owner)
    form = client.get("/p/alpha/settings/").context["form"]
    data = {name: (value if value is not None else "") for name, value in form.initial.items()}
    data.update({"name": "Alpha Market Systems II", "phase": "analysis", "version": 1})
    response = client.post("/p/alpha/settings/", data)
    assert response.status_code == 302

    event = AuditEvent.objects.get(program=world.program_a, action=AuditAction.UPDATE)
    assert event.actor == world.owner
    assert event.changes["name"] == ["Alpha Market Systems", "Alpha Market Systems II"]
    assert event.changes["phase"] == ["pre_project", "analysis"]
    assert Program.objects.get(pk=world.program_a.pk).name == "Alpha Market Systems II"
    page = client.get("/p/alpha/settings/").content.decode()
    assert "Alpha Market Systems II" in page and "<del>Alpha Market Systems</del>" in page


def test_a_stale_programme_edit_is_refused_and_keeps_what_the_user_typed(world: World) -> None:
    client = client_for(world.owner)
    base = {"name": "First rename", "phase": "analysis", "version": 1, "country": "Haiti", "sector": ""}
    assert client.post("/p/alpha/settings/", base).status_code == 302
    stale = {**base, "name": "Second rename from an old tab"}
    response = client.post("/p/alpha/settings/", stale)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Someone else saved this record" in body
    assert 'value="Second rename from an old tab"' in body
    assert Program.objects.get(pk=world.program_a.pk).name == "First rename"
    # Saving again from the conflict page applies the user's version on purpose.
    again = {**stale, "version": response.context["form"].data["version"]}
    assert client.post("/p/alpha/settings/", again).status_code == 302
    assert Program.objects.get(pk=world.program_a.pk).name == "Second rename from an old tab"


def test_deleting_and_restoring_an_organisation_round_trips(world: World) -> None:
    org = world.other_org_a
    facilitator = client_for(world.facilitator)
    owner = client_for(world.owner)
    deleted = facilitator.post(f"/p/alpha/partners/organizations/{org.pk}/delete/", follow=True)
    assert "moved to the trash" in deleted.content.decode()

    assert not Organization.objects.filter(pk=org.pk).exists()
    assert (
        "Alpha Secret Processor" not in facilitator.get("/p/alpha/partners/organizations/").content.decode()
    )
    assert facilitator.get(f"/p/alpha/partners/organizations/{org.pk}/").status_code == 404
    assert "Alpha Secret Processor" in owner.get("/p/alpha/trash/").content.decode()

    assert owner.post(f"/p/alpha/trash/partners.organization/{org.pk}/restore/").status_code == 302
    restored = Organization.objects.get(pk=org.pk)
    assert restored.notes == "confidential-alpha-note"
    assert "Alpha Secret Processor" in facilitator.get("/p/alpha/partners/organizations/").content.decode()
    actions = list(
        AuditEvent.objects.filter(object_id=str(org.pk), program=world.program_a)
        .order_by("at", "id")
        .values_list("action", "actor__email")
    )
    assert actions == [
        (AuditAction.DELETE, "facilitator@alpha.example.org"),
        (AuditAction.RESTORE, "owner@alpha.example.org"),
    ]


def test_emptying_the_trash_deletes_for_good_but_keeps_a_record_of_it(world: World) -> None:
    org = world.other_org_a
    owner = client_for(world.owner)
    owner.post(f"/p/alpha/partners/organizations/{org.pk}/delete/")
    assert owner.post("/p/alpha/trash/empty/").status_code == 302
    assert not Organization.all_objects.filter(pk=org.pk).exists()
    purge = AuditEvent.objects.get(action=AuditAction.PURGE, object_id=str(org.pk))
    assert purge.object_repr == "Alpha Secret Processor"
    assert "The trash is empty." in owner.get("/p/alpha/trash/").content.decode()


def test_an_organisation_a_partner_user_speaks_for_stays_in_trash_when_emptied(world: World) -> None:
    owner = client_for(world.owner)
    owner.post(f"/p/alpha/partners/organizations/{world.partner_org.pk}/delete/")
    response = owner.post("/p/alpha/trash/empty/", follow=True)
    assert Organization.all_objects.filter(pk=world.partner_org.pk).exists()
    assert "stay in the trash" in response.content.decode()


def test_editing_an_organisation_shows_the_change_on_its_page(world: World) -> None:
    client = client_for(world.facilitator)
    org = world.other_org_a
    data = {
        "name": org.name,
        "type": org.type,
        "region": "Centre",
        "town": org.town,
        "notes": org.notes,
        "version": org.version,
    }
    assert client.post(f"/p/alpha/partners/organizations/{org.pk}/edit/", data).status_code == 302
    page = client.get(f"/p/alpha/partners/organizations/{org.pk}/").content.decode()
    assert "<del>Nord</del> → <ins>Centre</ins>" in page
    # Only what changed is recorded.
    assert "<code>notes</code>" not in page
