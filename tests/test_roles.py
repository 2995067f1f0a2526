"""The role table: each role × each action is allowed or refused exactly as declared, both in the
rules and on the pages (a refused page answers 404, like a page that does not exist)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conftest import World, client_for
from konbit.core.roles import RULES, Action, Role, can

O, F, M, V, P = Role.OWNER, Role.FACILITATOR, Role.MEL, Role.VIEWER, Role.PARTNER  # noqa: E741

# The declared table, written out by hand so that a change to the rules is a visible change here.
EXPECTED: dict[Action, set[Role]] = {
    Action.PROGRAM_VIEW: {O, F, M, V, P},
    Action.PROGRAM_CHANGE: {O},
    Action.MEMBER_VIEW: {O, F, M, V},
    Action.MEMBER_MANAGE: {O},
    Action.HISTORY_VIEW: {O, F, M, V},
    Action.AUDIT_VIEW: {O},
    Action.TRASH_VIEW: {O},
    Action.TRASH_RESTORE: {O},
    Action.TRASH_EMPTY: {O},
    Action.ORGANIZATION_LIST: {O, F, M, V},
    Action.ORGANIZATION_VIEW: {O, F, M, V, P},
    Action.ORGANIZATION_CREATE: {O, F, M},
    Action.ORGANIZATION_CHANGE: {O, F, M, P},
    Action.ORGANIZATION_DELETE: {O, F},
    Action.PARTNERSHIP_VIEW: {O, F, M, V},
    Action.PARTNERSHIP_CHANGE: {O, F, M},
    Action.INTERACTION_VIEW: {O, F, M, V},
    Action.INTERACTION_LOG: {O, F, M},
    Action.FOLLOWUP_CHANGE: {O, F, M},
    Action.INVITATIONS_OWN: {P},
    Action.ENGAGEMENT_SETTINGS: {O},
    Action.DATA_IMPORT: {O, F, M},
    Action.DATA_EXPORT: {O, F, M, V},
    Action.MAP_VIEW: {O, F, M, V, P},
    Action.MAP_CHANGE: {O, F, M},
    Action.MAP_ANALYSE: {O, F, M, V},
    Action.PERSPECTIVE_EDIT: {O, F, M, P},
    Action.CHANGE_VIEW: {O, F, M, V},
    Action.JOB_VIEW: {O, F, M, V, P},
    # results (steer change)
    Action.CHECKLIST_TICK: {O, F, M},
    Action.PLAYBOOK_EDIT: {O},
    Action.INTERVENTION_CHANGE: {O, F, M},
    Action.INTERVENTION_DELETE: {O, F},
    Action.EXIT_CRITERIA: {O},
    Action.EXIT_DECIDE: {O, F},
    # indicators
    Action.INDICATOR_VIEW: {O, F, M, V},
    Action.INDICATOR_CHANGE: {O, F, M},
    Action.MEASUREMENT_ENTER: {O, F, M},
    Action.BENCHMARK_VIEW: {O, F, M, V, P},
    Action.BENCHMARK_CHANGE: {O, F, M},
    # learning
    Action.LESSON_VIEW: {O, F, M, V},
    Action.LESSON_CHANGE: {O, F, M},
    Action.COMMUNICATION_VIEW: {O, F, M, V},
    Action.COMMUNICATION_CHANGE: {O, F, M},
    Action.REPORT_VIEW: {O, F, M, V},
}


def test_every_action_has_a_declared_rule() -> None:
    assert set(RULES) == set(Action) == set(EXPECTED)


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", list(Role))
def test_role_table(role: Role, action: Action) -> None:
    assert can(role, action) is (role in EXPECTED[action])


def _org(w: World) -> int:
    return w.partner_org.pk


def _intervention(w: World) -> int:
    from konbit.results.models import Intervention

    return Intervention.objects.create(
        program=w.program_a, title="Role check", function="core", lever="rules"
    ).pk


def _partner(w: World) -> int:
    from konbit.partners.models import Partnership

    Partnership.objects.get_or_create(program=w.program_a, organization=w.partner_org)
    return w.partner_org.pk


# One page per action: (method, url builder). POST actions are checked by their effect elsewhere;
# here a refused POST must answer 404 and an allowed one must not.
PAGES: dict[Action, tuple[str, Callable[[World], str]]] = {
    Action.PROGRAM_VIEW: ("get", lambda w: "/p/alpha/"),
    Action.PROGRAM_CHANGE: ("get", lambda w: "/p/alpha/settings/"),
    Action.MEMBER_VIEW: ("get", lambda w: "/p/alpha/members/"),
    Action.MEMBER_MANAGE: (
        "get",
        lambda w: f"/p/alpha/members/{w.program_a.memberships.get(user=w.viewer).pk}/",
    ),
    Action.AUDIT_VIEW: ("get", lambda w: "/p/alpha/audit/"),
    Action.TRASH_VIEW: ("get", lambda w: "/p/alpha/trash/"),
    Action.TRASH_EMPTY: ("post", lambda w: "/p/alpha/trash/empty/"),
    Action.ORGANIZATION_LIST: ("get", lambda w: "/p/alpha/partners/organizations/"),
    Action.ORGANIZATION_VIEW: ("get", lambda w: f"/p/alpha/partners/organizations/{_org(w)}/"),
    Action.ORGANIZATION_CREATE: ("get", lambda w: "/p/alpha/partners/organizations/new/"),
    Action.ORGANIZATION_CHANGE: ("get", lambda w: f"/p/alpha/partners/organizations/{_org(w)}/edit/"),
    Action.ORGANIZATION_DELETE: ("post", lambda w: f"/p/alpha/partners/organizations/{_org(w)}/delete/"),
    Action.MAP_VIEW: ("get", lambda w: "/p/alpha/maps/"),
    Action.CHANGE_VIEW: ("get", lambda w: "/p/alpha/change/"),
    Action.JOB_VIEW: ("get", lambda w: "/p/alpha/jobs/"),
    # results (steer change)
    Action.CHECKLIST_TICK: ("post", lambda w: "/p/alpha/change/playbook/start_up/tick/"),
    Action.PLAYBOOK_EDIT: ("get", lambda w: "/p/alpha/change/playbook/start_up/edit/"),
    Action.INTERVENTION_CHANGE: ("get", lambda w: "/p/alpha/change/interventions/new/"),
    Action.INTERVENTION_DELETE: (
        "post",
        lambda w: f"/p/alpha/change/interventions/{_intervention(w)}/delete/",
    ),
    Action.EXIT_CRITERIA: ("get", lambda w: "/p/alpha/change/exit/criteria/"),
    Action.EXIT_DECIDE: ("get", lambda w: f"/p/alpha/change/exit/partners/{_partner(w)}/"),
    # indicators
    Action.INDICATOR_VIEW: ("get", lambda w: "/p/alpha/change/indicators/"),
    Action.INDICATOR_CHANGE: ("get", lambda w: "/p/alpha/change/indicators/new/"),
    Action.MEASUREMENT_ENTER: ("get", lambda w: "/p/alpha/change/indicators/measurements/new/"),
    Action.BENCHMARK_VIEW: ("get", lambda w: "/p/alpha/change/indicators/benchmarks/"),
    Action.BENCHMARK_CHANGE: ("get", lambda w: "/p/alpha/change/indicators/benchmarks/new/"),
    # learning
    Action.LESSON_VIEW: ("get", lambda w: "/p/alpha/learning/lessons/"),
    Action.LESSON_CHANGE: ("get", lambda w: "/p/alpha/learning/lessons/new/"),
    Action.COMMUNICATION_VIEW: ("get", lambda w: "/p/alpha/learning/communications/"),
    Action.COMMUNICATION_CHANGE: ("get", lambda w: "/p/alpha/learning/communications/new/"),
    Action.REPORT_VIEW: ("get", lambda w: "/p/alpha/learning/report/"),
}


@pytest.mark.parametrize("action", list(PAGES))
@pytest.mark.parametrize("role", list(Role))
def test_pages_follow_the_role_table(world: World, role: Role, action: Action) -> None:
    method, url = PAGES[action]
    response = getattr(client_for(world.user_for(role)), method)(url(world))
    if role in EXPECTED[action]:
        assert response.status_code in {200, 302}, f"{role} {action}: {response.status_code}"
    else:
        assert response.status_code == 404, f"{role} {action}: {response.status_code}"


@pytest.mark.parametrize("role", list(Role))
def test_history_is_shown_to_staff_only(world: World, role: Role) -> None:
    response = client_for(world.user_for(role)).get(f"/p/alpha/partners/organizations/{_org(world)}/")
    assert response.status_code == 200
    shows_history = 'id="history-title"' in response.content.decode()
    assert shows_history is (role in EXPECTED[Action.HISTORY_VIEW])


@pytest.mark.parametrize("role", list(Role))
def test_trash_restore_follows_the_role_table(world: World, role: Role) -> None:
    from konbit.core.services import tenant_record_delete
    from konbit.partners.models import Organization

    tenant_record_delete(instance=world.other_org_a, by=world.owner)
    response: Any = client_for(world.user_for(role)).post(
        f"/p/alpha/trash/partners.organization/{world.other_org_a.pk}/restore/"
    )
    restored = Organization.objects.filter(pk=world.other_org_a.pk).exists()
    assert restored is (role in EXPECTED[Action.TRASH_RESTORE])
    assert (response.status_code == 404) is (role not in EXPECTED[Action.TRASH_RESTORE])
