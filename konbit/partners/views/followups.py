from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from konbit.core.access import access_for, acting_user, program_view
from konbit.core.next_url import next_url
from konbit.core.roles import Action

from .. import selectors, services
from ..forms import FollowUpForm
from .partnerships import facilitator_queryset


@program_view(Action.INTERACTION_VIEW)
def followup_list(request: HttpRequest, program: str) -> HttpResponse:
    """My follow-ups by default; everyone's with ?owner=all."""
    access = access_for(request)
    owner = request.GET.get("owner", "me")
    state = request.GET.get("state", "open")
    owner_id = acting_user(request).pk if owner == "me" else None
    page = Paginator(selectors.followup_list(access=access, owner_id=owner_id, state=state), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "partners/followup_list.html",
        {"page": page, "owner": owner, "state": state, "today": timezone.localdate()},
    )


@program_view(Action.FOLLOWUP_CHANGE)
def followup_create(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    form = FollowUpForm(
        request.POST or None,
        organizations=selectors.organization_choices(access=access),
        owners=facilitator_queryset(access),
        initial={"owner": acting_user(request), "organization": request.GET.get("organization")},
    )
    if request.method == "POST" and form.is_valid():
        services.followup_create(access=access, by=acting_user(request), data=form.cleaned_data)
        messages.success(request, _("Follow-up added."))
        return redirect("followup_list", program=access.program.slug)
    return render(request, "partners/followup_form.html", {"form": form})


@require_POST
@program_view(Action.FOLLOWUP_CHANGE)
def followup_done(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    follow_up = selectors.followup_get(access=access, pk=pk)
    reopen = request.POST.get("reopen") == "1"
    services.followup_set_done(
        follow_up=follow_up, done_on=None if reopen else timezone.localdate(), by=acting_user(request)
    )
    messages.success(request, _("Reopened.") if reopen else _("Marked as done."))
    home = f"/p/{access.program.slug}/partners/follow-ups/"
    return redirect(next_url(request, default=home, within=f"/p/{access.program.slug}/"))
