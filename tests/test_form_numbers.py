"""Every number field of every Konbit form refuses what is not a finite number."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django import forms

import konbit


def _form_classes() -> list[type[forms.BaseForm]]:
    found = []
    for module_info in pkgutil.walk_packages(konbit.__path__, "konbit."):
        if module_info.name.rsplit(".", 1)[-1] != "forms":
            continue
        module = importlib.import_module(module_info.name)
        found += [
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, forms.BaseForm)
            and value.__module__ == module.__name__
        ]
    return found


def test_every_float_or_decimal_form_field_refuses_non_finite_values() -> None:
    checked = []
    for form_class in _form_classes():
        for name, field in form_class.base_fields.items():
            if isinstance(field, forms.FloatField | forms.DecimalField):
                for text in ["1e400", "-1e400", "nan", "inf", "Infinity"]:
                    with pytest.raises(forms.ValidationError):
                        field.clean(text)
                checked.append(f"{form_class.__name__}.{name}")
    assert checked  # the walk found the number fields (e.g. support amounts, measurement values)


def test_every_multiple_choice_of_rows_refuses_ids_the_database_cannot_hold() -> None:
    from konbit.core.forms import IdsChoiceField

    loose = [
        f"{form_class.__name__}.{name}"
        for form_class in _form_classes()
        for name, field in form_class.base_fields.items()
        if isinstance(field, forms.ModelMultipleChoiceField) and not isinstance(field, IdsChoiceField)
    ]
    assert loose == []
