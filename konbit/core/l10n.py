"""Numbers and months written the way the reader's language writes them (1,234.5 in English, 1 234,5 in
French), for text that Python builds itself: chart labels, report tables, messages. Templates use
Django's own filters; widgets that parse a value never get these (see core.widgets)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import formats, translation
from django.utils.dateformat import format as date_format


def number(value: float | Decimal | int | None, decimals: int = 2) -> str:
    """Grouped thousands and at most `decimals` decimals, trailing zeros dropped; None → '—'."""
    if value is None:
        return "—"
    text = formats.number_format(round(float(value), decimals), decimal_pos=decimals, force_grouping=True)
    separator = str(formats.get_format("DECIMAL_SEPARATOR"))
    if separator in text:
        text = text.rstrip("0").removesuffix(separator)
    return text


def day(value: datetime.date) -> str:
    """'5 Jan 2026' / '5 janv. 2026' (konbit/formats): a date in text, never an ambiguous 05/01/2026."""
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def month(value: datetime.date) -> str:
    """'Oct. 2024' / 'oct. 2024' (abbreviated as the press does in each language)."""
    return date_format(value, "N Y")


def shipped(value: str) -> str:
    """Stored text that may be one of Konbit's own labels written in English (an organisation type copied
    onto a map element): in the reader's language when it is one, as typed otherwise."""
    return translation.gettext(value) if value else value
