"""Partner-level benchmarks: a list per programme (filtered per partner), create/edit, status, delete.
A partner user sees its own organisation's benchmarks, read-only (the selector enforces "own")."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from konbit.core.access import Access, access_for, acting_user, program_view
from konbit.core.forms import rebase_form
from konbit.core.ids import is_id
from konbit.core.next_url import next_url
from konbit.core.roles import Action
from konbit.core.services import ConflictError

from .. import selectors, services
from ..forms import BenchmarkForm, BenchmarkStatusForm
from ..models import BenchmarkStatus

PAGE_SIZE = 50


@program_view(Action.BENCHMARK_VIEW)
def benchmark_list(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    org_param = request.GET.get("organization", "")
    organization = (
        selectors.benchmark_organization(access=access, pk=int(org_param)) if is_id(org_param) else None
    )
    filters = {"query": request.GET.get("q", "").strip(), "status": request.GET.get("status", "")}
    qs = selectors.benchmark_list(access=access, organization=organization, **filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "indicators/benchmark_list.html",
        {
            "page": page,
            "filters": filters,
            "organization": organization,
            "hide_partner": organization is not None or access.is_partner,
            "organizations": []
            if access.is_partner
            else list(selectors.partner_organizations(access=access)),
            "statuses": BenchmarkStatus.choices,
            "status_form": BenchmarkStatusForm() if access.can(Action.BENCHMARK_CHANGE) else None,
            "today": timezone.localdate(),
            "section": "benchmarks",
        },
    )


def _form(access: Access, data: object = None, **kwargs: object) -> BenchmarkForm:
    return BenchmarkForm(
        data,
        organizations=selectors.partner_organizations(access=access),
        indicators=selectors.indicator_choices(access=access),
        **kwargs,
    )


@program_view(Action.BENCHMARK_CHANGE)
def benchmark_create(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    initial = {k: request.GET[k] for k in ("organization", "indicator") if is_id(request.GET.get(k, ""))}
    form = _form(access, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            benchmark = services.benchmark_create(
                access=access, by=acting_user(request), data=form.changed_data_dict()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Benchmark added."))
            return redirect(
                f"/p/{access.program.slug}/change/indicators/benchmarks/?organization={benchmark.organization_id}"
            )
    return render(request, "indicators/benchmark_form.html", {"form": form, "section": "benchmarks"})


@program_view(Action.BENCHMARK_CHANGE)
def benchmark_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    benchmark = selectors.benchmark_get(access=access, pk=pk)
    form = _form(access, request.POST or None, instance=benchmark)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.benchmark_update(
                access=access,
                benchmark=benchmark,
                by=acting_user(request),
                data=form.changed_data_dict(),
                expected_version=form.cleaned_data.get("version"),
            )
        except ConflictError as exc:
            conflict = exc.current
            form = rebase_form(
                BenchmarkForm,
                request.POST,
                exc.current,
                organizations=selectors.partner_organizations(access=access),
                indicators=selectors.indicator_choices(access=access),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("benchmark_list", program=access.program.slug)
    return render(
        request,
        "indicators/benchmark_form.html",
        {"form": form, "benchmark": benchmark, "conflict": conflict, "section": "benchmarks"},
    )


@require_POST
@program_view(Action.BENCHMARK_CHANGE)
def benchmark_status(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    benchmark = selectors.benchmark_get(access=access, pk=pk)
    form = BenchmarkStatusForm(request.POST)
    if form.is_valid():
        services.benchmark_record_status(
            benchmark=benchmark,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
            by=acting_user(request),
        )
        messages.success(
            request,
            _("“%(name)s”: %(status)s.")
            % {"name": benchmark.description, "status": BenchmarkStatus(benchmark.status).label},
        )
    else:
        messages.error(request, _("Choose a status."))
    home = f"/p/{access.program.slug}/change/indicators/benchmarks/"
    # Only back to a page of this programme: never an address taken from the form elsewhere.
    return redirect(next_url(request, default=home, within=f"/p/{access.program.slug}/"))


@require_POST
@program_view(Action.BENCHMARK_CHANGE)
def benchmark_delete(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    benchmark = selectors.benchmark_get(access=access, pk=pk)
    services.benchmark_delete(benchmark=benchmark, by=acting_user(request))
    messages.success(request, _("Benchmark moved to the trash. An owner can restore it."))
    return redirect("benchmark_list", program=access.program.slug)
