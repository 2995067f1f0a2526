"""Every write of the partner pillar. Each write that changes what the engagement score sees ends by
refreshing the scores of the partnerships concerned (an explicit call, not a signal)."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from konbit.core import audit
from konbit.core.access import Access
from konbit.core.models import AuditAction, Program
from konbit.core.services import (
    tenant_record_create,
    tenant_record_delete,
    tenant_record_update,
)
from konbit.core.transactions import service

from . import engagement, selectors
from .activity import load_activities
from .models import (
    ENGAGED_SEGMENTS,
    EVENT_KINDS,
    Attendance,
    AttendanceSubmission,
    DriverNote,
    EngagementScore,
    EngagementSettings,
    EventSeries,
    FollowUp,
    Frequency,
    InitiativeSupport,
    Interaction,
    Organization,
    Participation,
    Partnership,
    SegmentChange,
)
from .names import normalize_name

# --- organisations ------------------------------------------------------------------------------


@service
def organization_create(*, access: Access, by: User, data: dict[str, Any]) -> Organization:
    data = {**data, "normalized_name": normalize_name(data.get("name", ""))}
    return tenant_record_create(model=Organization, program=access.program, by=by, data=data)


@service
def organization_update(
    *, organization: Organization, by: User, data: dict[str, Any], expected_version: int | None = None
) -> dict[str, list[Any]]:
    if "name" in data:
        data = {**data, "normalized_name": normalize_name(data["name"])}
    return tenant_record_update(instance=organization, by=by, data=data, expected_version=expected_version)


@service
def organization_delete(*, organization: Organization, by: User) -> None:
    tenant_record_delete(instance=organization, by=by)


@service
def organization_merge(
    *, access: Access, keep: Organization, merge: Organization, by: User
) -> dict[str, int]:
    """Fold `merge` into `keep`: every row that points to `merge` points to `keep` afterwards; empty
    fields of `keep` take `merge`'s values; `merge` goes to the trash. Returns moved-row counts."""
    if keep.pk == merge.pk or keep.program_id != access.program.pk or merge.program_id != access.program.pk:
        raise ValidationError(_("Choose two different organisations of this programme."))
    moved: dict[str, int] = {}
    # A partnership is unique per organisation: fold merge's partnership into keep's when both exist.
    keep_partnership = Partnership.objects.filter(program=access.program, organization=keep).first()
    merge_partnership = Partnership.objects.filter(program=access.program, organization=merge).first()
    if keep_partnership and merge_partnership:
        for relation in Partnership._meta.related_objects:
            if relation.one_to_many and relation.related_model is not EngagementScore:
                model: Any = relation.related_model
                manager = getattr(model, "all_objects", model._default_manager)
                count = manager.filter(**{relation.field.name: merge_partnership}).update(
                    **{relation.field.name: keep_partnership}
                )
                moved[model._meta.model_name or ""] = moved.get(model._meta.model_name or "", 0) + count
        tenant_record_delete(instance=merge_partnership, by=by)
    # Participations are unique per (interaction, organisation): drop merge's where keep is already there.
    Participation.objects.filter(
        organization=merge,
        interaction__in=Participation.objects.filter(organization=keep).values("interaction"),
    ).delete()
    for relation in Organization._meta.related_objects:
        if not (relation.one_to_many or relation.one_to_one):
            continue
        model = relation.related_model
        manager = getattr(model, "all_objects", model._default_manager)
        count = manager.filter(**{relation.field.name: merge}).update(**{relation.field.name: keep})
        if count:
            moved[model._meta.model_name or ""] = moved.get(model._meta.model_name or "", 0) + count
    fill = {
        f.name: getattr(merge, f.name)
        for f in Organization._meta.concrete_fields
        if f.editable
        and f.name not in {"program", "name"}
        and not getattr(keep, f.name)
        and getattr(merge, f.name)
    }
    if fill:
        tenant_record_update(instance=keep, by=by, data=fill)
    tenant_record_delete(instance=merge, by=by)
    audit.record(
        program=access.program,
        actor=by,
        action=AuditAction.UPDATE,
        instance=keep,
        changes={"merged": [str(merge), str(keep)]},
    )
    partnership = keep_partnership or merge_partnership
    if partnership:
        engagement_refresh(program=access.program, partnership_ids=[partnership.pk])
    return moved


