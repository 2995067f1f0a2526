"""A `next` address sends the person back to a page of the same programme, never elsewhere."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

from conftest import World, client_for
from konbit.partners.models import FollowUp

HOSTILE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "http:/evil.example",
    "/p/bravo/partners/",  # another programme's page
    "javascript:alert(1)",
]


@pytest.mark.django_db
@pytest.mark.parametrize("next_", HOSTILE)
def test_marking_a_follow_up_done_never_redirects_off_the_programme(world: World, next_: str) -> None:
    follow_up = FollowUp.objects.create(
        program=world.program_a,
        organization=world.partner_org,
        description="Send the price list",
        due_on=datetime.date(2025, 5, 1),
        owner=world.facilitator,
    )
    response = client_for(world.facilitator).post(
        f"/p/alpha/partners/follow-ups/{follow_up.pk}/done/", {"next": next_}
    )
    assert response.status_code == 302
    assert response["Location"] == "/p/alpha/partners/follow-ups/"


@pytest.mark.django_db
def test_a_next_page_of_the_programme_is_still_followed(world: World) -> None:
    follow_up = FollowUp.objects.create(
        program=world.program_a,
        organization=world.partner_org,
        description="x",
        due_on=datetime.date(2025, 5, 1),
        owner=world.facilitator,
    )
    back = "/p/alpha/partners/follow-ups/?state=open"
    response = client_for(world.facilitator).post(
        f"/p/alpha/partners/follow-ups/{follow_up.pk}/done/", {"next": back}
    )
    assert response["Location"] == back


def test_every_next_read_from_a_request_goes_through_the_one_helper() -> None:
    root = Path(__file__).resolve().parent.parent / "konbit"
    reading = re.compile(r"""(POST|GET|data|query_params)(\.get\(|\[)\s*["']next["']""")
    found = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts and path.name != "next_url.py" and reading.search(path.read_text())
    ]
    assert found == []
