from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from konbit.core.access import access_for, acting_user, program_view
from konbit.core.forms import rebase_form
from konbit.core.htmx import wants_fragment
from konbit.core.ids import is_id, parse_ids
from konbit.core.roles import Action
from konbit.core.selectors import history_for
from konbit.core.services import ConflictError, tenant_record_create

from .. import selectors, services
from ..forms import ContactForm, OrganizationForm, PartnerProfileForm
from ..models import Contact, OrganizationType

PAGE_SIZE = 50


@vary_on_headers("HX-Request")
@program_view(Action.ORGANIZATION_LIST)
def organization_list(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    filters = {
        "query": request.GET.get("q", "").strip(),
        "type": request.GET.get("type", ""),
        "region": request.GET.get("region", ""),
        "sort": request.GET.get("sort", "name"),
    }
    qs = selectors.organization_list(access=access, **filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "partners/organization_list.html"
    if wants_fragment(request):
        template = "partners/_organization_rows.html"
    return render(
        request,
        template,
        {
            "page": page,
            "filters": filters,
            "types": OrganizationType.choices,
            "regions": selectors.organization_regions(access=access),
        },
    )


@program_view(Action.INTERACTION_LOG)
def organization_search(request: HttpRequest, program: str) -> HttpResponse:
    """Search-as-you-type for the interaction and event forms (an htmx fragment)."""
    access = access_for(request)
    query = request.GET.get("org_q", "").strip()
    chosen_ids = parse_ids(request.GET.getlist("organizations"))
    chosen = list(selectors.organization_choices(access=access).filter(pk__in=chosen_ids))
    results = [
        o for o in selectors.organization_search(access=access, query=query) if o.pk not in set(chosen_ids)
    ]
    return render(
        request, "partners/_organization_search.html", {"results": results, "chosen": chosen, "query": query}
    )


@program_view(Action.ORGANIZATION_VIEW)
def organization_detail(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    organization = selectors.organization_get(access=access, pk=pk)
    context = {
        "organization": organization,
        "contacts": selectors.contact_list(access=access, organization=organization),
        "partnership": selectors.partnership_for_organization(access=access, organization=organization),
        "history": history_for(access=access, instance=organization)[:50]
        if access.can(Action.HISTORY_VIEW)
        else None,
        "contact_form": ContactForm() if access.can(Action.ORGANIZATION_CREATE) else None,
    }
    if access.can(Action.ORGANIZATION_CREATE):
        context["similar"] = selectors.organization_similar(
            access=access, name=organization.name, exclude_pk=organization.pk
        )
    return render(request, "partners/organization_detail.html", context)


@program_view(Action.ORGANIZATION_CREATE)
def organization_create(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    form = OrganizationForm(request.POST or None)
    similar = []
    if request.method == "POST" and form.is_valid():
        similar = selectors.organization_similar(access=access, name=form.cleaned_data["name"])
        if similar and not request.POST.get("confirm_new"):
            messages.warning(
                request, _("Organisations with a very similar name already exist. Is it one of them?")
            )
        else:
            organization = services.organization_create(
                access=access, by=acting_user(request), data=form.changed_data_dict()
            )
            messages.success(request, _("“%(name)s” added.") % {"name": organization.name})
            return redirect("organization_detail", program=access.program.slug, pk=organization.pk)
    return render(request, "partners/organization_form.html", {"form": form, "similar": similar})


@program_view(Action.ORGANIZATION_CHANGE)
def organization_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    organization = selectors.organization_get(access=access, pk=pk)
    form_class = PartnerProfileForm if access.is_partner else OrganizationForm
    form = form_class(request.POST or None, instance=organization)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_update(
                organization=organization,
                by=acting_user(request),
                data=form.changed_data_dict(),
                expected_version=form.cleaned_data.get("version"),
            )
        except ConflictError as exc:
            conflict = exc.current
            form = rebase_form(form_class, request.POST, exc.current)
        else:
            messages.success(request, _("Saved."))
            return redirect("organization_detail", program=access.program.slug, pk=organization.pk)
    return render(
        request,
        "partners/organization_form.html",
        {"form": form, "organization": organization, "conflict": conflict},
    )


@require_POST
@program_view(Action.ORGANIZATION_DELETE)
def organization_delete(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    organization = selectors.organization_get(access=access, pk=pk)
    services.organization_delete(organization=organization, by=acting_user(request))
    messages.success(
        request, _("“%(name)s” moved to the trash. An owner can restore it.") % {"name": organization.name}
    )
    return redirect("organization_list", program=access.program.slug)


@require_POST
@program_view(Action.ORGANIZATION_DELETE)
def organization_merge(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    """Fold another organisation (a duplicate) into this one, keeping every linked row."""
    access = access_for(request)
    keep = selectors.organization_get(access=access, pk=pk)
    other_pk = request.POST.get("merge", "")
    merge = selectors.organization_get(access=access, pk=int(other_pk)) if is_id(other_pk) else None
    if merge is None:
        messages.error(request, _("Choose the duplicate to merge."))
        return redirect("organization_detail", program=access.program.slug, pk=keep.pk)
    try:
        services.organization_merge(access=access, keep=keep, merge=merge, by=acting_user(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("“%(merge)s” merged into “%(keep)s”.") % {"merge": merge.name, "keep": keep.name}
        )
    return redirect("organization_detail", program=access.program.slug, pk=keep.pk)


@require_POST
@program_view(Action.ORGANIZATION_CREATE)
def contact_add(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    organization = selectors.organization_get(access=access, pk=pk)
    form = ContactForm(request.POST)
    if form.is_valid():
        tenant_record_create(
            model=Contact,
            program=access.program,
            by=acting_user(request),
            data={"organization": organization, **form.cleaned_data},
        )
        messages.success(request, _("Contact added."))
    else:
        messages.error(request, _("The contact needs at least a name (and a valid email, if any)."))
    return redirect("organization_detail", program=access.program.slug, pk=organization.pk)
