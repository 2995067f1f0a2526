"""What a visitor sees in the demo's indicators, and the funder-report section built from them."""

from __future__ import annotations

import datetime
import random
from collections import Counter
from typing import Any

from konbit.core.access import Access
from konbit.core.demo import DEMO_SLUG, DemoContext, build_demo
from konbit.core.models import Membership, Program
from konbit.core.roles import Role
from konbit.indicators.demo import build_demo as build_indicators
from konbit.indicators.models import Indicator, Measurement, PartnerBenchmark, Status
from konbit.indicators.report import report_section
from konbit.results.models import ChainBox, Intervention
from tests.factories import ProgramFactory, UserFactory


def test_demo_has_quarterly_measurements_targets_a_mix_of_statuses_and_partner_benchmarks(db: Any) -> None:
    program = build_demo()
    indicators = list(Indicator.objects.filter(program=program))
    assert len(indicators) == 15
    statuses = Counter(i.status for i in indicators)
    assert (
        statuses[Status.OFF_TRACK] >= 2 and statuses[Status.ON_TRACK] >= 5 and statuses[Status.AT_RISK] >= 2
    )
    labels = set(Measurement.objects.filter(program=program).values_list("period_label", flat=True))
    assert min(labels) == "2024-Q1" and max(labels) == "2026-Q3" and len(labels) == 11
    split = Measurement.objects.filter(program=program, category__isnull=False)
    assert {m.category.dimension.name for m in split.select_related("category__dimension")} == {
        "Sex",
        "Region",
    }
    benchmarks = PartnerBenchmark.objects.filter(program=program)
    assert 8 <= benchmarks.count() <= 12
    assert all(b.incentive for b in benchmarks)
    assert {"met", "pending"} <= set(benchmarks.values_list("status", flat=True))
    # The demo partner user's organisation has benchmarks of its own to see.
    partner = Membership.objects.get(program=program, role=Role.PARTNER)
    assert benchmarks.filter(organization=partner.organization).count() == 2

    owner = Membership.objects.get(program=program, user__email="owner@demo.konbit.local")
    section = report_section(
        access=Access(program=program, membership=owner),
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 9, 30),
    )
    assert section["key"] == "indicators"
    table = section["tables"][0]
    assert table["title"] == "Indicators against targets"
    assert table["headers"] == ["Indicator", "Unit", "Baseline", "Target", "Achieved", "Progress %", "Status"]
    assert len(table["rows"]) == 15
    first = Indicator.objects.get(program=program, code="I1")
    row = next(r for r in table["rows"] if r[0] == str(first))
    assert row[4] == first.achieved and row[5] == round(first.progress, 1)
    assert 1 <= len(section["charts"]) <= 12
    svg = section["charts"][0]["svg"]
    assert svg.startswith("<svg") and "<title" in svg and "<desc" in svg
    assert "style=" not in svg and "<script" not in svg
    # A report ending earlier sees less: the end of 2024.
    early = report_section(
        access=Access(program=program, membership=owner),
        start=datetime.date(2024, 1, 1),
        end=datetime.date(2024, 12, 31),
    )
    early_row = next(r for r in early["tables"][0]["rows"] if r[0] == str(first))
    assert early_row[4] < row[4]
    assert Program.objects.filter(slug=DEMO_SLUG).count() == 1


def test_demo_indicators_hang_off_the_results_chain_when_the_results_demo_made_one(db: Any) -> None:
    program = ProgramFactory(slug="chain")
    mel = UserFactory(email="mel@chain.example.org")
    interventions = []
    for title in ["Certified seed through agro-dealers", "Mango collection points"]:
        intervention = Intervention.objects.create(
            program=program, title=title, function="core", lever="lead_firm"
        )
        for level in ["output", "outcome", "systemic", "impact"]:
            ChainBox.objects.create(
                program=program, intervention=intervention, level=level, text=f"{title} {level}"
            )
        interventions.append(intervention)
    build_indicators(program, DemoContext(rng=random.Random(7), users={"mel": mel}))
    linked = Indicator.objects.filter(program=program, intervention__isnull=False).select_related("chain_box")
    assert 8 <= linked.count() < 15  # a few stay at programme level
    for indicator in linked:
        assert (
            indicator.chain_box is not None
            and indicator.chain_box.intervention_id == indicator.intervention_id
        )
        assert indicator.chain_box.level == indicator.type
    assert not PartnerBenchmark.objects.filter(program=program).exists()  # no partners in this programme


def test_the_demo_is_deterministic(db: Any) -> None:
    def build(slug: str, seed: int) -> list[tuple[str, str]]:
        program = ProgramFactory(slug=slug)
        build_indicators(program, DemoContext(rng=random.Random(seed), users={}))
        return [
            (m.indicator.code, str(m.value))
            for m in Measurement.objects.filter(program=program).select_related("indicator").order_by("pk")
        ]

    assert build("one", 3) == build("two", 3)
    assert build("three", 3) != build("four", 4)
