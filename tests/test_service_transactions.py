"""One service call is one transaction (CONVENTIONS, "Where logic lives"; docs/architecture.md).

Fault injection on the real database: every service that writes more than one statement is called once
to count its writes (INSERT/UPDATE/DELETE statements), then called again on a fresh programme built the
same way with the *last* of those writes made to fail. Nothing of the call may remain afterwards: no row,
no audit line, no version bump, no derived score or date. A fingerprint of every table (each row's values)
is compared before and after, so an update that survived is caught as well as an insert.

Every public function of the services modules is either in SERVICES (with a builder of its arguments) or
in NOT_MULTI_WRITE with the reason; a new one that is in neither fails `test_every_service_is_listed`.
"""

from __future__ import annotations

import datetime
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import cached_property
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, transaction

from konbit.core import services as core_services
from konbit.core.access import Access
from konbit.core.models import AuditEvent, Invitation, Membership
from konbit.core.roles import Role
from konbit.core.transactions import is_service
from konbit.indicators import services as indicator_services
from konbit.indicators import spreadsheets
from konbit.learning import services as learning_services
from konbit.maps import graph
from konbit.maps import services as map_services
from konbit.maps.models import PerspectiveKind
from konbit.partners import services as partner_services
from konbit.partners.io import importers
from konbit.partners.io import services as io_services
from konbit.partners.io.readers import Table
from konbit.partners.models import DriverNote, InteractionKind, Partnership
from konbit.results import services as result_services
from tests.factories import OrganizationFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 3, 10)

# Modules whose public functions are services, and single service-like writers found elsewhere.
MODULES = {
    "core": core_services,
    "partners": partner_services,
    "partners.io": io_services,
    "maps": map_services,
    "results": result_services,
    "indicators": indicator_services,
    "learning": learning_services,
}
EXTRA = {"indicators.spreadsheets.import_commit": spreadsheets.import_commit}


class InjectedFault(Exception):
    """The write the test made fail (not a DatabaseError, so no service mistakes it for a race)."""


WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _is_write(sql: str) -> bool:
    return sql.lstrip().upper().startswith(WRITES)


@contextmanager
def writes_counted() -> Iterator[list[str]]:
    seen: list[str] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if _is_write(sql):
            seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield seen


@contextmanager
def failing_write(number: int) -> Iterator[None]:
    """The `number`-th write statement raises instead of running."""
    count = 0

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal count
        if _is_write(sql):
            count += 1
            if count == number:
                raise InjectedFault(sql[:80])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield


def fingerprint() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, as values (M2M link tables and the task queue included)."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        rows = list(model._base_manager.order_by("pk").values_list())
        tables[model._meta.db_table] = [tuple(str(v) for v in row) for row in rows]
    return tables


