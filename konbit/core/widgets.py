"""Form widgets whose value the browser parses, rendered in the browser's own format whatever the language.

A browser's date picker accepts only ISO dates (``2026-12-02``) and discards anything else, so a French
``02/12/2026`` would come up empty and the next save would erase the date. The picker itself shows the
date the way the phone's locale writes it; the page's text shows it localised by Django."""

from __future__ import annotations

from typing import Any

from django import forms

ISO_DATE = "%Y-%m-%d"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=ISO_DATE)
