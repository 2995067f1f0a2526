"""Generated requests (schemathesis) against every operation of the OpenAPI document, aimed at the rows
of a programme full of recognisable data (tests/attack.py):

- as the outsider (owner of programme B only), with slug "alpha" and ids of alpha's rows: never a
  success, never a 5xx or a response that breaks the schema, never a byte of alpha's data;
- as alpha's owner, on every operation: no 5xx, no schema violation, and never a byte of
  programme B's data, whatever the filters and bodies;
- as alpha's owner, stateful: chains that follow the OpenAPI links the create operations declare
  (`konbit.api.schemas.created_links`: create a row, then read it, change it, add to it).

konbit/core/tests/test_api.py fuzzes with random slugs (which meet little but 404) and
konbit/partners/tests/test_api.py aims at alpha on the partner paths only; these two cover every path.
Each test plants its programmes once and runs a bounded number of examples per operation (one pytest
item per operation would plant the data fifty times over).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import positive_data_acceptance

from config.wsgi import application
from conftest import World
from konbit.core.services import api_token_create
from konbit.indicators.periods import parse_period
from tests.attack import ALPHA_SECRETS, BRAVO_SECRETS, Attack, Planted, Refs, plant, resource_of

SCHEMA = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
HEADER = ParameterLocation.HEADER
EXAMPLES_PER_OPERATION = 10


def breaks_a_server_rule(case: Any) -> bool:
    """Input the published schema cannot describe and the server refuses with a 422 by design."""
    body = case.body if isinstance(case.body, dict) else {}
    if case.path.endswith(("/interventions", "/interventions/{pk}")):
        # An intervention cannot end before it starts (a PATCH is judged against the stored dates too).
        start, end = body.get("start_date"), body.get("end_date")
        if case.method == "PATCH" and (start or end):
            return True
        return isinstance(start, str) and isinstance(end, str) and end < start
    if case.path.endswith("/measurements"):
        # A period needs an end date, unless its label names one ("2025-Q2"), and starts before it ends.
        label = body.get("period_label")
        parsed = parse_period(label) if isinstance(label, str) else None
        start = body.get("period_start") or (parsed[0].isoformat() if parsed else None)
        end = body.get("period_end") or (parsed[1].isoformat() if parsed else None)
        if end is None or (isinstance(start, str) and isinstance(end, str) and start > end):
            return True
        # A category must be one the indicator is disaggregated by (an indicator the stateful walk has
        # just created has no dimensions at all).
        category, indicator = body.get("category_id"), (case.path_parameters or {}).get("pk")
        return category is not None and not _category_fits(category, indicator)
    if case.path.endswith("/attendance"):
        # Attendance is taken for organisations invited to the event (the walk's new ones invite nobody).
        statuses = body.get("statuses")
        return isinstance(statuses, dict) and not _on_the_event(statuses, case.path_parameters or {})
    if case.path.endswith("/sendings"):
        # A sending is logged once it has happened.
        return str(body.get("sent_on", "")) > timezone.localdate().isoformat()
    return False


def _on_the_event(statuses: dict[Any, Any], path: dict[str, Any]) -> bool:
    from konbit.partners.models import Participation

    ids = {int(key) for key in statuses if str(key).isdigit() and int(str(key)) < 2**63}
    pk = str(path.get("pk", ""))
    if len(ids) != len(statuses) or not pk.isdigit() or int(pk) >= 2**63:
        return False
    invited = Participation.objects.filter(interaction_id=int(pk), organization_id__in=ids)
    return invited.count() == len(ids)


def _category_fits(category: object, indicator: object) -> bool:
    from konbit.indicators.models import Category

    if not isinstance(category, int) or isinstance(category, bool) or not 0 < category < 2**63:
        return False
    if not str(indicator).isdigit() or int(str(indicator)) >= 2**63:
        return False
    return Category.objects.filter(pk=category, dimension__indicators__pk=int(str(indicator))).exists()


def id_choices(refs: Refs) -> dict[str, list[int]]:
    """Body and query fields that name rows, and the rows of the planted programme they may name (a
    well-formed request names real ones, so it reaches the service instead of stopping at "unknown")."""
    return {
        "organization_ids": refs.organizations,
        "organization_id": refs.organizations,
        "organization": refs.organizations,
        "perspective_ids": [refs.perspective],
        "perspective_id": [refs.perspective],
        "perspective": [refs.perspective],
        "source_id": [refs.elements[0]],
        "target_id": [refs.elements[1]],
        "intervention_ids": [refs.intervention],
        "intervention_id": [refs.intervention],
        "intervention": [refs.intervention],
        "chain_box_id": [refs.chain_box],
        "dimension_ids": [refs.dimension],
        "category_id": [refs.category],
    }


def aim(values: Any, refs: Refs, draw: Callable[[Any], Any]) -> None:
    """Replace, in place, the ids a well-formed body or query names with rows of the planted programme."""
    if not isinstance(values, dict):
        return
    choices = id_choices(refs)
    for name, value in values.items():
        if name not in choices or value is None:
            continue
        pick = st.sampled_from(choices[name])
        values[name] = [draw(pick) for _ in value] if isinstance(value, list) else draw(pick)
    if "statuses" in values and isinstance(values["statuses"], dict):  # attendance: orgs on the event
        values["statuses"] = {str(refs.event_organization): s for s in values["statuses"].values()}


@pytest.fixture
def attack(world: World) -> Iterator[Attack]:
    """The planted programmes, with Django's per-request connection closing switched off as the test
    client does: schemathesis calls the WSGI application directly, inside the test's transaction."""
    planted = plant(world)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield planted
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def fuzz(
    planted: Planted,
    token: str,
    check: Callable[[Any, Any], None],
    *,
    only_programme_paths: bool = False,
    excluded: Callable[[Any], list[Any]] = lambda case: [],
) -> int:
    """Run EXAMPLES_PER_OPERATION well-formed and malformed requests against every operation, each
    aimed at `planted`'s programme and, when well-formed, at one of its rows of the right kind.
    Returns the number of operations fuzzed; the first failing example fails the test."""
    fuzzed = 0
    for result in SCHEMA.get_all_operations():
        operation = result.ok()
        if only_programme_paths and "{slug}" not in operation.path:
            continue
        resource = resource_of(operation.path)
        ids = st.sampled_from(planted.ids[resource]) if resource else st.none()
        if operation.path.endswith("/attendance"):
            ids = st.just(planted.refs.event)  # the event whose organisations aim() names
        cases = st.one_of(
            st.tuples(operation.as_strategy(GenerationMode.POSITIVE), st.just(True), ids),
            st.tuples(operation.as_strategy(GenerationMode.NEGATIVE), st.just(False), st.none()),
        )

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(drawn=cases, data=st.data())
        def run(drawn: tuple[Any, bool, int | None], data: st.DataObject) -> None:
            case, well_formed, pk = drawn
            if "slug" in case.path_parameters:
                case.path_parameters["slug"] = planted.program.slug
            if well_formed:  # real rows; a malformed request keeps its ids
                if pk is not None:
                    case.path_parameters["pk"] = pk
                aim(case.body, planted.refs, data.draw)
                aim(case.query, planted.refs, data.draw)
            # A request without the header must stay a 401, and one whose header is the malformed part too
            # (replacing it would turn the request well-formed while schemathesis still expects a refusal).
            forged = not well_formed and case.meta is not None and case.meta.is_negative_at(HEADER)
            if case.headers and "Authorization" in case.headers and not forged:
                case.headers["Authorization"] = f"Bearer {token}"
            # Pages are gzipped for clients that accept it (GZipMiddleware) and schemathesis' WSGI
            # transport announces gzip without unpacking it: ask for plain bytes.
            response = case.call_and_validate(
                headers={"Accept-Encoding": "identity"}, excluded_checks=excluded(case)
            )
            check(case, response)

        run()
        fuzzed += 1
    return fuzzed


