from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from konbit.core.access import access_for, acting_user, program_view
from konbit.core.forms import rebase_form
from konbit.core.roles import Action
from konbit.core.selectors import history_for
from konbit.core.services import ConflictError

from .. import selectors, services
from ..forms import EventSeriesForm, InteractionForm
from ..models import EVENT_KINDS, Attendance, DriverCategory, InteractionKind, Organization
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
    organization = selectors.organization_get(access=access, pk=int(org)) if org.isdigit() else None
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
    ids = [
        int(v)
        for v in request.POST.getlist("organizations") + request.GET.getlist("organization")
        if v.isdigit()
    ]
    return list(selectors.organization_choices(access=access).filter(pk__in=ids)) if ids else []  # type: ignore[arg-type]


@program_view(Action.INTERACTION_LOG)
def interaction_create(request: HttpRequest, program: str) -> HttpResponse:
    """The quick log: under a minute on a phone. Kind, date and the first partner are pre-filled."""
    access = access_for(request)
    chosen = _chosen_organizations(request, access)
    initial = {"kind": request.GET.get("kind") or InteractionKind.CONVERSATION}
    form = InteractionForm(
        request.POST or None,
        organizations=selectors.organization_choices(access=access),
        facilitators=facilitator_queryset(access),
        initial=initial,
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
        try:
            interaction = services.interaction_log(
                access=access,
                by=acting_user(request),
                data=form.interaction_data(),
                organizations=list(form.cleaned_data["organizations"]),
                facilitators=list(form.cleaned_data["facilitators"]),
                follow_ups=follow_ups,
                driver=driver,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if interaction.kind in EVENT_KINDS:
                messages.success(request, _("Event created. Invite partners and take attendance below."))
                return redirect("interaction_detail", program=access.program.slug, pk=interaction.pk)
            messages.success(request, _("Logged."))
            target = form.cleaned_data["organizations"][0]
            partnership = selectors.partnership_for_organization(access=access, organization=target)
            if partnership:
                return redirect("partnership_detail", program=access.program.slug, pk=partnership.pk)
            return redirect("interaction_detail", program=access.program.slug, pk=interaction.pk)
    return render(request, "partners/interaction_form.html", {"form": form, "chosen": chosen})


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
    """The attendance sheet: one status per invited organisation."""
    access = access_for(request)
    interaction = selectors.interaction_get(access=access, pk=pk)
    statuses = {
        int(key.removeprefix("status-")): str(value)
        for key, value in request.POST.items()
        if key.startswith("status-") and key.removeprefix("status-").isdigit()
    }
    changed = services.attendance_record(interaction=interaction, statuses=statuses, by=acting_user(request))
    messages.success(request, _("Attendance saved (%(count)s changed).") % {"count": changed})
    return redirect("interaction_detail", program=access.program.slug, pk=interaction.pk)


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
