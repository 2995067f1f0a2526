from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from konbit.core.access import Access, access_for, acting_user, program_view
from konbit.core.forms import rebase_form
from konbit.core.htmx import wants_fragment
from konbit.core.roles import Action
from konbit.core.selectors import history_for
from konbit.core.services import ConflictError

from .. import engagement, selectors, services
from ..charts import score_chart
from ..forms import (
    AgreementForm,
    DriverNoteForm,
    PartnershipCreateForm,
    PartnershipForm,
    SegmentForm,
    SupportEntryForm,
    ValueGainedForm,
)
from ..models import (
    Agreement,
    DriverNote,
    OrganizationType,
    Partnership,
    Segment,
    SupportEntry,
    ValueGained,
)

PAGE_SIZE = 50
LEDGER_ROWS = 25

# The things a partnership page can add, each with its form and model.
CHILDREN: dict[str, tuple[Any, type[Any]]] = {
    "agreement": (AgreementForm, Agreement),
    "driver": (DriverNoteForm, DriverNote),
    "support": (SupportEntryForm, SupportEntry),
    "value": (ValueGainedForm, ValueGained),
}


def facilitator_queryset(access: Access) -> Any:
    return User.objects.filter(
        memberships__program=access.program, memberships__role__in=["owner", "facilitator", "mel"]
    ).order_by("first_name", "email")


def partner_filters(request: HttpRequest) -> dict[str, str]:
    return {
        "query": request.GET.get("q", "").strip(),
        "segment": request.GET.get("segment", ""),
        "type": request.GET.get("type", ""),
        "facilitator": request.GET.get("facilitator", ""),
        "warning": request.GET.get("warning", ""),
        "sort": request.GET.get("sort", "name"),
    }