def test_outsider_fuzzing_every_operation_of_alpha_learns_nothing(attack: Attack) -> None:
    _t, token = api_token_create(user=attack.world.outsider, name="fuzz")

    def check(case: Any, response: Any) -> None:
        where = f"{case.method} {case.formatted_path}"
        leaked = [s for s in ALPHA_SECRETS if s in response.text]
        assert leaked == [], f"outsider: {where} → {response.status_code} shows {leaked}"
        if "{slug}" in case.path:
            # 404 before the input is read; members and jobs read their parameters first (422).
            assert response.status_code in {401, 404, 422}, f"outsider: {where} → {response.status_code}"

    assert fuzz(attack.alpha, token, check) == 50


def test_member_fuzzing_every_operation_of_alpha_meets_no_server_error_and_nothing_of_bravo(
    attack: Attack,
) -> None:
    _t, token = api_token_create(user=attack.world.owner, name="fuzz")

    def check(case: Any, response: Any) -> None:
        leaked = [s for s in BRAVO_SECRETS if s in response.text]
        assert leaked == [], f"member: {case.method} {case.formatted_path} shows {leaked}"

    def excluded(case: Any) -> list[Any]:
        return [positive_data_acceptance] if breaks_a_server_rule(case) else []

    assert fuzz(attack.alpha, token, check, excluded=excluded) == 50  # /programs too


