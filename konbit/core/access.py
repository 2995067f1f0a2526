"""The one access mechanism.

A programme-scoped URL has the form /p/<program>/…. ProgramMiddleware resolves the programme and the
signed-in user's membership once, before the view runs, and refuses with 404 when the user is not a
member or the view's declared Action is not allowed for the member's role. Views never look the
programme up themselves; they read `request.access`.

Every view under /p/<program>/ must be wrapped in `program_view(action)`: the middleware refuses to
serve one that is not (fail closed), so a forgotten declaration is an error, not a leak.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from .roles import Action, Role, can

if TYPE_CHECKING:
    from konbit.partners.models import Organization

    from .models import Membership, Program

F = TypeVar("F", bound=Callable[..., Any])

ACTION_ATTR = "konbit_action"


@dataclass(frozen=True)
class Access:
    """What the acting user is in one programme."""

    program: Program
    membership: Membership

    @property
    def role(self) -> str:
        return self.membership.role

    @property
    def user_id(self) -> int:
        return self.membership.user_id

    @property
    def is_partner(self) -> bool:
        return self.membership.role == Role.PARTNER

    @property
    def organization(self) -> Organization | None:
        return self.membership.organization

    def can(self, action: Action) -> bool:
        return can(self.role, action)

    def require(self, action: Action) -> None:
        """Refuse as 'not found' so that a refused page does not even confirm it exists."""
        if not self.can(action):
            raise Http404


def program_view(action: Action) -> Callable[[F], F]:
    """Declare the action a programme-scoped view performs. Works on functions and `as_view()`."""

    def decorate(view: F) -> F:
        setattr(view, ACTION_ATTR, action)
        return view

    return decorate


def access_for(request: HttpRequest) -> Access:
    access = getattr(request, "access", None)
    if not isinstance(access, Access):  # the middleware sets it on every /p/<program>/ view
        raise Http404
    return access


def acting_user(request: HttpRequest) -> User:
    """The signed-in user of a view that requires one (login_required or a programme view)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
