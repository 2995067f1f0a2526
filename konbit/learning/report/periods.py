"""Report periods: the default (the last twelve months) and the quick picks (pure functions)."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _

from ..schedule import add_months

QUICK_PICKS = [
    ("last_12_months", _("Last 12 months")),
    ("last_quarter", _("Last quarter")),
    ("last_year", _("Last year")),
    ("year_to_date", _("Year to date")),
]


def period_for(pick: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """(start, end), both included. Last quarter and last year are the previous calendar ones."""
    if pick == "last_quarter":
        this_quarter_start = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        start = add_months(this_quarter_start, -3)
        return start, this_quarter_start - datetime.timedelta(days=1)
    if pick == "last_year":
        return datetime.date(today.year - 1, 1, 1), datetime.date(today.year - 1, 12, 31)
    if pick == "year_to_date":
        return datetime.date(today.year, 1, 1), today
    return add_months(today, -12) + datetime.timedelta(days=1), today
