"""Period labels people type ("2025-Q2", "2025", "2025-06", "2025-H1") turned into start and end dates,
so a quick entry needs only the label. A period is identified by its end date everywhere else."""

from __future__ import annotations

import calendar
import datetime
import re

_QUARTER = re.compile(r"(\d{4})\s*[-/ ]?\s*[Qq]([1-4])")
_QUARTER_FIRST = re.compile(r"[Qq]([1-4])\s*[-/ ]?\s*(\d{4})")
_HALF = re.compile(r"(\d{4})\s*[-/ ]?\s*[HhSs]([12])")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_YEAR = re.compile(r"(?:FY\s*)?(\d{4})", re.IGNORECASE)


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def parse_period(label: str) -> tuple[datetime.date, datetime.date] | None:
    """(start, end) of a calendar period label, or None when the label is not one we know."""
    try:
        return _parse_period(label.strip())
    except ValueError:  # year 0 ("0000-Q1") has no dates
        return None


def _parse_period(text: str) -> tuple[datetime.date, datetime.date] | None:
    if match := _QUARTER.fullmatch(text):
        year, quarter = int(match.group(1)), int(match.group(2))
    elif match := _QUARTER_FIRST.fullmatch(text):
        year, quarter = int(match.group(2)), int(match.group(1))
    else:
        quarter = 0
    if quarter:
        first = 3 * quarter - 2
        return datetime.date(year, first, 1), _month_end(year, first + 2)
    if match := _HALF.fullmatch(text):
        year, half = int(match.group(1)), int(match.group(2))
        return datetime.date(year, 6 * half - 5, 1), _month_end(year, 6 * half)
    if match := _MONTH.fullmatch(text):
        year, month = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12:
            return datetime.date(year, month, 1), _month_end(year, month)
        return None
    if match := _YEAR.fullmatch(text):
        year = int(match.group(1))
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return None


def quarter_label(day: datetime.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
