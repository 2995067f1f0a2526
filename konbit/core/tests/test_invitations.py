"""Invitations are bound to the address they were sent to: only that person can use the link."""

from __future__ import annotations

import re

from django.core import mail
from django.test import Client

from conftest import World, client_for
from konbit.core.models import Invitation, Membership
from konbit.core.roles import Role
from tests.factories import UserFactory

NEW_ACCOUNT = {
    "first_name": "Rose",
    "last_name": "Michel",
    "password1": "tigre-mango-42-x",
    "password2": "tigre-mango-42-x",
}


def invite(world: World, email: str, role: str = Role.FACILITATOR) -> str:
    client_for(world.owner).post("/p/alpha/members/", {"email": email, "role": role})
    match = re.search(r"https?://[^/]+(/invitations/\S+/)", mail.outbox[-1].body)
    assert match
    return match.group(1)


def test_a_member_who_opens_someone_elses_invitation_is_told_and_does_not_use_it_up(world: World) -> None:
    path = invite(world, "Rose@Example.org", Role.FACILITATOR)
    viewer = client_for(world.viewer)
    page = viewer.get(path)
    assert page.status_code == 403
    assert "rose@example.org" in page.content.decode()
    assert viewer.post(path).status_code == 403
    assert Membership.objects.get(program=world.program_a, user=world.viewer).role == Role.VIEWER
    assert Invitation.objects.get(email="rose@example.org").accepted_at is None
    # The real invitee can still join, with the invited role.
    newcomer = Client()
    assert newcomer.post(path, NEW_ACCOUNT).status_code == 302
    assert Membership.objects.get(program=world.program_a, user__email="rose@example.org").role == (
        Role.FACILITATOR
    )


def test_an_account_of_another_programme_cannot_join_with_someone_elses_invitation(world: World) -> None:
    path = invite(world, "rose@example.org", Role.OWNER)
    outsider = client_for(world.outsider)
    assert outsider.post(path).status_code == 403
    assert not Membership.objects.filter(program=world.program_a, user=world.outsider).exists()
    assert Invitation.objects.get(email="rose@example.org").is_open


def test_the_invitee_signed_in_joins_whatever_the_case_of_the_address(world: World) -> None:
    rose = UserFactory(email="Rose@example.org", username="rose")
    path = invite(world, "rose@EXAMPLE.org", Role.MEL)
    response = client_for(rose).post(path)
    assert response.status_code == 302
    assert Membership.objects.get(program=world.program_a, user=rose).role == Role.MEL


def test_signing_up_through_an_invitation_takes_the_invited_address(world: World) -> None:
    path = invite(world, "rose@example.org")
    response = Client().post(path, {**NEW_ACCOUNT, "email": "mallory@example.org"})
    assert response.status_code == 302
    membership = Membership.objects.get(program=world.program_a, user__email="rose@example.org")
    assert membership.user.username == "rose@example.org"
    assert not Membership.objects.filter(user__email="mallory@example.org").exists()
