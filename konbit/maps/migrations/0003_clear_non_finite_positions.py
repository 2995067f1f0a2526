"""Positions saved before the map view refused non-finite numbers could hold Infinity (or NaN on
PostgreSQL): the map's JSON then carried `Infinity` and the page never loaded. Such positions are
cleared (the map lays them out again) and the map's layout version bumped so cached data is rebuilt."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.models import F, Q

LIMIT = 1e308  # beyond any finite double; PostgreSQL also sorts NaN above it


def clear(apps: Any, schema_editor: Any) -> None:
    Element = apps.get_model("maps", "Element")
    Map = apps.get_model("maps", "Map")
    bad = Element._base_manager.filter(Q(x__gt=LIMIT) | Q(x__lt=-LIMIT) | Q(y__gt=LIMIT) | Q(y__lt=-LIMIT))
    map_ids = set(bad.values_list("map_id", flat=True))
    if map_ids:
        bad.update(x=None, y=None)
        Map._base_manager.filter(pk__in=map_ids).update(layout_version=F("layout_version") + 1)


class Migration(migrations.Migration):
    dependencies = [("maps", "0002_map_layout_version")]

    operations = [migrations.RunPython(clear, migrations.RunPython.noop)]