class Fx:
    """A fresh programme and its owner, with the rows a service needs, made on first use."""

    def __init__(self) -> None:
        self.program = ProgramFactory()
        self.user = UserFactory()
        self.membership = Membership.objects.create(program=self.program, user=self.user, role=Role.OWNER)
        self.access = Access(program=self.program, membership=self.membership)

    # --- core and partners
    @cached_property
    def org(self) -> Any:
        return OrganizationFactory(program=self.program)

    @cached_property
    def org2(self) -> Any:
        return OrganizationFactory(program=self.program)

    @cached_property
    def trio(self) -> Any:
        return OrganizationFactory(program=self.program)

    @cached_property
    def partnership(self) -> Partnership:
        return partner_services.partnership_create(
            access=self.access, organization=self.org, by=self.user, data={"segment": "active", "since": DAY}
        )

    @cached_property
    def partnership2(self) -> Partnership:
        return partner_services.partnership_create(
            access=self.access, organization=self.org2, by=self.user, data={"segment": "active", "since": DAY}
        )

    @cached_property
    def conversation(self) -> Any:
        self.partnership  # noqa: B018 — scores to refresh
        return partner_services.interaction_log(
            access=self.access,
            by=self.user,
            data={"kind": InteractionKind.CONVERSATION, "title": "Talk", "occurred_on": DAY},
            organizations=[self.org],
        )

    @cached_property
    def event(self) -> Any:
        self.partnership  # noqa: B018
        self.partnership2  # noqa: B018
        return partner_services.interaction_log(
            access=self.access,
            by=self.user,
            data={"kind": InteractionKind.WORKSHOP, "title": "Workshop", "occurred_on": DAY},
            organizations=[self.org],
        )

    @cached_property
    def follow_up(self) -> Any:
        self.partnership  # noqa: B018
        return partner_services.followup_create(
            access=self.access,
            by=self.user,
            data={"organization": self.org, "description": "Call back", "owner": self.user, "due_on": DAY},
        )

    @cached_property
    def driver(self) -> Any:
        return partner_services.partnership_child_create(
            partnership=self.partnership,
            model=DriverNote,
            by=self.user,
            data={"category": "driver", "kind": "revenue", "recorded_on": DAY},
        )

    def trashed_org(self) -> Any:
        org = OrganizationFactory(program=self.program)
        core_services.tenant_record_delete(instance=org, by=self.user)
        return org

    @cached_property
    def member(self) -> Membership:
        return Membership.objects.create(program=self.program, user=UserFactory(), role=Role.VIEWER)

    @cached_property
    def invitation(self) -> Invitation:
        return core_services.invitation_create(
            access=self.access, email="new@example.org", role=Role.VIEWER, organization=None, by=self.user
        )[0]

    # --- maps
    @cached_property
    def map(self) -> Any:
        return map_services.map_create(access=self.access, by=self.user, data={"name": "Seed market"})

    @cached_property
    def perspective(self) -> Any:
        return map_services.perspective_create(
            access=self.access,
            map=self.map,
            by=self.user,
            data={"name": "Team", "kind": PerspectiveKind.TEAM},
        )

    @cached_property
    def partner_view(self) -> Any:
        return map_services.perspective_create(
            access=self.access,
            map=self.map,
            by=self.user,
            data={"name": "Partner", "kind": PerspectiveKind.PARTNER, "organization": self.org},
        )

    def element(self, label: str = "Seed Co") -> Any:
        return map_services.element_create(
            access=self.access,
            map=self.map,
            by=self.user,
            data={"label": label},
            perspectives=[self.perspective],
        )

    @cached_property
    def connection(self) -> Any:
        return map_services.connection_create(
            access=self.access,
            map=self.map,
            by=self.user,
            data={"source": self.element("A"), "target": self.element("B"), "perspective": self.perspective},
        )

    def gmap(self) -> graph.GMap:
        return graph.GMap(
            name="Imported",
            elements=[
                graph.GElement(id="a", label="A", perspectives=["P"]),
                graph.GElement(id="b", label="B"),
            ],
            connections=[graph.GConnection(source="a", target="b", perspective="P")],
        )

    # --- results
    @cached_property
    def intervention(self) -> Any:
        return result_services.intervention_create(
            access=self.access, by=self.user, data={"title": "Seed", "function": "core", "lever": "rules"}
        )

    def box(self, level: str = "activity") -> Any:
        return result_services.chain_box_create(
            intervention=self.intervention, by=self.user, data={"level": level, "text": level}
        )

    @cached_property
    def link(self) -> Any:
        return result_services.chain_link_create(
            intervention=self.intervention, by=self.user, source=self.box(), target=self.box("output")
        )

    @cached_property
    def group(self) -> Any:
        return result_services.relationship_group_create(
            access=self.access, by=self.user, data={"name": "Pair"}, organizations=[self.org, self.org2]
        )

    # --- indicators
    @cached_property
    def indicator(self) -> Any:
        return indicator_services.indicator_create(
            access=self.access, by=self.user, data={"name": "Farmers", "unit": "farmers", "type": "outcome"}
        )

    @cached_property
    def dimension(self) -> Any:
        return indicator_services.dimension_create(
            access=self.access, by=self.user, name="Sex", categories=["Women", "Men"]
        )

    def measurement(self) -> Any:
        return indicator_services.measurement_record(
            indicator=self.indicator, by=self.user, data=_measure(5)
        )[0]

    @cached_property
    def benchmark(self) -> Any:
        return indicator_services.benchmark_create(
            access=self.access,
            by=self.user,
            data={"organization": self.org, "description": "Sells", "incentive": "A stand", "due_on": DAY},
        )

    # --- learning
    @cached_property
    def lesson(self) -> Any:
        return learning_services.lesson_create(access=self.access, by=self.user, data={"title": "Lesson"})

    @cached_property
    def communication(self) -> Any:
        return learning_services.communication_create(
            access=self.access,
            by=self.user,
            data={"title": "Report", "frequency": "quarterly", "first_due_on": DAY, "owner": self.user},
        )

    @cached_property
    def sending(self) -> Any:
        return learning_services.communication_log_sending(
            communication=self.communication, by=self.user, sent_on=DAY
        )


