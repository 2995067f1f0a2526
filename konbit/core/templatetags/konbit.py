from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.db import models
from django.utils.translation import pgettext

from konbit.core import l10n

register = template.Library()


@register.filter
def verbose_name(instance: models.Model) -> str:
    return str(instance._meta.verbose_name).capitalize()


@register.filter
def model_label(instance: models.Model) -> str:
    return instance._meta.label_lower


@register.filter
def person(user: object) -> str:
    """A user's full name, else email, else a dash (for rows whose user was removed)."""
    if user is None:
        return "—"
    full_name = getattr(user, "get_full_name", lambda: "")()
    return str(full_name or getattr(user, "email", "") or "—")


@register.simple_tag
def colon() -> str:
    """The colon after a label, as each language writes it (French puts a no-break space before it)."""
    return pgettext("label separator", ": ")


@register.filter
def shipped(value: object) -> object:
    """core.l10n.shipped for templates."""
    return l10n.shipped(value) if isinstance(value, str) else value


@register.filter
def lookup(mapping: object, key: object) -> object:
    """{{ labels|lookup:element_id }} — a dictionary value by a variable key."""
    if isinstance(mapping, dict):
        return mapping.get(key, key)
    return key


@register.filter
def heat(value: float | None) -> str:
    """A CSS class for a 0–1 value in a heat map (five steps)."""
    if value is None:
        return "heat-none"
    return f"heat-{min(4, int(value * 5))}"


@register.filter
def labelled(values: Iterable[object], labels: Iterable[object]) -> list[tuple[object, object]]:
    """{% for label, value in row.cells|labelled:headers %} — each cell with its column's header, so a
    table stacked into cards on a phone can name every value (data-label)."""
    labels = list(labels)
    return [(labels[i] if i < len(labels) else "", v) for i, v in enumerate(values)]
