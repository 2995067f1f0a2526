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


class ProgramAuth(TokenAuth):
    """A personal token, then `api_access` for the programme in the URL and the declared action."""

    def __init__(self, action: Action) -> None:
        super().__init__()
        self.action = action

    def authenticate(self, request: HttpRequest, token: str) -> Access | None:
        if super().authenticate(request, token) is None:
            return None  # 401
        match = request.resolver_match
        slug = str(match.kwargs.get("slug", "")) if match else ""
        return api_access(request, slug, self.action)  # NotFound → 404


def program_access(request: HttpRequest) -> Access:
    """The Access that ProgramAuth resolved for this request."""
    access = getattr(request, "auth", None)
    if not isinstance(access, Access):  # every operation here is declared with ProgramAuth
        raise NotFound
    return access