STATEFUL_SCENARIOS = 40
STATEFUL_STEPS = 6


def test_owner_following_the_apis_links_meets_no_server_error_and_nothing_of_bravo(attack: Attack) -> None:
    """Stateful: the create operations declare OpenAPI links to the operations on the row they made
    (read it, change it, add measurements or AAER entries to it); schemathesis chains them as alpha's
    owner. No 5xx, no answer outside the schema, nothing of programme B."""
    _t, token = api_token_create(user=attack.world.owner, name="fuzz-stateful")
    slug = attack.alpha.program.slug
    refs = attack.alpha.refs
    base = SCHEMA.as_state_machine()
    rng = random.Random(0)
    seen: list[tuple[str, str, int]] = []

    class Owner(base):  # type: ignore[valid-type]
        def before_call(self, case: Any) -> None:
            if "slug" in (case.path_parameters or {}):
                case.path_parameters["slug"] = slug
            # Ids in bodies name alpha's rows (aim() draws from sampled_from strategies).
            aim(case.body, refs, lambda strategy: rng.choice(list(strategy.elements)))
            # As in fuzz(): a request sent without the header, or whose header is the malformed part,
            # stays so (schemathesis then expects a 401).
            forged = case.meta is not None and case.meta.is_negative_at(HEADER)
            if case.headers and "Authorization" in case.headers and not forged:
                case.headers["Authorization"] = f"Bearer {token}"

        def after_call(self, response: Any, case: Any) -> None:
            seen.append((case.method, case.path, response.status_code))

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": {"Accept-Encoding": "identity"}}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            leaked = [s for s in BRAVO_SECRETS if s in response.text]
            assert leaked == [], f"owner: {case.method} {case.formatted_path} shows {leaked}"
            assert response.status_code < 500, (
                f"owner: {case.method} {case.formatted_path} → {response.status_code}"
            )
            checks = [positive_data_acceptance] if breaks_a_server_rule(case) else []
            case.validate_response(response, excluded_checks=checks, transport_kwargs=kwargs)

    Owner.run(
        settings=settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=STATEFUL_STEPS,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    # The chains ran: rows were created, then read or changed through their links.
    created = {path for method, path, status in seen if method == "POST" and status == 201}
    followed = {path for method, path, status in seen if path.endswith("{pk}") and status == 200}
    assert created and followed, seen
