from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from konbit.core.access import Access
from konbit.core.roles import Action

from .. import charts, selectors

register = template.Library()


@register.filter
def num(value: Any) -> str:
    """A number as people read it: 1,234.5; whole numbers without decimals; nothing → —."""
    if value is None or value == "":
        return "—"
    return charts.number(float(value))


@register.filter
def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"


@register.simple_tag(takes_context=True)
def partner_benchmarks_for(context: Any, organization: Any) -> dict[str, Any]:
    """For the partner page's include: the benchmarks of one organisation this member may see (a
    partner user: its own organisation's only), read through the selector."""
    access = context.get("access")
    if not isinstance(access, Access) or organization is None or not access.can(Action.BENCHMARK_VIEW):
        return {"rows": [], "visible": False}
    rows = list(selectors.benchmark_list(access=access, organization=organization))
    return {"rows": rows, "visible": True, "today": timezone.localdate()}