def _measure(value: int) -> dict[str, Any]:
    return {"period_label": "2025-Q1", "period_end": datetime.date(2025, 3, 31), "value": Decimal(value)}


_ASSESSMENT = {
    "assessed_on": DAY,
    "competition": 4,
    "cooperation": 1,
    "desired_competition": 2,
    "desired_cooperation": 3,
}

Args = Callable[[Fx], dict[str, Any]]

# Every service that writes more than one statement, and how to call it (all arrange-work happens here,
# before the fingerprint is taken).
SERVICES: dict[str, Args] = {
    # core
    "core.tenant_record_create": lambda f: {
        "model": type(f.org),
        "program": f.program,
        "by": f.user,
        "data": {"name": "N", "normalized_name": "n"},
    },
    "core.tenant_record_update": lambda f: {"instance": f.org, "by": f.user, "data": {"notes": "changed"}},
    "core.tenant_record_delete": lambda f: {"instance": f.org, "by": f.user},
    "core.tenant_record_restore": lambda f: {"instance": f.trashed_org(), "by": f.user},
    "core.trash_empty": lambda f: {
        "access": f.access,
        "by": f.user,
        "rows": [f.trashed_org(), f.trashed_org()],
    },
    "core.program_create": lambda f: {
        "owner": f.user,
        "name": "New programme",
        "slug": f"{f.program.slug}-new",
    },
    "core.program_update": lambda f: {"program": f.program, "by": f.user, "data": {"name": "Renamed"}},
    "core.membership_change_role": lambda f: {
        "access": f.access,
        "membership": f.member,
        "role": Role.FACILITATOR,
        "organization": None,
        "by": f.user,
    },
    "core.membership_remove": lambda f: {"access": f.access, "membership": f.member, "by": f.user},
    "core.invitation_create": lambda f: {
        "access": f.access,
        "email": "x@example.org",
        "role": Role.VIEWER,
        "organization": None,
        "by": f.user,
    },
    "core.invitation_revoke": lambda f: {"access": f.access, "invitation": f.invitation, "by": f.user},
    "core.invitation_accept": lambda f: {
        "invitation": f.invitation,
        "user": UserFactory(email=f.invitation.email),
    },
    "core.job_start": lambda f: {
        "access": f.access,
        "kind": "maps.exact_betweenness",
        "label": "Job",
        "params": {"map": 1},
        "by": f.user,
    },
    # partners
    "partners.organization_create": lambda f: {"access": f.access, "by": f.user, "data": {"name": "Acme"}},
    "partners.organization_update": lambda f: {
        "organization": f.org,
        "by": f.user,
        "data": {"name": "Renamed"},
    },
    "partners.organization_delete": lambda f: {"organization": f.org, "by": f.user},
    "partners.organization_merge": lambda f: {
        "access": f.access,
        "keep": f.partnership.organization,
        "merge": f.partnership2.organization,
        "by": f.user,
    },
    "partners.partnership_create": lambda f: {
        "access": f.access,
        "organization": f.org,
        "by": f.user,
        "data": {"segment": "active", "since": DAY},
    },
    "partners.partnership_update": lambda f: {
        "partnership": f.partnership,
        "by": f.user,
        "data": {"notes": "x"},
    },
    "partners.partnership_change_segment": lambda f: {
        "partnership": f.partnership,
        "segment": "exiting",
        "changed_on": DAY,
        "reason": "done",
        "by": f.user,
    },
    "partners.partnership_child_create": lambda f: {
        "partnership": f.partnership,
        "model": DriverNote,
        "by": f.user,
        "data": {"category": "driver", "kind": "revenue", "recorded_on": DAY},
    },
    "partners.partnership_child_delete": lambda f: {"row": f.driver, "by": f.user},
    "partners.interaction_log": lambda f: {
        "access": f.access,
        "by": f.user,
        "data": {"kind": InteractionKind.CONVERSATION, "occurred_on": DAY},
        "organizations": [f.partnership.organization],
        "follow_ups": [{"organization": f.org, "description": "Call", "due_on": DAY, "owner": f.user}],
        "driver": {"category": "driver", "kind": "revenue"},
    },
    "partners.interaction_log_once": lambda f: {
        "access": f.access,
        "by": f.user,
        "client_uuid": "6f0d4f3c-6a4e-4b43-9a39-3c3f9a8f7e11",
        "data": {"kind": InteractionKind.CONVERSATION, "occurred_on": DAY},
        "organizations": [f.partnership.organization],
    },
    "partners.interactions_import": lambda f: {
        "access": f.access,
        "by": f.user,
        "rows": [({"kind": InteractionKind.CONVERSATION, "occurred_on": DAY}, [f.partnership.organization])],
    },
    "partners.interaction_update": lambda f: {
        "interaction": f.conversation,
        "by": f.user,
        "data": {"title": "T"},
    },
    "partners.interaction_delete": lambda f: {"interaction": f.conversation, "by": f.user},
    "partners.event_invite": lambda f: {"interaction": f.event, "organizations": [f.org2], "by": f.user},
    "partners.attendance_record": lambda f: {
        "interaction": f.event,
        "statuses": {f.org.pk: "attended"},
        "by": f.user,
    },
    "partners.attendance_record_once": lambda f: {
        "interaction": f.event,
        "statuses": {f.org.pk: "attended"},
        "by": f.user,
        "client_uuid": "0b3b7a52-7d55-4d1b-8f0c-7d7e6e7b0c21",
    },
    "partners.event_series_create": lambda f: {
        "access": f.access,
        "by": f.user,
        "data": {
            "kind": InteractionKind.WORKSHOP,
            "title": "Monthly",
            "frequency": "monthly",
            "starts_on": DAY,
            "occurrences": 3,
        },
        "organizations": [f.partnership.organization],
    },
    "partners.followup_create": lambda f: {
        "access": f.access,
        "by": f.user,
        "data": {
            "organization": f.partnership.organization,
            "description": "Call",
            "due_on": DAY,
            "owner": f.user,
        },
    },
    "partners.followup_set_done": lambda f: {"follow_up": f.follow_up, "done_on": DAY, "by": f.user},
    "partners.initiative_support_add": lambda f: {
        "access": f.access,
        "by": f.user,
        "initiative": _initiative(f),
        "organization": f.org,
        "how": "grant",
    },
    "partners.engagement_settings_update": lambda f: {
        "program": f.conversation.program,
        "by": f.user,
        "data": {"no_contact_days": 30, "weight_recency": 3},
    },
    "partners.engagement_refresh": lambda f: {"program": f.conversation.program},
    "partners.engagement_refresh_day": lambda f: {"program": f.conversation.program, "today": DAY},
    "partners.io.data_import_commit": lambda f: {
        "access": f.access,
        "by": f.user,
        "kind": importers.ORGANIZATIONS,
        "table": Table(headers=["name", "town"], rows=[(2, ["Acme", "Limbé"]), (3, ["Beta", "Cap"])]),
    },
    # maps
    "maps.map_create": lambda f: {"access": f.access, "by": f.user, "data": {"name": "M"}},
    "maps.perspective_create": lambda f: {
        "access": f.access,
        "map": f.map,
        "by": f.user,
        "data": {"name": "P", "kind": PerspectiveKind.TEAM},
    },
    "maps.element_create": lambda f: {
        "access": f.access,
        "map": f.map,
        "by": f.user,
        "data": {"label": "E"},
        "perspectives": [f.perspective],
    },
    "maps.element_update": lambda f: {
        "element": f.element(),
        "by": f.user,
        "data": {"label": "Renamed"},
        "perspectives": [f.partner_view],
    },
    "maps.element_delete": lambda f: {"element": f.connection.source, "by": f.user},
    "maps.connection_create": lambda f: {
        "access": f.access,
        "map": f.map,
        "by": f.user,
        "data": {"source": f.element("A"), "target": f.element("B"), "perspective": f.partner_view},
    },
    "maps.connection_update": lambda f: {"connection": f.connection, "by": f.user, "data": {"strength": 2.0}},
    "maps.connection_delete": lambda f: {"connection": f.connection, "by": f.user},
    "maps.positions_save": lambda f: {
        "access": f.access,
        "map": f.map,
        "positions": {f.element().key: (1.0, 2.0)},
    },
    "maps.element_merge": lambda f: {
        "access": f.access,
        "keep": f.connection.source,
        "merge": f.element("Dup"),
        "by": f.user,
    },
    "maps.element_merge_undo": lambda f: {"access": f.access, "record": _a_merge(f), "by": f.user},
    "maps.partner_view_save": lambda f: {
        "access": f.access,
        "perspective": f.partner_view,
        "by": f.user,
        "ties": [{"name": "Buyer", "type": "trade", "strength": 2}],
    },
    "maps.map_import": lambda f: {"access": f.access, "by": f.user, "gmap": f.gmap(), "name": "Imported"},
    "maps.analysis_store": lambda f: {
        "program": f.program,
        "map": _map_with_old_analysis(f),
        "perspective_key": "all",
        "result": {"n": 2},
    },
    "maps.snapshot_create": lambda f: {
        "access": f.access,
        "map": f.map,
        "by": f.user,
        "name": "S",
        "taken_on": DAY,
        "gmap": f.gmap(),
        "figures": {"n": 2},
    },
    # results
    "results.playbook_materialise": lambda f: {"program": f.program, "phase": "analysis", "by": f.user},
    "results.checklist_tick": lambda f: {
        "access": f.access,
        "phase": "analysis",
        "item": "d0",
        "done": True,
        "by": f.user,
    },
    "results.playbook_update": lambda f: {
        "access": f.access,
        "phase": "analysis",
        "by": f.user,
        "data": {"why": "Ours"},
        "items": ["One", "Two"],
    },
    "results.intervention_create": lambda f: {
        "access": f.access,
        "by": f.user,
        "data": {"title": "T", "function": "core", "lever": "rules"},
        "organizations": [f.partnership.organization],
    },
    "results.intervention_update": lambda f: {
        "intervention": f.intervention,
        "by": f.user,
        "data": {"title": "Renamed"},
        "organizations": [f.partnership.organization],
    },
    "results.intervention_delete": lambda f: {"intervention": f.intervention, "by": f.user},
    "results.facilitator_role_add": lambda f: {
        "intervention": f.intervention,
        "by": f.user,
        "data": {"role": "broker", "from_date": DAY},
    },
    "results.facilitator_role_delete": lambda f: {
        "role": result_services.facilitator_role_add(
            intervention=f.intervention, by=f.user, data={"role": "broker", "from_date": DAY}
        ),
        "by": f.user,
    },
    "results.chain_box_create": lambda f: {
        "intervention": f.intervention,
        "by": f.user,
        "data": {"level": "output", "text": "Out"},
    },
    "results.chain_box_update": lambda f: {"box": f.box(), "by": f.user, "data": {"text": "Changed"}},
    "results.chain_box_delete": lambda f: {"box": f.link.source, "by": f.user},
    "results.chain_link_create": lambda f: {
        "intervention": f.intervention,
        "by": f.user,
        "source": f.box(),
        "target": f.box("output"),
    },
    "results.chain_link_update": lambda f: {"link": f.link, "by": f.user, "assumption": "If so"},
    "results.chain_link_delete": lambda f: {"link": f.link, "by": f.user},
    "results.chain_version_save": lambda f: {
        "intervention": f.link.intervention,
        "by": f.user,
        "review_date": DAY,
    },
    "results.aaer_entry_create": lambda f: {
        "intervention": f.intervention,
        "by": f.user,
        "data": {"organization": f.org, "stage": "adopt", "observed_on": DAY, "evidence": "seen"},
    },
    "results.aaer_entry_update": lambda f: {
        "entry": result_services.aaer_entry_create(
            intervention=f.intervention,
            by=f.user,
            data={"organization": f.org, "stage": "adopt", "observed_on": DAY, "evidence": "seen"},
        ),
        "by": f.user,
        "data": {"evidence": "seen twice"},
    },
    "results.aaer_entry_delete": lambda f: {
        "entry": result_services.aaer_entry_create(
            intervention=f.intervention,
            by=f.user,
            data={"organization": f.org, "stage": "adopt", "observed_on": DAY, "evidence": "seen"},
        ),
        "by": f.user,
    },
    "results.actor_quick_create": lambda f: {
        "access": f.access,
        "by": f.user,
        "name": "Copycat",
        "type": "other",
    },
    "results.exit_criteria_save": lambda f: {
        "access": f.access,
        "by": f.user,
        "data": {"engagement_min": 50},
    },
    "results.exit_decision_record": lambda f: {
        "access": f.access,
        "organization": f.partnership.organization,
        "by": f.user,
        "data": {"decision": "start_exit", "decided_on": DAY, "reason": "ready"},
    },
    "results.exit_decision_delete": lambda f: {
        "decision": result_services.exit_decision_record(
            access=f.access,
            organization=f.partnership.organization,
            by=f.user,
            data={"decision": "keep", "decided_on": DAY, "reason": "r"},
        ),
        "by": f.user,
    },
    "results.relationship_group_create": lambda f: {
        "access": f.access,
        "by": f.user,
        "data": {"name": "G"},
        "organizations": [f.org, f.org2],
    },
    "results.relationship_group_update": lambda f: {
        "group": f.group,
        "by": f.user,
        "data": {"name": "Renamed"},
        "organizations": [f.org2, f.trio],
    },
    "results.relationship_group_delete": lambda f: {"group": f.group, "by": f.user},
    "results.relationship_assessment_add": lambda f: {"group": f.group, "by": f.user, "data": _ASSESSMENT},
    "results.relationship_assessment_delete": lambda f: {
        "assessment": result_services.relationship_assessment_add(group=f.group, by=f.user, data=_ASSESSMENT),
        "by": f.user,
    },
    # indicators
    "indicators.indicator_create": lambda f: {
        "access": f.access,
        "by": f.user,
        "data": {"name": "I", "unit": "farmers", "type": "outcome"},
        "dimensions": [f.dimension],
    },
    "indicators.indicator_update": lambda f: {
        "access": f.access,
        "indicator": f.indicator,
        "by": f.user,
        "data": {"baseline_value": Decimal(1)},
    },
    "indicators.indicator_delete": lambda f: {"indicator": f.indicator, "by": f.user},
    "indicators.dimension_create": lambda f: {
        "access": f.access,
        "by": f.user,
        "name": "Age",
        "categories": ["Young", "Old"],
        "indicator": f.indicator,
    },
    "indicators.category_add": lambda f: {"dimension": f.dimension, "by": f.user, "name": "Other"},
    "indicators.dimension_delete": lambda f: {"dimension": f.dimension, "by": f.user},
    "indicators.target_set": lambda f: {
        "indicator": f.indicator,
        "by": f.user,
        "data": {"period_label": "2025", "period_end": datetime.date(2025, 12, 31), "value": Decimal(100)},
    },
    "indicators.target_delete": lambda f: {
        "target": indicator_services.target_set(
            indicator=f.indicator,
            by=f.user,
            data={"period_label": "2025", "period_end": datetime.date(2025, 12, 31), "value": Decimal(100)},
        ),
        "by": f.user,
    },
    "indicators.measurement_record": lambda f: {"indicator": f.indicator, "by": f.user, "data": _measure(7)},
    "indicators.measurement_delete": lambda f: {"measurement": f.measurement(), "by": f.user},
    "indicators.benchmark_create": lambda f: {
        "access": f.access,
        "by": f.user,
        "data": {"organization": f.org, "description": "Sells", "incentive": "A stand", "due_on": DAY},
    },
    "indicators.benchmark_update": lambda f: {
        "access": f.access,
        "benchmark": f.benchmark,
        "by": f.user,
        "data": {"description": "Sells more"},
    },
    "indicators.benchmark_record_status": lambda f: {
        "benchmark": f.benchmark,
        "status": "met",
        "note": "done",
        "by": f.user,
    },
    "indicators.benchmark_delete": lambda f: {"benchmark": f.benchmark, "by": f.user},
    "indicators.spreadsheets.import_commit": lambda f: {
        "access": f.access,
        "by": f.user,
        "kind": spreadsheets.MEASUREMENTS,
        "table": Table(
            headers=["indicator", "period end", "value"],
            rows=[(2, [f.indicator.name, "2025-03-31", "5"]), (3, [f.indicator.name, "2025-06-30", "9"])],
        ),
    },
    # learning
    "learning.lesson_create": lambda f: {
        "access": f.access,
        "by": f.user,
        "data": {"title": "L", "tags": "a, b"},
        "organizations": [f.org],
    },
    "learning.lesson_update": lambda f: {
        "lesson": f.lesson,
        "by": f.user,
        "data": {"title": "Renamed"},
        "organizations": [f.org],
    },
    "learning.lesson_delete": lambda f: {"lesson": f.lesson, "by": f.user},
    "learning.communication_create": lambda f: {
        "access": f.access,
        "by": f.user,
        "data": {"title": "Brief", "frequency": "monthly", "first_due_on": DAY, "owner": f.user},
    },
    "learning.communication_update": lambda f: {
        "communication": f.communication,
        "by": f.user,
        "data": {"frequency": "monthly"},
    },
    "learning.communication_delete": lambda f: {"communication": f.communication, "by": f.user},
    "learning.communication_log_sending": lambda f: {
        "communication": f.communication,
        "by": f.user,
        "sent_on": DAY,
    },
    "learning.communication_sending_delete": lambda f: {"sending": f.sending, "by": f.user},
}


