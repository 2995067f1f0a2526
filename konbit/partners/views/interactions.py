from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from konbit.core.access import access_for, acting_user, program_view
from konbit.core.forms import rebase_form
from konbit.core.ids import is_id, parse_ids
from konbit.core.roles import Action
from konbit.core.selectors import history_for
from konbit.core.services import ConflictError

from .. import selectors, services
from ..forms import EventSeriesForm, InteractionForm
from ..models import EVENT_KINDS, Attendance, DriverCategory, Interaction, InteractionKind, Organization
from .partnerships import facilitator_queryset

PAGE_SIZE = 50


@program_view(Action.INTERACTION_VIEW)
def interaction_list(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    filters: dict[str, Any] = {
        "kind": request.GET.get("kind", ""),
        "query": request.GET.get("q", "").strip(),
        "since": _date_param(request, "since"),
        "until": _date_param(request, "until"),
    }
    org = request.GET.get("organization", "")
    organization = selectors.organization_get(access=access, pk=int(org)) if is_id(org) else None
    qs = selectors.interaction_list(
        access=access,
        organization=organization.pk if organization else None,
        kind=filters["kind"],
        query=filters["query"],
        since=filters["since"],
        until=filters["until"],
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/interaction_list.html",
        {"page": page, "filters": filters, "kinds": InteractionKind.choices, "organization": organization},
    )


def _date_param(request: HttpRequest, name: str) -> datetime.date | None:
    """A date from the query string; a malformed one is ignored rather than an error."""
    try:
        return parse_date(request.GET.get(name, ""))
    except ValueError:
        return None


def _chosen_organizations(request: HttpRequest, access: object) -> list[Organization]:
    ids = parse_ids(request.POST.getlist("organizations") + request.GET.getlist("organization"))
    return list(selectors.organization_choices(access=access).filter(pk__in=ids)) if ids else []  # type: ignore[arg-type]


def _from_outbox(request: HttpRequest) -> bool:
    """The browser's outbox sends entries with this header and reads a JSON answer (decision 9);
    without it the same views answer a plain form post as before."""
    return bool(request.headers.get("X-Konbit-Outbox"))


def _client_uuid(request: HttpRequest) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.POST.get("client_uuid", ""))
    except ValueError:
        return None


def _outbox_answer(status: str, code: int, message: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"status": status, "message": message, **extra}, status=code)


def _client_id_taken() -> JsonResponse:
    """Another person's entry (or another sheet) already holds this client id: refused without naming it."""
    return _outbox_answer("conflict", 409, _("This entry's id is already used by another entry."))


def _organizations_gone(request: HttpRequest, access: Any) -> list[str]:
    """Names of posted organisations that are no longer choosable (merged or deleted since the entry
    was written); an id that never was one of this programme's is named by its number only."""
    posted = set(parse_ids(request.POST.getlist("organizations")))
    if not posted:
        return []
    known = set(
        selectors.organization_choices(access=access).filter(pk__in=posted).values_list("pk", flat=True)
    )
    gone = posted - known
    names = selectors.organization_names(access=access, ids=gone)
    return [names.get(pk, f"#{pk}") for pk in sorted(gone)]


