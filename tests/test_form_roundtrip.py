"""Every form of the product, opened in French and in English on records that hold a value in every
field and saved unchanged, leaves the database as it was.

The forms are found by walking every URL pattern under /p/<program>/ (as the tenancy walk does) with
real ids of the demo programme, so a new form is covered the day it is added. A form is read and sent the
way a browser would (tests/forms.py): a date the date picker cannot parse comes up empty and is sent
empty, which is how a French `02/12/2026` used to erase dates on save.
"""

from __future__ import annotations

from typing import Any

import pytest

from konbit.core.models import Program
from tests.demo_pages import BOOKKEEPING, filled_demo, owner_client, page_urls, tenant_models
from tests.forms import VALID, Form, page_forms, typed_inputs

__all__ = ["filled_demo"]  # the fixture


def snapshot(program: Program) -> dict[tuple[str, int], dict[str, Any]]:
    rows = {}
    for model in tenant_models():
        names = [f.attname for f in model._meta.concrete_fields if f.name not in BOOKKEEPING]
        for values in model.all_objects.filter(program=program).values(*names):
            rows[(model._meta.label, values["id"])] = values
    return rows


def describe(key: tuple[str, int], old: dict[str, Any], new: dict[str, Any]) -> str:
    fields = ", ".join(f"{k} {old.get(k)!r} → {v!r}" for k, v in new.items() if old.get(k) != v)
    return f"{key[0]}#{key[1]}: {fields}"


def is_edit_form(form: Form) -> bool:
    """A form that holds a stored record's values: every edit form carries the version of the record it
    shows (conflict detection); a create form's version is empty."""
    version = next((f.value for f in form.fields if f.name == "version"), "")
    return form.method == "post" and version != ""


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_form_shows_its_values_and_saved_unchanged_changes_nothing(
    db: Any, filled_demo: tuple[Program, dict[str, list[str]]], language: str
) -> None:
    program, params = filled_demo
    client = owner_client(program, language)
    before = snapshot(program)
    saved: list[str] = []
    problems: list[str] = []
    refused: list[str] = []  # pre-filled values a widget would discard, in any form (create forms too)
    dates = 0
    for url in page_urls(params):
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        html = response.content.decode()
        for kind, value in typed_inputs(html):
            dates += kind == "date" and value != ""
            if value and not VALID[kind].fullmatch(value):
                refused.append(f"{url}: <input type={kind} value={value!r}>")
        for form in page_forms(html):
            if not is_edit_form(form):
                continue
            target = form.action or url
            answer = client.post(target, form.data(), headers={"HX-Request": "true"} if target != url else {})
            after = snapshot(program)
            changed = [
                describe(key, before.get(key, {}), row)
                for key, row in after.items()
                if before.get(key) != row
            ]
            if answer.status_code >= 400 or b"errorlist" in answer.content or changed:
                detail = "; ".join(changed)[:500]
                problems.append(f"{target} (form on {url}) → {answer.status_code}; {detail}")
            saved.append(target)
            before = after
    assert refused == [], "\n".join(refused)
    assert problems == [], "\n".join(problems)
    assert dates > 10  # the pages really showed filled date fields
    # The walk really reached the edit forms of every pillar.
    reached = " ".join(saved)
    for part in (
        "/partners/",
        "/maps/",
        "/change/interventions/",
        "/change/indicators/",
        "/learning/",
        "/settings/",
    ):
        assert part in reached, f"no edit form saved under {part}: {sorted(set(saved))}"
