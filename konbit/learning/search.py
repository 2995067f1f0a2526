"""Ranked full-text search of lessons on PostgreSQL and SQLite, behind one function.

Behaviour (the same on both engines, tested on both):
- every word of the query must appear (AND), in any field: title, tags, context, what was done,
  results and the lesson, application, recommendation;
- words are stemmed with English rules (Porter on SQLite, the `english` configuration on
  PostgreSQL): "engaging" finds "engagement", "round tables" finds "round table";
- each word also matches as a prefix: "co-inv" finds "co-investment", "fert" finds "fertiliser";
- punctuation is ignored and nothing the user types is passed as query syntax (no operators);
- results are ranked: a match in the title counts most, then the tags, then the body
  (ts_rank with weights A/B/C on PostgreSQL, bm25 with column weights 10/5/1 on SQLite).
Accents: SQLite folds them ("reseau" finds "réseau"); PostgreSQL's english configuration does not.
Non-English text is still found word for word and by prefix, just without stemming.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import F, FloatField, QuerySet
from django.db.models.expressions import RawSQL

MAX_WORDS = 12
WORD = re.compile(r"\w+", re.UNICODE)
FTS_TABLE = "learning_lesson_fts"


def query_words(query: str) -> list[str]:
    return [w.lower() for w in WORD.findall(query)][:MAX_WORDS]


def _body(lesson: Any) -> str:
    return " ".join([lesson.context, lesson.action, lesson.lesson, lesson.application, lesson.recommendation])


def index_lessons(lessons: Iterable[Any]) -> None:
    """Write lessons into the SQLite FTS table (PostgreSQL computes its column by itself)."""
    if connection.vendor != "sqlite":
        return
    rows = [(lesson.pk, lesson.title, lesson.tags, _body(lesson)) for lesson in lessons]
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(r[0],) for r in rows])  # noqa: S608
        cursor.executemany(
            f"INSERT INTO {FTS_TABLE} (rowid, title, tags, body) VALUES (%s, %s, %s, %s)",  # noqa: S608
            rows,
        )


def unindex_lessons(ids: Iterable[int]) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(pk,) for pk in ids])  # noqa: S608


def ranked(qs: QuerySet[Any], query: str) -> QuerySet[Any]:
    """`qs` (lessons) narrowed to those matching `query`, annotated with `search_rank` (higher is
    better) and ordered by it. A query with no word leaves `qs` as it is, with a rank of 0."""
    words = query_words(query)
    if not words:
        return qs.annotate(search_rank=RawSQL("0.0", (), output_field=FloatField()))
    if connection.vendor == "postgresql":
        return _ranked_postgresql(qs, words)
    return _ranked_sqlite(qs, words)


def _ranked_postgresql(qs: QuerySet[Any], words: list[str]) -> QuerySet[Any]:
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField

    # Words are \w+ only, so they cannot carry tsquery syntax; ":*" asks for prefix matching.
    search = SearchQuery(" & ".join(f"{w}:*" for w in words), search_type="raw", config="english")
    document = RawSQL('"learning_lesson"."search_document"', [], output_field=SearchVectorField())
    return (
        qs.annotate(search_document=document)
        .filter(search_document=search)
        .annotate(search_rank=SearchRank(F("search_document"), search))
        .order_by("-search_rank", "-learned_on", "-pk")
    )


def _ranked_sqlite(qs: QuerySet[Any], words: list[str]) -> QuerySet[Any]:
    # Each word quoted (so it is a plain term, never FTS syntax) and starred (prefix match).
    match = " AND ".join('"' + w.replace('"', "") + '"*' for w in words)
    rank = RawSQL(  # noqa: S611 - fixed SQL; the user's words are a bound parameter
        f"SELECT -bm25({FTS_TABLE}, 10.0, 5.0, 1.0) FROM {FTS_TABLE} "  # noqa: S608
        f"WHERE {FTS_TABLE} MATCH %s AND {FTS_TABLE}.rowid = learning_lesson.id",
        (match,),
        output_field=FloatField(),
    )
    matching = RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", (match,))  # noqa: S608,S611
    return (
        qs.filter(pk__in=matching).annotate(search_rank=rank).order_by("-search_rank", "-learned_on", "-pk")
    )


def reindex_all() -> None:
    """Rebuild the SQLite FTS table from every lesson, trash included (after a restore)."""
    if connection.vendor != "sqlite":
        return
    from .models import Lesson

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE}")  # noqa: S608
    index_lessons(Lesson.all_objects.order_by("pk").iterator(chunk_size=500))
