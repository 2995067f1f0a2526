from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from konbit.core.access import access_for, acting_user, program_view
from konbit.core.roles import Action
from konbit.core.services import tenant_record_update
from konbit.partners.selectors import organization_choices

from .. import selectors, services
from ..forms import PerspectiveForm, TieFormSet


@program_view(Action.PERSPECTIVE_EDIT)
def perspective_list(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    """Staff: every view of this map, and a form to add one. Partner users: their own view(s)."""
    access = access_for(request)
    map = selectors.map_get(access=access, pk=pk)
    form = None
    if not access.is_partner:
        form = PerspectiveForm(request.POST or None, organizations=organization_choices(access=access))
        if request.method == "POST" and form.is_valid():
            try:
                perspective = services.perspective_create(
                    access=access, map=map, by=acting_user(request), data=form.changed_data_dict()
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, _("Perspective “%(name)s” added.") % {"name": perspective.name})
                return redirect("perspective_list", program=access.program.slug, pk=map.pk)
    elif request.method == "POST":
        name = access.organization.name if access.organization else _("Our view")
        perspective = services.perspective_create(
            access=access, map=map, by=acting_user(request), data={"name": name}
        )
        return redirect(
            "perspective_edit", program=access.program.slug, pk=map.pk, perspective=perspective.pk
        )
    return render(
        request,
        "maps/perspective_list.html",
        {"map": map, "perspectives": selectors.perspective_list(access=access, map=map), "form": form},
    )


@program_view(Action.PERSPECTIVE_EDIT)
def perspective_edit(request: HttpRequest, program: str, pk: int, perspective: int) -> HttpResponse:
    """The simple form: which organisations do you work with, how, how strongly?"""
    access = access_for(request)
    map = selectors.map_get(access=access, pk=pk)
    instance = selectors.perspective_get(access=access, map=map, pk=perspective)
    # On a post the formset is built from the post alone: with `initial` too, a line left as it was
    # would count as "unchanged" and be dropped.
    if request.method == "POST":
        formset = TieFormSet(request.POST, prefix="ties")
    else:
        formset = TieFormSet(
            initial=selectors.perspective_ties(access=access, perspective=instance), prefix="ties"
        )
    if request.method == "POST" and formset.is_valid():
        ties = [f.cleaned_data for f in formset.forms if f.cleaned_data.get("name", "").strip()]
        count = services.partner_view_save(
            access=access, perspective=instance, by=acting_user(request), ties=ties
        )
        if not access.is_partner and request.POST.get("description") is not None:
            tenant_record_update(
                instance=instance, by=acting_user(request), data={"description": request.POST["description"]}
            )
        messages.success(request, _("Saved: %(count)s ties in this view.") % {"count": count})
        return redirect("perspective_edit", program=access.program.slug, pk=map.pk, perspective=instance.pk)
    return render(
        request, "maps/perspective_edit.html", {"map": map, "perspective": instance, "formset": formset}
    )
