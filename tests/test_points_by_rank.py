"""Points by rank (issue 9): `bonus by rank of VALUE within ATTR: 1 10, 2 8, 3 6, otherwise 0`
(tests/cases/constructs/points_by_rank.rubric). Every number is worked by hand from the rules: R ranks C1 (1 a
story adopted) within each group, 10/8/6/0 by place, ties sharing a place; S ranks complaints, fewest first, within
kind, ties splitting the points of the places they fill (4, 2, then 0); T gives 1 when R gave at least 8."""

import json
import pathlib
from decimal import Decimal

import pytest

from rubric_dsl.api import check_text, loads
from rubric_dsl.language import nodes as n
from rubric_dsl.language.builder import parse
from rubric_dsl.language.formatter import format_text
from rubric_dsl.outputs.explain import explain_unit
from rubric_dsl.outputs.scorecards import render_scorecard

SAMPLE = pathlib.Path(__file__).parent / "cases" / "constructs" / "points_by_rank.rubric"
TEXT = SAMPLE.read_text(encoding="utf-8")


def event(event_id, unit, kind, quantity=1):
    return {"id": event_id, "unit": unit, "date": "2024-02-01", "kind": kind, "quantity": quantity}


EVENTS = [
    # counties: A 5, B 7, C 5 adopted, D none; complaints A 1, B 3, C 0, D 0
    event("1", "A", "adopted", 5),
    event("2", "B", "adopted", 7),
    event("3", "C", "adopted", 5),
    event("4", "A", "complaint"),
    event("5", "B", "complaint", 3),
    # departments: X 2 adopted and 2 complaints, Y 2 adopted and none
    event("6", "X", "adopted", 2),
    event("7", "Y", "adopted", 2),
    event("8", "X", "complaint", 2),
    # an unlisted unit: never ranked
    event("9", "Z", "adopted", 9),
]


@pytest.fixture(scope="module")
def program():
    return loads(TEXT, str(SAMPLE))


@pytest.fixture(scope="module")
def card(program):
    return program.score(EVENTS)


@pytest.mark.parametrize(
    "unit, r, s, t",
    [
        # R within counties: B 7 first (10); A and C 5 share 2nd (8 each); D 0 is 4th (otherwise 0).
        # S within county: C and D 0 complaints tie for 1st and 2nd: (4 + 2) / 2 = 3 each; A 1 is 3rd: 0; B 3: 0
        ("B", Decimal(10), Decimal(0), Decimal(1)),
        ("A", Decimal(8), Decimal(0), Decimal(1)),
        ("C", Decimal(8), Decimal(3), Decimal(1)),
        ("D", Decimal(0), Decimal(3), Decimal(0)),
        # R within depts: X and Y 2 each share 1st: 10 each. S within dept: Y 0 first (4), X 2 second (2)
        ("X", Decimal(10), Decimal(2), Decimal(1)),
        ("Y", Decimal(10), Decimal(4), Decimal(1)),
        # Z is not in the tables: not ranked, nothing from R or S
        ("Z", Decimal(0), Decimal(0), Decimal(0)),
    ],
)
def test_points_by_place(card, unit, r, s, t):
    result = card.unit(unit)
    assert (result.item("R").score, result.item("S").score, result.item("T").score) == (r, s, t)


def test_explain_shows_the_place_and_the_value(program, card):
    assert "rank 2 of 4 (within group counties): score of C1 is 5" in explain_unit(program, card, "A", "R")
    d = explain_unit(program, card, "D", "R")
    assert "rank 4 of 4 (within group counties): score of C1 is 0; no points for that place" in d
    assert "rank 1 of 4 (within kind county): count complaint is 0" in explain_unit(program, card, "D", "S")
    assert "not ranked: the unit is not in the rubric's tables" in explain_unit(program, card, "Z", "R")


def test_json_lists_the_place(card):
    data = json.loads(render_scorecard(card, "json"))
    a = next(u for u in data["units"] if u["unit"] == "A")
    r = next(i for i in a["items"] if i["id"] == "R")
    assert r["ranked"] == [
        {
            "rule": "bonus by rank of score of C1 within group: 1 10, 2 8, 3 6, otherwise 0",
            "rank": 2,
            "of": 4,
            "value": "5",
            "within": "group counties",
            "points": "8",
        }
    ]
    z = next(u for u in data["units"] if u["unit"] == "Z")
    assert next(i for i in z["items"] if i["id"] == "R")["ranked"] == []  # unlisted: no place at all


def test_no_value_is_not_ranked():
    text = TEXT.replace("bonus by rank of score of C1 within group", "bonus by rank of count adopted / count complaint within group")
    card = loads(text).score(EVENTS)
    # counties: A 5/1 = 5, B 7/3 = 2.33; C and D have no complaint: no value, not ranked (0).
    # So A is 1st (10), B 2nd (8), of 2 ranked
    assert [card.unit(u).item("R").score for u in "ABCD"] == [Decimal(10), Decimal(8), Decimal(0), Decimal(0)]


def test_snippets_build_the_nodes():
    rubric = parse(TEXT)
    r = rubric.sections[0].items[1].rules[0].amount
    assert r == n.ByRank(
        n.ScoreOf("C1"), (n.Place(1, n.Number("10")), n.Place(2, n.Number("8")), n.Place(3, n.Number("6"))), n.Number("0"), "group"
    )
    s = rubric.sections[0].items[2].rules[0].amount
    assert s == n.ByRank(
        n.Count(n.Source("complaint")), (n.Place(1, n.Number("4")), n.Place(2, n.Number("2"))), None, "kind", True, "split"
    )


def test_fmt_round_trip():
    assert parse(format_text(TEXT)) == parse(TEXT)
    assert "bonus by rank of count complaint lowest first within kind, ties split: 1 4, 2 2" in format_text(TEXT)


def test_checker_orders_and_rejects_cycles():
    _, found = check_text(TEXT, "t.rubric")
    assert found == []
    _, found = check_text(TEXT.replace("rank of score of C1", "rank of total"), "t.rubric")
    # R is counted in the total it would rank (and T reads R): every cycle is named
    assert {d.code for d in found} == {"E431"} and any("R → R" in d.message for d in found)
    _, found = check_text(TEXT.replace("within group:", "within grop:"), "t.rubric")
    assert [(d.code, d.hint) for d in found] == [("E306", "did you mean `group`?")]
    _, found = check_text(TEXT.replace("1 4, 2 2", "1 4, 1 2"), "t.rubric")
    assert [d.code for d in found] == ["E425"]
    _, found = check_text(TEXT.replace("rank of score of C1", "rank of (count adopted > 2)"), "t.rubric")
    assert [d.code for d in found] == ["E321"]
