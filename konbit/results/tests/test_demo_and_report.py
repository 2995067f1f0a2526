"""The demo programme's steering data, and the funder-report section built from it."""

from __future__ import annotations

import datetime
import re

import pytest

from konbit.core.access import Access
from konbit.core.demo import DEMO_SLUG, build_demo
from konbit.core.models import Membership, Program
from konbit.core.roles import Role
from konbit.partners.models import Partnership
from konbit.results import selectors
from konbit.results.models import AaerEntry, ChainLink, ChainVersion, Intervention, RelationshipGroup
from konbit.results.report import report_section


@pytest.fixture
def demo(db: object) -> Access:
    build_demo(seed=7)
    program = Program.objects.get(slug=DEMO_SLUG)
    return Access(program=program, membership=Membership.objects.get(program=program, role=Role.OWNER))


def test_demo_has_interventions_chains_change_and_progress_fitting_start_up(demo: Access) -> None:
    program = demo.program
    interventions = Intervention.objects.filter(program=program)
    assert 5 <= interventions.count() <= 6
    assert {iv.lever for iv in interventions} >= {"lead_firm", "rules", "supporting_function"}
    assert ChainLink.objects.filter(program=program).count() >= 8
    assert ChainVersion.objects.filter(program=program).count() == 1
    partners = set(Partnership.objects.filter(program=program).values_list("organization_id", flat=True))
    actors = set(AaerEntry.objects.filter(program=program).values_list("organization_id", flat=True))
    assert 2 <= len(actors - partners) <= 3  # firms that copied a change without being partners
    years = {d.year for d in AaerEntry.objects.filter(program=program).values_list("observed_on", flat=True)}
    assert years >= {2025, 2026}
    assert RelationshipGroup.objects.filter(program=program).count() == 2
    progress = {p["phase"]: p for p in selectors.checklist_progress(access=demo)}
    assert progress["analysis"]["done"] == progress["analysis"]["total"]
    assert 0 < progress["start_up"]["done"] < progress["start_up"]["total"]
    assert progress["scale_up"]["done"] == 0


def test_report_section_follows_the_contract(demo: Access) -> None:
    section = report_section(access=demo, start=datetime.date(2025, 1, 1), end=datetime.date(2026, 11, 15))
    assert set(section) == {"key", "title", "intro", "figures", "tables", "charts"}
    assert section["key"] == "results"
    titles = [t["title"] for t in section["tables"]]
    assert titles == ["Interventions", "Adopt, adapt, expand, respond", "Rolling exit"]
    interventions = section["tables"][0]
    assert len(interventions["rows"]) == Intervention.objects.filter(program=demo.program).count()
    assert all(len(row) == len(t["headers"]) for t in section["tables"] for row in t["rows"])
    for _label, value in section["figures"]:
        assert isinstance(value, int | float)
    [chart] = section["charts"]
    svg = chart["svg"]
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "<script" not in svg and not re.search(r"\sstyle=", svg)