# --- partnerships -------------------------------------------------------------------------------


@service
def partnership_create(
    *, access: Access, organization: Organization, by: User, data: dict[str, Any], reason: str = ""
) -> Partnership:
    if Partnership.objects.filter(program=access.program, organization=organization).exists():
        raise ValidationError(_("%(name)s is already a partner.") % {"name": organization.name})
    partnership = tenant_record_create(
        model=Partnership, program=access.program, by=by, data={"organization": organization, **data}
    )
    tenant_record_create(
        model=SegmentChange,
        program=access.program,
        by=by,
        data={
            "partnership": partnership,
            "previous_segment": "",
            "segment": partnership.segment,
            "changed_on": partnership.since or timezone.localdate(),
            "reason": reason,
        },
    )
    engagement_refresh(program=access.program, partnership_ids=[partnership.pk])
    return partnership


@service
def partnership_update(
    *, partnership: Partnership, by: User, data: dict[str, Any], expected_version: int | None = None
) -> dict[str, list[Any]]:
    if "segment" in data and data["segment"] != partnership.segment:
        raise ValidationError(_("Change the segment with its date and reason."))
    return tenant_record_update(instance=partnership, by=by, data=data, expected_version=expected_version)


@service
def partnership_change_segment(
    *, partnership: Partnership, segment: str, changed_on: datetime.date, reason: str, by: User
) -> SegmentChange | None:
    previous = partnership.segment
    if previous == segment:
        return None
    tenant_record_update(instance=partnership, by=by, data={"segment": segment})
    change = tenant_record_create(
        model=SegmentChange,
        program=partnership.program,
        by=by,
        data={
            "partnership": partnership,
            "previous_segment": previous,
            "segment": segment,
            "changed_on": changed_on,
            "reason": reason,
        },
    )
    engagement_refresh(program=partnership.program, partnership_ids=[partnership.pk])
    return change


@service
def partnership_child_create(
    *, partnership: Partnership, model: type[Any], by: User, data: dict[str, Any]
) -> Any:
    """Agreements, driver notes, ledger lines and value gained: all hang off a partnership."""
    row = tenant_record_create(
        model=model, program=partnership.program, by=by, data={"partnership": partnership, **data}
    )
    engagement_refresh(program=partnership.program, partnership_ids=[partnership.pk])
    return row


@service
def partnership_child_delete(*, row: Any, by: User) -> None:
    tenant_record_delete(instance=row, by=by)
    engagement_refresh(program=row.program, partnership_ids=[row.partnership_id])


# --- interactions and events --------------------------------------------------------------------


def _partnership_ids(program: Program, organization_ids: Iterable[int]) -> list[int]:
    return list(
        Partnership.objects.filter(program=program, organization_id__in=list(organization_ids)).values_list(
            "pk", flat=True
        )
    )


@service
def interaction_log(
    *,
    access: Access,
    by: User,
    data: dict[str, Any],
    organizations: list[Organization],
    facilitators: Iterable[User] = (),
    follow_ups: Iterable[dict[str, Any]] = (),
    status: str | None = None,
    driver: dict[str, Any] | None = None,
) -> Interaction:
    """Log a conversation, call, visit or event. For an event the organisations are invited (their
    attendance is recorded later on the attendance sheet); otherwise they took part."""
    if not organizations:
        raise ValidationError({"organizations": _("Choose at least one organisation.")})
    if any(o.program_id != access.program.pk for o in organizations):
        raise ValidationError({"organizations": _("Unknown organisation.")})
    interaction = tenant_record_create(model=Interaction, program=access.program, by=by, data=data)
    interaction.facilitators.set(list(facilitators) or [by])
    default = status or (Attendance.INVITED if interaction.kind in EVENT_KINDS else Attendance.ATTENDED)
    Participation.objects.bulk_create(
        [
            Participation(program=access.program, interaction=interaction, organization=o, status=default)
            for o in {o.pk: o for o in organizations}.values()
        ]
    )
    for follow_up in follow_ups:
        tenant_record_create(
            model=FollowUp, program=access.program, by=by, data={"interaction": interaction, **follow_up}
        )
    if driver:
        # What the partner said it wants, heard in this conversation (first organisation's partnership).
        partnership = Partnership.objects.filter(
            program=access.program, organization=organizations[0]
        ).first()
        if partnership is not None:
            tenant_record_create(
                model=DriverNote,
                program=access.program,
                by=by,
                data={
                    "partnership": partnership,
                    "interaction": interaction,
                    "recorded_on": interaction.occurred_on,
                    **driver,
                },
            )
    engagement_refresh(
        program=access.program,
        partnership_ids=_partnership_ids(access.program, (o.pk for o in organizations)),
    )
    return interaction


