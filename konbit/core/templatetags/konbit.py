from __future__ import annotations

from django import template
from django.db import models

register = template.Library()


@register.filter
def verbose_name(instance: models.Model) -> str:
    return str(instance._meta.verbose_name).capitalize()


@register.filter
def model_label(instance: models.Model) -> str:
    return instance._meta.label_lower
