"""`total is VALUE` (issue 9): the unit's total is a weighted combination (05 C5: 80% online, 20% on-site), not the
sum of its items (tests/cases/constructs/total_is.rubric). Every number is worked by hand from its clauses: online =
quantity (40, -5 a late report, not below 0) + bonus (1 a publication beyond 10); total = 80% online + 20% on-site."""

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

SAMPLE = pathlib.Path(__file__).parent / "cases" / "constructs" / "total_is.rubric"
TEXT = SAMPLE.read_text(encoding="utf-8")


def event(event_id, unit, kind, quantity=1, **fields):
    return {"id": event_id, "unit": unit, "date": "2010-03-01", "kind": kind, "quantity": quantity, **fields}


EVENTS = [
    # 甲: 15 published (bonus 5), 1 late (quantity 35), on-site 90: 0.8 * 40 + 0.2 * 90 = 32 + 18 = 50
    event("1", "甲", "published", 15),
    event("2", "甲", "late"),
    event("3", "甲", "onsite_score", points="90"),
    # 乙: 12 published (bonus 2), on-site 75.5: 0.8 * 42 + 0.2 * 75.5 = 33.6 + 15.1 = 48.7
    event("4", "乙", "published", 12),
    event("5", "乙", "onsite_score", points="75.5"),
    # 丙: no on-site score yet: 0.8 * 40 + 0.2 * 0 = 32 (a sum of no events is 0)
    event("6", "丙", "published", 3),
]


@pytest.fixture(scope="module")
def program():
    return loads(TEXT, str(SAMPLE))


@pytest.fixture(scope="module")
def card(program):
    return program.score(EVENTS)


@pytest.mark.parametrize(
    "unit, total, items",
    [
        ("甲", Decimal(50), (Decimal(35), Decimal(5), Decimal(0))),
        ("乙", Decimal("48.7"), (Decimal(40), Decimal(2), Decimal(0))),
        ("丙", Decimal(32), (Decimal(40), Decimal(0), Decimal(0))),
    ],
)
def test_weighted_total(card, unit, total, items):
    result = card.unit(unit)
    assert result.total == total
    assert tuple(i.score for i in result.items) == items  # the items keep their own scores


def test_an_item_reading_the_total_sees_the_weighted_one():
    events = EVENTS + [event("7", "甲", "onsite_score", points="100")]
    # 甲 now on-site 190 (two scores summed): 32 + 38 = 70 ≥ 60, so `passed` gives 1 (not in the total)
    card = loads(TEXT).score(events)
    assert card.unit("甲").total == Decimal(70) and card.unit("甲").item("passed").score == Decimal(1)


def test_explain_and_json_say_how_the_total_was_worked_out(program, card):
    text = explain_unit(program, card, "甲")
    assert (
        "total: worked out as 80% * (score of quantity + score of bonus) + 20% * sum points of onsite_score is 50"
        " (0.8 * (35 + 5) + 0.2 * 90)"
    ) in text
    data = json.loads(render_scorecard(card, "json"))
    yi = next(u for u in data["units"] if u["unit"] == "乙")
    assert yi["total"] == "48.70" and yi["total_limits"][0].startswith("worked out as")


def test_snippet_and_fmt():
    rubric = parse(TEXT)
    assert rubric.total_is == n.TotalIs(
        n.Arith(
            "+",
            n.Arith("*", n.Number("80%"), n.Arith("+", n.ScoreOf("quantity"), n.ScoreOf("bonus"))),
            n.Arith("*", n.Number("20%"), n.Sum("points", n.Source("onsite_score"))),
        )
    )
    assert parse(format_text(TEXT)) == parse(TEXT)


def test_checker():
    _, found = check_text(TEXT, "t.rubric")
    assert found == []
    _, found = check_text(TEXT.replace("score of bonus)", "score of bonu)"), "t.rubric")
    assert [(d.code, d.hint) for d in found] == [("E430", "did you mean `bonus`?")]
    _, found = check_text(TEXT.replace("total is 80% *", "total is total +"), "t.rubric")
    assert [d.code for d in found] == ["E431"]
    _, found = check_text(TEXT.replace("total is 80% *", "total is (count late > 1) *"), "t.rubric")
    assert [d.code for d in found] == ["E321"]
    # an item the total reads cannot read the total: a cycle
    _, found = check_text(TEXT.replace("    bonus 1 for each published beyond 10", "    bonus 1 when total > 50"), "t.rubric")
    assert {d.code for d in found} == {"E431"}
