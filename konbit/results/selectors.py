"""Reads of the steering pillar. Each takes the Access first and raises 404 for "not found" and "not
yours" alike. Rows of an intervention in the trash are hidden with it."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from konbit.core.access import Access
from konbit.core.models import Phase
from konbit.partners.models import (
    Attendance,
    EngagementScore,
    Interaction,
    InteractionKind,
    Organization,
    Participation,
    Partnership,
    Segment,
    SupportDirection,
    SupportEntry,
)

from . import exit as exit_rules
from .models import (
    STAGE_ORDER,
    AaerEntry,
    ChainBox,
    ChainLink,
    ChainVersion,
    ChecklistItem,
    ExitCriteria,
    ExitDecision,
    FacilitatorRole,
    Intervention,
    Lever,
    PhasePlaybook,
    RelationshipAssessment,
    RelationshipGroup,
    Stage,
    SystemFunction,
)
from .playbook import DEFAULTS, shown


def get_one(qs: QuerySet[Any], pk: int) -> Any:
    try:
        return qs.get(pk=pk)
    except qs.model.DoesNotExist:
        raise Http404 from None


def phase_get(phase: str) -> str:
    if phase not in Phase.values:
        raise Http404
    return phase


# --- playbook -----------------------------------------------------------------------------------


@dataclass
class ItemView:
    ref: str  # the item's id, or d<n> for a default the programme has not copied yet
    text: str
    done_at: datetime.datetime | None = None
    done_by: Any = None
    pk: int | None = None


def phase_playbook(*, access: Access, phase: str) -> dict[str, Any]:
    """One phase's guidance and checklist: the programme's own copy, or the defaults until it has one."""
    playbook = PhasePlaybook.objects.filter(program=access.program, phase=phase).first()
    if playbook is None:
        defaults = DEFAULTS[phase]
        return {
            "phase": phase,
            "playbook": None,
            "why": str(defaults.why),
            "know": str(defaults.know),
            "tools": str(defaults.tools),
            "items": [ItemView(ref=f"d{i}", text=str(t)) for i, t in enumerate(defaults.checklist)],
        }
    items = ChecklistItem.objects.filter(program=access.program, phase=phase).select_related("done_by")
    return {
        "phase": phase,
        "playbook": playbook,
        "why": shown(playbook.why),
        "know": shown(playbook.know),
        "tools": shown(playbook.tools),
        "items": [
            ItemView(ref=str(i.pk), text=shown(i.text), done_at=i.done_at, done_by=i.done_by, pk=i.pk)
            for i in items.order_by("position", "pk")
        ],
    }


def checklist_progress(*, access: Access) -> list[dict[str, Any]]:
    """Per phase: items ticked and items in all (defaults for phases not copied yet). Two queries."""
    copied = set(PhasePlaybook.objects.filter(program=access.program).values_list("phase", flat=True))
    counts = {
        row["phase"]: row
        for row in ChecklistItem.objects.filter(program=access.program)
        .values("phase")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(done_at__isnull=False)))
        .order_by()
    }
    out = []
    for phase in Phase:
        if phase.value in copied:
            row = counts.get(phase.value, {"total": 0, "done": 0})
            total, done = row["total"], row["done"]
        else:
            total, done = len(DEFAULTS[phase.value].checklist), 0
        out.append(
            {
                "phase": phase.value,
                "label": phase.label,
                "total": total,
                "done": done,
                "percent": round(100 * done / total) if total else 0,
                "current": phase.value == access.program.phase,
            }
        )
    return out


# --- interventions ------------------------------------------------------------------------------

INTERVENTION_SORTS = {
    "title": ("title",),
    "-title": ("-title",),
    "status": ("status", "title"),
    "start": ("start_date", "title"),
    "-start": ("-start_date", "title"),
    "updated": ("updated_at",),
    "-updated": ("-updated_at",),
}


def _current_role(today: datetime.date) -> Subquery:
    return Subquery(
        FacilitatorRole.objects.filter(intervention=OuterRef("pk"), from_date__lte=today)
        .order_by("-from_date", "-pk")
        .values("role")[:1]
    )


def intervention_list(
    *,
    access: Access,
    query: str = "",
    status: str = "",
    function: str = "",
    lever: str = "",
    organization: int | None = None,
    sort: str = "title",
) -> QuerySet[Intervention]:
    qs = Intervention.objects.filter(program=access.program)
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(description__icontains=query))
    if status:
        qs = qs.filter(status=status)
    if function:
        qs = qs.filter(function=function)
    if lever:
        qs = qs.filter(lever=lever)
    if organization:
        qs = qs.filter(organizations=organization)
    qs = qs.annotate(
        partner_count=Count("organizations", distinct=True), current_role=_current_role(timezone.localdate())
    )
    return qs.order_by(*INTERVENTION_SORTS.get(sort, INTERVENTION_SORTS["title"]), "pk")


def intervention_get(*, access: Access, pk: int) -> Intervention:
    return get_one(Intervention.objects.filter(program=access.program), pk)


def intervention_choices(*, access: Access) -> QuerySet[Intervention]:
    return Intervention.objects.filter(program=access.program).order_by("title")


def partner_organizations(*, access: Access) -> QuerySet[Organization]:
    """Organisations with a live partnership in the programme (who can be involved in an intervention)."""
    return Organization.objects.filter(
        program=access.program,
        pk__in=Partnership.objects.filter(program=access.program).values("organization_id"),
    ).order_by("name")


def intervention_detail(*, access: Access, intervention: Intervention) -> dict[str, Any]:
    roles = list(FacilitatorRole.objects.filter(program=access.program, intervention=intervention))
    today = timezone.localdate()
    current = next((r for r in roles if r.from_date <= today), None)
    organizations = list(intervention.organizations.filter(deleted_at__isnull=True).order_by("name"))
    return {
        "roles": roles,
        "current_role": current,
        "organizations": organizations,
        "actual": actual_support(access=access, interventions=[intervention]).get(
            intervention.pk, Decimal(0)
        ),
        "board": aaer_board(access=access, intervention=intervention),
        "versions": chain_versions(access=access, intervention=intervention),
    }


def _support_given(
    access: Access, interventions: list[Intervention]
) -> tuple[dict[int, set[int]], dict[int, list[tuple[datetime.date, Decimal]]]]:
    """(organisation ids per intervention, support given per organisation as (date, value)). Two queries."""
    through = Intervention.organizations.through
    org_ids: dict[int, set[int]] = defaultdict(set)
    for iv_id, org_id in through.objects.filter(intervention__in=[i.pk for i in interventions]).values_list(
        "intervention_id", "organization_id"
    ):
        org_ids[iv_id].add(org_id)
    everyone = set().union(*org_ids.values()) if org_ids else set()
    ledger: dict[int, list[tuple[datetime.date, Decimal]]] = defaultdict(list)
    for org_id, day, value in SupportEntry.objects.filter(
        program=access.program,
        direction=SupportDirection.GIVEN,
        partnership__organization_id__in=everyone,
        partnership__deleted_at__isnull=True,
    ).values_list("partnership__organization_id", "occurred_on", "value"):
        ledger[org_id].append((day, value))
    return org_ids, ledger


def _span(iv: Intervention, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    return iv.start_date or datetime.date.min, iv.end_date or today


def actual_support(*, access: Access, interventions: list[Intervention]) -> dict[int, Decimal]:
    """Support the programme gave (partners' ledgers) to each intervention's partners between its start
    and its end (or today). A partner in two interventions at once counts in both. Two queries."""
    if not interventions:
        return {}
    org_ids, ledger = _support_given(access, interventions)
    today = timezone.localdate()
    out: dict[int, Decimal] = {}
    for iv in interventions:
        start, end = _span(iv, today)
        out[iv.pk] = sum(
            (v for org in org_ids.get(iv.pk, ()) for d, v in ledger.get(org, []) if start <= d <= end),
            Decimal(0),
        )
    return out


def support_by_partner(*, access: Access, interventions: list[Intervention]) -> dict[int, Decimal]:
    """Support given to each partner while at least one of its interventions ran (each line once)."""
    if not interventions:
        return {}
    org_ids, ledger = _support_given(access, interventions)
    today = timezone.localdate()
    spans: dict[int, list[tuple[datetime.date, datetime.date]]] = defaultdict(list)
    for iv in interventions:
        for org in org_ids.get(iv.pk, ()):
            spans[org].append(_span(iv, today))
    return {
        org: sum((v for d, v in ledger.get(org, []) if any(s <= d <= e for s, e in ranges)), Decimal(0))
        for org, ranges in spans.items()
    }


def _live(model: Any, access: Access) -> QuerySet[Any]:
    """Rows of an intervention's children, hidden while the intervention is in the trash."""
    return model.objects.filter(program=access.program, intervention__deleted_at__isnull=True).select_related(
        "intervention"
    )


def role_get(*, access: Access, pk: int) -> FacilitatorRole:
    return get_one(_live(FacilitatorRole, access), pk)


# --- results chains -----------------------------------------------------------------------------


def chain_boxes(*, access: Access, intervention: Intervention) -> QuerySet[ChainBox]:
    return ChainBox.objects.filter(program=access.program, intervention=intervention).order_by(
        "level", "position", "pk"
    )


def chain(*, access: Access, intervention: Intervention) -> dict[str, Any]:
    # Each box lists the indicators that measure it (the reverse relation from konbit.indicators).
    boxes = list(chain_boxes(access=access, intervention=intervention).prefetch_related("indicators"))
    links = list(
        ChainLink.objects.filter(
            program=access.program,
            intervention=intervention,
            source__deleted_at__isnull=True,
            target__deleted_at__isnull=True,
        ).select_related("source", "target")
    )
    return {"boxes": boxes, "links": links}


def box_get(*, access: Access, pk: int) -> ChainBox:
    return get_one(_live(ChainBox, access), pk)


def link_get(*, access: Access, pk: int) -> ChainLink:
    return get_one(_live(ChainLink, access).select_related("source", "target"), pk)


def chain_versions(*, access: Access, intervention: Intervention) -> QuerySet[ChainVersion]:
    return ChainVersion.objects.filter(program=access.program, intervention=intervention).select_related(
        "created_by"
    )


def chain_version_get(*, access: Access, pk: int) -> ChainVersion:
    return get_one(_live(ChainVersion, access).select_related("created_by"), pk)


# --- AAER ---------------------------------------------------------------------------------------


def _live_entries(access: Access) -> QuerySet[AaerEntry]:
    return AaerEntry.objects.filter(
        program=access.program, intervention__deleted_at__isnull=True, organization__deleted_at__isnull=True
    )


def aaer_entries(
    *, access: Access, intervention: Intervention | None = None, organization: Organization | None = None
) -> QuerySet[AaerEntry]:
    qs = _live_entries(access).select_related("organization", "intervention", "created_by")
    if intervention is not None:
        qs = qs.filter(intervention=intervention)
    if organization is not None:
        qs = qs.filter(organization=organization)
    return qs.order_by("-observed_on", "-pk")


def aaer_entry_get(*, access: Access, pk: int) -> AaerEntry:
    return get_one(aaer_entries(access=access), pk)


def aaer_latest(*, access: Access, intervention: Intervention | None = None) -> list[AaerEntry]:
    """Each actor's latest entry per intervention (newest date, then newest row). One query."""
    qs = _live_entries(access).select_related("organization")
    if intervention is not None:
        qs = qs.filter(intervention=intervention)
    latest: dict[tuple[int, int], AaerEntry] = {}
    for entry in qs.order_by("observed_on", "pk"):
        latest[(entry.intervention_id, entry.organization_id)] = entry
    return list(latest.values())


def aaer_board(*, access: Access, intervention: Intervention) -> list[dict[str, Any]]:
    """Columns adopt / adapt / expand / respond, each actor in its latest stage."""
    partners = _partner_ids(access)
    columns: dict[str, list[dict[str, Any]]] = {s.value: [] for s in Stage}
    for entry in aaer_latest(access=access, intervention=intervention):
        columns[entry.stage].append({"entry": entry, "is_partner": entry.organization_id in partners})
    return [
        {
            "stage": s.value,
            "label": s.label,
            "cards": sorted(columns[s.value], key=lambda c: c["entry"].organization.name),
        }
        for s in Stage
    ]


def _partner_ids(access: Access) -> set[int]:
    return set(Partnership.objects.filter(program=access.program).values_list("organization_id", flat=True))


def aaer_summary(
    *, access: Access, start: datetime.date | None = None, end: datetime.date | None = None
) -> dict[str, Any]:
    """Programme-wide: actors per latest stage, partners vs non-partners, and per intervention."""
    partners = _partner_ids(access)
    qs = _live_entries(access).select_related("intervention")
    if start:
        qs = qs.filter(observed_on__gte=start)
    if end:
        qs = qs.filter(observed_on__lte=end)
    latest: dict[tuple[int, int], AaerEntry] = {}
    for entry in qs.order_by("observed_on", "pk"):
        latest[(entry.intervention_id, entry.organization_id)] = entry
    stages = [s.value for s in Stage]
    totals = {s: {"partners": 0, "others": 0, "all": 0} for s in stages}
    by_intervention: dict[int, dict[str, Any]] = {}
    for (iv_id, org_id), entry in latest.items():
        kind = "partners" if org_id in partners else "others"
        totals[entry.stage][kind] += 1
        totals[entry.stage]["all"] += 1
        row = by_intervention.setdefault(
            iv_id, {"intervention": entry.intervention, "counts": dict.fromkeys(stages, 0), "others": 0}
        )
        row["counts"][entry.stage] += 1
        row["others"] += kind == "others"
    rows = sorted(by_intervention.values(), key=lambda r: r["intervention"].title)
    for row in rows:
        row["cells"] = [row["counts"][s] for s in stages]
    return {
        "stages": [{"stage": s.value, "label": s.label, **totals[s.value]} for s in Stage],
        "by_intervention": rows,
        "actors": len({org for _iv, org in latest}),
        "non_partner_actors": len({org for _iv, org in latest if org not in partners}),
        "entries": qs.count(),
    }


# --- portfolio ----------------------------------------------------------------------------------


def portfolio(*, access: Access) -> dict[str, Any]:
    """Where support goes (by lever, function and partner) against the change each intervention shows."""
    interventions = list(
        Intervention.objects.filter(program=access.program)
        .prefetch_related(Prefetch("organizations", queryset=Organization.objects.order_by("name")))
        .order_by("title")
    )
    actual = actual_support(access=access, interventions=interventions)
    latest = aaer_latest(access=access)
    stage_counts: dict[int, dict[str, int]] = defaultdict(lambda: {s.value: 0 for s in Stage})
    for entry in latest:
        stage_counts[entry.intervention_id][entry.stage] += 1
    rows = []
    for iv in interventions:
        counts = stage_counts[iv.pk]
        spread = counts[Stage.EXPAND] + counts[Stage.RESPOND]
        rows.append(
            {
                "intervention": iv,
                "planned": iv.planned_amount or Decimal(0),
                "actual": actual.get(iv.pk, Decimal(0)),
                "counts": [counts[s.value] for s in Stage],
                "actors": sum(counts.values()),
                "spread": spread,
            }
        )

    def group(key: Any, labels: dict[str, str]) -> list[dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for row in rows:
            for k in key(row["intervention"]):
                g = out.setdefault(
                    k,
                    {
                        "key": k,
                        "label": labels.get(k, k),
                        "planned": Decimal(0),
                        "actual": Decimal(0),
                        "interventions": 0,
                        "counts": [0, 0, 0, 0],
                    },
                )
                g["planned"] += row["planned"]
                g["actual"] += row["actual"]
                g["interventions"] += 1
                g["counts"] = [a + b for a, b in zip(g["counts"], row["counts"], strict=True)]
        return sorted(out.values(), key=lambda g: (-g["actual"], -g["planned"], str(g["label"])))

    by_lever = group(lambda iv: [iv.lever], {k: str(v) for k, v in Lever.choices})
    by_function = group(lambda iv: [iv.function], {k: str(v) for k, v in SystemFunction.choices})
    by_partner = _by_partner(access, interventions, latest)
    return {"rows": rows, "by_lever": by_lever, "by_function": by_function, "by_partner": by_partner[:15]}


def _by_partner(
    access: Access, interventions: list[Intervention], latest: list[AaerEntry]
) -> list[dict[str, Any]]:
    """Per partner: its interventions, the support it was given while they ran, and its own latest
    stage in each (planned amounts belong to interventions, not partners, so none is shown here)."""
    given = support_by_partner(access=access, interventions=interventions)
    out: dict[int, dict[str, Any]] = {}
    for iv in interventions:
        for org in iv.organizations.all():
            row = out.setdefault(
                org.pk,
                {
                    "key": str(org.pk),
                    "label": org.name,
                    "interventions": 0,
                    "counts": [0, 0, 0, 0],
                    "planned": None,
                },
            )
            row["interventions"] += 1
            row["actual"] = given.get(org.pk, Decimal(0))
    for entry in latest:
        if entry.organization_id in out:
            out[entry.organization_id]["counts"][STAGE_ORDER[entry.stage]] += 1
    return sorted(out.values(), key=lambda r: (-r["actual"], r["label"]))[:15]


# --- rolling exit -------------------------------------------------------------------------------


def exit_criteria(*, access: Access) -> ExitCriteria | None:
    return ExitCriteria.objects.filter(program=access.program).first()


def thresholds_of(criteria: ExitCriteria | None) -> exit_rules.Thresholds:
    if criteria is None:
        return exit_rules.Thresholds()
    return exit_rules.Thresholds(
        use_engagement=criteria.use_engagement,
        engagement_min=criteria.engagement_min,
        engagement_months=criteria.engagement_months,
        use_coinvestment=criteria.use_coinvestment,
        coinvestment_min=criteria.coinvestment_min,
        use_attendance=criteria.use_attendance,
        attendance_min=criteria.attendance_min,
        attendance_of=criteria.attendance_of,
        use_aaer=criteria.use_aaer,
        aaer_min_stage=criteria.aaer_min_stage,
        margin=criteria.margin,
    )


def _month_start(day: datetime.date, back: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 - back
    return datetime.date(index // 12, index % 12 + 1, 1)


def exit_inputs(
    *, access: Access, thresholds: exit_rules.Thresholds, as_of: datetime.date | None = None
) -> list[exit_rules.PartnerData]:
    """The plain data the exit criteria look at, for every partner not already exited. Five queries."""
    today = as_of or timezone.localdate()
    partnerships = list(
        Partnership.objects.filter(program=access.program)
        .exclude(segment=Segment.EXITED)
        .select_related("organization")
        .order_by("organization__name")
    )
    by_pship = {p.pk: p for p in partnerships}
    data = {
        p.pk: exit_rules.PartnerData(organization_id=p.organization_id, name=p.organization.name)
        for p in partnerships
    }
    months = max(thresholds.engagement_months, 0)
    if months:
        first = _month_start(today, months - 1)
        scores: dict[int, dict[datetime.date, float | None]] = defaultdict(dict)
        for pid, month, total in EngagementScore.objects.filter(
            program=access.program, partnership_id__in=by_pship, month__gte=first, month__lte=today
        ).values_list("partnership_id", "month", "total"):
            scores[pid][month] = total
        for pid, rows in scores.items():
            data[pid].monthly_scores = [rows[m] for m in sorted(rows)]
    since = today - datetime.timedelta(days=365)
    for pid, direction, value in SupportEntry.objects.filter(
        program=access.program, partnership_id__in=by_pship, occurred_on__gt=since, occurred_on__lte=today
    ).values_list("partnership_id", "direction", "value"):
        if direction == SupportDirection.GIVEN:
            data[pid].given += value
        else:
            data[pid].put_in += value
    round_tables = list(
        Interaction.objects.filter(
            program=access.program, kind=InteractionKind.ROUND_TABLE, occurred_on__lte=today
        )
        .order_by("-occurred_on", "-pk")
        .values_list("pk", flat=True)[: max(thresholds.attendance_of, 0)]
    )
    attended: dict[int, int] = defaultdict(int)
    for (org_id,) in Participation.objects.filter(
        program=access.program, interaction_id__in=round_tables, status=Attendance.ATTENDED
    ).values_list("organization_id"):
        attended[org_id] += 1
    furthest: dict[int, str] = {}
    for entry in aaer_latest(access=access):
        current = furthest.get(entry.organization_id)
        if current is None or STAGE_ORDER[entry.stage] > STAGE_ORDER[current]:
            furthest[entry.organization_id] = entry.stage
    for item in data.values():
        item.attended = attended.get(item.organization_id, 0)
        item.stage = furthest.get(item.organization_id)
    return list(data.values())


def exit_evaluation(
    *, access: Access, thresholds: exit_rules.Thresholds | None = None, as_of: datetime.date | None = None
) -> dict[str, Any]:
    """The exit status of every partner under the programme's criteria (or the given what-if ones)."""
    if thresholds is None:
        thresholds = thresholds_of(exit_criteria(access=access))
    results = exit_rules.evaluate(exit_inputs(access=access, thresholds=thresholds, as_of=as_of), thresholds)
    order = {exit_rules.QUALIFIES: 0, exit_rules.NEARLY_QUALIFIES: 1, exit_rules.NOT_YET: 2}
    results.sort(key=lambda r: (order[r.overall], r.name))
    return {
        "thresholds": thresholds,
        "results": results,
        "summary": exit_rules.summary(results),
        "criteria": thresholds.enabled(),
    }


def exit_decisions(*, access: Access, organization: Organization | None = None) -> QuerySet[ExitDecision]:
    qs = ExitDecision.objects.filter(program=access.program).select_related("organization", "created_by")
    if organization is not None:
        qs = qs.filter(organization=organization)
    return qs.order_by("-decided_on", "-pk")


def latest_exit_decisions(*, access: Access) -> dict[int, ExitDecision]:
    latest: dict[int, ExitDecision] = {}
    for decision in exit_decisions(access=access).order_by("decided_on", "pk"):
        latest[decision.organization_id] = decision
    return latest


def exit_decision_get(*, access: Access, pk: int) -> ExitDecision:
    return get_one(exit_decisions(access=access), pk)


def partner_get(*, access: Access, pk: int) -> Organization:
    """An organisation that is a partner of this programme (for exit decisions)."""
    return get_one(partner_organizations(access=access), pk)


# --- competition / cooperation matrix ----------------------------------------------------------


def relationship_groups(*, access: Access) -> list[RelationshipGroup]:
    groups = list(
        RelationshipGroup.objects.filter(program=access.program)
        .prefetch_related(
            Prefetch("organizations", queryset=Organization.objects.order_by("name")),
            Prefetch("assessments", queryset=RelationshipAssessment.objects.order_by("-assessed_on", "-pk")),
        )
        .order_by("name")
    )
    for g in groups:
        g.history = list(g.assessments.all())
        g.latest = g.history[0] if g.history else None
    return groups


def relationship_group_get(*, access: Access, pk: int) -> RelationshipGroup:
    group: RelationshipGroup = get_one(RelationshipGroup.objects.filter(program=access.program), pk)
    group.history = list(  # type: ignore[attr-defined]
        RelationshipAssessment.objects.filter(program=access.program, group=group).order_by(
            "-assessed_on", "-pk"
        )
    )
    return group


def relationship_assessment_get(*, access: Access, pk: int) -> RelationshipAssessment:
    return get_one(
        RelationshipAssessment.objects.filter(
            program=access.program, group__deleted_at__isnull=True
        ).select_related("group"),
        pk,
    )


def home_summary(*, access: Access) -> dict[str, Any]:
    """What the Steer change hub shows besides the playbook: interventions by status and the AAER."""
    counts = dict(
        Intervention.objects.filter(program=access.program)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("status", "n")
    )
    return {"intervention_counts": counts, "intervention_total": sum(counts.values())}
