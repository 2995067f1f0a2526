"""Indicator pages: the list, the indicator page (progress chart, targets, measurements and the quick
entry form), create/edit/delete, measurements, targets and disaggregation dimensions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from konbit.core.access import Access, access_for, acting_user, program_view
from konbit.core.forms import rebase_form
from konbit.core.htmx import wants_fragment
from konbit.core.ids import is_id
from konbit.core.roles import Action
from konbit.core.selectors import history_for
from konbit.core.services import ConflictError, download_record

from .. import charts, progress, selectors, services
from ..forms import (
    CategoryForm,
    DimensionForm,
    IndicatorForm,
    MeasurementEntryForm,
    MeasurementForm,
    TargetForm,
)
from ..models import Indicator, IndicatorType, Status

PAGE_SIZE = 50


def _filters(request: HttpRequest) -> dict[str, str]:
    return {
        "query": request.GET.get("q", "").strip(),
        "type": request.GET.get("type", ""),
        "intervention": request.GET.get("intervention", ""),
        "status": request.GET.get("status", ""),
        "sort": request.GET.get("sort", "code"),
    }


@vary_on_headers("HX-Request")
@program_view(Action.INDICATOR_VIEW)
def indicator_list(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    filters = _filters(request)
    page = Paginator(selectors.indicator_list(access=access, **filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    template = (
        "indicators/_indicator_rows.html" if wants_fragment(request) else "indicators/indicator_list.html"
    )
    return render(
        request,
        template,
        {
            "page": page,
            "filters": filters,
            "types": IndicatorType.choices,
            "statuses": Status.choices,
            "interventions": list(selectors.intervention_choices(access=access)),
            "section": "indicators",
        },
    )


def _detail_context(
    request: HttpRequest,
    access: Access,
    indicator: Indicator,
    *,
    measurement_form: MeasurementForm | None = None,
    target_form: TargetForm | None = None,
) -> dict[str, Any]:
    measurements = list(selectors.measurement_list(access=access, indicator=indicator))
    targets = list(selectors.target_list(access=access, indicator=indicator))
    dimensions = list(indicator.dimensions.order_by("name", "pk"))
    categories = selectors.category_choices(access=access, indicator=indicator)
    spec, readings, goals, order = services.indicator_inputs(
        indicator, measurements, targets, [d.pk for d in dimensions]
    )
    result = progress.evaluate(spec, readings, goals, dimension_order=order)
    services.indicator_store_progress(indicator=indicator, result=result)
    by_pk = {c.pk: c for c in categories}
    category_rows = [(by_pk.get(pk), row) for pk, row in result.categories.items()]
    if measurement_form is None and access.can(Action.MEASUREMENT_ENTER):
        measurement_form = MeasurementForm(categories=categories)
    if target_form is None and access.can(Action.INDICATOR_CHANGE):
        target_form = TargetForm(categories=categories)
    return {
        "indicator": indicator,
        "result": result,
        "chart_svg": charts.indicator_chart(indicator, result, f"indicator-{indicator.pk}-chart"),
        "measurements": measurements,
        "targets": targets,
        "dimensions": dimensions,
        "category_rows": category_rows,
        "has_derived": any(p.derived for p in result.points),
        "measurement_form": measurement_form,
        "target_form": target_form,
        "benchmarks": list(selectors.benchmark_list(access=access).filter(indicator=indicator)),
        "history": history_for(access=access, instance=indicator)[:30]
        if access.can(Action.HISTORY_VIEW)
        else None,
        "section": "indicators",
    }


@program_view(Action.INDICATOR_VIEW)
def indicator_detail(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    indicator = selectors.indicator_get(access=access, pk=pk)
    return render(request, "indicators/indicator_detail.html", _detail_context(request, access, indicator))


def _indicator_form(access: Access, data: Any = None, instance: Indicator | None = None) -> IndicatorForm:
    return IndicatorForm(
        data,
        instance=instance,
        interventions=selectors.intervention_choices(access=access),
        boxes=selectors.chain_box_choices(access=access),
        dimensions=selectors.dimension_choices(access=access, indicator=instance),
    )


@program_view(Action.INDICATOR_CHANGE)
def indicator_create(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    form = _indicator_form(access, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            indicator = services.indicator_create(
                access=access,
                by=acting_user(request),
                data=form.changed_data_dict(),
                dimensions=list(form.cleaned_data.get("dimensions") or []),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Indicator added. Now set its targets and enter measurements."))
            return redirect("indicator_detail", program=access.program.slug, pk=indicator.pk)
    return render(request, "indicators/indicator_form.html", {"form": form, "section": "indicators"})


@program_view(Action.INDICATOR_CHANGE)
def indicator_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    indicator = selectors.indicator_get(access=access, pk=pk)
    form = _indicator_form(access, request.POST or None, indicator)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_update(
                access=access,
                indicator=indicator,
                by=acting_user(request),
                data=form.changed_data_dict(),
                dimensions=list(form.cleaned_data.get("dimensions") or []),
                expected_version=form.cleaned_data.get("version"),
            )
        except ConflictError as exc:
            conflict = exc.current
            form = rebase_form(
                IndicatorForm,
                request.POST,
                exc.current,
                interventions=selectors.intervention_choices(access=access),
                boxes=selectors.chain_box_choices(access=access),
                dimensions=selectors.dimension_choices(access=access, indicator=indicator),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("indicator_detail", program=access.program.slug, pk=indicator.pk)
    return render(
        request,
        "indicators/indicator_form.html",
        {"form": form, "indicator": indicator, "conflict": conflict, "section": "indicators"},
    )


@require_POST
@program_view(Action.INDICATOR_CHANGE)
def indicator_delete(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    indicator = selectors.indicator_get(access=access, pk=pk)
    services.indicator_delete(indicator=indicator, by=acting_user(request))
    messages.success(
        request, _("“%(name)s” moved to the trash. An owner can restore it.") % {"name": indicator.name}
    )
    return redirect("indicator_list", program=access.program.slug)


# --- targets ----------------------------------------------------------------------------------------


@require_POST
@program_view(Action.INDICATOR_CHANGE)
def target_add(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    indicator = selectors.indicator_get(access=access, pk=pk)
    form = TargetForm(request.POST, categories=selectors.category_choices(access=access, indicator=indicator))
    if form.is_valid():
        services.target_set(indicator=indicator, by=acting_user(request), data=form.cleaned_data)
        messages.success(request, _("Target saved."))
        return redirect("indicator_detail", program=access.program.slug, pk=indicator.pk)
    context = _detail_context(request, access, indicator, target_form=form)
    return render(request, "indicators/indicator_detail.html", context, status=400)


@require_POST
@program_view(Action.INDICATOR_CHANGE)
def target_delete(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    target = selectors.target_get(access=access, pk=pk)
    services.target_delete(target=target, by=acting_user(request))
    messages.success(request, _("Target moved to the trash."))
    return redirect("indicator_detail", program=access.program.slug, pk=target.indicator_id)


# --- measurements -----------------------------------------------------------------------------------


@require_POST
@program_view(Action.MEASUREMENT_ENTER)
def measurement_add(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    """The quick entry form of the indicator page."""
    access = access_for(request)
    indicator = selectors.indicator_get(access=access, pk=pk)
    form = MeasurementForm(
        request.POST, request.FILES, categories=selectors.category_choices(access=access, indicator=indicator)
    )
    if form.is_valid():
        try:
            _measurement, created = services.measurement_record(
                indicator=indicator, by=acting_user(request), data=form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Measurement saved.") if created else _("Measurement updated."))
            return redirect("indicator_detail", program=access.program.slug, pk=indicator.pk)
    context = _detail_context(request, access, indicator, measurement_form=form)
    return render(request, "indicators/indicator_detail.html", context, status=400)


@program_view(Action.MEASUREMENT_ENTER)
def measurement_entry(request: HttpRequest, program: str) -> HttpResponse:
    """Enter a measurement for any indicator (from the list page or a phone in the field)."""
    access = access_for(request)
    indicators = selectors.indicator_choices(access=access)
    categories = selectors.category_choices_all(access=access)
    initial = {"indicator": request.GET.get("indicator")} if is_id(request.GET.get("indicator", "")) else {}
    form = MeasurementEntryForm(
        request.POST or None,
        request.FILES or None,
        indicators=indicators,
        categories=categories,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "indicator"}
        indicator = form.cleaned_data["indicator"]
        try:
            services.measurement_record(indicator=indicator, by=acting_user(request), data=data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Measurement saved."))
            return redirect("indicator_detail", program=access.program.slug, pk=indicator.pk)
    return render(request, "indicators/measurement_form.html", {"form": form, "section": "entry"})


@require_POST
@program_view(Action.MEASUREMENT_ENTER)
def measurement_delete(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    measurement = selectors.measurement_get(access=access, pk=pk)
    services.measurement_delete(measurement=measurement, by=acting_user(request))
    messages.success(request, _("Measurement moved to the trash. An owner can restore it."))
    return redirect("indicator_detail", program=access.program.slug, pk=measurement.indicator_id)


@program_view(Action.INDICATOR_VIEW)
def measurement_evidence(request: HttpRequest, program: str, pk: int) -> FileResponse:
    """The evidence file, through the same permission check as the page (never a public media URL)."""
    access = access_for(request)
    measurement = selectors.measurement_get(access=access, pk=pk)
    if not measurement.evidence:
        raise Http404
    try:
        handle = measurement.evidence.open("rb")
    except OSError:
        raise Http404 from None
    download_record(
        access=access,
        by=acting_user(request),
        what=f"{measurement.evidence_name} (evidence of {measurement})",
    )
    response = FileResponse(handle, as_attachment=True, filename=measurement.evidence_name)
    response["Cache-Control"] = "private, no-store"
    return response


# --- disaggregation dimensions ---------------------------------------------------------------------


@program_view(Action.INDICATOR_VIEW)
def dimension_list(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    form = DimensionForm(request.POST or None, indicators=selectors.indicator_choices(access=access))
    if request.method == "POST":
        access.require(Action.INDICATOR_CHANGE)
        if form.is_valid():
            try:
                services.dimension_create(
                    access=access,
                    by=acting_user(request),
                    name=form.cleaned_data["name"],
                    categories=form.category_names(),
                    indicator=form.cleaned_data.get("indicator"),
                )
            except ValidationError as exc:
                form.add_error("categories", exc)
            else:
                messages.success(request, _("Dimension added. Choose it on the indicators it splits."))
                return redirect("dimension_list", program=access.program.slug)
    return render(
        request,
        "indicators/dimension_list.html",
        {
            "dimensions": selectors.dimension_list(access=access),
            "form": form,
            "category_form": CategoryForm(),
            "section": "dimensions",
        },
        status=400 if form.errors else 200,
    )


@require_POST
@program_view(Action.INDICATOR_CHANGE)
def category_add(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    dimension = selectors.dimension_get(access=access, pk=pk)
    form = CategoryForm(request.POST)
    if form.is_valid():
        try:
            services.category_add(
                dimension=dimension, by=acting_user(request), name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Category added."))
    else:
        messages.error(request, _("Give the category a name."))
    return redirect("dimension_list", program=access.program.slug)


@require_POST
@program_view(Action.INDICATOR_CHANGE)
def dimension_delete(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    dimension = selectors.dimension_get(access=access, pk=pk)
    try:
        services.dimension_delete(dimension=dimension, by=acting_user(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Dimension moved to the trash."))
    return redirect("dimension_list", program=access.program.slug)
