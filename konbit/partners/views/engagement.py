from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from konbit.core.access import access_for, acting_user, program_view
from konbit.core.roles import Action
from konbit.core.services import ConflictError

from .. import engagement, selectors, services
from ..forms import EngagementSettingsForm

# What to do next, per warning: short and actionable.
NEXT_STEPS = {
    engagement.NO_CONTACT: gettext_lazy(
        "Call or visit for a one-to-one conversation; ask what has changed for them."
    ),
    engagement.ATTENDANCE_FALLING: gettext_lazy(
        "Ask whether the round tables still serve them; adjust the agenda or timing."
    ),
    engagement.OVERDUE: gettext_lazy("Close or reschedule the overdue follow-ups, and tell the partner."),
    engagement.SENTIMENT_FALLING: gettext_lazy("Talk through what went wrong recently before it hardens."),
    engagement.SCORE_DROP: gettext_lazy("Review the partner's page: which part of the score fell, and why."),
    engagement.SHARE_HIGH: gettext_lazy(
        "Discuss a larger contribution from the partner, or plan how the programme's support will taper."
    ),
}


@program_view(Action.PARTNERSHIP_VIEW)
def warning_list(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    services.engagement_ensure_current(program=access.program)
    from .partnerships import PAGE_SIZE

    code = request.GET.get("code", "")
    page = Paginator(
        selectors.partnership_list(access=access, warning=code or "any", sort="score"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/warning_list.html",
        {
            "page": page,
            "partnerships": page.object_list,
            "labels": engagement.WARNING_LABELS,
            "next_steps": NEXT_STEPS,
            "code": code,
            "settings_row": services.engagement_settings_for(access.program),
        },
    )


@program_view(Action.ENGAGEMENT_SETTINGS)
def engagement_settings(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    settings_row = services.engagement_settings_for(access.program)
    form = EngagementSettingsForm(request.POST or None, instance=settings_row)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.engagement_settings_update(
                program=access.program,
                by=acting_user(request),
                data=data,
                expected_version=int(request.POST.get("version", settings_row.version)),
            )
        except ConflictError:
            messages.error(
                request, _("Someone else changed these settings meanwhile; check them and save again.")
            )
        else:
            messages.success(request, _("Saved. Scores and warnings are recomputed."))
            return redirect("engagement_settings", program=access.program.slug)
    return render(request, "partners/engagement_settings.html", {"form": form, "settings_row": settings_row})
