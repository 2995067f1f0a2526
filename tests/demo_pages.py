"""The demo programme with a value in every field of the first row of each kind, and the URLs of its
pages: what the walks over every page in French and English open (tests/test_form_roundtrip.py,
tests/test_french_pages.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.test import Client

from konbit.core.demo import build_demo
from konbit.core.models import Membership, Phase, Program, TenantModel
from konbit.indicators.models import Indicator
from konbit.indicators.services import indicator_refresh
from konbit.maps.models import Connection, Element, Map, Perspective
from tests.urlwalk import PARAM, fill, program_routes

# Bookkeeping that a save may touch without changing what the user sees.
BOOKKEEPING = {"updated_at", "updated_by", "version", "content_version", "layout_version"}
FILLED_DATE = datetime.date(2024, 10, 29)


def tenant_models() -> list[type[TenantModel]]:
    return [
        m
        for m in apps.get_models()
        if issubclass(m, TenantModel) and not m._meta.abstract and not m._meta.proxy
    ]


def _fill_value(row: Any, f: models.Field[Any, Any]) -> Any:
    """A plausible value for an empty field, of the kind that trips localisation (dates, decimals)."""
    if f.choices:
        return next((value for value, _label in f.flatchoices if value not in ("", None)), None)
    if isinstance(f, models.DateTimeField):
        return None
    if isinstance(f, models.DateField):
        others = [
            getattr(row, o.attname) for o in row._meta.concrete_fields if isinstance(o, models.DateField)
        ]
        others = [d for d in others if isinstance(d, datetime.date) and not isinstance(d, datetime.datetime)]
        later = any(word in f.name for word in ("end", "until", "due", "to", "review", "closed"))
        if not others:
            return FILLED_DATE
        return (
            max(others) + datetime.timedelta(days=29) if later else min(others) - datetime.timedelta(days=3)
        )
    if isinstance(f, models.DecimalField):
        return Decimal("14087.65") if (f.max_digits or 0) - (f.decimal_places or 0) >= 5 else Decimal("0.65")
    if isinstance(f, models.FloatField):
        return 0.65
    if isinstance(f, models.PositiveSmallIntegerField | models.SmallIntegerField):
        return 3
    if isinstance(f, models.IntegerField):
        return 1234
    if isinstance(f, models.URLField):
        return "https://example.org/filled"
    if isinstance(f, models.EmailField):
        return "filled@example.org"
    if isinstance(f, models.SlugField):
        return None
    if isinstance(f, models.CharField | models.TextField):
        return ("Filled " + f.name)[: f.max_length or 200]
    return None


def fill_every_field(row: Any) -> None:
    """Give every empty editable field of the row a value, and fractional values to its decimals, one
    field at a time so that a value the database refuses (a constraint) is simply left out."""
    for f in row._meta.concrete_fields:
        if not f.editable or f.primary_key or f.is_relation or f.name in BOOKKEEPING:
            continue
        current = getattr(row, f.attname)
        fractional = isinstance(f, models.DecimalField | models.FloatField) and current is not None
        if current not in (None, "") and not (fractional and current == int(current)):
            continue
        value = _fill_value(row, f)
        if fractional and current is not None:
            value = (
                Decimal(current) + Decimal("0.65") if isinstance(f, models.DecimalField) else current + 0.65
            )
        if value is None:
            continue
        try:
            with transaction.atomic():
                type(row).all_objects.filter(pk=row.pk).update(**{f.attname: value})
        except (IntegrityError, ArithmeticError, ValueError):
            continue
        setattr(row, f.attname, value)


def first(model: type[models.Model], **filters: Any) -> list[str]:
    pk = model._default_manager.filter(**filters).order_by("pk").values_list("pk", flat=True).first()
    return [] if pk is None else [str(pk)]


@pytest.fixture
def filled_demo() -> tuple[Program, dict[str, list[str]]]:
    program = build_demo()
    pks: set[str] = set()
    for model in tenant_models():
        row = model.all_objects.filter(program=program, deleted_at=None).order_by("pk").first()
        if row is not None:
            fill_every_field(row)
            pks.add(str(row.pk))
    # Derived figures follow the values just filled in, as the services would have kept them.
    for indicator in Indicator.objects.filter(program=program):
        indicator_refresh(indicator=indicator)
    the_map = Map.objects.filter(program=program).order_by("pk").first()
    assert the_map is not None
    params = {
        "program": [program.slug],
        "pk": sorted(pks, key=int),
        "element": first(Element, map=the_map),
        "connection": first(Connection, map=the_map),
        "perspective": first(Perspective, map=the_map),
        "phase": [str(value) for value in Phase.values],
    }
    return program, params


# Routes whose pages hold no form of their own or only write on purpose (downloads, deletes, imports).
SKIPPED_SUFFIXES = ("delete/", "remove/", "restore/", "export.<str:fmt>", ".<str:fmt>", "data.json")


def page_urls(params: dict[str, list[str]]) -> list[str]:
    urls = []
    for route, _pattern in program_routes():
        if route.endswith(SKIPPED_SUFFIXES) or any(p not in params for p in _params(route)):
            continue
        urls.extend(fill(route, params))
    return urls


def _params(route: str) -> list[str]:
    return [m.group("name") for m in PARAM.finditer(route)]


def owner_client(program: Program, language: str) -> Client:
    owner = Membership.objects.filter(program=program, role="owner").select_related("user").first()
    assert owner is not None
    client = Client(headers={"Accept-Language": language})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(owner.user)
    return client
