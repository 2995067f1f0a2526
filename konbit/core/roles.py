"""Who may do what: the one place where role rules are declared.

Every programme-scoped view declares the Action it performs (see access.program_view); the
middleware refuses with 404 when the member's role is not allowed. Row-level limits for partner
users (only their own organisation, only what is shared with them) live in the selectors.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    FACILITATOR = "facilitator", _("Facilitator")
    MEL = "mel", _("MEL officer")
    VIEWER = "viewer", _("Viewer")
    PARTNER = "partner", _("Partner")


class Action(StrEnum):
    PROGRAM_VIEW = "program.view"
    PROGRAM_CHANGE = "program.change"
    MEMBER_VIEW = "member.view"
    MEMBER_MANAGE = "member.manage"
    HISTORY_VIEW = "history.view"
    AUDIT_VIEW = "audit.view"
    TRASH_VIEW = "trash.view"
    TRASH_RESTORE = "trash.restore"
    TRASH_EMPTY = "trash.empty"
    ORGANIZATION_LIST = "organization.list"
    ORGANIZATION_VIEW = "organization.view"
    ORGANIZATION_CREATE = "organization.create"
    ORGANIZATION_CHANGE = "organization.change"
    ORGANIZATION_DELETE = "organization.delete"
    PARTNERSHIP_VIEW = "partnership.view"
    PARTNERSHIP_CHANGE = "partnership.change"
    INTERACTION_VIEW = "interaction.view"
    INTERACTION_LOG = "interaction.log"
    FOLLOWUP_CHANGE = "followup.change"
    INVITATIONS_OWN = "invitations.own"
    ENGAGEMENT_SETTINGS = "engagement.settings"
    DATA_IMPORT = "data.import"
    DATA_EXPORT = "data.export"
    MAP_VIEW = "map.view"
    MAP_CHANGE = "map.change"
    MAP_ANALYSE = "map.analyse"
    PERSPECTIVE_EDIT = "perspective.edit"
    CHANGE_VIEW = "change.view"
    JOB_VIEW = "job.view"
    # results (steer change)
    CHECKLIST_TICK = "checklist.tick"
    PLAYBOOK_EDIT = "playbook.edit"
    INTERVENTION_CHANGE = "intervention.change"
    INTERVENTION_DELETE = "intervention.delete"
    EXIT_CRITERIA = "exit.criteria"
    EXIT_DECIDE = "exit.decide"

    # indicators
    INDICATOR_VIEW = "indicator.view"
    INDICATOR_CHANGE = "indicator.change"
    MEASUREMENT_ENTER = "measurement.enter"
    BENCHMARK_VIEW = "benchmark.view"
    BENCHMARK_CHANGE = "benchmark.change"

    # learning
    LESSON_VIEW = "lesson.view"
    LESSON_CHANGE = "lesson.change"
    COMMUNICATION_VIEW = "communication.view"
    COMMUNICATION_CHANGE = "communication.change"
    REPORT_VIEW = "report.view"


_STAFF = frozenset({Role.OWNER, Role.FACILITATOR, Role.MEL, Role.VIEWER})
_EDITORS = frozenset({Role.OWNER, Role.FACILITATOR, Role.MEL})
_OWNER = frozenset({Role.OWNER})
_EVERYONE = _STAFF | {Role.PARTNER}

RULES: dict[Action, frozenset[Role]] = {
    Action.PROGRAM_VIEW: _EVERYONE,
    Action.PROGRAM_CHANGE: _OWNER,
    Action.MEMBER_VIEW: _STAFF,
    Action.MEMBER_MANAGE: _OWNER,
    Action.HISTORY_VIEW: _STAFF,
    Action.AUDIT_VIEW: _OWNER,
    Action.TRASH_VIEW: _OWNER,
    Action.TRASH_RESTORE: _OWNER,
    Action.TRASH_EMPTY: _OWNER,
    Action.ORGANIZATION_LIST: _STAFF,
    # A partner user may open and edit its own organisation only; the selector enforces "own".
    Action.ORGANIZATION_VIEW: _EVERYONE,
    Action.ORGANIZATION_CREATE: _EDITORS,
    Action.ORGANIZATION_CHANGE: _EDITORS | {Role.PARTNER},
    Action.ORGANIZATION_DELETE: frozenset({Role.OWNER, Role.FACILITATOR}),
    # The partner pillar: engagement notes are internal judgements, never shown to partner users.
    Action.PARTNERSHIP_VIEW: _STAFF,
    Action.PARTNERSHIP_CHANGE: _EDITORS,
    Action.INTERACTION_VIEW: _STAFF,
    Action.INTERACTION_LOG: _EDITORS,
    Action.FOLLOWUP_CHANGE: _EDITORS,
    Action.INVITATIONS_OWN: frozenset({Role.PARTNER}),
    Action.ENGAGEMENT_SETTINGS: _OWNER,
    Action.DATA_IMPORT: _EDITORS,
    Action.DATA_EXPORT: _STAFF,
    # Maps: a partner user sees the list of maps and only its own perspectives of them (selectors).
    Action.MAP_VIEW: _EVERYONE,
    Action.MAP_CHANGE: _EDITORS,
    Action.MAP_ANALYSE: _STAFF,
    Action.PERSPECTIVE_EDIT: _EDITORS | {Role.PARTNER},
    Action.CHANGE_VIEW: _STAFF,
    # Background jobs: a partner user sees only the jobs it started (selectors).
    Action.JOB_VIEW: _EVERYONE,
    # results (steer change): every page is staff-only (interventions, AAER evidence and exit status
    # are the team's judgements about partners); the playbook and exit criteria are the owners' call.
    Action.CHECKLIST_TICK: _EDITORS,
    Action.PLAYBOOK_EDIT: _OWNER,
    Action.INTERVENTION_CHANGE: _EDITORS,
    Action.INTERVENTION_DELETE: frozenset({Role.OWNER, Role.FACILITATOR}),
    Action.EXIT_CRITERIA: _OWNER,
    Action.EXIT_DECIDE: frozenset({Role.OWNER, Role.FACILITATOR}),
    # indicators
    Action.INDICATOR_VIEW: _STAFF,
    Action.INDICATOR_CHANGE: _EDITORS,
    Action.MEASUREMENT_ENTER: _EDITORS,
    # A partner user sees its own organisation's benchmarks only (read-only); the selector enforces "own".
    Action.BENCHMARK_VIEW: _EVERYONE,
    Action.BENCHMARK_CHANGE: _EDITORS,
    # learning: lessons, the communication plan and the funder report are the team's own work.
    Action.LESSON_VIEW: _STAFF,
    Action.LESSON_CHANGE: _EDITORS,
    Action.COMMUNICATION_VIEW: _STAFF,
    Action.COMMUNICATION_CHANGE: _EDITORS,
    Action.REPORT_VIEW: _STAFF,
}


def can(role: str, action: Action) -> bool:
    return role in RULES[action]
