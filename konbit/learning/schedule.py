"""When a planned communication is next due (pure functions, no ORM)."""

from __future__ import annotations

import calendar
import datetime

MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Same day of the month `months` later; the 31st becomes the month's last day when needed."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def next_due(
    *, frequency: str, first_due_on: datetime.date, last_sent_on: datetime.date | None, is_active: bool = True
) -> datetime.date | None:
    """None when nothing more is due: paused, or a one-off already sent.

    Never sent: the first due date. Sent: one period after the last sending (a weekly note sent on
    a Tuesday is next due the following Tuesday), but never before the first due date."""
    if not is_active:
        return None
    if last_sent_on is None:
        return first_due_on
    if frequency == "once":
        return None
    if frequency == "weekly":
        due = last_sent_on + datetime.timedelta(days=7)
    else:
        due = add_months(last_sent_on, MONTHS[frequency])
    return max(due, first_due_on)


def is_overdue(next_due_on: datetime.date | None, today: datetime.date) -> bool:
    return next_due_on is not None and next_due_on < today
