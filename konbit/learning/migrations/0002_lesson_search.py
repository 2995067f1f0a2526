"""Full-text search of lessons, per engine (see konbit/learning/search.py).

The model knows nothing of it, so `makemigrations --check` stays clean on both engines:
- PostgreSQL: a generated tsvector column (English configuration, title weighted A, tags B, the
  body C) with a GIN index. PostgreSQL keeps it current on every insert and update.
- SQLite: an FTS5 table (porter stemming, accents folded) whose rowid is the lesson id, written by
  the lesson services (search.index_lessons); triggers would be lost when Django rebuilds the table
  in a later migration.
Note for later migrations: PostgreSQL refuses to change the type of a column a generated column
uses (title, tags and the five body fields); drop and re-add search_document around such a change.
"""

from django.db import migrations

PG_FORWARD = [
    """
    ALTER TABLE learning_lesson ADD COLUMN search_document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, coalesce(tags, '')), 'B')
        || setweight(to_tsvector('english'::regconfig,
            coalesce(context, '') || ' ' || coalesce(action, '') || ' ' || coalesce(lesson, '') || ' '
            || coalesce(application, '') || ' ' || coalesce(recommendation, '')), 'C')
    ) STORED
    """,
    "CREATE INDEX learning_lesson_search_idx ON learning_lesson USING gin (search_document)",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS learning_lesson_search_idx",
    "ALTER TABLE learning_lesson DROP COLUMN IF EXISTS search_document",
]
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS learning_lesson_fts USING fts5("
    "title, tags, body, tokenize = 'porter unicode61 remove_diacritics 2')",
    "INSERT INTO learning_lesson_fts (rowid, title, tags, body) SELECT id, title, tags, "
    "context || ' ' || action || ' ' || lesson || ' ' || application || ' ' || recommendation "
    "FROM learning_lesson",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS learning_lesson_fts"]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("learning", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
