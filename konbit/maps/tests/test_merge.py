"""Duplicates: suggestions that tell "Nord-Est" from "Nord-Ouest", a merge that is confirmed on a page
showing what it does, and an undo that puts every connection, perspective and field back."""

from __future__ import annotations

from typing import Any

from conftest import World, client_for
from konbit.core.access import Access
from konbit.core.models import Membership
from konbit.maps import services
from konbit.maps.merge import distinguishing_words, merge_candidates
from konbit.maps.models import Connection, Element, ElementMerge, Map, Perspective, PerspectiveKind


class Named:
    def __init__(self, label: str) -> None:
        self.label = label


def pairs(labels: list[str]) -> list[tuple[str, str, float, list[str]]]:
    return [
        (c["a"].label, c["b"].label, round(c["score"]), c["different"])
        for c in merge_candidates([Named(label) for label in labels])
    ]


def test_nord_est_and_nord_ouest_are_flagged_probably_different_and_ranked_last() -> None:
    found = pairs(
        [
            "Direction départementale du Nord-Est",
            "Direction départementale du Nord-Ouest",
            "Marché public numéro 1",
            "Marché public numéro 2",
            "Secteur privé formel",
            "Secteur privé informel",
            "Banque Nationale de Crédit",
            "Banque Nationale de Credit ",
        ]
    )
    # The true duplicate comes first, unflagged; every alike-but-different pair after it, flagged.
    assert found[0] == ("Banque Nationale de Crédit", "Banque Nationale de Credit ", 100, [])
    flagged = {(a, b): words for a, b, _score, words in found[1:]}
    assert flagged == {
        ("Direction départementale du Nord-Est", "Direction départementale du Nord-Ouest"): ["est", "ouest"],
        ("Marché public numéro 1", "Marché public numéro 2"): ["1", "2"],
        ("Secteur privé formel", "Secteur privé informel"): ["formel", "informel"],
    }
    assert distinguishing_words("Upper valley growers", "Lower valley growers") == ["upper", "lower"]
    assert distinguishing_words("Old market", "New market") == ["old", "new"]
    assert distinguishing_words("Public school", "Private school") == ["public", "private"]


def test_true_duplicates_are_found_whatever_the_case_accents_spacing_or_abbreviation() -> None:
    found = pairs(
        [
            "Coopérative Kafé Limbé",
            "COOPERATIVE  kafe limbe",
            "Assoc. des planteurs de Dondon",
            "Association des Planteurs de Dondon",
            "Seed Co",
            "SeedCo",
            "Moulin",
        ]
    )
    assert sorted((a, b, score, words) for a, b, score, words in found) == [
        ("Assoc. des planteurs de Dondon", "Association des Planteurs de Dondon", 100, []),
        ("Coopérative Kafé Limbé", "COOPERATIVE  kafe limbe", 100, []),
        ("Seed Co", "SeedCo", 100, []),
    ]


def test_the_duplicates_page_highlights_the_distinguishing_word(world: World) -> None:
    map, access = a_map(world)
    for label in ("Direction du Nord-Est", "Direction du Nord-Ouest"):
        services.element_create(access=access, map=map, by=world.facilitator, data={"label": label})
    page = client_for(world.facilitator).get(f"/p/alpha/maps/{map.pk}/elements/merge/").content.decode()
    assert "Alike names that are probably different" in page
    assert "Direction du Nord-<mark>Est</mark> / Direction du Nord-<mark>Ouest</mark>" in page
    assert "probably different: est / ouest" in page
    assert "No likely duplicates." in page  # the pair is not offered as a duplicate


# --- merging -----------------------------------------------------------------------------------


def a_map(world: World) -> tuple[Map, Access]:
    membership = Membership.objects.select_related("program", "organization").get(
        program=world.program_a, user=world.facilitator
    )
    access = Access(program=world.program_a, membership=membership)
    map = services.map_create(access=access, by=world.facilitator, data={"name": "Coffee"})
    return map, access