@service
def interaction_log_once(
    *, access: Access, by: User, client_uuid: uuid.UUID, **kwargs: Any
) -> tuple[Interaction, bool]:
    """`interaction_log` for an entry the browser may send more than once (its outbox retries after a
    lost answer or a reload, decision 9). Returns (interaction, created): the interaction already
    logged under this client id in this programme — even if it went to the trash since — or the new
    one. Two sends racing each other meet at the unique constraint; the loser returns the winner's row."""
    existing = interaction_by_client_uuid(access=access, by=by, client_uuid=client_uuid)
    if existing is not None:
        return existing, False
    data = {**kwargs.pop("data"), "client_uuid": client_uuid}
    try:
        with transaction.atomic():
            return interaction_log(access=access, by=by, data=data, **kwargs), True
    except (IntegrityError, ValidationError):
        existing = interaction_by_client_uuid(access=access, by=by, client_uuid=client_uuid)
        if existing is None:
            raise
        return existing, False


class ClientIdTaken(Exception):
    """A client id already names another person's entry: never hand their record out."""


def interaction_by_client_uuid(*, access: Access, by: User, client_uuid: uuid.UUID) -> Interaction | None:
    found = selectors.interaction_for_client_uuid(access=access, client_uuid=client_uuid)
    if found is not None and found.created_by_id != by.pk:
        raise ClientIdTaken
    return found


@service
def interactions_import(
    *, access: Access, by: User, rows: Sequence[tuple[dict[str, Any], list[Organization]]]
) -> int:
    """Add many interactions at once, from rows an importer has already checked (importers.validate):
    bulk inserts, one line in the audit trail for the whole import and one score refresh for every
    partner concerned, instead of a write, an audit line and a refresh per row (100,000 rows in
    seconds rather than an hour). Returns how many were added."""
    if not rows:
        return 0
    if any(o.program_id != access.program.pk for _data, orgs in rows for o in orgs):
        raise ValidationError({"organizations": _("Unknown organisation.")})
    now = timezone.now()
    interactions = [
        Interaction(
            program=access.program, created_by=by, updated_by=by, created_at=now, updated_at=now, **data
        )
        for data, _orgs in rows
    ]
    Interaction.objects.bulk_create(interactions, batch_size=2_000)
    facilitators = Interaction.facilitators.through
    facilitators.objects.bulk_create(
        [facilitators(interaction_id=i.pk, user_id=by.pk) for i in interactions], batch_size=5_000
    )
    participations = [
        Participation(
            program=access.program,
            interaction=interaction,
            organization=organization,
            status=Attendance.INVITED if interaction.kind in EVENT_KINDS else Attendance.ATTENDED,
        )
        for interaction, (_data, organizations) in zip(interactions, rows, strict=True)
        for organization in {o.pk: o for o in organizations}.values()
    ]
    Participation.objects.bulk_create(participations, batch_size=5_000)
    audit.record(
        program=access.program,
        actor=by,
        action=AuditAction.CREATE,
        object_repr=_("%(count)s interactions (import)") % {"count": len(interactions)},
    )
    engagement_refresh(
        program=access.program,
        partnership_ids=_partnership_ids(access.program, {p.organization_id for p in participations}),
    )
    return len(interactions)


@service
def interaction_update(
    *, interaction: Interaction, by: User, data: dict[str, Any], expected_version: int | None = None
) -> dict[str, list[Any]]:
    changes = tenant_record_update(instance=interaction, by=by, data=data, expected_version=expected_version)
    org_ids = interaction.participations.values_list("organization_id", flat=True)
    engagement_refresh(
        program=interaction.program, partnership_ids=_partnership_ids(interaction.program, org_ids)
    )
    return changes


