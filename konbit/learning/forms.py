from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from konbit.core.forms import IdsChoiceField, PersonChoiceField, VersionedForm
from konbit.core.models import Phase
from konbit.core.widgets import DateInput
from konbit.partners.models import Organization
from konbit.results.models import Intervention

from .models import Communication, CommunicationSending, Lesson

DATE = DateInput()
M2M_FIELDS = ("organizations", "interventions")


class LessonForm(VersionedForm):
    phases = forms.MultipleChoiceField(
        label=_("Phases"), choices=Phase.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    organizations = IdsChoiceField(
        label=_("Partners"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (or ⌘) to choose several."),
    )
    interventions = IdsChoiceField(
        label=_("Interventions"),
        queryset=Intervention.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )

    class Meta:
        model = Lesson
        fields = [
            "title",
            "learned_on",
            "status",
            "context",
            "action",
            "lesson",
            "application",
            "recommendation",
            "tags",
            "phases",
            "organizations",
            "interventions",
        ]
        widgets = {
            "learned_on": DATE,
            "context": forms.Textarea(attrs={"rows": 4}),
            "action": forms.Textarea(attrs={"rows": 4}),
            "lesson": forms.Textarea(attrs={"rows": 4}),
            "application": forms.Textarea(attrs={"rows": 3}),
            "recommendation": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "context": _("The situation and the challenge the team faced."),
            "action": _("What the team and partners actually did."),
            "lesson": _("What came of it, and what the team now knows that it did not know before."),
            "application": _("Where the lesson is already used (a new way of working, a changed plan)."),
            "recommendation": _("What you would tell a colleague facing the same situation."),
            "tags": _("Comma-separated free tags, e.g. partner engagement, round tables."),
        }

    def __init__(self, *args: Any, organizations: Any, interventions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organizations"].queryset = organizations  # type: ignore[attr-defined]
        self.fields["interventions"].queryset = interventions  # type: ignore[attr-defined]
        if self.instance.pk and not self.is_bound:
            self.initial["phases"] = self.instance.phase_list
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("learned_on", timezone.localdate())

    def lesson_data(self) -> tuple[dict[str, Any], list[Any], list[Any]]:
        """(field values, organisations, interventions) for the lesson services."""
        data = self.changed_data_dict()
        organizations = list(data.pop("organizations", []))
        interventions = list(data.pop("interventions", []))
        return data, organizations, interventions


class CommunicationForm(VersionedForm):
    class Meta:
        model = Communication
        field_classes = {"owner": PersonChoiceField}
        fields = [
            "title",
            "audience_kind",
            "audience",
            "purpose",
            "channel",
            "frequency",
            "owner",
            "first_due_on",
            "is_active",
        ]
        widgets = {"first_due_on": DATE, "purpose": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "first_due_on": _("When it is due the first time. Later dates follow from the frequency."),
            "is_active": _("Untick to pause it: it is then never overdue."),
        }

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]


class SendingForm(forms.ModelForm[CommunicationSending]):
    link = forms.URLField(label=_("Link"), required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = CommunicationSending
        fields = ["sent_on", "note", "link"]
        widgets = {"sent_on": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sent_on"].initial = timezone.localdate()

    def clean_sent_on(self) -> datetime.date:
        sent_on: datetime.date = self.cleaned_data["sent_on"]
        if sent_on > timezone.localdate():
            raise forms.ValidationError(_("Log a sending once it has happened (the date is in the future)."))
        return sent_on


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DATE)
    end = forms.DateField(label=_("To"), widget=DATE)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            raise forms.ValidationError(_("The end of the period comes before its start."))
        return cleaned
