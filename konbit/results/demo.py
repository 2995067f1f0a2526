"""The results part of the demo programme (see konbit/core/demo.py)."""

from __future__ import annotations

from konbit.core.demo import DemoContext
from konbit.core.models import Program


def build_demo(program: Program, ctx: DemoContext) -> None:
    """Nothing yet."""
