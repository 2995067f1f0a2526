"""Rows of this app in programme A for tests/test_tenancy.py, which walks every URL as an outsider.

programme_a_rows(world) creates one row of every kind this app owns in programme A and returns
(ids, extra URL parameter values). The ids are tried for every <int:...> parameter of every URL.
"""

from __future__ import annotations

import datetime

from conftest import World
from konbit.core.access import Access
from konbit.core.models import Membership


def programme_a_rows(world: World) -> tuple[set[str], dict[str, list[str]]]:
    from konbit.partners import services as partner_services
    from konbit.results import services

    membership = Membership.objects.get(program=world.program_a, user=world.owner)
    access = Access(program=world.program_a, membership=membership)
    by = world.owner
    day = datetime.date(2026, 1, 5)
    from konbit.partners.models import Partnership

    if not Partnership.objects.filter(program=world.program_a, organization=world.partner_org).exists():
        # Other apps' tenancy rows may have made it a partner already (they run in one fixture).
        partner_services.partnership_create(
            access=access, organization=world.partner_org, by=by, data={"segment": "active"}
        )
    iv = services.intervention_create(
        access=access,
        by=by,
        data={"title": "Alpha Secret Processor upgrade", "function": "core", "lever": "lead_firm"},
        organizations=[world.partner_org],
    )
    role = services.facilitator_role_add(intervention=iv, by=by, data={"role": "broker", "from_date": day})
    a = services.chain_box_create(
        intervention=iv, by=by, data={"level": "activity", "text": "confidential-alpha-note"}
    )
    b = services.chain_box_create(intervention=iv, by=by, data={"level": "output", "text": "Alpha output"})
    link = services.chain_link_create(intervention=iv, by=by, source=a, target=b, assumption="x")
    version = services.chain_version_save(intervention=iv, by=by, review_date=day)
    entry = services.aaer_entry_create(
        intervention=iv,
        by=by,
        data={"organization": world.other_org_a, "stage": "adopt", "observed_on": day, "evidence": "seen"},
    )
    services.checklist_tick(access=access, phase="start_up", item="d0", done=True, by=by)
    criteria = services.exit_criteria_save(access=access, by=by, data={"engagement_min": 50})
    decision = services.exit_decision_record(
        access=access,
        organization=world.partner_org,
        by=by,
        data={"decision": "keep", "decided_on": day, "reason": "r"},
    )
    group = services.relationship_group_create(
        access=access,
        by=by,
        data={"name": "Alpha pair"},
        organizations=[world.partner_org, world.other_org_a],
    )
    assessment = services.relationship_assessment_add(
        group=group,
        by=by,
        data={
            "assessed_on": day,
            "competition": 4,
            "cooperation": 1,
            "desired_competition": 2,
            "desired_cooperation": 4,
        },
    )
    rows = [iv, role, a, b, link, version, entry, criteria, decision, group, assessment, world.partner_org]
    return {str(r.pk) for r in rows}, {"phase": ["start_up", "analysis"]}
