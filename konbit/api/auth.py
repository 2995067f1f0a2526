from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from konbit.core.access import Access
from konbit.core.roles import Action
from konbit.core.selectors import membership_for_user
from konbit.core.services import api_token_authenticate


class TokenAuth(HttpBearer):
    """`Authorization: Bearer kbt_…` with a personal token created on the account page."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(raw=token)
        if user is None:
            return None
        request.user = user
        return user


class NotFound(Exception):
    """Raised for 'not found' and 'not yours' alike; rendered as 404."""


def api_access(request: HttpRequest, slug: str, action: Action) -> Access:
    """The API's twin of ProgramMiddleware: same membership lookup, same role rules."""
    membership = membership_for_user(user=request.user, program_slug=slug)
    if membership is None:
        raise NotFound
    access = Access(program=membership.program, membership=membership)
    if not access.can(action):
        raise NotFound
    return access
