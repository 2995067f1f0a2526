from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from konbit.core.forms import VersionedForm

from .models import Organization


class OrganizationForm(VersionedForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Organization
        fields = ["name", "acronym", "type", "sector", "region", "town", "size", "website", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}