@service
def interaction_delete(*, interaction: Interaction, by: User) -> None:
    tenant_record_delete(instance=interaction, by=by)
    org_ids = interaction.participations.values_list("organization_id", flat=True)
    engagement_refresh(
        program=interaction.program, partnership_ids=_partnership_ids(interaction.program, org_ids)
    )


@service
def event_invite(*, interaction: Interaction, organizations: Iterable[Organization], by: User) -> int:
    existing = set(interaction.participations.values_list("organization_id", flat=True))
    new = [o for o in organizations if o.pk not in existing and o.program_id == interaction.program_id]
    Participation.objects.bulk_create(
        [
            Participation(
                program=interaction.program,
                interaction=interaction,
                organization=o,
                status=Attendance.INVITED,
            )
            for o in new
        ]
    )
    if new:
        audit.record(
            program=interaction.program,
            actor=by,
            action=AuditAction.UPDATE,
            instance=interaction,
            changes={"invited": [None, ", ".join(o.name for o in new)]},
        )
        engagement_refresh(
            program=interaction.program,
            partnership_ids=_partnership_ids(interaction.program, (o.pk for o in new)),
        )
    return len(new)


@service
def attendance_record(*, interaction: Interaction, statuses: dict[int, str], by: User) -> int:
    """Set attendance per organisation (organisation id → status). Returns how many changed."""
    valid = set(Attendance.values)
    participations = {p.organization_id: p for p in interaction.participations.select_related("organization")}
    changed = []
    changes: audit.Changes = {}
    for org_id, status in statuses.items():
        participation = participations.get(org_id)
        if participation is None or status not in valid or participation.status == status:
            continue
        changes[f"attendance: {participation.organization.name}"] = [participation.status, status]
        participation.status = status
        changed.append(participation)
    Participation.objects.bulk_update(changed, ["status"])
    if changed:
        audit.record(
            program=interaction.program,
            actor=by,
            action=AuditAction.UPDATE,
            instance=interaction,
            changes=changes,
        )
        engagement_refresh(
            program=interaction.program,
            partnership_ids=_partnership_ids(interaction.program, (p.organization_id for p in changed)),
        )
    return len(changed)