@program_view(Action.INTERACTION_LOG)
def interaction_create(request: HttpRequest, program: str) -> HttpResponse:
    """The quick log: under a minute on a phone. Kind, date and the first partner are pre-filled.
    A post with a `client_uuid` (the offline outbox, decision 9) is saved once however often it comes."""
    access = access_for(request)
    outbox = request.method == "POST" and _from_outbox(request)
    client_uuid = _client_uuid(request) if request.method == "POST" else None
    if outbox and client_uuid is None:
        return _outbox_answer("invalid", 400, _("This entry has no valid id."))
    chosen = _chosen_organizations(request, access)
    initial = {"kind": request.GET.get("kind") or InteractionKind.CONVERSATION}
    form = InteractionForm(
        request.POST or None,
        organizations=selectors.organization_choices(access=access),
        facilitators=facilitator_queryset(access),
        initial=initial,
    )
    if outbox and client_uuid is not None:
        # Already saved (its answer was lost): say so before judging the entry against today's data,
        # where its partner may have been merged since.
        try:
            saved = services.interaction_by_client_uuid(
                access=access, by=acting_user(request), client_uuid=client_uuid
            )
        except services.ClientIdTaken:
            return _client_id_taken()
        if saved is not None:
            return _outbox_answer(
                "already_saved", 200, _("This was already saved."), url=_url_after_log(access, saved)
            )
    if outbox and not form.is_valid():
        gone = _organizations_gone(request, access)
        if gone:
            return _outbox_answer(
                "conflict",
                409,
                _(
                    "%(names)s was merged into another organisation or deleted since this was written. "
                    "Open it, choose the organisation again and save."
                )
                % {"names": ", ".join(gone)},
            )
        return _outbox_answer(
            "invalid",
            400,
            _("Some fields need correcting."),
            errors={
                str(form.fields[name].label) if name in form.fields else "": [str(e) for e in errors]
                for name, errors in form.errors.items()
            },
        )
    if request.method == "POST" and form.is_valid():
        follow_ups = []
        if form.cleaned_data.get("follow_up"):
            follow_ups = [
                {
                    "organization": organization,
                    "description": form.cleaned_data["follow_up"],
                    "owner": acting_user(request),
                    "due_on": form.cleaned_data["follow_up_due"],
                }
                for organization in form.cleaned_data["organizations"][:1]
            ]
        driver = None
        if form.cleaned_data.get("driver_kind"):
            driver = {
                "category": form.cleaned_data["driver_category"] or DriverCategory.EXPECTATION,
                "kind": form.cleaned_data["driver_kind"],
                "note": form.cleaned_data["driver_note"],
            }
        arguments: dict[str, Any] = {
            "access": access,
            "by": acting_user(request),
            "data": form.interaction_data(),
            "organizations": list(form.cleaned_data["organizations"]),
            "facilitators": list(form.cleaned_data["facilitators"]),
            "follow_ups": follow_ups,
            "driver": driver,
        }
        try:
            if client_uuid is None:
                interaction, created = services.interaction_log(**arguments), True
            else:
                interaction, created = services.interaction_log_once(client_uuid=client_uuid, **arguments)
        except services.ClientIdTaken:
            if outbox:
                return _client_id_taken()
            raise Http404 from None
        except ValidationError as exc:
            if outbox:
                return _outbox_answer("invalid", 400, " ".join(exc.messages))
            form.add_error(None, exc)
        else:
            url = _url_after_log(access, interaction)
            if not created:
                message = _("This was already saved.")
            elif interaction.kind in EVENT_KINDS:
                message = _("Event created. Invite partners and take attendance below.")
            else:
                message = _("Logged.")
            return _saved_answer(request, outbox=outbox, created=created, message=message, url=url)
    return render(request, "partners/interaction_form.html", {"form": form, "chosen": chosen})


def _url_after_log(access: Any, interaction: Interaction) -> str:
    """An event opens on its own page (invitations and attendance come next); a conversation goes back
    to the partnership of its first organisation, or to itself when there is none."""
    slug = access.program.slug
    if interaction.kind not in EVENT_KINDS:
        first = interaction.participations.order_by("pk").select_related("organization").first()
        partnership = (
            selectors.partnership_for_organization(access=access, organization=first.organization)
            if first
            else None
        )
        if partnership:
            return reverse("partnership_detail", kwargs={"program": slug, "pk": partnership.pk})
    return reverse("interaction_detail", kwargs={"program": slug, "pk": interaction.pk})


