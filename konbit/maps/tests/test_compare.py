"""Comparing perspectives: a hand-built fixture whose every expected figure is written out. Pure."""

from __future__ import annotations

import pytest

from konbit.maps.analysis import compare
from konbit.maps.graph import DIRECTED, MUTUAL, UNDIRECTED, GConnection


def c(source, target, perspective, *, sign="", direction=DIRECTED) -> GConnection:
    return GConnection(source=source, target=target, perspective=perspective, sign=sign, direction=direction)


# Three views of a small market system.
FIXTURE = [
    # farmers
    c("coop", "mill", "farmers", sign="+"),
    c("mill", "bank", "farmers", sign="+", direction=MUTUAL),
    c("coop", "buyer", "farmers", sign="+"),
    c("ngo", "coop", "farmers", sign="+"),
    # traders
    c("coop", "mill", "traders", sign="+"),
    c("coop", "mill", "traders", sign="+"),  # recorded twice: still one connection
    c("bank", "mill", "traders", sign="-", direction=MUTUAL),
    c("buyer", "coop", "traders", sign="+"),
    c("ngo", "coop", "traders", direction=UNDIRECTED),
    # bank
    c("coop", "mill", "bank", sign="-"),
    c("bank", "mill", "bank", sign="+", direction=MUTUAL),
    c("bank", "ngo", "bank", direction=UNDIRECTED),
    # recorded without a perspective: not part of the comparison
    c("coop", "bank", ""),
]

THIRD = 1 / 3


def test_three_perspectives_written_out():
    result = compare(FIXTURE)
    assert result == {
        "perspectives": ["bank", "farmers", "traders"],
        "connections": [
            {
                "from": "bank",
                "to": "mill",
                "directed": False,
                "perspectives": ["bank", "farmers", "traders"],
                "agreement": 1.0,
                "count": 3,
                "of": 3,
            },
            {
                "from": "bank",
                "to": "ngo",
                "directed": False,
                "perspectives": ["bank"],
                "agreement": THIRD,
                "count": 1,
                "of": 3,
            },
            {
                "from": "buyer",
                "to": "coop",
                "directed": True,
                "perspectives": ["traders"],
                "agreement": THIRD,
                "count": 1,
                "of": 3,
            },
            {
                "from": "coop",
                "to": "buyer",
                "directed": True,
                "perspectives": ["farmers"],
                "agreement": THIRD,
                "count": 1,
                "of": 3,
            },
            {
                "from": "coop",
                "to": "mill",
                "directed": True,
                "perspectives": ["bank", "farmers", "traders"],
                "agreement": 1.0,
                "count": 3,
                "of": 3,
            },
            {
                "from": "coop",
                "to": "ngo",
                "directed": False,
                "perspectives": ["traders"],
                "agreement": THIRD,
                "count": 1,
                "of": 3,
            },
            {
                "from": "ngo",
                "to": "coop",
                "directed": True,
                "perspectives": ["farmers"],
                "agreement": THIRD,
                "count": 1,
                "of": 3,
            },
        ],
        "blind_spots": [
            {"from": "bank", "to": "ngo", "directed": False, "perspective": "bank"},
            {"from": "buyer", "to": "coop", "directed": True, "perspective": "traders"},
            {"from": "coop", "to": "buyer", "directed": True, "perspective": "farmers"},
            {"from": "coop", "to": "ngo", "directed": False, "perspective": "traders"},
            {"from": "ngo", "to": "coop", "directed": True, "perspective": "farmers"},
        ],
        "disagreements": [
            {
                "from": "bank",
                "to": "mill",
                "directed": False,
                "signs": {"+": ["bank", "farmers"], "-": ["traders"]},
            },
            {
                "from": "coop",
                "to": "mill",
                "directed": True,
                "signs": {"+": ["farmers", "traders"], "-": ["bank"]},
            },
        ],
        # coop→buyer against buyer→coop; ngo→coop against an undirected ngo–coop is no disagreement.
        "direction_disagreements": [
            {"from": "buyer", "to": "coop", "directions": {"backward": ["farmers"], "forward": ["traders"]}},
        ],
        "alignment": {
            # farmers ∩ traders = {coop→mill, bank–mill}; union 6.  Each with bank: 2 of 5.
            "bank": {"bank": 1.0, "farmers": 0.4, "traders": 0.4},
            "farmers": {"bank": 0.4, "farmers": 1.0, "traders": THIRD},
            "traders": {"bank": 0.4, "farmers": THIRD, "traders": 1.0},
        },
        "overlap": {
            "bank": {
                "bank": {"shared": 3, "either": 3},
                "farmers": {"shared": 2, "either": 5},
                "traders": {"shared": 2, "either": 5},
            },
            "farmers": {
                "bank": {"shared": 2, "either": 5},
                "farmers": {"shared": 4, "either": 4},
                "traders": {"shared": 2, "either": 6},
            },
            "traders": {
                "bank": {"shared": 2, "either": 5},
                "farmers": {"shared": 2, "either": 6},
                "traders": {"shared": 4, "either": 4},
            },
        },
        "consensus": [
            {"from": "bank", "to": "mill", "directed": False, "agreement": 1.0, "count": 3, "of": 3},
            {"from": "coop", "to": "mill", "directed": True, "agreement": 1.0, "count": 3, "of": 3},
        ],
        "elements": {"only_some": [{"id": "buyer", "perspectives": ["farmers", "traders"]}]},
    }


