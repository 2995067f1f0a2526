"""The comparison page, read as a facilitator who is not a network specialist would read it: counts
("2 of 3 perspectives"), a consensus chosen as a number of perspectives, a table that searches, sorts
and pages, each measure explained with the elements' names, and one perspective's own summary."""

from __future__ import annotations

import re
from typing import Any

from conftest import World, client_for
from konbit.core.access import Access
from konbit.core.models import Membership
from konbit.maps import graph, services
from konbit.maps.models import Element, Map, Perspective


def access_of(world: World) -> Access:
    membership = Membership.objects.select_related("program", "organization").get(
        program=world.program_a, user=world.facilitator
    )
    return Access(program=world.program_a, membership=membership)


def e(key: str, label: str) -> graph.GElement:
    return graph.GElement(id=key, label=label)


def c(
    source: str, target: str, who: str, sign: str = "", direction: str = graph.DIRECTED
) -> graph.GConnection:
    return graph.GConnection(source=source, target=target, perspective=who, sign=sign, direction=direction)


def market(world: World) -> Map:
    """Three views of a coffee market. Written out:
    coop→mill   Farmers +, Traders +, Bank −     (3 of 3; a sign disagreement)
    bank→coop   Farmers, Bank                    (2 of 3)
    coop→buyer  Farmers;  buyer→coop  Traders    (1 of 3 each; a direction disagreement)
    bank–mill   Bank (undirected)                (1 of 3)"""
    gmap = graph.GMap(
        name="Coffee",
        elements=[
            e("k-coop", "Coopérative  Kafé Limbé"),
            e("k-mill", "Moulin du Nord"),
            e("k-bank", "Banque agricole"),
            e("k-buyer", "Exportateur"),
        ],
        connections=[
            c("k-coop", "k-mill", "Farmers", "+"),
            c("k-coop", "k-mill", "Traders", "+"),
            c("k-coop", "k-mill", "Bank", "-"),
            c("k-bank", "k-coop", "Farmers"),
            c("k-bank", "k-coop", "Bank"),
            c("k-coop", "k-buyer", "Farmers"),
            c("k-buyer", "k-coop", "Traders"),
            c("k-bank", "k-mill", "Bank", direction=graph.UNDIRECTED),
        ],
    )
    return services.map_import(access=access_of(world), by=world.facilitator, gmap=gmap, name="Coffee")


def url(map: Map) -> str:
    return f"/p/alpha/maps/{map.pk}/compare/"


def text(response: Any) -> str:
    """The page's main content as a person reads it: tags and repeated spaces gone."""
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).replace("&nbsp;", " ")


def table_rows(response: Any) -> list[str]:
    html = response.content.decode()
    table = html[html.index('class="stack striped compare-table"') :]
    table = table[: table.index("</table>")]
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
    ][1:]


def test_agreement_is_a_count_of_perspectives_and_consensus_defaults_to_the_majority(world: World) -> None:
    map = market(world)
    client = client_for(world.facilitator)
    page = text(client.get(url(map)))
    assert "Coopérative Kafé Limbé → Moulin du Nord 3 of 3 perspectives" in page
    assert "Banque agricole → Coopérative Kafé Limbé 2 of 3 perspectives" in page
    # Majority of three: two. Consensus then holds the two connections drawn by two or three.
    assert "Consensus: drawn by at least 2 of 3 perspectives" in page
    assert "Show 2 connections" in page.split("Consensus: drawn by")[-1]
    # Chosen as a number; an old link with a share still works.
    one = text(client.get(url(map), {"at_least": 1}))
    assert "Consensus: drawn by at least 1 of 3 perspectives" in one and "Show 5 connections" in one
    old = text(client.get(url(map), {"threshold": "1"}))
    assert "Consensus: drawn by at least 3 of 3 perspectives" in old
    assert "Consensus: drawn by at least 3 of 3" in text(client.get(url(map), {"at_least": 99}))
    html = client.get(url(map)).content.decode()
    assert re.search(r'<option value="2" selected>\s*2 of 3 perspectives', html)


