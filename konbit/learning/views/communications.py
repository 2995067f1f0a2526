from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from konbit.core.access import access_for, acting_user, program_view
from konbit.core.forms import rebase_form
from konbit.core.ids import parse_id
from konbit.core.roles import Action
from konbit.core.services import ConflictError

from .. import selectors, services
from ..forms import CommunicationForm, SendingForm
from ..models import Audience

PAGE_SIZE = 50


@program_view(Action.COMMUNICATION_VIEW)
def communication_list(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    owner = request.GET.get("owner", "")
    filters: dict[str, Any] = {
        "audience": request.GET.get("audience", ""),
        "owner": parse_id(owner),
        "state": request.GET.get("state", ""),
        "sort": request.GET.get("sort", "due"),
    }
    page = Paginator(selectors.communication_list(access=access, **filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "learning/communication_list.html",
        {
            "page": page,
            "filters": filters,
            "today": timezone.localdate(),
            "audiences": Audience.choices,
            "owners": selectors.member_users(access=access),
            "section": "communications",
        },
    )


@program_view(Action.COMMUNICATION_CHANGE)
def communication_create(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    form = CommunicationForm(
        request.POST or None,
        owners=selectors.member_users(access=access),
        initial={"owner": acting_user(request).pk, "first_due_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        communication = services.communication_create(
            access=access, by=acting_user(request), data=form.changed_data_dict()
        )
        messages.success(request, _("“%(title)s” added to the plan.") % {"title": communication.title})
        return redirect("communication_detail", program=access.program.slug, pk=communication.pk)
    return render(request, "learning/communication_form.html", {"form": form, "section": "communications"})


@program_view(Action.COMMUNICATION_VIEW)
def communication_detail(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    communication = selectors.communication_get(access=access, pk=pk)
    return render(
        request,
        "learning/communication_detail.html",
        {
            "communication": communication,
            "sending_form": SendingForm() if access.can(Action.COMMUNICATION_CHANGE) else None,
            "today": timezone.localdate(),
            "section": "communications",
        },
    )


@program_view(Action.COMMUNICATION_CHANGE)
def communication_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    communication = selectors.communication_get(access=access, pk=pk)
    owners = selectors.member_users(access=access)
    form = CommunicationForm(request.POST or None, instance=communication, owners=owners)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.communication_update(
                communication=communication,
                by=acting_user(request),
                data=form.changed_data_dict(),
                expected_version=form.cleaned_data.get("version"),
            )
        except ConflictError as exc:
            conflict = exc.current
            form = rebase_form(CommunicationForm, request.POST, exc.current, owners=owners)
        else:
            messages.success(request, _("Saved."))
            return redirect("communication_detail", program=access.program.slug, pk=communication.pk)
    return render(
        request,
        "learning/communication_form.html",
        {"form": form, "communication": communication, "conflict": conflict, "section": "communications"},
    )


@require_POST
@program_view(Action.COMMUNICATION_CHANGE)
def communication_delete(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    communication = selectors.communication_get(access=access, pk=pk)
    services.communication_delete(communication=communication, by=acting_user(request))
    messages.success(
        request,
        _("“%(title)s” moved to the trash. An owner can restore it.") % {"title": communication.title},
    )
    return redirect("communication_list", program=access.program.slug)


@program_view(Action.COMMUNICATION_CHANGE)
def communication_log(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    """Log that the communication was sent (the form is on the communication's page)."""
    access = access_for(request)
    communication = selectors.communication_get(access=access, pk=pk)
    form = SendingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.communication_log_sending(
            communication=communication,
            by=acting_user(request),
            sent_on=form.cleaned_data["sent_on"],
            note=form.cleaned_data["note"],
            link=form.cleaned_data["link"],
        )
        messages.success(request, _("Sending logged."))
        return redirect("communication_detail", program=access.program.slug, pk=communication.pk)
    return render(
        request,
        "learning/communication_detail.html",
        {
            "communication": communication,
            "sending_form": form,
            "today": timezone.localdate(),
            "section": "communications",
        },
    )


@require_POST
@program_view(Action.COMMUNICATION_CHANGE)
def sending_delete(request: HttpRequest, program: str, pk: int, child: int) -> HttpResponse:
    access = access_for(request)
    communication = selectors.communication_get(access=access, pk=pk)
    sending = selectors.sending_get(access=access, communication=communication, pk=child)
    services.communication_sending_delete(sending=sending, by=acting_user(request))
    messages.success(request, _("Log line moved to the trash."))
    return redirect("communication_detail", program=access.program.slug, pk=communication.pk)
