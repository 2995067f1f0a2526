"""Custom fields: kinds over a map, the text a form shows and what it stores back."""

from __future__ import annotations

import pytest

from konbit.maps import fields


def test_a_fields_kind_comes_from_all_its_values_on_the_map() -> None:
    rows = [
        {"n": 1, "b": True, "l": ["x"], "t": "a", "mixed": 1, "empty": None},
        {"n": 2.5, "b": False, "mixed": "one"},
        None,
        {},
    ]
    assert fields.field_kinds(rows) == {
        "b": "bool",
        "empty": "text",
        "l": "list",
        "mixed": "text",
        "n": "number",
        "t": "text",
    }


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (3, "number"),
        (-0.5, "number"),
        (1e-05, "number"),
        (True, "bool"),
        (False, "bool"),
        (["a", "b"], "list"),
    ],
)
def test_what_a_form_shows_reads_back_as_the_same_value(value: object, kind: str) -> None:
    shown = fields.render(value)
    assert fields.parse(shown, kind) == value
    assert type(fields.parse(shown, kind)) is type(value)


@pytest.mark.parametrize("text", ["1e400", "-1e400", "nan", "inf", "Infinity", "lots"])
def test_a_number_field_refuses_what_is_not_a_finite_number(text: str) -> None:
    with pytest.raises(ValueError):
        fields.parse(text, fields.NUMBER)


def test_table_filters_match_words_whatever_the_case_and_numbers_exactly() -> None:
    assert fields.matches("Lead Firm", "lead")
    assert fields.matches(["North", "South"], "south")
    assert fields.matches(True, "YES") and not fields.matches(False, "yes")
    assert fields.matches(7, "7.0") and not fields.matches(70, "7")
    assert fields.matches("x", "") and not fields.matches(None, "")
