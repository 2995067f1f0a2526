"""The scale generator builds exactly the volumes it promises, deterministically, and the result is a
programme people can open (the benchmarks measure its pages)."""

from __future__ import annotations

import pytest

from conftest import client_for
from konbit.core.models import Program
from konbit.core.scale import ScaleSpec, build_scale
from konbit.indicators.models import Indicator, Measurement
from konbit.maps.models import Connection, Element
from konbit.partners.models import (
    FollowUp,
    Interaction,
    Organization,
    Participation,
    Partnership,
    SupportEntry,
)

TINY = ScaleSpec("T", 60, 20, 400, 1_000, 30, 50, 2, 36, (120, 400))


@pytest.mark.django_db
def test_scale_programme_has_exactly_the_promised_volumes() -> None:
    program = build_scale(TINY, seed=3, log=lambda _line: None)
    counts = {
        "organizations": Organization.objects.filter(program=program).count(),
        "partnerships": Partnership.objects.filter(program=program).count(),
        "interactions": Interaction.objects.filter(program=program).count(),
        "participations": Participation.objects.filter(program=program).count(),
        "follow_ups": FollowUp.objects.filter(program=program).count(),
        "support_entries": SupportEntry.objects.filter(program=program).count(),
        "elements": Element.objects.filter(program=program).count(),
        "connections": Connection.objects.filter(program=program).count(),
        "indicators": Indicator.objects.filter(program=program).count(),
        "measurements": Measurement.objects.filter(program=program).count(),
    }
    assert counts == {
        "organizations": 60,
        "partnerships": 20,
        "interactions": 400,
        "participations": 1_000,
        "follow_ups": 30,
        "support_entries": 50,
        "elements": 120,
        "connections": 400,
        "indicators": 2,
        "measurements": 2 * 36,
    }
    # Scores were computed, and the map's partner elements are the partner organisations.
    assert Partnership.objects.filter(program=program, score__isnull=False).count() == 20
    assert Element.objects.filter(program=program, organization__isnull=False).exists()
    busiest = (
        Partnership.objects.filter(program=program)
        .order_by("-score", "pk")
        .select_related("organization")
        .first()
    )
    assert busiest is not None
    owner = program.memberships.get(role="owner").user
    page = client_for(owner).get(f"/p/{program.slug}/partners/{busiest.pk}/").content.decode()
    assert busiest.organization.name in page and "Engagement" in page
    # Indicators carry their computed progress, and their page opens with the 36 monthly readings.
    indicator = Indicator.objects.filter(program=program).order_by("pk").first()
    assert indicator is not None and indicator.progress is not None
    page = client_for(owner).get(f"/p/{program.slug}/change/indicators/{indicator.pk}/").content.decode()
    assert indicator.name in page and "2026-10" in page


@pytest.mark.django_db
def test_same_seed_gives_the_same_programme() -> None:
    first = build_scale(TINY, seed=5, log=lambda _line: None)
    rows = list(
        Interaction.objects.filter(program=first).order_by("pk").values_list("kind", "occurred_on", "topics")
    )
    Program.objects.filter(pk=first.pk).update(slug="scale-t-first")
    second = build_scale(TINY, seed=5, log=lambda _line: None)
    again = list(
        Interaction.objects.filter(program=second).order_by("pk").values_list("kind", "occurred_on", "topics")
    )
    assert rows == again