class AttendanceConflict(Exception):
    """The sheet was filled in on an older copy: someone changed these rows meanwhile, or the
    organisations are no longer on the sheet (merged, removed). Nothing was saved."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        super().__init__(rows)
        self.rows = rows


@service
def attendance_record_once(
    *,
    interaction: Interaction,
    statuses: dict[int, str],
    by: User,
    client_uuid: uuid.UUID,
    seen: dict[int, str] | None = None,
    force: bool = False,
) -> tuple[int, bool]:
    """`attendance_record` for a sheet the browser may send more than once (decision 9). Returns
    (rows changed, recorded now); a repeated send returns the first send's count and changes nothing.
    `seen` is what the sheet showed when it was filled in: a row changed by someone else since (or no
    longer on the sheet) raises `AttendanceConflict`, unless `force` (the user chose to overwrite)."""
    program = interaction.program
    receipt = AttendanceSubmission.objects.filter(program=program, client_uuid=client_uuid).first()
    if receipt is not None:
        if receipt.interaction_id != interaction.pk or receipt.submitted_by_id != by.pk:
            raise ClientIdTaken
        return receipt.changed, False
    # Lock the sheet's rows so a conflict check and the write see the same statuses.
    current = {
        p.organization_id: p
        for p in Participation.objects.select_for_update()
        .filter(interaction=interaction)
        .select_related("organization")
    }
    conflicts: list[dict[str, Any]] = []
    gone_names = dict(  # organisations no longer on the sheet (merged or removed), named in one query
        Organization.all_objects.filter(program=program, pk__in=set(statuses) - set(current)).values_list(
            "pk", "name"
        )
    )
    for org_id, status in statuses.items():
        participation = current.get(org_id)
        if participation is None:
            conflicts.append({"organization": org_id, "name": gone_names.get(org_id, ""), "gone": True})
        elif (
            seen is not None
            and not force
            and org_id in seen
            and participation.status not in (seen[org_id], status)
        ):
            conflicts.append(
                {
                    "organization": org_id,
                    "name": participation.organization.name,
                    "gone": False,
                    "now": participation.status,
                    "seen": seen[org_id],
                    "yours": status,
                }
            )
    if conflicts and not force:
        raise AttendanceConflict(conflicts)
    # Forced: rows that left the sheet cannot be written whatever the user chose (attendance_record
    # skips them); the rest overwrite.
    try:
        with transaction.atomic():
            receipt = AttendanceSubmission.objects.create(
                program=program, interaction=interaction, client_uuid=client_uuid, submitted_by=by
            )
    except IntegrityError:
        receipt = AttendanceSubmission.objects.get(program=program, client_uuid=client_uuid)
        return receipt.changed, False
    changed = attendance_record(interaction=interaction, statuses=statuses, by=by)
    receipt.changed = changed
    receipt.save(update_fields=["changed"])
    return changed, True


def _occurrence_dates(start: datetime.date, frequency: str, count: int) -> list[datetime.date]:
    dates = []
    for i in range(count):
        if frequency == Frequency.WEEKLY:
            dates.append(start + datetime.timedelta(weeks=i))
        else:
            step = 1 if frequency == Frequency.MONTHLY else 3
            month = start.month - 1 + i * step
            year, month = start.year + month // 12, month % 12 + 1
            day = start.day
            while True:  # 31 January + 1 month → the last day of February
                try:
                    dates.append(datetime.date(year, month, day))
                    break
                except ValueError:
                    day -= 1
    return dates


@service
def event_series_create(
    *, access: Access, by: User, data: dict[str, Any], organizations: list[Organization]
) -> EventSeries:
    """Schedule a recurring event once: the series and each of its dates, with the same invitations."""
    series = tenant_record_create(model=EventSeries, program=access.program, by=by, data=data)
    for day in _occurrence_dates(series.starts_on, series.frequency, series.occurrences):
        interaction_log(
            access=access,
            by=by,
            data={
                "kind": series.kind,
                "title": series.title,
                "occurred_on": day,
                "location": series.location,
                "series": series,
            },
            organizations=organizations,
            status=Attendance.INVITED,
        )
    return series


# --- follow-ups and initiatives -----------------------------------------------------------------


@service
def followup_create(*, access: Access, by: User, data: dict[str, Any]) -> FollowUp:
    follow_up = tenant_record_create(model=FollowUp, program=access.program, by=by, data=data)
    engagement_refresh(
        program=access.program, partnership_ids=_partnership_ids(access.program, [follow_up.organization_id])
    )
    return follow_up


@service
def followup_set_done(*, follow_up: FollowUp, done_on: datetime.date | None, by: User) -> None:
    tenant_record_update(instance=follow_up, by=by, data={"done_on": done_on})
    engagement_refresh(
        program=follow_up.program,
        partnership_ids=_partnership_ids(follow_up.program, [follow_up.organization_id]),
    )


@service
def initiative_support_add(
    *, access: Access, by: User, initiative: Any, organization: Organization, how: str
) -> InitiativeSupport:
    return tenant_record_create(
        model=InitiativeSupport,
        program=access.program,
        by=by,
        data={"initiative": initiative, "organization": organization, "how": how},
    )


# --- engagement ---------------------------------------------------------------------------------


def engagement_settings_for(program: Program) -> EngagementSettings:
    settings_row, _created = EngagementSettings.objects.get_or_create(program=program)
    return settings_row


def params_for(settings_row: EngagementSettings) -> engagement.Params:
    return engagement.Params(
        weights={
            engagement.RECENCY: settings_row.weight_recency,
            engagement.ATTENDANCE: settings_row.weight_attendance,
            engagement.FOLLOWUPS: settings_row.weight_followups,
            engagement.SENTIMENT: settings_row.weight_sentiment,
            engagement.COINVESTMENT: settings_row.weight_coinvestment,
        },
        no_contact_days=settings_row.no_contact_days,
        score_drop_points=settings_row.score_drop_points,
        programme_share_warning=settings_row.programme_share_warning,
    )


@service
def engagement_settings_update(
    *, program: Program, by: User, data: dict[str, Any], expected_version: int | None = None
) -> dict[str, list[Any]]:
    from konbit.core.services import ConflictError

    settings_row = EngagementSettings.objects.select_for_update().get(pk=engagement_settings_for(program).pk)
    if expected_version is not None and settings_row.version != expected_version:
        raise ConflictError(program)
    before = audit.field_values(settings_row, data)
    for name, value in data.items():
        setattr(settings_row, name, value)
    changes = audit.diff(before, audit.field_values(settings_row, data))
    if changes:
        settings_row.version += 1
        settings_row.save()
        audit.record(
            program=program, actor=by, action=AuditAction.UPDATE, instance=settings_row, changes=changes
        )
        engagement_refresh(program=program)
    return changes


@service
def engagement_refresh(
    *, program: Program, partnership_ids: Iterable[int] | None = None, today: datetime.date | None = None
) -> int:
    """Recompute monthly scores, last contact and warnings of some (or all) partnerships of a programme.
    Returns how many partnerships were refreshed.

    The partnerships' rows are locked (in id order) for the refresh: two requests refreshing the same
    partner at once — two conversations logged in the same second — take turns instead of both deleting
    the old scores and both inserting new ones (a unique-constraint error for the second, on PostgreSQL).
    """
    today = today or timezone.localdate()
    settings_row = engagement_settings_for(program)
    params = params_for(settings_row)
    qs = Partnership.objects.filter(program=program)
    if partnership_ids is not None:
        ids = list(partnership_ids)
        if not ids:
            return 0
        qs = qs.filter(pk__in=ids)
    partnerships = list(
        qs.select_for_update(of=("self",))
        .order_by("pk")
        .only("pk", "organization_id", "since", "created_at", "segment")
    )
    activities = load_activities(program=program, partnerships=partnerships, everyone=partnership_ids is None)
    scores: list[EngagementScore] = []
    for partnership in partnerships:
        activity = activities[partnership.pk]
        # Scores start when the partnership does (months before it would only show zeros).
        start = partnership.since or partnership.created_at.date()
        by_month: dict[datetime.date, float | None] = {}
        ends = engagement.month_ends(start, today)
        for end, score in zip(ends, engagement.score_series(activity, ends, params), strict=True):
            by_month[end.replace(day=1)] = score.total
            scores.append(
                EngagementScore(
                    program=program,
                    partnership_id=partnership.pk,
                    month=end.replace(day=1),
                    total=score.total,
                    components=score.as_json(),
                )
            )
        current = by_month.get(today.replace(day=1))
        three_back = _months_back(today.replace(day=1), 3)
        warnings = (
            engagement.warnings_at(activity, today, params, by_month.get(three_back), current)
            if partnership.segment in ENGAGED_SEGMENTS
            else []
        )
        contact_days = [d for d, _one in activity.contacts if d <= today]
        partnership.score = current
        partnership.last_contact_on = max(contact_days) if contact_days else None
        partnership.warning_codes = "," + ",".join(w.code for w in warnings) + "," if warnings else ""
    EngagementScore.objects.filter(partnership_id__in=[p.pk for p in partnerships]).delete()
    EngagementScore.objects.bulk_create(scores, batch_size=2000)
    Partnership.all_objects.bulk_update(
        partnerships, ["score", "last_contact_on", "warning_codes"], batch_size=1000
    )
    if partnership_ids is None:
        EngagementSettings.objects.filter(pk=settings_row.pk).update(computed_on=today)
    return len(partnerships)


def _months_back(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 - n
    return datetime.date(index // 12, index % 12 + 1, 1)


def engagement_ensure_current(*, program: Program, today: datetime.date | None = None) -> None:
    """Warnings depend on today's date ("no conversation for 60 days"): refresh once a day. A read
    first, so that once the day is done a page view opens no write transaction."""
    today = today or timezone.localdate()
    if engagement_settings_for(program).computed_on == today:
        return
    engagement_refresh_day(program=program, today=today)


@service
def engagement_refresh_day(*, program: Program, today: datetime.date) -> None:
    """The day's refresh of a whole programme, once. The first requests of the day arrive together:
    the first takes the settings row's lock and refreshes; the others wait for it, then find the day
    done instead of refreshing again."""
    locked = EngagementSettings.objects.select_for_update().get(program=program)
    if locked.computed_on != today:
        engagement_refresh(program=program, today=today)