def test_threshold_and_chosen_perspectives():
    result = compare(FIXTURE, ["farmers", "traders"], threshold=0.5)
    assert result["perspectives"] == ["farmers", "traders"]
    # With two perspectives, a connection seen by one has agreement ½ and is consensus at 0.5.
    assert {(x["from"], x["to"]): x["agreement"] for x in result["consensus"]} == {
        ("bank", "mill"): 1.0,
        ("buyer", "coop"): 0.5,
        ("coop", "buyer"): 0.5,
        ("coop", "mill"): 1.0,
        ("coop", "ngo"): 0.5,
        ("ngo", "coop"): 0.5,
    }
    assert compare(FIXTURE, ["farmers", "traders"], threshold=0.75)["consensus"] == [
        {"from": "bank", "to": "mill", "directed": False, "agreement": 1.0, "count": 2, "of": 2},
        {"from": "coop", "to": "mill", "directed": True, "agreement": 1.0, "count": 2, "of": 2},
    ]
    assert result["alignment"]["farmers"]["traders"] == pytest.approx(2 / 6)
    assert result["elements"]["only_some"] == []  # the bank's own view is left out


def test_a_named_perspective_without_connections_sees_nothing():
    result = compare(FIXTURE, ["farmers", "workshop"])
    assert result["alignment"]["workshop"] == {"farmers": 0.0, "workshop": 1.0}
    assert all(x["agreement"] == 0.5 for x in result["connections"])
    assert len(result["blind_spots"]) == 4
    assert {x["id"] for x in result["elements"]["only_some"]} == {"bank", "buyer", "coop", "mill", "ngo"}


def test_two_empty_perspectives_are_fully_aligned():
    result = compare([], ["a", "b"])
    assert result["alignment"] == {"a": {"a": 1.0, "b": 1.0}, "b": {"a": 1.0, "b": 1.0}}
    assert result["connections"] == result["blind_spots"] == result["consensus"] == []


def test_one_perspective_has_no_blind_spots():
    result = compare([c("a", "b", "only")])
    assert result["connections"] == [
        {
            "from": "a",
            "to": "b",
            "directed": True,
            "perspectives": ["only"],
            "agreement": 1.0,
            "count": 1,
            "of": 1,
        }
    ]
    assert result["blind_spots"] == []


def test_directions_both_ways_count_as_mutual():
    connections = [
        c("a", "b", "x"),
        c("b", "a", "x"),  # x: both ways, i.e. mutual
        c("a", "b", "y", direction=MUTUAL),
        c("b", "a", "z"),  # z: only b→a
    ]
    result = compare(connections)
    assert result["direction_disagreements"] == [
        {"from": "a", "to": "b", "directions": {"backward": ["z"], "mutual": ["x", "y"]}}
    ]
    assert compare(connections[:3])["direction_disagreements"] == []


def test_sign_spellings_are_normalised():
    result = compare(
        [
            c("a", "b", "x", sign="positive"),
            c("a", "b", "y", sign="+"),
            c("a", "b", "z", sign="none"),
            c("a", "b", "w", sign="minus"),
        ]
    )
    assert result["disagreements"] == [
        {"from": "a", "to": "b", "directed": True, "signs": {"": ["z"], "+": ["x", "y"], "-": ["w"]}}
    ]


def test_no_sign_and_an_unknown_sign_disagree_with_nothing():
    """Only + against − is a disagreement: a perspective that gave no sign, or a "?" (it did not know),
    claims no polarity (the real study had two false disagreements when "?" counted)."""
    result = compare(
        [
            c("a", "b", "x", sign="+"),
            c("a", "b", "y", sign="?"),
            c("a", "b", "z", sign=""),
            c("b", "c", "x", sign="-"),
            c("b", "c", "y", sign="?"),
        ]
    )
    assert result["disagreements"] == []
    assert [(e["from"], e["to"], e["perspectives"]) for e in result["connections"]] == [
        ("a", "b", ["x", "y", "z"]),
        ("b", "c", ["x", "y"]),
    ]


def test_undirected_connections_are_the_same_whichever_end_comes_first():
    result = compare([c("b", "a", "x", direction=UNDIRECTED), c("a", "b", "y", direction=UNDIRECTED)])
    assert result["connections"] == [
        {
            "from": "a",
            "to": "b",
            "directed": False,
            "perspectives": ["x", "y"],
            "agreement": 1.0,
            "count": 2,
            "of": 2,
        }
    ]
    assert result["alignment"]["x"]["y"] == 1.0


def test_consensus_as_a_number_of_perspectives():
    """ "Drawn by at least 2 of 3" is exact where a share (0.667) would need rounding."""
    result = compare(FIXTURE, at_least=2)
    assert [(x["from"], x["to"], x["count"], x["of"]) for x in result["consensus"]] == [
        ("bank", "mill", 3, 3),
        ("coop", "mill", 3, 3),
    ]
    everyone = compare(FIXTURE, at_least=1)["consensus"]
    assert len(everyone) == len(result["connections"]) == 7
    # The share-based threshold is unchanged beside it.
    assert compare(FIXTURE, threshold=THIRD)["consensus"] == everyone
