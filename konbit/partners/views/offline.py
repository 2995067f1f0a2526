"""What the browser keeps for capturing offline (decision 9): the organisations the quick log can
choose and the pages to keep (the quick log and the attendance sheets of nearby events)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from konbit.core.access import access_for, program_view
from konbit.core.roles import Action

from .. import selectors


@require_GET
@never_cache
@program_view(Action.INTERACTION_LOG)
def offline_bundle(request: HttpRequest, program: str) -> JsonResponse:
    access = access_for(request)
    slug = access.program.slug
    pages = [reverse("interaction_create", kwargs={"program": slug})]
    pages += [
        reverse("interaction_detail", kwargs={"program": slug, "pk": event.pk})
        for event in selectors.events_near(access=access, day=timezone.localdate())
    ]
    return JsonResponse(
        {
            "program": {"slug": slug, "name": access.program.name},
            "organizations": selectors.organization_offline_list(access=access),
            "pages": pages,
        }
    )
