from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from konbit.core.access import access_for, acting_user, program_view
from konbit.core.htmx import wants_fragment
from konbit.core.roles import Action
from konbit.core.selectors import history_for
from konbit.core.services import ConflictError

from . import selectors, services
from .forms import OrganizationForm
from .models import OrganizationType

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
    template = (
        "partners/_organization_rows.html" if wants_fragment(request) else "partners/organization_list.html"
    )
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


@program_view(Action.ORGANIZATION_VIEW)
def organization_detail(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    organization = selectors.organization_get(access=access, pk=pk)
    history = (
        history_for(access=access, instance=organization)[:50] if access.can(Action.HISTORY_VIEW) else None
    )
    return render(
        request, "partners/organization_detail.html", {"organization": organization, "history": history}
    )


@program_view(Action.ORGANIZATION_CREATE)
def organization_create(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organization = services.organization_create(
            access=access,
            by=acting_user(request),
            data=form.changed_data_dict(),
        )
        messages.success(request, _("“%(name)s” added.") % {"name": organization.name})
        return redirect("organization_detail", program=access.program.slug, pk=organization.pk)
    return render(request, "partners/organization_form.html", {"form": form})


@program_view(Action.ORGANIZATION_CHANGE)
def organization_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    organization = selectors.organization_get(access=access, pk=pk)
    form = OrganizationForm(request.POST or None, instance=organization)
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
            data = request.POST.copy()
            data["version"] = str(exc.current.version)
            form = OrganizationForm(data, instance=exc.current)
            form.is_valid()
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
