from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from konbit.core.access import Access, access_for, acting_user, program_view
from konbit.core.forms import rebase_form
from konbit.core.htmx import wants_fragment
from konbit.core.ids import is_id, parse_id
from konbit.core.models import Phase
from konbit.core.roles import Action
from konbit.core.selectors import history_for
from konbit.core.services import ConflictError
from konbit.partners import selectors as partner_selectors
from konbit.partners.io import exporters
from konbit.partners.io.services import data_export_record
from konbit.results import selectors as results_selectors

from .. import search, selectors, services
from ..forms import LessonForm
from ..models import Lesson, LessonStatus

PAGE_SIZE = 25


def lesson_filters(request: HttpRequest) -> dict[str, Any]:
    def number(name: str) -> int | None:
        value = request.GET.get(name, "")
        return parse_id(value)

    return {
        "query": request.GET.get("q", "").strip(),
        "tag": request.GET.get("tag", "").strip(),
        "phase": request.GET.get("phase", ""),
        "organization": number("organization"),
        "intervention": number("intervention"),
        "status": request.GET.get("status", ""),
        "sort": request.GET.get("sort", ""),
    }


def _choices(access: Access) -> dict[str, Any]:
    return {
        "organizations": partner_selectors.organization_choices(access=access),
        "interventions": results_selectors.intervention_list(access=access),
    }


@vary_on_headers("HX-Request")
@program_view(Action.LESSON_VIEW)
def lesson_list(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    filters = lesson_filters(request)
    qs = selectors.lesson_list(access=access, **filters).prefetch_related("organizations")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "learning/_lesson_rows.html" if wants_fragment(request) else "learning/lesson_list.html"
    choices = _choices(access)
    return render(
        request,
        template,
        {
            "page": page,
            "filters": filters,
            "searching": bool(search.query_words(filters["query"])),
            "tags": selectors.lesson_tags(access=access),
            "phase_choices": Phase.choices,
            "status_choices": LessonStatus.choices,
            "organization_choices": choices["organizations"].filter(lessons__isnull=False).distinct(),
            "intervention_choices": choices["interventions"].filter(lessons__isnull=False).distinct(),
            "section": "lessons",
        },
    )


@program_view(Action.LESSON_VIEW)
def lesson_detail(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    lesson = selectors.lesson_get(access=access, pk=pk)
    return render(
        request,
        "learning/lesson_detail.html",
        {
            "lesson": lesson,
            "section": "lessons",
            "history": history_for(access=access, instance=lesson)[:50]
            if access.can(Action.HISTORY_VIEW)
            else None,
        },
    )


@program_view(Action.LESSON_CHANGE)
def lesson_create(request: HttpRequest, program: str) -> HttpResponse:
    access = access_for(request)
    initial: dict[str, Any] = {}
    if is_id(request.GET.get("organization", "")):
        initial["organizations"] = [int(request.GET["organization"])]
    if is_id(request.GET.get("intervention", "")):
        initial["interventions"] = [int(request.GET["intervention"])]
    if request.GET.get("tags"):
        initial["tags"] = request.GET["tags"][:300]
    form = LessonForm(request.POST or None, initial=initial, **_choices(access))
    if request.method == "POST" and form.is_valid():
        data, organizations, interventions = form.lesson_data()
        lesson = services.lesson_create(
            access=access,
            by=acting_user(request),
            data=data,
            organizations=organizations,
            interventions=interventions,
        )
        messages.success(request, _("Lesson “%(title)s” saved.") % {"title": lesson.title})
        return redirect("lesson_detail", program=access.program.slug, pk=lesson.pk)
    return render(request, "learning/lesson_form.html", {"form": form, "section": "lessons"})


@program_view(Action.LESSON_CHANGE)
def lesson_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    lesson = selectors.lesson_get(access=access, pk=pk)
    choices = _choices(access)
    form = LessonForm(request.POST or None, instance=lesson, **choices)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data, organizations, interventions = form.lesson_data()
        try:
            services.lesson_update(
                lesson=lesson,
                by=acting_user(request),
                data=data,
                organizations=organizations,
                interventions=interventions,
                expected_version=form.cleaned_data.get("version"),
            )
        except ConflictError as exc:
            conflict = exc.current
            form = rebase_form(LessonForm, request.POST, exc.current, **choices)
        else:
            messages.success(request, _("Saved."))
            return redirect("lesson_detail", program=access.program.slug, pk=lesson.pk)
    return render(
        request,
        "learning/lesson_form.html",
        {"form": form, "lesson": lesson, "conflict": conflict, "section": "lessons"},
    )


@require_POST
@program_view(Action.LESSON_CHANGE)
def lesson_delete(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    access = access_for(request)
    lesson = selectors.lesson_get(access=access, pk=pk)
    services.lesson_delete(lesson=lesson, by=acting_user(request))
    messages.success(
        request, _("“%(title)s” moved to the trash. An owner can restore it.") % {"title": lesson.title}
    )
    return redirect("lesson_list", program=access.program.slug)


def lessons_sheet(*, lessons: list[Lesson]) -> exporters.Sheet:
    rows: list[list[exporters.Cell]] = []
    for lesson in lessons:
        rows.append(
            [
                lesson.title,
                lesson.learned_on,
                lesson.get_status_display(),
                lesson.published_on,
                lesson.author.get_full_name() or lesson.author.email if lesson.author else "",
                lesson.tags,
                ", ".join(lesson.phase_labels),
                "; ".join(o.name for o in lesson.organizations.all()),
                "; ".join(i.title for i in lesson.interventions.all()),
                lesson.context,
                lesson.action,
                lesson.lesson,
                lesson.application,
                lesson.recommendation,
            ]
        )
    headers = [
        str(_("title")),
        str(_("date")),
        str(_("status")),
        str(_("published on")),
        str(_("author")),
        str(_("tags")),
        str(_("phases")),
        str(_("partners")),
        str(_("interventions")),
        str(_("context and challenges")),
        str(_("what was done")),
        str(_("results and the lesson")),
        str(_("how it is applied")),
        str(_("recommendation")),
    ]
    return exporters.Sheet("lessons", headers, rows)


@require_GET
@program_view(Action.LESSON_VIEW)
def lesson_export(request: HttpRequest, program: str, fmt: str) -> HttpResponse:
    """The lessons with the filter on screen, as CSV or XLSX (formula cells neutralised)."""
    if fmt not in exporters.FORMATS:
        raise Http404
    access = access_for(request)
    qs = selectors.lesson_list(access=access, **lesson_filters(request)).prefetch_related(
        "organizations", "interventions"
    )
    sheet = lessons_sheet(lessons=list(qs))
    filename = f"lessons.{fmt}"
    data_export_record(access=access, by=acting_user(request), filename=filename, count=len(sheet.rows))
    return exporters.file_response(sheets=[sheet], fmt=fmt, filename=filename)
