from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import Phase
from .roles import Action
from .selectors import memberships_of_user


def program(request: HttpRequest) -> dict[str, Any]:
    """The current programme, the member's permissions (for the navigation) and the switcher list."""
    access = getattr(request, "access", None)
    context: dict[str, Any] = {"access": access, "Action": Action, "phases": Phase}
    if access is not None:
        context["program"] = access.program
        context["perms_for"] = {action.name: access.can(action) for action in Action}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["my_memberships"] = memberships_of_user(user=user)
    return context