def _initiative(f: Fx) -> Any:
    from konbit.partners.models import Initiative

    return core_services.tenant_record_create(
        model=Initiative, program=f.program, by=f.user, data={"name": "Fund"}
    )


def _a_merge(f: Fx) -> Any:
    """A merge of an element with a connection and a custom field into one without them."""
    dup = f.element("Dup")
    map_services.element_update(element=dup, by=f.user, data={"attributes": {"ward": "3"}, "type": "NGO"})
    return map_services.element_merge(access=f.access, keep=f.connection.source, merge=dup, by=f.user)


def _map_with_old_analysis(f: Fx) -> Any:
    map_services.analysis_store(program=f.program, map=f.map, perspective_key="all", result={"n": 1})
    f.element()  # a new version: storing its analysis drops the old one
    return f.map


# Public functions that are not multi-write services, and why.
NOT_MULTI_WRITE: dict[str, str] = {
    "core.token_hash": "pure function",
    "core.invitation_by_token": "a read",
    "core.invitation_is_for": "a comparison of two addresses, no write",
    "core.unique_check": "reads only: raises before a write would break a uniqueness rule",
    "core.user_create": "one INSERT",
    "core.sign_in_record": "one bulk INSERT of audit rows",
    "core.sign_in_failed_record": "sign_in_record or nothing",
    "core.export_record": "one audit INSERT",
    "core.download_record": "one audit INSERT",
    "core.backup_record": "one bulk INSERT of audit rows",
    "core.api_token_create": "one INSERT",
    "core.api_token_revoke": "one UPDATE",
    "core.api_token_authenticate": "a read and at most one UPDATE (last use); no transaction, so API reads "
    "do not take SQLite's write lock",
    "core.jobs_fail_stale": "one UPDATE (helper of job_start and the job page)",
    "partners.interaction_by_client_uuid": "a read",
    "partners.engagement_settings_for": "a read, or one INSERT of the default settings",
    "partners.params_for": "pure function",
    "partners.engagement_ensure_current": "a read, then engagement_refresh_day (a service) if needed",
    "partners.io.data_export_record": "one audit INSERT",
    "maps.new_key": "pure function",
    "results.chain_data": "a read",
    "indicators.indicator_inputs": "pure function",
    "indicators.indicator_progress": "a read",
    "indicators.indicator_refresh": "one UPDATE of derived fields (helper inside the indicator services)",
    "indicators.indicator_store_progress": "one UPDATE of derived fields, also run by the indicator page",
    "indicators.decimal_or_none": "pure function",
    "learning.normalize_tags": "pure function",
    "learning.tag_index": "pure function",
    "learning.phase_string": "pure function",
    "learning.lesson_index_rebuild": "helper of bulk writers (the demo, restore): inside their transaction",
    "learning.communication_refresh_all": "helper of bulk writers (the demo), runs inside its transaction",
}


