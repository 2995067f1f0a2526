from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from konbit.core.access import access_for, acting_user, program_view
from konbit.core.forms import rebase_form
from konbit.core.roles import Action
from konbit.core.selectors import history_for
from konbit.core.services import ConflictError
from konbit.partners.selectors import organization_choices

from .. import selectors, services
from ..forms import ConnectionForm, ElementForm


@program_view(Action.MAP_CHANGE)
def element_create(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    map = selectors.map_get(access=access, pk=pk)
    perspectives = selectors.perspective_list(access=access, map=map)
    types, field_kinds = selectors.vocabulary(access=access, map=map)
    form = ElementForm(
        request.POST or None,
        organizations=organization_choices(access=access),
        perspectives=perspectives,
        types=types,
        field_kinds=field_kinds,
    )
    if request.method == "POST" and form.is_valid():
        data = form.changed_data_dict()
        services.element_create(
            access=access,
            map=map,
            by=acting_user(request),
            data=data,
            perspectives=form.cleaned_data["perspectives"],
        )
        messages.success(request, _("Element added."))
        return redirect("map_detail", program=access.program.slug, pk=map.pk)
    return render(request, "maps/element_form.html", {"form": form, "map": map})


@program_view(Action.MAP_CHANGE)
def element_edit(request: HttpRequest, program: str, pk: int, element: int) -> HttpResponse:
    access = access_for(request)
    map = selectors.map_get(access=access, pk=pk)
    instance = selectors.element_get(access=access, map=map, pk=element)
    perspectives = selectors.perspective_list(access=access, map=map)
    types, field_kinds = selectors.vocabulary(access=access, map=map)
    form = ElementForm(
        request.POST or None,
        instance=instance,
        organizations=organization_choices(access=access),
        perspectives=perspectives,
        types=types,
        field_kinds=field_kinds,
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.element_update(
                element=instance,
                by=acting_user(request),
                data=form.changed_data_dict(),
                expected_version=form.cleaned_data.get("version"),
                perspectives=form.cleaned_data["perspectives"],
            )
        except ConflictError as exc:
            conflict = exc.current
            form = rebase_form(
                ElementForm,
                request.POST,
                exc.current,
                organizations=organization_choices(access=access),
                perspectives=perspectives,
                types=types,
                field_kinds=field_kinds,
            )
        else:
            messages.success(request, _("Saved."))
            return redirect("map_detail", program=access.program.slug, pk=map.pk)
    connections = selectors.connection_list(access=access, map=map).filter(
        source=instance
    ) | selectors.connection_list(access=access, map=map).filter(target=instance)
    return render(
        request,
        "maps/element_form.html",
        {
            "form": form,
            "map": map,
            "element": instance,
            "conflict": conflict,
            "connections": connections.order_by("pk")[:200],
            "history": history_for(access=access, instance=instance)[:20],
        },
    )


@require_POST
@program_view(Action.MAP_CHANGE)
def element_delete(request: HttpRequest, program: str, pk: int, element: int) -> HttpResponse:
    access = access_for(request)
    map = selectors.map_get(access=access, pk=pk)
    instance = selectors.element_get(access=access, map=map, pk=element)
    services.element_delete(element=instance, by=acting_user(request))
    messages.success(
        request, _("“%(label)s” and its connections moved to the trash.") % {"label": instance.label}
    )
    return redirect("map_detail", program=access.program.slug, pk=map.pk)


@program_view(Action.MAP_CHANGE)
def connection_create(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    map = selectors.map_get(access=access, pk=pk)
    types, field_kinds = selectors.vocabulary(access=access, map=map, connections=True)
    form = ConnectionForm(
        request.POST or None,
        elements=selectors.element_list(access=access, map=map).order_by("label"),
        perspectives=selectors.perspective_list(access=access, map=map),
        initial={"source": request.GET.get("source")},
        types=types,
        field_kinds=field_kinds,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.connection_create(
                access=access, map=map, by=acting_user(request), data=form.changed_data_dict()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Connection added."))
            return redirect("map_detail", program=access.program.slug, pk=map.pk)
    return render(request, "maps/connection_form.html", {"form": form, "map": map})


@program_view(Action.MAP_CHANGE)
def connection_edit(request: HttpRequest, program: str, pk: int, connection: int) -> HttpResponse:
    access = access_for(request)
    map = selectors.map_get(access=access, pk=pk)
    instance = selectors.connection_get(access=access, map=map, pk=connection)
    types, field_kinds = selectors.vocabulary(access=access, map=map, connections=True)
    form = ConnectionForm(
        request.POST or None,
        instance=instance,
        elements=selectors.element_list(access=access, map=map).order_by("label"),
        perspectives=selectors.perspective_list(access=access, map=map),
        types=types,
        field_kinds=field_kinds,
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.connection_update(
                connection=instance,
                by=acting_user(request),
                data=form.changed_data_dict(),
                expected_version=form.cleaned_data.get("version"),
            )
        except ConflictError as exc:
            conflict = exc.current
            form = rebase_form(
                ConnectionForm,
                request.POST,
                exc.current,
                elements=selectors.element_list(access=access, map=map).order_by("label"),
                perspectives=selectors.perspective_list(access=access, map=map),
                types=types,
                field_kinds=field_kinds,
            )
        else:
            messages.success(request, _("Saved."))
            return redirect("map_detail", program=access.program.slug, pk=map.pk)
    return render(
        request,
        "maps/connection_form.html",
        {"form": form, "map": map, "connection": instance, "conflict": conflict},
    )


@require_POST
@program_view(Action.MAP_CHANGE)
def connection_delete(request: HttpRequest, program: str, pk: int, connection: int) -> HttpResponse:
    access = access_for(request)
    map = selectors.map_get(access=access, pk=pk)
    instance = selectors.connection_get(access=access, map=map, pk=connection)
    services.connection_delete(connection=instance, by=acting_user(request))
    messages.success(request, _("Connection moved to the trash."))
    return redirect("map_detail", program=access.program.slug, pk=map.pk)
