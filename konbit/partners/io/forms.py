from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .importers import KIND_LABELS


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"), choices=list(KIND_LABELS.items()), widget=forms.RadioSelect
    )
    file = forms.FileField(label=_("File: CSV or Excel (.xlsx), up to 10 MB"))