def public_functions() -> dict[str, Callable[..., Any]]:
    found: dict[str, Callable[..., Any]] = dict(EXTRA)
    for prefix, module in MODULES.items():
        for name, obj in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(obj):
                continue
            if inspect.unwrap(obj).__module__ != module.__name__:
                continue  # imported from elsewhere
            found[f"{prefix}.{name}"] = obj
    return found


def test_every_service_is_listed() -> None:
    functions = set(public_functions())
    unlisted = functions - set(SERVICES) - set(NOT_MULTI_WRITE)
    assert not unlisted, (
        f"add these to SERVICES (with their arguments) or NOT_MULTI_WRITE (with why): {unlisted}"
    )
    assert not (set(SERVICES) | set(NOT_MULTI_WRITE)) - functions, "listed but gone"
    assert not set(SERVICES) & set(NOT_MULTI_WRITE)


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_multi_write_service_is_a_durable_transaction(name: str) -> None:
    assert is_service(public_functions()[name]), f"{name} is not wrapped by konbit.core.transactions.service"


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_a_failing_last_write_leaves_nothing_of_the_call(name: str) -> None:
    service = public_functions()[name]
    kwargs = SERVICES[name](Fx())
    with writes_counted() as writes:
        service(**kwargs)
    assert len(writes) >= 2, f"{name} wrote {len(writes)} statement(s): list it in NOT_MULTI_WRITE"

    kwargs = SERVICES[name](Fx())  # the same call on a fresh programme
    before = fingerprint()
    with failing_write(len(writes)), pytest.raises(InjectedFault):
        service(**kwargs)
    after = fingerprint()
    changed = sorted(table for table in before if before[table] != after[table])
    assert not changed, f"{name} left part of its change when its last write failed: {changed}"


def test_a_service_refuses_to_run_inside_someone_elses_transaction() -> None:
    """durable=True: a caller cannot fold a service into a larger transaction by accident (a view or a
    script would then believe the change committed when the service returned)."""
    f = Fx()
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        partner_services.organization_create(access=f.access, by=f.user, data={"name": "Acme"})


def test_services_called_by_a_service_join_its_transaction() -> None:
    """exit_decision_record calls partnership_change_segment, which calls engagement_refresh: one
    transaction, so a failure at the end takes the decision back too."""
    f = Fx()
    partnership = f.partnership
    audit_lines = AuditEvent.objects.count()
    with (
        pytest.raises(InjectedFault),
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setattr(partner_services, "engagement_refresh", _raise)
        result_services.exit_decision_record(
            access=f.access,
            organization=partnership.organization,
            by=f.user,
            data={"decision": "start_exit", "decided_on": DAY, "reason": "ready"},
        )
    partnership.refresh_from_db()
    assert partnership.segment == "active"
    assert AuditEvent.objects.count() == audit_lines


def _raise(**kwargs: Any) -> None:
    raise InjectedFault("engagement_refresh")
