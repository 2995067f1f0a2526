from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from konbit.core.forms import IdsChoiceField, VersionedForm
from konbit.core.widgets import DateInput
from konbit.partners.models import Organization, OrganizationType

from .models import (
    AaerEntry,
    ChainBox,
    ChainLink,
    ExitCriteria,
    ExitDecision,
    FacilitatorRole,
    Intervention,
    PhasePlaybook,
    RelationshipAssessment,
    RelationshipGroup,
    Stage,
)

DATE = DateInput()


class PlaybookForm(VersionedForm):
    items = forms.CharField(
        label=_("Checklist"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One item per line. Unchanged lines keep their ticks; a reworded line starts unticked."),
    )

    class Meta:
        model = PhasePlaybook
        fields = ["why", "know", "tools"]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in ["why", "know", "tools"]}


class InterventionForm(VersionedForm):
    organizations = IdsChoiceField(
        label=_("Partners involved"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Organisations that are partners of the programme."),
    )

    class Meta:
        model = Intervention
        fields = [
            "title",
            "description",
            "function",
            "lever",
            "status",
            "start_date",
            "end_date",
            "planned_amount",
            "planned_intensity",
            "actual_intensity",
        ]
        widgets = {"start_date": DATE, "end_date": DATE, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, partners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organizations"].queryset = partners  # type: ignore[attr-defined]
        if self.instance.pk and not self.is_bound:
            self.fields["organizations"].initial = list(
                self.instance.organizations.values_list("pk", flat=True)
            )


class FacilitatorRoleForm(forms.ModelForm[FacilitatorRole]):
    class Meta:
        model = FacilitatorRole
        fields = ["role", "from_date", "note"]
        widgets = {"from_date": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from_date"].initial = timezone.localdate()


class ChainBoxForm(VersionedForm):
    class Meta:
        model = ChainBox
        fields = ["level", "text"]


class ChainLinkForm(forms.ModelForm[ChainLink]):
    class Meta:
        model = ChainLink
        fields = ["source", "target", "assumption"]

    def __init__(self, *args: Any, boxes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("source", "target"):
            self.fields[name].queryset = boxes  # type: ignore[attr-defined]
            self.fields[name].label_from_instance = lambda b: f"{b.get_level_display()}: {b.text[:60]}"  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("source") and cleaned.get("source") == cleaned.get("target"):
            self.add_error("target", _("An arrow needs two different boxes."))
        return cleaned

    def validate_unique(self) -> None:  # the service says when the two boxes are already linked
        pass


class AssumptionForm(VersionedForm):
    class Meta:
        model = ChainLink
        fields = ["assumption"]


class ChainVersionForm(forms.Form):
    review_date = forms.DateField(label=_("Review date"), widget=DATE)
    note = forms.CharField(
        label=_("What changed and why"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["review_date"].initial = timezone.localdate()


class AaerEntryForm(VersionedForm):
    link = forms.URLField(label=_("link to evidence"), required=False, assume_scheme="https")
    new_actor = forms.CharField(
        label=_("…or a new actor"),
        max_length=200,
        required=False,
        help_text=_("E.g. a firm that copied the change. It is added to the organisations."),
    )
    new_actor_type = forms.ChoiceField(
        label=_("Type of the new actor"),
        choices=OrganizationType.choices,
        initial=OrganizationType.LEAD_FIRM,
        required=False,
    )

    class Meta:
        model = AaerEntry
        fields = ["organization", "stage", "observed_on", "evidence", "link"]
        widgets = {"observed_on": DATE, "evidence": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]
        self.fields["organization"].required = False
        if not self.instance.pk:
            self.fields["observed_on"].initial = timezone.localdate()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("organization") and not (cleaned.get("new_actor") or "").strip():
            self.add_error("organization", _("Choose an actor or give a new one's name."))
        return cleaned


class ExitCriteriaForm(VersionedForm):
    class Meta:
        model = ExitCriteria
        fields = [
            "use_engagement",
            "engagement_min",
            "engagement_months",
            "use_coinvestment",
            "coinvestment_min",
            "use_attendance",
            "attendance_min",
            "attendance_of",
            "use_aaer",
            "aaer_min_stage",
            "margin",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        return check_thresholds(self, cleaned)


def check_thresholds(form: forms.BaseForm, cleaned: dict[str, Any]) -> dict[str, Any]:
    limits = {
        "engagement_min": 100,
        "coinvestment_min": 100,
        "margin": 100,
        "engagement_months": 36,
        "attendance_of": 24,
    }
    for name, top in limits.items():
        value = cleaned.get(name)
        if value is not None and value > top:
            form.add_error(name, _("At most %(top)s.") % {"top": top})
    k, m = cleaned.get("attendance_min"), cleaned.get("attendance_of")
    if k is not None and m is not None and k > m:
        form.add_error("attendance_min", _("K cannot be more than M."))
    return cleaned


class WhatIfForm(forms.Form):
    """The exit criteria as a GET form: changing them here saves nothing."""

    use_engagement = forms.BooleanField(label=_("Engagement score"), required=False)
    engagement_min = forms.IntegerField(label=_("score at least"), min_value=0, max_value=100)
    engagement_months = forms.IntegerField(label=_("for the last N months"), min_value=1, max_value=36)
    use_coinvestment = forms.BooleanField(label=_("Co-investment"), required=False)
    coinvestment_min = forms.IntegerField(label=_("partner's share at least (%)"), min_value=0, max_value=100)
    use_attendance = forms.BooleanField(label=_("Round tables"), required=False)
    attendance_min = forms.IntegerField(label=_("attended at least K"), min_value=0, max_value=24)
    attendance_of = forms.IntegerField(label=_("of the last M"), min_value=1, max_value=24)
    use_aaer = forms.BooleanField(label=_("Adopt–adapt–expand–respond"), required=False)
    aaer_min_stage = forms.ChoiceField(label=_("stage at least"), choices=Stage.choices)
    margin = forms.IntegerField(label=_("'nearly' margin (%)"), min_value=0, max_value=100)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        return check_thresholds(self, cleaned)


class ExitDecisionForm(forms.ModelForm[ExitDecision]):
    class Meta:
        model = ExitDecision
        fields = ["decision", "decided_on", "reason"]
        widgets = {"decided_on": DATE, "reason": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decided_on"].initial = timezone.localdate()


class RelationshipGroupForm(VersionedForm):
    organizations = IdsChoiceField(
        label=_("Actors"),
        queryset=Organization.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    class Meta:
        model = RelationshipGroup
        fields = ["name", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organizations"].queryset = organizations  # type: ignore[attr-defined]
        if self.instance.pk and not self.is_bound:
            self.fields["organizations"].initial = list(
                self.instance.organizations.values_list("pk", flat=True)
            )


class RelationshipAssessmentForm(forms.ModelForm[RelationshipAssessment]):
    class Meta:
        model = RelationshipAssessment
        fields = [
            "assessed_on",
            "competition",
            "cooperation",
            "desired_competition",
            "desired_cooperation",
            "note",
        ]
        widgets = {"assessed_on": DATE, "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assessed_on"].initial = timezone.localdate()