@vary_on_headers("HX-Request")
@program_view(Action.PARTNERSHIP_VIEW)
def partnership_list(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    services.engagement_ensure_current(program=access.program)
    filters = partner_filters(request)
    page = Paginator(selectors.partnership_list(access=access, **filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    template = (
        "partners/_partnership_rows.html" if wants_fragment(request) else "partners/partnership_list.html"
    )
    return render(
        request,
        template,
        {
            "page": page,
            "filters": filters,
            "segments": Segment.choices,
            "types": OrganizationType.choices,
            "facilitators": selectors.facilitator_choices(access=access),
            "warning_labels": engagement.WARNING_LABELS,
        },
    )


@program_view(Action.PARTNERSHIP_CHANGE)
def partnership_create(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    available = selectors.organization_choices_without_partnership(access=access)
    form = PartnershipCreateForm(
        request.POST or None,
        organizations=available,
        facilitators=facilitator_queryset(access),
        initial={"organization": request.GET.get("organization")},
    )
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("segment", "since", "facilitator", "notes")}
        try:
            partnership = services.partnership_create(
                access=access,
                organization=form.cleaned_data["organization"],
                by=acting_user(request),
                data=data,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("%(name)s is now a partner.") % {"name": partnership.organization.name}
            )
            return redirect("partnership_detail", program=access.program.slug, pk=partnership.pk)
    return render(request, "partners/partnership_create.html", {"form": form})


# The page shows the latest entries; the interactions list (filtered to the partner) shows them all.
TIMELINE_ROWS = 30


@program_view(Action.PARTNERSHIP_VIEW)
def partnership_detail(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    services.engagement_ensure_current(program=access.program)
    partnership = selectors.partnership_get(access=access, pk=pk)
    settings_row = services.engagement_settings_for(access.program)
    scores = selectors.partnership_scores(partnership=partnership)
    rows = selectors.partnership_rows(access=access, partnership=partnership)
    drivers = list(rows["drivers"])
    for note in drivers:
        unmet = note.category == "expectation" and engagement.expectation_unmet(
            note.kind, settings_row.offers
        )
        note.unmet = unmet
    ledger = selectors.partnership_ledger(access=access, partnership=partnership)
    context = {
        "partnership": partnership,
        "organization": partnership.organization,
        "latest": scores[-1] if scores else None,
        "chart": score_chart(scores),
        "weights": services.params_for(settings_row).weights,
        "timeline": selectors.partnership_timeline(
            access=access, partnership=partnership, limit=TIMELINE_ROWS
        ),
        "timeline_limit": TIMELINE_ROWS,
        "drivers": drivers,
        "unmet": [d for d in drivers if getattr(d, "unmet", False)],
        "agreements": rows["agreements"],
        "support": rows["support"][:LEDGER_ROWS],
        "support_total": rows["support"].count(),
        "ledger": ledger,
        "share_warning": ledger["programme_share"] is not None
        and ledger["programme_share"] > settings_row.programme_share_warning,
        "share_limit": settings_row.programme_share_warning,
        "value_gained": rows["value_gained"],
        "initiatives": rows["initiatives"],
        "follow_ups": rows["follow_ups"],
        "warning_labels": engagement.WARNING_LABELS,
        "segment_form": SegmentForm(initial={"segment": partnership.segment}),
        "forms": {kind: form_class() for kind, (form_class, _model) in CHILDREN.items()},
        "history": history_for(access=access, instance=partnership)[:30],
    }
    return render(request, "partners/partnership_detail.html", context)


@program_view(Action.PARTNERSHIP_CHANGE)
def partnership_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    partnership = selectors.partnership_get(access=access, pk=pk)
    form = PartnershipForm(
        request.POST or None, instance=partnership, facilitators=facilitator_queryset(access)
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.partnership_update(
                partnership=partnership,
                by=acting_user(request),
                data=form.changed_data_dict(),
                expected_version=form.cleaned_data.get("version"),
            )
        except ConflictError as exc:
            conflict = exc.current
            form = rebase_form(
                PartnershipForm, request.POST, exc.current, facilitators=facilitator_queryset(access)
            )
        else:
            messages.success(request, _("Saved."))
            return redirect("partnership_detail", program=access.program.slug, pk=partnership.pk)
    return render(
        request,
        "partners/partnership_edit.html",
        {"form": form, "partnership": partnership, "conflict": conflict},
    )


@require_POST
@program_view(Action.PARTNERSHIP_CHANGE)
def partnership_segment(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    partnership = selectors.partnership_get(access=access, pk=pk)
    form = SegmentForm(request.POST)
    if form.is_valid():
        services.partnership_change_segment(
            partnership=partnership, by=acting_user(request), **form.cleaned_data
        )
        messages.success(request, _("Segment changed."))
    else:
        messages.error(request, _("Choose a segment and a valid date."))
    return redirect("partnership_detail", program=access.program.slug, pk=partnership.pk)


@program_view(Action.PARTNERSHIP_CHANGE)
def partnership_add(request: HttpRequest, program: str, pk: int, kind: str) -> HttpResponse:
    """Add an agreement, a driver/expectation, a ledger line or value gained. Invalid input comes
    back on its own page with what was typed."""
    access = access_for(request)
    partnership = selectors.partnership_get(access=access, pk=pk)
    if kind not in CHILDREN:
        raise Http404
    form_class, model = CHILDREN[kind]
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.partnership_child_create(
            partnership=partnership, model=model, by=acting_user(request), data=form.cleaned_data
        )
        messages.success(request, _("Added."))
        return redirect(f"{partnership_url(access, partnership)}#{kind}")
    return render(
        request,
        "partners/partnership_add.html",
        {"form": form, "partnership": partnership, "kind": kind, "title": model._meta.verbose_name},
    )


@require_POST
@program_view(Action.PARTNERSHIP_CHANGE)
def partnership_child_delete(
    request: HttpRequest, program: str, pk: int, kind: str, child: int
) -> HttpResponse:
    access = access_for(request)
    partnership = selectors.partnership_get(access=access, pk=pk)
    if kind not in CHILDREN:
        raise Http404
    model = CHILDREN[kind][1]
    row = selectors.partnership_child_get(access=access, partnership=partnership, model=model, pk=child)
    services.partnership_child_delete(row=row, by=acting_user(request))
    messages.success(request, _("Moved to the trash."))
    return redirect(f"{partnership_url(access, partnership)}#{kind}")


def partnership_url(access: Access, partnership: Partnership) -> str:
    from django.urls import reverse

    return reverse("partnership_detail", kwargs={"program": access.program.slug, "pk": partnership.pk})
