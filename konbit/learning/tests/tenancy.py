"""Rows of this app in programme A for tests/test_tenancy.py, which walks every URL as an outsider.

programme_a_rows(world) creates one row of every kind this app owns in programme A and returns
(ids, extra URL parameter values). The ids are tried for every <int:...> parameter of every URL.
"""

from __future__ import annotations

from conftest import World


def programme_a_rows(world: World) -> tuple[set[str], dict[str, list[str]]]:
    return set(), {}
