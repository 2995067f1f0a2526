"""Every write of the steering pillar, built on the audited generic writes of konbit.core.services.

Children of an intervention (role history, chain boxes and arrows, chain versions, AAER entries) are
not moved to the trash with it: the selectors hide the children of an intervention in the trash, and
restoring the intervention brings everything back as it was.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from konbit.core import audit
from konbit.core.access import Access
from konbit.core.ids import is_id
from konbit.core.models import AuditAction, Phase, Program
from konbit.core.services import (
    tenant_record_create,
    tenant_record_delete,
    tenant_record_update,
)
from konbit.core.transactions import service
from konbit.partners.models import Organization, Partnership, Segment

from .models import (
    AaerEntry,
    ChainBox,
    ChainLink,
    ChainVersion,
    ChecklistItem,
    ExitCriteria,
    ExitDecision,
    ExitDecisionKind,
    FacilitatorRole,
    Intervention,
    PhasePlaybook,
    RelationshipAssessment,
    RelationshipGroup,
)
from .playbook import DEFAULTS, as_source, source

# --- playbook -----------------------------------------------------------------------------------


@service
def playbook_materialise(*, program: Program, phase: str, by: User) -> PhasePlaybook:
    """The programme's own copy of one phase's guidance and checklist, made from the defaults the
    first time someone edits or ticks something in that phase (texts kept as shipped, see playbook.shown)."""
    if phase not in Phase.values:
        raise ValidationError(_("Unknown phase."))
    existing = PhasePlaybook.objects.select_for_update().filter(program=program, phase=phase).first()
    if existing is not None:
        return existing
    defaults = DEFAULTS[phase]
    playbook = tenant_record_create(
        model=PhasePlaybook,
        program=program,
        by=by,
        data={
            "phase": phase,
            "why": source(defaults.why),
            "know": source(defaults.know),
            "tools": source(defaults.tools),
        },
    )
    for position, text in enumerate(defaults.checklist):
        tenant_record_create(
            model=ChecklistItem,
            program=program,
            by=by,
            data={"phase": phase, "text": source(text), "position": position},
        )
    return playbook


def _is_default_playbook(phase: str, data: dict[str, Any], lines: list[str]) -> bool:
    defaults = DEFAULTS[phase]
    shipped = {"why": defaults.why, "know": defaults.know, "tools": defaults.tools}
    same_text = all((data.get(key) or "").strip() == source(text) for key, text in shipped.items())
    return same_text and lines == [source(text) for text in defaults.checklist]


@service
def checklist_tick(*, access: Access, phase: str, item: str, done: bool, by: User) -> ChecklistItem:
    """Tick (or un-tick) one item. `item` is an item's id, or `d<n>` for the n-th default item of a
    phase the programme has not copied yet."""
    playbook_materialise(program=access.program, phase=phase, by=by)
    items = ChecklistItem.objects.filter(program=access.program, phase=phase)
    row: ChecklistItem | None
    if item.startswith("d") and is_id(item[1:]):
        row = items.order_by("position", "pk")[int(item[1:]) : int(item[1:]) + 1].first()
    elif is_id(item):
        row = items.filter(pk=int(item)).first()
    else:
        row = None
    if row is None:
        raise ValidationError(_("This checklist item no longer exists."))
    if done and row.done_at is None:
        tenant_record_update(instance=row, by=by, data={"done_at": timezone.now(), "done_by": by})
    elif not done and row.done_at is not None:
        tenant_record_update(instance=row, by=by, data={"done_at": None, "done_by": None})
    return row


@service
def playbook_update(
    *,
    access: Access,
    phase: str,
    by: User,
    data: dict[str, Any],
    items: Sequence[str],
    expected_version: int | None = None,
) -> PhasePlaybook:
    """Save a phase's guidance and its checklist, given one item per line. An unchanged line keeps its
    item (and whether and by whom it was ticked); a removed line's item goes to the trash; a new or
    reworded line is a new, unticked item."""
    existed = PhasePlaybook.objects.filter(program=access.program, phase=phase).exists()
    data = {key: as_source(value) if isinstance(value, str) else value for key, value in data.items()}
    lines = [as_source(line.strip())[:300] for line in items if line.strip()]
    if not existed and _is_default_playbook(phase, data, lines):
        # Saved unchanged: the programme keeps following the shipped guidance (in each reader's language).
        return PhasePlaybook(program=access.program, phase=phase, **data)
    playbook = playbook_materialise(program=access.program, phase=phase, by=by)
    tenant_record_update(
        instance=playbook, by=by, data=data, expected_version=expected_version if existed else None
    )
    current = list(
        ChecklistItem.objects.filter(program=access.program, phase=phase).order_by("position", "pk")
    )
    unused = {row.pk: row for row in current}
    for position, text in enumerate(lines):
        match = next((row for row in unused.values() if row.text == text), None)
        if match is None:
            tenant_record_create(
                model=ChecklistItem,
                program=access.program,
                by=by,
                data={"phase": phase, "text": text, "position": position},
            )
        else:
            del unused[match.pk]
            if match.position != position:
                tenant_record_update(instance=match, by=by, data={"position": position})
    for row in unused.values():
        tenant_record_delete(instance=row, by=by)
    return playbook


# --- interventions ------------------------------------------------------------------------------


def _check_partners(program: Program, organizations: Iterable[Organization]) -> list[Organization]:
    chosen = list(organizations)
    partner_ids = set(
        Partnership.objects.filter(program=program, organization__in=chosen).values_list(
            "organization_id", flat=True
        )
    )
    strangers = [o.name for o in chosen if o.program_id != program.pk or o.pk not in partner_ids]
    if strangers:
        raise ValidationError(
            {
                "organizations": _("Only partners of this programme can be involved: %(names)s.")
                % {"names": ", ".join(strangers)}
            }
        )
    return chosen


@service
def intervention_create(
    *, access: Access, by: User, data: dict[str, Any], organizations: Iterable[Organization] = ()
) -> Intervention:
    chosen = _check_partners(access.program, organizations)
    intervention = tenant_record_create(model=Intervention, program=access.program, by=by, data=data)
    if chosen:
        intervention.organizations.set(chosen)
        audit.record(
            program=access.program,
            actor=by,
            action=AuditAction.UPDATE,
            instance=intervention,
            changes={"organizations": [None, ", ".join(sorted(o.name for o in chosen))]},
        )
    return intervention


@service
def intervention_update(
    *,
    intervention: Intervention,
    by: User,
    data: dict[str, Any],
    organizations: Iterable[Organization] | None = None,
    expected_version: int | None = None,
) -> dict[str, list[Any]]:
    changes = tenant_record_update(instance=intervention, by=by, data=data, expected_version=expected_version)
    if organizations is not None:
        chosen = _check_partners(intervention.program, organizations)
        before = sorted(o.name for o in intervention.organizations.all())
        after = sorted(o.name for o in chosen)
        if before != after:
            intervention.organizations.set(chosen)
            if not changes:  # the m2m change alone still makes a new version (for conflict checks)
                intervention.version += 1
                intervention.updated_at = timezone.now()
                intervention.updated_by = by
                intervention.save(update_fields=["version", "updated_at", "updated_by"])
            audit.record(
                program=intervention.program,
                actor=by,
                action=AuditAction.UPDATE,
                instance=intervention,
                changes={"organizations": [", ".join(before), ", ".join(after)]},
            )
            changes = {**changes, "organizations": [before, after]}
    return changes


@service
def intervention_delete(*, intervention: Intervention, by: User) -> None:
    tenant_record_delete(instance=intervention, by=by)


@service
def facilitator_role_add(*, intervention: Intervention, by: User, data: dict[str, Any]) -> FacilitatorRole:
    return tenant_record_create(
        model=FacilitatorRole,
        program=intervention.program,
        by=by,
        data={"intervention": intervention, **data},
    )


@service
def facilitator_role_delete(*, role: FacilitatorRole, by: User) -> None:
    tenant_record_delete(instance=role, by=by)


# --- results chains -----------------------------------------------------------------------------


@service
def chain_box_create(*, intervention: Intervention, by: User, data: dict[str, Any]) -> ChainBox:
    last = ChainBox.objects.filter(intervention=intervention, level=data.get("level")).aggregate(
        m=Max("position")
    )["m"]
    return tenant_record_create(
        model=ChainBox,
        program=intervention.program,
        by=by,
        data={"intervention": intervention, "position": (last + 1) if last is not None else 0, **data},
    )


@service
def chain_box_update(
    *, box: ChainBox, by: User, data: dict[str, Any], expected_version: int | None = None
) -> dict[str, list[Any]]:
    return tenant_record_update(instance=box, by=by, data=data, expected_version=expected_version)


@service
def chain_box_delete(*, box: ChainBox, by: User) -> None:
    """The box and the arrows into and out of it go to the trash."""
    for link in ChainLink.objects.filter(Q(source=box) | Q(target=box), program=box.program):
        tenant_record_delete(instance=link, by=by)
    tenant_record_delete(instance=box, by=by)


@service
def chain_link_create(
    *, intervention: Intervention, by: User, source: ChainBox, target: ChainBox, assumption: str = ""
) -> ChainLink:
    if source.intervention_id != intervention.pk or target.intervention_id != intervention.pk:
        raise ValidationError(_("Both boxes must belong to this intervention's chain."))
    if source.pk == target.pk:
        raise ValidationError(_("An arrow needs two different boxes."))
    if ChainLink.objects.filter(source=source, target=target).exists():
        raise ValidationError(_("These two boxes are already linked."))
    return tenant_record_create(
        model=ChainLink,
        program=intervention.program,
        by=by,
        data={"intervention": intervention, "source": source, "target": target, "assumption": assumption},
    )


@service
def chain_link_update(
    *, link: ChainLink, by: User, assumption: str, expected_version: int | None = None
) -> dict[str, list[Any]]:
    return tenant_record_update(
        instance=link, by=by, data={"assumption": assumption}, expected_version=expected_version
    )


@service
def chain_link_delete(*, link: ChainLink, by: User) -> None:
    tenant_record_delete(instance=link, by=by)


def chain_data(*, intervention: Intervention) -> dict[str, Any]:
    """The live chain as plain data (what a version freezes)."""
    boxes = ChainBox.objects.filter(intervention=intervention).order_by("level", "position", "pk")
    links = ChainLink.objects.filter(
        intervention=intervention, source__deleted_at__isnull=True, target__deleted_at__isnull=True
    ).order_by("pk")
    return {
        "boxes": [{"id": b.pk, "level": b.level, "text": b.text, "position": b.position} for b in boxes],
        "links": [
            {"source": li.source_id, "target": li.target_id, "assumption": li.assumption} for li in links
        ],
    }


@service
def chain_version_save(
    *, intervention: Intervention, by: User, review_date: datetime.date, note: str = ""
) -> ChainVersion:
    version = ChainVersion(
        program=intervention.program,
        intervention=intervention,
        review_date=review_date,
        note=note,
        data=chain_data(intervention=intervention),
        created_by=by,
        updated_by=by,
    )
    version.full_clean()
    version.save()
    audit.record(
        program=intervention.program,
        actor=by,
        action=AuditAction.CREATE,
        instance=version,
        changes={"review_date": [None, review_date.isoformat()], "note": [None, note]},
    )
    return version


# --- adopt, adapt, expand, respond -------------------------------------------------------------


@service
def aaer_entry_create(*, intervention: Intervention, by: User, data: dict[str, Any]) -> AaerEntry:
    organization = data.get("organization")
    if organization is None or organization.program_id != intervention.program_id:
        raise ValidationError({"organization": _("Choose an organisation of this programme.")})
    return tenant_record_create(
        model=AaerEntry, program=intervention.program, by=by, data={"intervention": intervention, **data}
    )


@service
def aaer_entry_update(
    *, entry: AaerEntry, by: User, data: dict[str, Any], expected_version: int | None = None
) -> dict[str, list[Any]]:
    organization = data.get("organization", entry.organization)
    if organization.program_id != entry.program_id:
        raise ValidationError({"organization": _("Choose an organisation of this programme.")})
    return tenant_record_update(instance=entry, by=by, data=data, expected_version=expected_version)


@service
def aaer_entry_delete(*, entry: AaerEntry, by: User) -> None:
    tenant_record_delete(instance=entry, by=by)


@service
def actor_quick_create(*, access: Access, by: User, name: str, type: str) -> Organization:
    """An actor that is not a partner (e.g. a firm that copied a change), added from the AAER form.
    An organisation of the same normalised name is reused instead of making a duplicate."""
    from konbit.partners.names import normalize_name
    from konbit.partners.services import organization_create

    name = name.strip()
    if not name:
        raise ValidationError({"new_actor": _("Give the new actor's name.")})
    existing = Organization.objects.filter(
        program=access.program, normalized_name=normalize_name(name)
    ).first()
    if existing is not None:
        return existing
    return organization_create(access=access, by=by, data={"name": name, "type": type})


# --- rolling exit -------------------------------------------------------------------------------


@service
def exit_criteria_save(
    *, access: Access, by: User, data: dict[str, Any], expected_version: int | None = None
) -> ExitCriteria:
    criteria = ExitCriteria.objects.filter(program=access.program).first()
    if criteria is None:
        return tenant_record_create(model=ExitCriteria, program=access.program, by=by, data=data)
    tenant_record_update(instance=criteria, by=by, data=data, expected_version=expected_version)
    return criteria


@service
def exit_decision_record(
    *, access: Access, organization: Organization, by: User, data: dict[str, Any]
) -> ExitDecision:
    """Record a decision; starting the exit also moves the partnership to the segment 'Exiting'."""
    partnership = Partnership.objects.filter(program=access.program, organization=organization).first()
    if partnership is None:
        raise ValidationError(_("Only a partner can have an exit decision."))
    decision = tenant_record_create(
        model=ExitDecision, program=access.program, by=by, data={"organization": organization, **data}
    )
    if data.get("decision") == ExitDecisionKind.START_EXIT and partnership.segment not in {
        Segment.EXITING,
        Segment.EXITED,
    }:
        from konbit.partners.services import partnership_change_segment

        partnership_change_segment(
            partnership=partnership,
            segment=Segment.EXITING,
            changed_on=data.get("decided_on") or timezone.localdate(),
            reason=data.get("reason", ""),
            by=by,
        )
    return decision


@service
def exit_decision_delete(*, decision: ExitDecision, by: User) -> None:
    tenant_record_delete(instance=decision, by=by)


# --- competition / cooperation matrix ----------------------------------------------------------


def _check_actors(program: Program, organizations: Iterable[Organization]) -> list[Organization]:
    chosen = list(organizations)
    if len(chosen) < 2:
        raise ValidationError({"organizations": _("Choose at least two actors.")})
    if any(o.program_id != program.pk for o in chosen):
        raise ValidationError({"organizations": _("Choose organisations of this programme.")})
    return chosen


@service
def relationship_group_create(
    *, access: Access, by: User, data: dict[str, Any], organizations: Iterable[Organization]
) -> RelationshipGroup:
    chosen = _check_actors(access.program, organizations)
    group = tenant_record_create(model=RelationshipGroup, program=access.program, by=by, data=data)
    group.organizations.set(chosen)
    return group


@service
def relationship_group_update(
    *,
    group: RelationshipGroup,
    by: User,
    data: dict[str, Any],
    organizations: Iterable[Organization],
    expected_version: int | None = None,
) -> dict[str, list[Any]]:
    chosen = _check_actors(group.program, organizations)
    changes = tenant_record_update(instance=group, by=by, data=data, expected_version=expected_version)
    before = sorted(o.name for o in group.organizations.all())
    after = sorted(o.name for o in chosen)
    if before != after:
        group.organizations.set(chosen)
        audit.record(
            program=group.program,
            actor=by,
            action=AuditAction.UPDATE,
            instance=group,
            changes={"organizations": [", ".join(before), ", ".join(after)]},
        )
    return changes


@service
def relationship_group_delete(*, group: RelationshipGroup, by: User) -> None:
    tenant_record_delete(instance=group, by=by)


@service
def relationship_assessment_add(
    *, group: RelationshipGroup, by: User, data: dict[str, Any]
) -> RelationshipAssessment:
    return tenant_record_create(
        model=RelationshipAssessment, program=group.program, by=by, data={"group": group, **data}
    )


@service
def relationship_assessment_delete(*, assessment: RelationshipAssessment, by: User) -> None:
    tenant_record_delete(instance=assessment, by=by)