def duplicates(world: World) -> dict[str, Any]:
    """Two drawings of the same cooperative, each with its own connections, perspectives and fields,
    and a connection between the two (it becomes a loop on the kept element, and must come back)."""
    map, access = a_map(world)
    by = world.facilitator

    def view(name: str) -> Perspective:
        return services.perspective_create(
            access=access, map=map, by=by, data={"name": name, "kind": PerspectiveKind.WORKSHOP}
        )

    team, farmers, traders = view("Team"), view("Farmers"), view("Traders")
    keep = services.element_create(
        access=access,
        map=map,
        by=by,
        data={"label": "Coopérative Kafé", "type": "Cooperative", "attributes": {"members": "120"}},
        perspectives=[team],
    )
    dup = services.element_create(
        access=access,
        map=map,
        by=by,
        data={
            "label": "COOPERATIVE KAFE",
            "type": "Coop",
            "description": "Coffee growers of Limbé",
            "organization": world.partner_org,
            "attributes": {"members": "95", "ward": "3", "certified": True},
        },
        perspectives=[farmers, traders, team],
    )
    mill = services.element_create(
        access=access, map=map, by=by, data={"label": "Moulin"}, perspectives=[team]
    )
    bank = services.element_create(
        access=access, map=map, by=by, data={"label": "Banque"}, perspectives=[team]
    )

    def tie(source: Element, target: Element, who: Perspective, **extra: Any) -> Connection:
        return services.connection_create(
            access=access,
            map=map,
            by=by,
            data={"source": source, "target": target, "perspective": who, **extra},
        )

    tie(keep, mill, team, sign="+")
    tie(dup, mill, farmers, sign="-", attributes={"season": "dry"})
    tie(bank, dup, traders, direction="mutual")
    tie(dup, keep, farmers)
    return {"map": map, "access": access, "keep": keep, "dup": dup, "farmers": farmers, "team": team}


def state(map: Map) -> dict[str, Any]:
    """Everything a merge may change, as a person would check it."""
    return {
        "connections": sorted(
            (c.pk, c.source_id, c.target_id, c.sign, c.direction, c.perspective_id, str(c.attributes))
            for c in Connection.all_objects.filter(map=map)
        ),
        "elements": sorted(
            (
                e.pk,
                e.label,
                e.type,
                e.description,
                e.organization_id,
                str(sorted(e.attributes.items())),
                tuple(sorted(e.perspectives.values_list("pk", flat=True))),
                e.deleted_at is None,
            )
            for e in Element.all_objects.filter(map=map)
        ),
    }


def test_the_merge_page_shows_both_elements_and_what_moves_and_only_a_post_merges(world: World) -> None:
    d = duplicates(world)
    map, keep, dup = d["map"], d["keep"], d["dup"]
    client = client_for(world.facilitator)
    url = f"/p/alpha/maps/{map.pk}/elements/{keep.pk}/merge/{dup.pk}/"
    before = state(map)
    page = client.get(url).content.decode()
    assert state(map) == before  # looking changes nothing
    assert "Merge these two elements?" in page
    assert "3 connections of “COOPERATIVE KAFE” move to “Coopérative Kafé”." in page
    assert "“Coopérative Kafé” joins these perspectives: Traders." in page
    assert "Coffee growers of Limbé" in page and "Alpha Partner Cooperative" in page
    # Filled from the other: description, organisation and the two custom fields the kept one lacks,
    # shown as a reader reads them (a yes/no field as "yes", never Python's "True").
    assert page.count('<small class="badge">from the other</small>') == 4
    assert '<td data-label="After the merge">3 <small class="badge">from the other</small>' in page
    assert '<td data-label="After the merge">yes <small class="badge">from the other</small>' in page
    assert "True" not in page
    assert f"/elements/{dup.pk}/merge/{keep.pk}/" in page  # keep the other one instead
    # An old-style post of the pair to the list page only leads to this page.
    old = client.post(f"/p/alpha/maps/{map.pk}/elements/merge/", {"keep": keep.pk, "merge": dup.pk})
    assert old.status_code == 302 and old["Location"].endswith(url)
    assert state(map) == before
    done = client.post(url, follow=True)
    assert "merged into “Coopérative Kafé” (3 connections moved)" in done.content.decode()
    assert "Undo merge" in done.content.decode()
    assert not Element.objects.filter(pk=dup.pk).exists()
    kept = Element.objects.get(pk=keep.pk)
    assert kept.type == "Cooperative" and kept.description == "Coffee growers of Limbé"  # its own value wins
    assert kept.attributes == {"members": "120", "ward": "3", "certified": True}
    assert kept.organization == world.partner_org
    assert Connection.objects.filter(source=keep, target=keep).count() == 1
    assert Connection.objects.filter(map=map).exclude(source=keep).exclude(target=keep).count() == 0


