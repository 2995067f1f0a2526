"""Fixed actors for permission tests (healthchecks' alice/bob/charlie, Konbit-style):

- programme A ("Alpha Market Systems") with an owner, a facilitator, a MEL officer, a viewer and a
  partner user who speaks for one of A's organisations;
- programme B owned by the outsider, who has no role in A.
Each programme holds organisations with recognisable names so responses can be searched for leaks.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from hypothesis import settings as hypothesis_settings

from konbit.core.models import Membership, Program
from konbit.core.roles import Role
from konbit.partners.models import Organization
from tests.factories import MembershipFactory, OrganizationFactory, ProgramFactory, UserFactory

# Property-based and schemathesis tests draw the same examples on every run: CI must be reproducible (a
# red run blocks a landing). Explore new examples locally with HYPOTHESIS_PROFILE=explore.
hypothesis_settings.register_profile("ci", derandomize=True)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@dataclass
class World:
    program_a: Program
    program_b: Program
    owner: Any
    facilitator: Any
    mel: Any
    viewer: Any
    partner_user: Any
    outsider: Any
    partner_org: Organization
    other_org_a: Organization
    org_b: Organization

    def user_for(self, role: str) -> Any:
        return {
            Role.OWNER: self.owner,
            Role.FACILITATOR: self.facilitator,
            Role.MEL: self.mel,
            Role.VIEWER: self.viewer,
            Role.PARTNER: self.partner_user,
        }[Role(role)]


@pytest.fixture
def world(db: Any) -> World:
    program_a = ProgramFactory(name="Alpha Market Systems", slug="alpha")
    program_b = ProgramFactory(name="Bravo Water Collective", slug="bravo")
    partner_org = OrganizationFactory(program=program_a, name="Alpha Partner Cooperative")
    other_org_a = OrganizationFactory(
        program=program_a, name="Alpha Secret Processor", notes="confidential-alpha-note"
    )
    org_b = OrganizationFactory(
        program=program_b, name="Bravo Pump Suppliers", notes="confidential-bravo-note"
    )
    users = {}
    for role in [Role.OWNER, Role.FACILITATOR, Role.MEL, Role.VIEWER]:
        users[role] = UserFactory(email=f"{role}@alpha.example.org")
        MembershipFactory(program=program_a, user=users[role], role=role)
    partner_user = UserFactory(email="partner@alpha.example.org")
    Membership.objects.create(
        program=program_a, user=partner_user, role=Role.PARTNER, organization=partner_org
    )
    outsider = UserFactory(email="owner@bravo.example.org")
    MembershipFactory(program=program_b, user=outsider, role=Role.OWNER)
    return World(
        program_a=program_a,
        program_b=program_b,
        owner=users[Role.OWNER],
        facilitator=users[Role.FACILITATOR],
        mel=users[Role.MEL],
        viewer=users[Role.VIEWER],
        partner_user=partner_user,
        outsider=outsider,
        partner_org=partner_org,
        other_org_a=other_org_a,
        org_b=org_b,
    )


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    """The throttle counters live in a process-wide cache: each test starts with none."""
    from django.core.cache import caches

    caches["throttle"].clear()
