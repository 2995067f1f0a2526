"""Template filters of the maps pillar."""

from __future__ import annotations

from typing import Any

from django import template

from konbit.maps import fields

register = template.Library()


@register.filter
def custom_field(value: Any) -> str:
    """A custom field's stored value as a reader sees it, in the reader's language (fields.display)."""
    return fields.display(value)