@program_view(Action.INTERACTION_VIEW)
def interaction_detail(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    interaction = selectors.interaction_get(access=access, pk=pk)
    participations = list(interaction.participations.all())
    counts = {status: 0 for status in Attendance.values}
    for p in participations:
        counts[p.status] += 1
    return render(
        request,
        "partners/interaction_detail.html",
        {
            "interaction": interaction,
            "participations": participations,
            "counts": counts,
            "statuses": Attendance.choices,
            "is_past": interaction.occurred_on <= timezone.localdate(),
            "history": history_for(access=access, instance=interaction)[:30],
        },
    )


@program_view(Action.INTERACTION_LOG)
def interaction_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    interaction = selectors.interaction_get(access=access, pk=pk)
    form = InteractionForm(
        request.POST or None, instance=interaction, organizations=Organization.objects.none()
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.interaction_update(
                interaction=interaction,
                by=acting_user(request),
                data=form.interaction_data(),
                expected_version=form.cleaned_data.get("version"),
            )
        except ConflictError as exc:
            conflict = exc.current
            form = rebase_form(
                InteractionForm, request.POST, exc.current, organizations=Organization.objects.none()
            )
        else:
            messages.success(request, _("Saved."))
            return redirect("interaction_detail", program=access.program.slug, pk=interaction.pk)
    return render(
        request,
        "partners/interaction_form.html",
        {"form": form, "interaction": interaction, "conflict": conflict},
    )


@require_POST
@program_view(Action.INTERACTION_LOG)
def interaction_delete(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    interaction = selectors.interaction_get(access=access, pk=pk)
    services.interaction_delete(interaction=interaction, by=acting_user(request))
    messages.success(request, _("Moved to the trash. An owner can restore it."))
    return redirect("interaction_list", program=access.program.slug)


@require_POST
@program_view(Action.INTERACTION_LOG)
def attendance_save(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    """The attendance sheet: one status per invited organisation. A sheet with a `client_uuid` (the
    offline outbox, decision 9) is recorded once, and is refused with the rows in conflict when someone
    changed them after the sheet was loaded (`seen-<organisation>` holds what it showed)."""
    access = access_for(request)
    outbox = _from_outbox(request)
    try:
        interaction = selectors.interaction_get(access=access, pk=pk)
    except Http404:
        if outbox:
            return _outbox_answer("gone", 404, _("This event was deleted since the sheet was filled in."))
        raise
    statuses = _organization_values(request, "status-")
    client_uuid = _client_uuid(request)
    if client_uuid is None:
        if outbox:
            return _outbox_answer("invalid", 400, _("This entry has no valid id."))
        changed = services.attendance_record(
            interaction=interaction, statuses=statuses, by=acting_user(request)
        )
        messages.success(request, _("Attendance saved (%(count)s changed).") % {"count": changed})
        return redirect("interaction_detail", program=access.program.slug, pk=interaction.pk)
    url = reverse("interaction_detail", kwargs={"program": access.program.slug, "pk": interaction.pk})
    try:
        changed, created = services.attendance_record_once(
            interaction=interaction,
            statuses=statuses,
            by=acting_user(request),
            client_uuid=client_uuid,
            seen=_organization_values(request, "seen-"),
            force=bool(request.POST.get("force")),
        )
    except services.ClientIdTaken:
        if outbox:
            return _client_id_taken()
        raise Http404 from None
    except services.AttendanceConflict as conflict:
        message = _("Someone changed this attendance after your copy of the sheet was loaded.")
        if outbox:
            return _outbox_answer("conflict", 409, message, rows=conflict.rows, url=url)
        messages.error(request, message + " " + _("Nothing was saved; check the sheet and save again."))
        return redirect(url)
    if created:
        message = _("Attendance saved (%(count)s changed).") % {"count": changed}
    else:
        message = _("This attendance sheet was already saved.")
    return _saved_answer(request, outbox=outbox, created=created, message=message, url=url)


def _saved_answer(
    request: HttpRequest, *, outbox: bool, created: bool, message: str, url: str
) -> HttpResponse:
    """A saved form: the outbox gets JSON (saved, or already saved for a repeated send); a plain post is
    sent on with the message. The flash message is for the page the user is sent to: of the outbox's
    sends only the one they are waiting for (foreground) leaves one, not the background sync."""
    if outbox:
        if request.headers.get("X-Konbit-Outbox") == "foreground":
            messages.success(request, message)
        return _outbox_answer(
            "saved" if created else "already_saved", 201 if created else 200, message, url=url
        )
    messages.success(request, message)
    return redirect(url)


def _organization_values(request: HttpRequest, prefix: str) -> dict[int, str]:
    """`<prefix><organisation id>` fields of the post, by organisation id."""
    return {
        int(key.removeprefix(prefix)): str(value)
        for key, value in request.POST.items()
        if key.startswith(prefix) and is_id(key.removeprefix(prefix))
    }


@require_POST
@program_view(Action.INTERACTION_LOG)
def event_invite(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    interaction = selectors.interaction_get(access=access, pk=pk)
    if interaction.kind not in EVENT_KINDS:
        raise Http404
    organizations = _chosen_organizations(request, access)
    if request.POST.get("all_active"):
        organizations += list(selectors.engaged_partner_organizations(access=access))
    added = services.event_invite(
        interaction=interaction, organizations=organizations, by=acting_user(request)
    )
    messages.success(request, _("%(count)s organisations invited.") % {"count": added})
    return redirect("interaction_detail", program=access.program.slug, pk=interaction.pk)


@program_view(Action.INTERACTION_LOG)
def event_series_create(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    chosen = _chosen_organizations(request, access)
    form = EventSeriesForm(
        request.POST or None,
        organizations=selectors.organization_choices(access=access),
        initial={"starts_on": timezone.localdate() + datetime.timedelta(days=7)},
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "organizations"}
        series = services.event_series_create(
            access=access,
            by=acting_user(request),
            data=data,
            organizations=list(form.cleaned_data["organizations"]),
        )
        messages.success(request, _("%(count)s dates scheduled.") % {"count": series.occurrences})
        return redirect(f"/p/{access.program.slug}/partners/interactions/?kind=events")
    return render(request, "partners/event_series_form.html", {"form": form, "chosen": chosen})


@program_view(Action.INVITATIONS_OWN)
def my_invitations(request: HttpRequest, program: str) -> HttpResponse:
    """For partner users: the events their organisation was invited to."""
    access = access_for(request)
    page = Paginator(selectors.invitations_of_partner(access=access), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "partners/my_invitations.html", {"page": page})
