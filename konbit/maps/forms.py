from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from konbit.core.forms import IdsChoiceField, VersionedForm
from konbit.core.widgets import DateInput

from .models import Connection, ConnectionType, Direction, Element, Map, Perspective


class MapForm(VersionedForm):
    class Meta:
        model = Map
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class PerspectiveForm(VersionedForm):
    class Meta:
        model = Perspective
        fields = ["name", "kind", "organization", "is_private", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]


class ElementForm(VersionedForm):
    class Meta:
        model = Element
        fields = ["label", "kind", "type", "function", "organization", "tags", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, organizations: Any, perspectives: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]
        self.fields["perspectives"] = IdsChoiceField(
            label=_("Seen by"),
            queryset=perspectives,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            initial=list(self.instance.perspectives.all()) if self.instance.pk else [],
        )


class ConnectionForm(VersionedForm):
    type = forms.ChoiceField(
        label=_("Type"), choices=ConnectionType.choices, initial=ConnectionType.COOPERATION
    )

    class Meta:
        model = Connection
        fields = [
            "source",
            "target",
            "type",
            "direction",
            "sign",
            "strength",
            "perspective",
            "description",
            "tags",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, elements: Any, perspectives: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = elements  # type: ignore[attr-defined]
        self.fields["target"].queryset = elements  # type: ignore[attr-defined]
        self.fields["perspective"].queryset = perspectives  # type: ignore[attr-defined]
        self.fields["strength"].widget.attrs.update({"min": 0, "step": "any"})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("source") and cleaned.get("source") == cleaned.get("target"):
            self.add_error("target", _("A connection needs two different elements."))
        return cleaned


STRENGTHS = [("1", _("Occasional")), ("2", _("Regular")), ("3", _("Strong, essential"))]


class TieForm(forms.Form):
    """One line of the partner's simple form."""

    name = forms.CharField(label=_("Organisation"), max_length=300, required=False)
    type = forms.ChoiceField(
        label=_("How"), choices=ConnectionType.choices, initial=ConnectionType.TRADE, required=False
    )
    strength = forms.ChoiceField(label=_("How strongly"), choices=STRENGTHS, initial="2", required=False)
    direction = forms.ChoiceField(
        label=_("Direction"), choices=Direction.choices, initial=Direction.MUTUAL, required=False
    )


TieFormSet = forms.formset_factory(TieForm, extra=3, max_num=100)


class MapImportForm(forms.Form):
    file = forms.FileField(
        label=_("Map file"),
        help_text=_(
            "Kumu JSON (blueprint or project backup), XLSX, a CSV of connections, of elements or of "
            "perspectives, a zip of two CSV files, GraphML or GEXF."
        ),
    )
    name = forms.CharField(label=_("Name of the new map"), max_length=200, required=False)


class SnapshotForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    taken_on = forms.DateField(label=_("Date"), widget=DateInput())
