"""Full-text search of lessons: the same behaviour on SQLite (FTS5) and PostgreSQL (tsvector);
CI runs this file on both."""

from __future__ import annotations

from conftest import World
from konbit.learning import selectors, services
from konbit.learning.tests.helpers import access_of, make_lesson, staff_access


def titles(world: World, query: str) -> list[str]:
    return [lesson.title for lesson in selectors.lesson_search(access=staff_access(world), query=query)]


def test_a_word_only_in_what_was_done_finds_the_lesson(world: World) -> None:
    make_lesson(world, title="Meeting rhythm", action="We brought a tamarind-seed grower to every meeting.")
    make_lesson(world, title="Unrelated", action="Nothing about seeds here, only fish.")
    assert titles(world, "tamarind") == ["Meeting rhythm"]


def test_a_word_only_in_the_lesson_field_finds_the_lesson(world: World) -> None:
    make_lesson(world, title="Buyers", lesson="Smallholders trusted the cooperative weighbridge.")
    assert titles(world, "weighbridge") == ["Buyers"]


def test_a_word_of_another_programmes_lesson_finds_nothing(world: World) -> None:
    make_lesson(world, program=world.program_b, title="Bravo pumps", action="Solar borehole maintenance.")
    assert titles(world, "borehole") == []
    outsider = access_of(world.program_b, world.outsider)
    assert [x.title for x in selectors.lesson_search(access=outsider, query="borehole")] == ["Bravo pumps"]


def test_words_are_stemmed_and_match_as_prefixes(world: World) -> None:
    make_lesson(world, title="Keeping partners", context="Partner engagement dropped after the rains.")
    make_lesson(world, title="Inputs", action="Fertiliser dealers joined the round tables.")
    assert titles(world, "engaging") == ["Keeping partners"]  # stemming: engaging ~ engagement
    assert titles(world, "fertil") == ["Inputs"]  # prefix
    assert titles(world, "round table") == ["Inputs"]  # plural and singular
    assert titles(world, "engagement fertiliser") == []  # every word must match


def test_a_match_in_the_title_ranks_above_a_match_in_the_body(world: World) -> None:
    make_lesson(world, title="Notes", recommendation="Ask about cassava prices.")
    make_lesson(world, title="Cassava processors", context="A story.")
    assert titles(world, "cassava") == ["Cassava processors", "Notes"]


def test_edits_and_the_trash_are_reflected(world: World) -> None:
    lesson = make_lesson(world, title="Credit", action="Loan officers visited farms.")
    services.lesson_update(lesson=lesson, by=world.facilitator, data={"action": "Agents visited warehouses."})
    assert titles(world, "loan") == []
    assert titles(world, "warehouses") == ["Credit"]
    services.lesson_delete(lesson=lesson, by=world.facilitator)
    assert titles(world, "warehouses") == []


def test_query_syntax_is_taken_as_plain_words(world: World) -> None:
    make_lesson(world, title="Quotes", action='He said "NEAR" and OR twice.')
    assert titles(world, 'NEAR( "OR* -') == ["Quotes"]
    assert titles(world, "  ...  ") == []
    assert titles(world, "!!! & | :*") == []
