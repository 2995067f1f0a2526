from __future__ import annotations

import re

from django.core import mail
from django.test import Client

from conftest import World, client_for
from konbit.core.models import AuditAction, AuditEvent, Membership
from konbit.core.roles import Role


def test_sign_in_shows_the_programme_and_is_recorded(world: World) -> None:
    client = Client()
    response = client.post(
        "/accounts/login/",
        {"username": "facilitator@alpha.example.org", "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    home = client.get("/", follow=True)
    assert "Alpha Market Systems" in home.content.decode()
    assert AuditEvent.objects.filter(actor=world.facilitator, action=AuditAction.SIGN_IN).count() == 1


def test_session_key_changes_on_sign_in(world: World) -> None:
    client = Client()
    client.get("/accounts/login/")
    client.session.save()
    before = client.session.session_key
    client.post(
        "/accounts/login/", {"username": "mel@alpha.example.org", "password": "correct horse battery staple"}
    )
    assert client.session.session_key != before


def test_repeated_wrong_passwords_lock_that_username_from_that_address_only(world: World) -> None:
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(5):
        attacker.post("/accounts/login/", {"username": "owner@alpha.example.org", "password": "wrong"})
    locked = attacker.post(
        "/accounts/login/",
        {"username": "owner@alpha.example.org", "password": "correct horse battery staple"},
    )
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    # The real owner, elsewhere, still signs in; and the attacker's address is not locked for others.
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    ok = elsewhere.post(
        "/accounts/login/",
        {"username": "owner@alpha.example.org", "password": "correct horse battery staple"},
    )
    assert ok.status_code == 302
    other_user = attacker.post(
        "/accounts/login/", {"username": "mel@alpha.example.org", "password": "correct horse battery staple"}
    )
    assert other_user.status_code == 302


def test_password_reset_sends_a_working_link(world: World) -> None:
    client = Client()
    client.post("/accounts/password-reset/", {"email": "viewer@alpha.example.org"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body)
    assert link
    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-new-long-passphrase-42", "new_password2": "a-new-long-passphrase-42"},
    )
    assert response.status_code == 302
    world.viewer.refresh_from_db()
    assert world.viewer.check_password("a-new-long-passphrase-42")


def test_invitation_by_email_link_creates_the_member_with_the_role(world: World) -> None:
    owner = client_for(world.owner)
    response = owner.post("/p/alpha/members/", {"email": "NewMEL@Example.org", "role": Role.MEL})
    assert response.status_code == 200
    assert len(mail.outbox) == 1
    path = re.search(r"https?://[^/]+(/invitations/\S+/)", mail.outbox[0].body).group(1)

    newcomer = Client()
    page = newcomer.get(path)
    assert "Join Alpha Market Systems" in page.content.decode()
    response = newcomer.post(
        path,
        {
            "first_name": "Rose",
            "last_name": "Michel",
            "password1": "tigre-mango-42-x",
            "password2": "tigre-mango-42-x",
        },
    )
    assert response.status_code == 302
    membership = Membership.objects.get(program=world.program_a, user__email="newmel@example.org")
    assert membership.role == Role.MEL
    assert "Alpha Market Systems" in newcomer.get("/p/alpha/").content.decode()
    # The link works once.
    assert Client().get(path).status_code == 404


def test_inviting_a_partner_user_requires_its_organisation(world: World) -> None:
    owner = client_for(world.owner)
    response = owner.post("/p/alpha/members/", {"email": "p2@example.org", "role": Role.PARTNER})
    assert "Choose the organisation this partner user speaks for." in response.content.decode()
    assert len(mail.outbox) == 0
    owner.post(
        "/p/alpha/members/",
        {"email": "p2@example.org", "role": Role.PARTNER, "organization": world.partner_org.pk},
    )
    assert len(mail.outbox) == 1


def test_the_last_owner_cannot_be_removed(world: World) -> None:
    owner = client_for(world.owner)
    membership = Membership.objects.get(program=world.program_a, user=world.owner)
    response = owner.post(f"/p/alpha/members/{membership.pk}/remove/", follow=True)
    assert "at least one owner" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_programme_switcher_lists_only_my_programmes(world: World) -> None:
    Membership.objects.create(program=world.program_b, user=world.facilitator, role=Role.VIEWER)
    page = client_for(world.facilitator).get("/p/alpha/").content.decode()
    assert "Bravo Water Collective" in page
    assert "Bravo Water Collective" not in client_for(world.mel).get("/p/alpha/").content.decode()


def test_a_signed_in_user_can_start_a_programme_and_owns_it(world: World) -> None:
    client = client_for(world.viewer)
    response = client.post(
        "/programs/new/",
        {"name": "Gamma Dairy Systems", "slug": "gamma", "country": "Senegal", "phase": "analysis"},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(program__slug="gamma", user=world.viewer)
    assert membership.role == Role.OWNER
    assert "Gamma Dairy Systems" in client.get("/p/gamma/settings/").content.decode()
    taken = client.post("/programs/new/", {"name": "Again", "slug": "alpha", "phase": "analysis"})
    assert taken.status_code == 200
    assert 'value="Again"' in taken.content.decode()
