"""One service call is one transaction (docs/architecture.md, "Services and transactions").

`@service` wraps a write in `transaction.atomic(durable=True)` when it is the entry point, so that when
it returns its rows, audit lines, version bumps and derived scores are committed together, and calling
it inside someone else's transaction (a view's, a script's) is refused with RuntimeError instead of
silently becoming part of a larger one. A service called by another service joins the caller's
transaction (a savepoint), as Zulip's inner helpers use plain `atomic`: the caller's call is still one
transaction, and a failure anywhere in it takes everything back.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

from django.db import transaction

P = ParamSpec("P")
R = TypeVar("R")

# How many services are running in this thread (or task) right now; > 0 inside a service's transaction.
_depth: ContextVar[int] = ContextVar("konbit_service_depth", default=0)


@contextmanager
def service_transaction() -> Iterator[None]:
    """The transaction of one service call: durable at the entry point, a savepoint inside a service."""
    depth = _depth.get()
    token = _depth.set(depth + 1)
    try:
        with transaction.atomic(durable=depth == 0):
            yield
    finally:
        _depth.reset(token)


def service(func: Callable[P, R]) -> Callable[P, R]:
    """Make `func` one transaction (see the module's docstring)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with service_transaction():
            return func(*args, **kwargs)

    wrapper.__konbit_service__ = True  # type: ignore[attr-defined]
    return wrapper


def is_service(func: Any) -> bool:
    return bool(getattr(func, "__konbit_service__", False))