def test_undo_restores_both_elements_and_each_connection_exactly(world: World) -> None:
    d = duplicates(world)
    map, keep, dup = d["map"], d["keep"], d["dup"]
    before = state(map)
    client = client_for(world.facilitator)
    client.post(f"/p/alpha/maps/{map.pk}/elements/{keep.pk}/merge/{dup.pk}/")
    assert state(map) != before
    record = ElementMerge.objects.get(map=map)
    response = client.post(f"/p/alpha/maps/{map.pk}/merges/{record.pk}/undo/", follow=True)
    assert "Merge undone: “COOPERATIVE KAFE” is back with its 3 connections." in response.content.decode()
    assert state(map) == before
    # Once only; the list says it was undone.
    again = client.post(f"/p/alpha/maps/{map.pk}/merges/{record.pk}/undo/", follow=True).content.decode()
    assert "This merge has already been undone." in again
    assert state(map) == before


def test_undo_keeps_what_someone_changed_after_the_merge(world: World) -> None:
    d = duplicates(world)
    keep, dup, access = d["keep"], d["dup"], d["access"]
    record = services.element_merge(access=access, keep=keep, merge=dup, by=world.facilitator)
    kept = Element.objects.get(pk=keep.pk)
    services.element_update(element=kept, by=world.facilitator, data={"description": "Rewritten since"})
    services.element_merge_undo(access=access, record=record, by=world.facilitator)
    kept = Element.objects.get(pk=keep.pk)
    assert kept.description == "Rewritten since"  # a later edit is not undone
    assert kept.organization is None and kept.attributes == {"members": "120"}  # the merge's own changes are
    assert Element.objects.get(pk=dup.pk).label == "COOPERATIVE KAFE"


def test_another_programmes_elements_and_merges_are_not_found(world: World) -> None:
    d = duplicates(world)
    map, keep, dup = d["map"], d["keep"], d["dup"]
    record = services.element_merge(access=d["access"], keep=keep, merge=dup, by=world.facilitator)
    services.element_merge_undo(access=d["access"], record=record, by=world.facilitator)
    before = state(map)
    # The outsider owns programme B: its own map, with A's ids in its URLs.
    b_access = Access(
        program=world.program_b,
        membership=Membership.objects.get(program=world.program_b, user=world.outsider),
    )
    b_map = services.map_create(access=b_access, by=world.outsider, data={"name": "Water"})
    b_el = services.element_create(access=b_access, map=b_map, by=world.outsider, data={"label": "Pump"})
    outsider = client_for(world.outsider)
    for url in (
        f"/p/bravo/maps/{b_map.pk}/elements/{b_el.pk}/merge/{dup.pk}/",
        f"/p/bravo/maps/{b_map.pk}/elements/{keep.pk}/merge/{b_el.pk}/",
        f"/p/alpha/maps/{map.pk}/elements/{keep.pk}/merge/{dup.pk}/",
    ):
        assert outsider.get(url).status_code == 404, url
        assert outsider.post(url).status_code == 404, url
    assert outsider.post(f"/p/bravo/maps/{b_map.pk}/merges/{record.pk}/undo/").status_code == 404
    # An element of another map of the same programme is refused too.
    other_map, _access = a_map(world)
    stray = services.element_create(
        access=d["access"], map=other_map, by=world.facilitator, data={"label": "Cooperative Kafe"}
    )
    url = f"/p/alpha/maps/{map.pk}/elements/{keep.pk}/merge/{stray.pk}/"
    assert client_for(world.facilitator).post(url).status_code == 404
    assert state(map) == before and Element.objects.get(pk=stray.pk).deleted_at is None
