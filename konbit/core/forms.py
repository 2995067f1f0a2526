from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import ModelFormMetaclass
from django.utils.translation import gettext_lazy as _

from konbit.partners.models import Organization

from .ids import is_id
from .models import AuditAction, Program
from .roles import Role
from .selectors import AuditFilter
from .widgets import DateInput


def person_label(user: Any) -> str:
    """People are picked by name (e-mail when a name is missing), never by login."""
    return str(user.get_full_name() or user.email or user.get_username())


class PersonChoiceField(forms.ModelChoiceField[Any]):
    def label_from_instance(self, obj: Any) -> str:
        return person_label(obj)


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that refuses a value which is not an id (e.g. 40 digits) as an invalid
    choice: Django's own looks them up with `pk__in`, which SQLite cannot bind (OverflowError, a 500).
    Every multiple choice of rows in Konbit's forms uses it (tests/test_form_numbers.py walks them)."""

    def _check_values(self, value: Any) -> Any:
        meta = self.queryset.model._meta  # type: ignore[union-attr]
        key_field = meta.get_field(self.to_field_name) if self.to_field_name else meta.pk
        if isinstance(key_field, models.IntegerField | models.AutoField):
            for pk in value:
                if not is_id(str(pk)):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                    )
        return super()._check_values(value)  # type: ignore[misc]


class PeopleChoiceField(IdsChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return person_label(obj)


class _ModelFormMetaclass(ModelFormMetaclass):
    """Model forms whose many-to-many fields Django builds itself get IdsChoiceField too (the field
    holds no more state than its parent, so the class is swapped in place)."""

    def __new__(mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> Any:
        new_class = super().__new__(mcs, name, bases, attrs)
        for form_field in new_class.base_fields.values():  # type: ignore[attr-defined]
            if type(form_field) is forms.ModelMultipleChoiceField:
                form_field.__class__ = IdsChoiceField
        return new_class


class VersionedForm(forms.ModelForm[Any], metaclass=_ModelFormMetaclass):
    """A model form that remembers which version of the record the user started from, so a save on
    top of someone else's newer save is caught instead of overwriting it."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.fields["version"].initial = self.instance.version

    def changed_data_dict(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name] for name in self._meta.fields or [] if name in self.cleaned_data
        }


def rebase_form(form_class: Any, data: Any, current: Any, **kwargs: Any) -> Any:
    """After a conflict: the user's own input kept, on top of the stored version's number, so that
    saving again applies it on purpose."""
    rebased = data.copy()
    rebased["version"] = str(current.version)
    form = form_class(rebased, instance=current, **kwargs)
    form.is_valid()
    return form


class ProgramForm(VersionedForm):
    class Meta:
        model = Program
        fields = ["name", "country", "sector", "phase", "description", "start_date", "end_date"]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }


class ProgramCreateForm(forms.ModelForm[Program]):
    class Meta:
        model = Program
        fields = ["name", "slug", "country", "sector", "phase", "start_date", "end_date"]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
        }
        help_texts = {"slug": _("Letters, digits and hyphens; it appears in every address of the programme.")}


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.FACILITATOR)
    organization: forms.ModelChoiceField[Organization] = forms.ModelChoiceField(
        label=_("Organisation (partner users only)"), queryset=Organization.objects.none(), required=False
    )

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("role") == Role.PARTNER and not cleaned.get("organization"):
            self.add_error("organization", _("Choose the organisation this partner user speaks for."))
        return cleaned


class MemberRoleForm(InvitationForm):
    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, organizations=organizations, **kwargs)
        del self.fields["email"]


class AcceptInvitationForm(forms.Form):
    """For someone without an account yet: name and a password."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    password1 = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_password2(self) -> str:
        p1, p2 = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if p1 and p2 and p1 != p2:
            raise forms.ValidationError(_("The two passwords differ."))
        user_model = get_user_model()
        password_validation.validate_password(p2 or "", user_model(username=self.email, email=self.email))
        return p2 or ""


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"), max_length=100, help_text=_("Say what will use it, e.g. 'Power BI'.")
    )


class AuditFilterForm(forms.Form):
    """The audit trail's filters (GET). A value that does not check out is left out of the filter and
    shown as an error, so the rest of the filter still applies."""

    q = forms.CharField(label=_("Record"), max_length=100, required=False)
    action = forms.ChoiceField(
        label=_("What"), choices=[("", _("All actions")), *AuditAction.choices], required=False
    )
    person: forms.ModelChoiceField[Any] = PersonChoiceField(
        label=_("Who"), queryset=get_user_model().objects.none(), required=False, empty_label=_("Everyone")
    )
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        person = self.fields["person"]
        person.queryset = people  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date is before the start date."))
        return cleaned

    def filters(self) -> AuditFilter:
        self.is_valid()
        data = self.cleaned_data
        return AuditFilter(
            action=data.get("action") or "",
            actor=data.get("person"),
            start=data.get("start"),
            end=data.get("end"),
            query=(data.get("q") or "").strip(),
        )
