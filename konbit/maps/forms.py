from __future__ import annotations

from typing import Any

from django import forms
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from konbit.core.forms import IdsChoiceField, VersionedForm
from konbit.core.l10n import shipped
from konbit.core.widgets import DateInput
from konbit.partners.models import OrganizationType

from . import fields as custom
from .models import Connection, ConnectionType, Direction, Element, Map, Perspective


class SuggestionsInput(forms.TextInput):
    """A free text input offered with suggestions (an HTML datalist): the map's own vocabulary is kept
    as typed, never replaced by a fixed list."""

    def __init__(self, suggestions: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.suggestions = suggestions or []

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        list_id = f"{(attrs or {}).get('id') or 'id_' + name}-suggestions"
        html = super().render(name, value, {**(attrs or {}), "list": list_id}, renderer)
        options = format_html_join("", '<option value="{}">{}</option>', self.suggestions)
        return format_html('{}<datalist id="{}">{}</datalist>', html, list_id, options)


def type_suggestions(in_use: list[str], defaults: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The map's types in use first (as written), then Konbit's defaults not already there."""
    seen: set[str] = set()
    suggestions = []
    # A type in use may be one of Konbit's own codes ("trade") or labels stored in English: either is
    # shown in the reader's language.
    labels = dict(defaults)
    for value, label in [(t, labels.get(t) or shipped(t)) for t in in_use] + defaults:
        if value and value not in seen:
            seen.add(value)
            suggestions.append((value, label))
    return suggestions


def element_type_defaults() -> list[tuple[str, str]]:
    # Organisation types are copied onto elements as their English label (see konbit.core.l10n.shipped).
    with translation.override("en"):
        english = [str(label) for value, label in OrganizationType.choices]
    return [(value, translation.gettext(value)) for value in english]


def connection_type_defaults() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in ConnectionType.choices]


def custom_field_name(name: str) -> str:
    """The form field of a custom field: its name in hex, as any text may name a custom field."""
    return "cf_" + name.encode().hex()


class CustomFieldsForm(VersionedForm):
    """A model form that also shows and edits the record's custom fields (`attributes`): one input per
    field the map uses, typed by the field's kind; a new field by name; a field emptied is removed.
    A field whose text comes back as it was shown keeps its stored value untouched."""

    custom_kinds: dict[str, str]
    custom_shown: dict[str, str]

    def add_custom_fields(self, kinds: dict[str, str]) -> None:
        stored = dict(self.instance.attributes or {}) if self.instance.pk else {}
        kinds = dict(kinds)
        for name, value in stored.items():
            kinds.setdefault(name, custom.value_kind(value) or custom.TEXT)
        self.custom_kinds = dict(sorted(kinds.items()))
        self.custom_shown = {}
        for name, kind in self.custom_kinds.items():
            shown = custom.render(stored.get(name))
            self.custom_shown[name] = shown
            field: forms.Field
            if kind == custom.BOOL:
                field = forms.ChoiceField(
                    choices=[("", "—"), (custom.YES, _("yes")), (custom.NO, _("no"))], required=False
                )
            elif kind == custom.NUMBER:
                field = forms.CharField(
                    strip=False, widget=forms.NumberInput(attrs={"step": "any"}), required=False
                )
            else:
                widget = forms.Textarea(attrs={"rows": 2}) if "\n" in shown else forms.TextInput()
                field = forms.CharField(strip=False, widget=widget, required=False)
                if kind == custom.LIST:
                    field.help_text = _("Several values, separated by commas.")
            field.label = name
            field.initial = shown
            self.fields[custom_field_name(name)] = field
        self.fields["new_field_name"] = forms.CharField(
            label=_("New custom field"),
            max_length=100,
            required=False,
            help_text=_("Its name; a custom field left empty is removed from this record."),
        )
        self.fields["new_field_kind"] = forms.ChoiceField(
            label=_("Kind of the new field"),
            choices=[(kind, custom.kind_label(kind)) for kind in custom.KINDS],
            required=False,
        )
        self.fields["new_field_value"] = forms.CharField(label=_("Its value"), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        attributes = dict(self.instance.attributes or {}) if self.instance.pk else {}
        for name, kind in self.custom_kinds.items():
            key = custom_field_name(name)
            sent = self.data.get(self.add_prefix(key))
            if sent is None:  # a field added to the map since this form was shown
                continue
            sent = str(sent).replace("\r\n", "\n")
            if sent == self.custom_shown[name]:
                continue  # unchanged: the stored value stays exactly as it was
            if not sent.strip():
                attributes.pop(name, None)
                continue
            try:
                attributes[name] = custom.parse(sent, kind)
            except ValueError:
                self.add_error(key, _("This field holds a %(kind)s.") % {"kind": custom.kind_label(kind)})
        new_name = (cleaned.get("new_field_name") or "").strip()
        if new_name:
            kind = cleaned.get("new_field_kind") or custom.TEXT
            if new_name in attributes:
                self.add_error("new_field_name", _("This record already has that field; change it above."))
            else:
                try:
                    attributes[new_name] = custom.parse(cleaned.get("new_field_value") or "", kind)
                except ValueError:
                    self.add_error(
                        "new_field_value",
                        _("This field holds a %(kind)s.") % {"kind": custom.kind_label(kind)},
                    )
        cleaned["attributes"] = attributes
        return cleaned

    def changed_data_dict(self) -> dict[str, Any]:
        data = super().changed_data_dict()
        data["attributes"] = self.cleaned_data["attributes"]
        return data


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


class ElementForm(CustomFieldsForm):
    class Meta:
        model = Element
        fields = ["label", "kind", "type", "function", "organization", "tags", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        # "Kind" and "type" are one word in French ("type"): the kind is said as what it chooses.
        labels = {"kind": _("Actor or factor")}

    def __init__(
        self,
        *args: Any,
        organizations: Any,
        perspectives: Any,
        types: list[str] | None = None,
        field_kinds: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].widget = SuggestionsInput(
            type_suggestions(types or [], element_type_defaults()), attrs={"maxlength": 100}
        )
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]
        self.fields["perspectives"] = IdsChoiceField(
            label=_("Seen by"),
            queryset=perspectives,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            initial=list(self.instance.perspectives.all()) if self.instance.pk else [],
        )
        self.add_custom_fields(field_kinds or {})


class ConnectionForm(CustomFieldsForm):
    # Free text: an imported type ("+-", "Lead firm supplies") is the map's own and saved as it is.
    type = forms.CharField(
        label=_("Type"), max_length=100, required=False, initial=ConnectionType.COOPERATION
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

    def __init__(
        self,
        *args: Any,
        elements: Any,
        perspectives: Any,
        types: list[str] | None = None,
        field_kinds: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = elements  # type: ignore[attr-defined]
        self.fields["target"].queryset = elements  # type: ignore[attr-defined]
        self.fields["perspective"].queryset = perspectives  # type: ignore[attr-defined]
        self.fields["strength"].widget.attrs.update({"min": 0, "step": "any"})
        self.fields["type"].widget = SuggestionsInput(
            type_suggestions(types or [], connection_type_defaults()), attrs={"maxlength": 100}
        )
        self.add_custom_fields(field_kinds or {})

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
