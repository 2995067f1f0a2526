from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from konbit.core.forms import IdsChoiceField, PeopleChoiceField, PersonChoiceField, VersionedForm
from konbit.core.widgets import DateInput

from .models import (
    Agreement,
    Contact,
    DriverCategory,
    DriverKind,
    DriverNote,
    EngagementSettings,
    EventSeries,
    FollowUp,
    Initiative,
    Interaction,
    InteractionKind,
    Organization,
    Partnership,
    Segment,
    SupportEntry,
    SupportKind,
    ValueGained,
)

DATE = DateInput()


class OrganizationForm(VersionedForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Organization
        fields = [
            "name",
            "acronym",
            "type",
            "sector",
            "region",
            "town",
            "size",
            "website",
            "performs_core",
            "performs_supporting",
            "performs_rules",
            "tags",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}


class PartnerProfileForm(OrganizationForm):
    """What a partner user may change on its own organisation (not the programme's notes)."""

    class Meta(OrganizationForm.Meta):
        fields = ["name", "acronym", "sector", "region", "town", "size", "website", "tags"]


class ContactForm(forms.ModelForm[Contact]):
    class Meta:
        model = Contact
        fields = ["name", "role", "phone", "email"]


class PartnershipCreateForm(forms.ModelForm[Partnership]):
    organization = forms.ModelChoiceField(label=_("Organisation"), queryset=Organization.objects.none())
    reason = forms.CharField(label=_("Why now"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = Partnership
        fields = ["organization", "segment", "since", "facilitator", "notes"]
        field_classes = {"facilitator": PersonChoiceField}
        widgets = {"since": DATE, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, organizations: Any, facilitators: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]
        self.fields["facilitator"].queryset = facilitators  # type: ignore[attr-defined]
        self.fields["since"].initial = timezone.localdate()


class PartnershipForm(VersionedForm):
    class Meta:
        model = Partnership
        fields = ["since", "until", "facilitator", "notes"]
        field_classes = {"facilitator": PersonChoiceField}
        widgets = {"since": DATE, "until": DATE, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, facilitators: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = facilitators  # type: ignore[attr-defined]


class SegmentForm(forms.Form):
    segment = forms.ChoiceField(label=_("New segment"), choices=Segment.choices)
    changed_on = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AgreementForm(forms.ModelForm[Agreement]):
    class Meta:
        model = Agreement
        fields = ["kind", "title", "signed_on", "starts_on", "ends_on", "amount"]
        widgets = {"signed_on": DATE, "starts_on": DATE, "ends_on": DATE}


class DriverNoteForm(forms.ModelForm[DriverNote]):
    class Meta:
        model = DriverNote
        fields = ["category", "kind", "note", "recorded_on"]
        widgets = {"recorded_on": DATE, "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recorded_on"].initial = timezone.localdate()


class SupportEntryForm(forms.ModelForm[SupportEntry]):
    class Meta:
        model = SupportEntry
        fields = ["direction", "kind", "value", "occurred_on", "description"]
        widgets = {"occurred_on": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["occurred_on"].initial = timezone.localdate()


class ValueGainedForm(forms.ModelForm[ValueGained]):
    class Meta:
        model = ValueGained
        fields = ["kind", "description", "value", "occurred_on"]
        widgets = {"occurred_on": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["occurred_on"].initial = timezone.localdate()


SENTIMENT_CHOICES = [
    ("", _("not noted")),
    ("-2", _("−2 hostile")),
    ("-1", _("−1 cool")),
    ("0", _("0 neutral")),
    ("1", _("+1 warm")),
    ("2", _("+2 enthusiastic")),
]


class InteractionForm(VersionedForm):
    """The quick log: what, when, with whom, how it went; the rest is optional."""

    organizations = IdsChoiceField(
        label=_("With"), queryset=Organization.objects.none(), widget=forms.MultipleHiddenInput, required=True
    )
    sentiment = forms.TypedChoiceField(
        label=_("How did it go?"),
        choices=SENTIMENT_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    follow_up = forms.CharField(label=_("Follow-up to do (optional)"), required=False, max_length=300)
    follow_up_due = forms.DateField(label=_("Due"), required=False, widget=DATE)
    driver_category = forms.ChoiceField(
        label=_("They spoke of a…"),
        choices=DriverCategory.choices,
        initial=DriverCategory.EXPECTATION,
        required=False,
        # The offline outbox lists the category only when a subject was chosen too.
        widget=forms.Select(attrs={"data-offline-with": "driver_kind"}),
    )
    driver_kind = forms.ChoiceField(
        label=_("About"), choices=[("", _("(nothing noted)")), *DriverKind.choices], required=False
    )
    driver_note = forms.CharField(label=_("In their words"), required=False, max_length=500)
    facilitators = PeopleChoiceField(
        label=_("Facilitators present"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("You, if nobody is ticked."),
    )

    class Meta:
        model = Interaction
        fields = [
            "kind",
            "occurred_on",
            "title",
            "duration_minutes",
            "sentiment",
            "notes",
            "topics",
            "commitments",
        ]
        widgets = {
            "occurred_on": DATE,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "commitments": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, organizations: Any, facilitators: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organizations"].queryset = organizations  # type: ignore[attr-defined]
        if facilitators is not None:
            self.fields["facilitators"].queryset = facilitators  # type: ignore[attr-defined]
        if not self.instance.pk:
            self.fields["kind"].initial = InteractionKind.CONVERSATION
            self.fields["occurred_on"].initial = timezone.localdate()
        else:
            for name in (
                "organizations",
                "follow_up",
                "follow_up_due",
                "driver_category",
                "driver_kind",
                "driver_note",
            ):
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("follow_up") and not cleaned.get("follow_up_due"):
            cleaned["follow_up_due"] = timezone.localdate() + datetime.timedelta(days=14)
        return cleaned

    def interaction_data(self) -> dict[str, Any]:
        fields = self._meta.fields or []
        return {name: self.cleaned_data.get(name) for name in fields if name in self.cleaned_data}


class EventSeriesForm(forms.ModelForm[EventSeries]):
    organizations = IdsChoiceField(
        label=_("Invite"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.MultipleHiddenInput,
    )

    class Meta:
        model = EventSeries
        fields = ["title", "kind", "frequency", "starts_on", "occurrences", "location"]
        widgets = {"starts_on": DATE}

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organizations"].queryset = organizations  # type: ignore[attr-defined]
        self.fields["kind"].choices = [  # type: ignore[attr-defined]
            (k.value, k.label)
            for k in (InteractionKind.ROUND_TABLE, InteractionKind.WORKSHOP, InteractionKind.TRAINING)
        ]
        self.fields["occurrences"].widget.attrs.update({"min": 1, "max": 60})


class FollowUpForm(forms.ModelForm[FollowUp]):
    class Meta:
        model = FollowUp
        fields = ["organization", "description", "owner", "due_on"]
        field_classes = {"owner": PersonChoiceField}
        widgets = {"due_on": DATE}

    def __init__(self, *args: Any, organizations: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]


class InitiativeForm(VersionedForm):
    class Meta:
        model = Initiative
        fields = ["name", "funder", "description", "starts_on", "ends_on", "coordination_notes"]
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "description": forms.Textarea(attrs={"rows": 2}),
            "coordination_notes": forms.Textarea(attrs={"rows": 3}),
        }


class InitiativeSupportForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Partner it supports"), queryset=Organization.objects.none()
    )
    how = forms.CharField(label=_("How"), max_length=300, required=False)

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]


class EngagementSettingsForm(forms.ModelForm[EngagementSettings]):
    offers = forms.MultipleChoiceField(
        label=_("What the programme offers"),
        choices=[
            (k.value, k.label) for k in SupportKind if k not in {SupportKind.CASH, SupportKind.STAFF_TIME}
        ],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Partners expecting anything else are flagged: an expectation the programme cannot meet."
        ),
    )

    class Meta:
        model = EngagementSettings
        fields = [
            "weight_recency",
            "weight_attendance",
            "weight_followups",
            "weight_sentiment",
            "weight_coinvestment",
            "no_contact_days",
            "score_drop_points",
            "programme_share_warning",
            "offers",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        weights = [cleaned.get(f, 0) or 0 for f in self._meta.fields or [] if f.startswith("weight_")]
        if sum(weights) == 0:
            raise forms.ValidationError(_("At least one weight must be above zero."))
        if not 1 <= (cleaned.get("no_contact_days") or 0) <= 365:
            self.add_error("no_contact_days", _("Choose between 1 and 365 days."))
        return cleaned
