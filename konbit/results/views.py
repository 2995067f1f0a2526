from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from konbit.core.access import program_view
from konbit.core.models import Phase
from konbit.core.roles import Action


@program_view(Action.CHANGE_VIEW)
def change_home(request: HttpRequest, program: str) -> HttpResponse:
    return render(request, "results/home.html", {"phase_list": list(Phase)})