def test_the_table_searches_ignoring_case_accents_and_spacing_and_sorts(world: World) -> None:
    map = market(world)
    client = client_for(world.facilitator)
    rows = table_rows(client.get(url(map)))
    assert rows[0].startswith("Coopérative Kafé Limbé → Moulin du Nord")  # most agreed first
    assert len(rows) == 5
    found = table_rows(client.get(url(map), {"q": "cooperative  KAFE lim"}))
    assert len(found) == 4 and all("Coopérative Kafé Limbé" in row for row in found)
    assert table_rows(client.get(url(map), {"q": "moulindunord"})) == [
        "Coopérative Kafé Limbé → Moulin du Nord 3 of 3 perspectives Bank, Farmers, Traders",
        "Banque agricole — Moulin du Nord 1 of 3 perspectives Bank",
    ]
    by_to = table_rows(client.get(url(map), {"sort": "to"}))
    assert [re.split(r" \d of 3 perspectives", row)[0] for row in by_to] == [
        "Banque agricole → Coopérative Kafé Limbé",
        "Exportateur → Coopérative Kafé Limbé",
        "Coopérative Kafé Limbé → Exportateur",
        "Banque agricole — Moulin du Nord",
        "Coopérative Kafé Limbé → Moulin du Nord",
    ]
    fewest = table_rows(client.get(url(map), {"sort": "-agreement"}))
    assert "1 of 3" in fewest[0] and "3 of 3" in fewest[-1]
    nothing = text(client.get(url(map), {"q": "Ouest"}))
    assert "No connection joins an element whose name contains “Ouest”." in nothing
    assert "Show every connection" in nothing


def test_each_measure_is_explained_with_the_elements_names(world: World) -> None:
    map = market(world)
    page = text(client_for(world.facilitator).get(url(map)))
    # Signs, in words, with who says what.
    assert "more of Coopérative Kafé Limbé brings more of Moulin du Nord: Farmers, Traders" in page
    assert "more of Coopérative Kafé Limbé brings less of Moulin du Nord: Bank" in page
    # Directions, in words.
    assert "Coopérative Kafé Limbé acts on Exportateur: Farmers" in page
    assert "Exportateur acts on Coopérative Kafé Limbé: Traders" in page
    # Alignment as counts: Farmers and Traders share coop→mill of the 4 connections either draws.
    assert "of the connections either of them draws" not in page  # explained in prose, not jargon
    assert "1 of 4 (25 %)" in page
    assert "Jaccard index" in page  # named once, for specialists, inside the explanation
    for heading in ("What does this mean?", "Blind spots: drawn by one perspective only"):
        assert heading in page
    # Labels, never the elements' keys.
    assert "k-coop" not in client_for(world.facilitator).get(url(map)).content.decode()


def test_one_perspectives_summary_says_what_only_it_sees_and_where_it_disagrees(world: World) -> None:
    map = market(world)
    bank = Perspective.objects.get(map=map, name="Bank")
    page = text(client_for(world.facilitator).get(url(map), {"focus": bank.pk}))
    summary = page.split("One perspective against the others")[1].split("Alignment between perspectives")[0]
    assert "What only Bank sees" in summary
    assert (
        "Bank draws 1 connection that no other perspective draws: Banque agricole — Moulin du Nord" in summary
    )
    assert "Where Bank disagrees with others" in summary
    assert "more of Coopérative Kafé Limbé brings less of Moulin du Nord: Bank" in summary
    assert "Exportateur" not in summary  # a direction disagreement Bank takes no part in
    # Bank shares 2 of 4 with Farmers (coop→mill, bank→coop) and 1 of 4 with Traders.
    assert "Closest: Farmers — 2 of 4 connections shared." in summary
    assert "Furthest: Traders — 1 of 4 connections shared." in summary


def test_a_partner_user_never_sees_the_others_perspectives(world: World) -> None:
    """Comparing is staff work: a partner user, even one whose organisation drew a perspective of the
    map, gets "not found" (selectors.perspective_list would limit it to its own anyway)."""
    map = market(world)
    Perspective.objects.filter(map=map, name="Traders").update(organization=world.partner_org)
    others = list(Perspective.objects.filter(map=map).exclude(name="Traders").values_list("pk", flat=True))
    response = client_for(world.partner_user).get(url(map), {"perspective": others, "focus": others[0]})
    assert response.status_code == 404
    assert "Banque agricole" not in response.content.decode()


def test_a_page_of_many_connections_is_paged_with_links_that_keep_the_search(
    world: World, monkeypatch: Any
) -> None:
    from konbit.maps.views import compare

    monkeypatch.setattr(compare, "PAGE_SIZE", 2)
    map = market(world)
    client = client_for(world.facilitator)
    first = client.get(url(map), {"q": "kafe"})
    html = first.content.decode()
    assert "Rows 1–2 of 4." in text(first) and "Page 1 of 2" in text(first)
    nxt = re.search(r'href="(\?[^"]*page=2[^"]*)#agree-title" rel="next"', html)
    assert nxt and "q=kafe" in nxt.group(1)
    second = client.get(url(map) + nxt.group(1).replace("&amp;", "&"))
    assert "Rows 3–4 of 4." in text(second)
    assert Element.objects.filter(map=map).count() == 4
