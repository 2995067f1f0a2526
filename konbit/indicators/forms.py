from __future__ import annotations

import dataclasses
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from konbit.core import uploads
from konbit.core.forms import VersionedForm
from konbit.core.widgets import DateInput

from .models import (
    BenchmarkStatus,
    Category,
    Indicator,
    Measurement,
    PartnerBenchmark,
    Target,
)
from .periods import parse_period

DATE = DateInput()


def evidence_max_bytes() -> int:
    return int(getattr(settings, "INDICATOR_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))


class CategoryChoiceField(forms.ModelChoiceField[Category]):
    def label_from_instance(self, obj: Category) -> str:
        return f"{obj.dimension.name}: {obj.name}"


class IndicatorForm(VersionedForm):
    class Meta:
        model = Indicator
        fields = [
            "name",
            "code",
            "type",
            "unit",
            "definition",
            "intervention",
            "chain_box",
            "target_mode",
            "aggregation",
            "direction",
            "baseline_value",
            "baseline_date",
            "data_source",
            "collection_method",
            "dimensions",
        ]
        widgets = {
            "definition": forms.Textarea(attrs={"rows": 3}),
            "baseline_date": DATE,
            "dimensions": forms.CheckboxSelectMultiple,
            "target_mode": forms.RadioSelect,
            "aggregation": forms.RadioSelect,
            "direction": forms.RadioSelect,
        }
        help_texts = {
            "aggregation": _(
                "Used with cumulative targets: add up what is new each period (counts), or take the "
                "latest reading (levels such as a yield or a share)."
            ),
            "chain_box": _("Optional: the box of the intervention's results chain this indicator measures."),
        }

    def __init__(self, *args: Any, interventions: Any, boxes: Any, dimensions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["intervention"].queryset = interventions  # type: ignore[attr-defined]
        self.fields["chain_box"].queryset = boxes  # type: ignore[attr-defined]
        self.fields["chain_box"].label_from_instance = (  # type: ignore[attr-defined]
            lambda box: f"{box.intervention.title} · {box.get_level_display()}: {box.text}"
        )
        self.fields["dimensions"].queryset = dimensions  # type: ignore[attr-defined]
        self.fields["dimensions"].help_text = _(
            "Add dimensions (sex, region…) and their categories on the Disaggregations page."
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        intervention, box = cleaned.get("intervention"), cleaned.get("chain_box")
        if box is not None and intervention is not None and box.intervention_id != intervention.pk:
            self.add_error("chain_box", _("This box belongs to another intervention."))
        return cleaned


class PeriodMixin(forms.ModelForm[Any]):
    """A period needs its end date; a label such as 2025-Q2 or 2025 fills the dates by itself."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        label = (cleaned.get("period_label") or "").strip()
        parsed = parse_period(label) if label else None
        if parsed is not None:
            if not cleaned.get("period_end"):
                cleaned["period_end"] = parsed[1]
                self.errors.pop("period_end", None)
            if not cleaned.get("period_start"):
                cleaned["period_start"] = parsed[0]
        if not cleaned.get("period_end") and "period_end" not in self.errors:
            self.add_error(
                "period_end", _("Give the period's end date, or a period such as 2025-Q2 or 2025.")
            )
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        return cleaned


class TargetForm(PeriodMixin):
    category = CategoryChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False, empty_label=_("Total")
    )

    class Meta:
        model = Target
        fields = ["kind", "period_label", "period_start", "period_end", "category", "value"]
        widgets = {"period_start": DATE, "period_end": DATE}

    def __init__(self, *args: Any, categories: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "target_%s")  # the indicator page holds two forms with a period
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]
        self.fields["period_end"].required = False


class MeasurementForm(PeriodMixin):
    category = CategoryChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False, empty_label=_("Total")
    )
    evidence_link = forms.URLField(
        label=_("Evidence link"), required=False, assume_scheme="https", max_length=500
    )

    class Meta:
        model = Measurement
        fields = [
            "period_label",
            "period_start",
            "period_end",
            "category",
            "value",
            "evidence",
            "evidence_link",
            "note",
        ]
        widgets = {"period_start": DATE, "period_end": DATE, "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, categories: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "measurement_%s")
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]
        self.fields["period_end"].required = False
        self.fields["period_label"].help_text = _(
            "e.g. 2025-Q2 or 2025: the dates are then filled in for you."
        )
        limit = evidence_max_bytes() // (1024 * 1024)
        self.fields["evidence"].help_text = _("PDF, image, Office or text file, up to %(mb)s MB.") % {
            "mb": limit
        }

    def clean_evidence(self) -> Any:
        upload = self.cleaned_data.get("evidence")
        if upload and getattr(upload, "size", 0) > evidence_max_bytes():
            raise forms.ValidationError(
                _("The evidence file is larger than %(mb)s MB. Attach a smaller file, or a link to it.")
                % {"mb": evidence_max_bytes() // (1024 * 1024)}
            )
        if isinstance(upload, UploadedFile):
            # Evidence is kept, not parsed; still, its content must be what its name says, and an
            # Office file must not be a zip bomb for whoever opens it (konbit.core.uploads).
            limits = dataclasses.replace(uploads.EVIDENCE, max_bytes=evidence_max_bytes())
            data = upload.read(limits.max_bytes + 1)
            upload.seek(0)
            try:
                uploads.check_stored_file(name=upload.name or "", data=data, limits=limits)
            except uploads.UnsafeUpload as exc:
                raise forms.ValidationError(exc.message) from None
        return upload


class MeasurementEntryForm(MeasurementForm):
    """The measurement form with the indicator to choose (the stand-alone entry page)."""

    indicator = forms.ModelChoiceField(label=_("Indicator"), queryset=Indicator.objects.none())

    field_order = ["indicator"]

    def __init__(self, *args: Any, indicators: Any, categories: Any, **kwargs: Any) -> None:
        super().__init__(*args, categories=categories, **kwargs)
        self.fields["indicator"].queryset = indicators  # type: ignore[attr-defined]
        self.order_fields(["indicator", *MeasurementForm.Meta.fields])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        indicator, category = cleaned.get("indicator"), cleaned.get("category")
        if indicator and category and not indicator.dimensions.filter(pk=category.dimension_id).exists():
            self.add_error("category", _("This indicator is not disaggregated by that category."))
        return cleaned


class DimensionForm(forms.Form):
    name = forms.CharField(
        label=_("Dimension"), max_length=100, help_text=_("e.g. Sex, Region, Partner type.")
    )
    categories = forms.CharField(
        label=_("Categories"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, or separated by commas, e.g. Women, Men."),
    )

    indicator = forms.ModelChoiceField(
        label=_("Only for one indicator"),
        queryset=Indicator.objects.none(),
        required=False,
        empty_label=_("No: for the whole programme"),
        help_text=_("A dimension of one indicator only (e.g. crop varieties) is not offered to the others."),
    )

    def __init__(self, *args: Any, indicators: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators  # type: ignore[attr-defined]

    def category_names(self) -> list[str]:
        text = self.cleaned_data.get("categories", "")
        return [part.strip()[:100] for line in text.splitlines() for part in line.split(",") if part.strip()]


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("New category"), max_length=100)


class BenchmarkForm(VersionedForm):
    class Meta:
        model = PartnerBenchmark
        fields = ["organization", "description", "indicator", "target_value", "incentive", "due_on"]
        widgets = {"due_on": DATE}

    def __init__(self, *args: Any, organizations: Any, indicators: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]
        self.fields["indicator"].queryset = indicators  # type: ignore[attr-defined]
        self.fields["organization"].help_text = _("Organisations with a partnership in this programme.")


class BenchmarkStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=BenchmarkStatus.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
