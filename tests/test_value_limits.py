"""Caps and floors given by values (issue 9): a rule's `at most VALUE`, an item's `cap VALUE` / `floor VALUE`, and
the table entry atom `ATTR of KEY` they most often read (docs/language.md "Rules", "Values"). Every number below is
worked by hand from the clause it tests."""

import pathlib
from decimal import Decimal

import pytest

from rubric_dsl.api import check_text, loads
from rubric_dsl.language import nodes as n
from rubric_dsl.language.builder import parse
from rubric_dsl.language.formatter import format_text
from rubric_dsl.outputs.explain import explain_unit
from rubric_dsl.outputs.scorecards import render_scorecard
from rubric_dsl.sources.unit_tables import units_from_rows

SAMPLE = pathlib.Path(__file__).parent / "cases" / "constructs" / "value_limits.rubric"


def program_with(rows):
    program = loads(SAMPLE.read_text(encoding="utf-8"), str(SAMPLE))
    return program.with_units(units_from_rows(program.rubric, rows))


def deduction(event_id, unit, indicator, points):
    return {"id": event_id, "unit": unit, "date": "2019-05-01", "kind": "deduction", "indicator": indicator, "points": points}


ROWS = [
    # 06 C5 "an indicator's deductions never exceed its maximum", with each unit's own maxima
    {"unit": "W1", "indicator_max": {"指标甲": 10, "指标乙": 20}, "max_points": 90},
    {"unit": "W2", "indicator_max": {"指标甲": 30}, "max_points": 100},
    {"unit": "W3", "max_points": 100},
]
EVENTS = [
    deduction("a", "W1", "指标甲", "12"),
    deduction("b", "W1", "指标乙", "7"),
    deduction("c", "W2", "指标甲", "12"),
    deduction("d", "W2", "指标乙", "7"),
    deduction("e", "W3", "指标甲", "45"),
]


@pytest.fixture(scope="module")
def program():
    return program_with(ROWS)


@pytest.fixture(scope="module")
def card(program):
    return program.score(EVENTS)


@pytest.mark.parametrize(
    "unit, score, why",
    [
        # W1: 指标甲 12 capped at its table's 10, 指标乙 7 under its 20: 100 - 10 - 7 = 83 (below max_points 90)
        ("W1", Decimal(83), "table caps differ by unit"),
        # W2: 指标甲 12 under its 30; 指标乙 has no entry, so `otherwise 5` caps the 7: 100 - 12 - 5 = 83
        ("W2", Decimal(83), "no entry: the otherwise cap"),
        # W3: no table at all: 指标甲 45 is not capped: 100 - 45 = 55, raised to the floor 2 * 30 = 60
        ("W3", Decimal(60), "no value: not capped; floor given by a value"),
    ],
)
def test_caps_read_each_units_table(card, unit, score, why):
    assert card.unit(unit).total == score, why


def test_item_cap_given_by_an_attribute():
    # `cap max_points`: W1 with nothing deducted scores 100, lowered to its max_points 90
    card = program_with(ROWS).score([])
    assert card.unit("W1").total == Decimal(90)
    assert card.unit("W2").total == Decimal(100)  # its max_points is 100: the cap does not bite


def test_explain_says_what_each_limit_came_to(program, card):
    w1 = explain_unit(program, card, "W1")
    assert "deduction capped at indicator_max of 指标甲 (10) (uncapped 12)" in w1
    w3 = explain_unit(program, card, "W3")
    assert "not capped: indicator_max of 指标甲 has no value: the unit's indicator_max has no entry 指标甲" in w3
    assert "score 55 raised to the floor 2 * 30 (60)" in w3


def test_json_scorecard_carries_the_limits(card):
    import json

    data = json.loads(render_scorecard(card, "json"))
    w1 = next(u for u in data["units"] if u["unit"] == "W1")
    limits = [limit for item in w1["items"] for limit in item["limits"]]
    assert "deduction capped at indicator_max of 指标甲 (10) (uncapped 12)" in limits


def test_snippets_build_the_nodes():
    rubric = parse(SAMPLE.read_text(encoding="utf-8"))
    item = rubric.sections[0].items[0]
    assert item.rules[1].cap == n.TableEntry("indicator_max", "指标甲")
    assert item.rules[2].cap == n.Otherwise(n.TableEntry("indicator_max", "指标乙"), n.Number("5"))
    assert item.cap == n.NameRef("max_points")
    assert item.floor == n.Arith("*", n.Number("2"), n.Number("30"))
    # a number stays a number: `at most 10 a month and 120` keeps its period cap apart
    quoted = parse(SAMPLE.read_text(encoding="utf-8").replace("of 指标乙 otherwise 5", 'of "指标 乙" otherwise 5'))
    assert quoted.sections[0].items[0].rules[2].cap.value == n.TableEntry("indicator_max", "指标 乙")


def test_fmt_round_trip():
    text = SAMPLE.read_text(encoding="utf-8")
    assert parse(format_text(text)) == parse(text)
    assert "at most indicator_max of 指标甲\n" in format_text(text)


def test_checker_types_the_limits():
    head = SAMPLE.read_text(encoding="utf-8")

    def codes(text):
        # W522 (a limit that can have no value) is checked on its own below
        return [d.code for d in check_text(text, "t.rubric")[1] if d.code != "W522"]

    # a condition where a cap (a value) belongs: E321
    assert codes(head.replace("cap max_points", "cap (count deduction > 3)")) == ["E321"]
    # an unknown name as a floor: E320
    assert codes(head.replace("floor 2 * 30", "floor min_points")) == ["E320"]
    # a table entry of an attribute that is not a table: E323; of no attribute at all: E323 with a did-you-mean
    assert codes(head.replace("indicator_max of 指标甲", "max_points of 指标甲")) == ["E323"]
    _, found = check_text(head.replace("indicator_max of 指标甲", "indicator_maxx of 指标甲"), "t.rubric")
    assert [(d.code, d.hint) for d in found if d.code != "W522"] == [("E323", "did you mean `indicator_max`?")]
    # W520 on a cap whose division can be by 0, W500 only for a number
    assert codes(head.replace("cap max_points", "cap 100 / count deduction")) == ["W520"]
    assert codes(head) == []


def test_w522_a_limit_that_can_have_no_value():
    head = SAMPLE.read_text(encoding="utf-8")
    _, found = check_text(head, "t.rubric")
    # line 14: a table entry without `otherwise`; line 16: `cap max_points`, an optional attribute. Line 15 says
    # `otherwise 5` and line 17 is arithmetic on numbers: no warning
    assert [(d.code, d.line) for d in found] == [("W522", 14), ("W522", 16)]
    assert "the unit's table may have no entry 指标甲" in found[0].message
    assert "`max_points` is optional" in found[1].message
    fixed = head.replace("of 指标甲\n", "of 指标甲 otherwise 10\n").replace("cap max_points", "cap max_points otherwise 100")
    assert check_text(fixed, "t.rubric")[1] == []
    # target (a unit may have none), latest of no events: the same warning
    _, found = check_text(head.replace("floor 2 * 30", "floor target"), "t.rubric")
    assert ("W522", 17) in [(d.code, d.line) for d in found]
    _, found = check_text(head.replace("floor 2 * 30", "floor latest points of deduction"), "t.rubric")
    assert ("W522", 17) in [(d.code, d.line) for d in found]


PERIOD_CAPS = """\
rubric "a cap each month given by a value"
window 2009-01-01 to 2009-12-31
unlisted units are scored apart
attribute monthly_max: decimal, optional
group g
  unit "U" with monthly_max 3
  unit "V"
event adopted
section A "a"
  item A.1 "i"
    award 2 for each adopted, at most monthly_max otherwise 20 a month and 10
"""


def test_a_cap_each_month_given_by_a_value():
    # "2 a story, at most the unit's monthly maximum each month (20 without one), at most 10 in all"
    events = [
        {"id": "1", "unit": "U", "date": "2009-02-01", "kind": "adopted", "quantity": 3},
        {"id": "2", "unit": "U", "date": "2009-03-01", "kind": "adopted", "quantity": 1},
        {"id": "3", "unit": "V", "date": "2009-03-01", "kind": "adopted", "quantity": 4},
        {"id": "4", "unit": "V", "date": "2009-04-01", "kind": "adopted", "quantity": 2},
    ]
    program = loads(PERIOD_CAPS)
    card = program.score(events)
    # U: February 6 capped at its monthly_max 3, March 2: 5. V: March 8 and April 4 (under 20 a month) = 12,
    # capped at 10 in all
    assert card.unit("U").total == Decimal(5) and card.unit("V").total == Decimal(10)
    assert "award capped at monthly_max otherwise 20 (3) a month in 2009-02" in explain_unit(program, card, "U")
    rubric = parse(PERIOD_CAPS)
    rule = rubric.sections[0].items[0].rules[0]
    assert rule.period_caps == (n.PeriodCap(n.Otherwise(n.NameRef("monthly_max"), n.Number("20")), "month"),)
    assert rule.cap == n.Number("10")
    assert parse(format_text(PERIOD_CAPS)) == rubric
    assert check_text(PERIOD_CAPS, "t.rubric")[1] == []


NEGATIVE_CAPS = """rubric "caps below 0"
window 2024-01-01 to 2024-12-31
attribute allowance: decimal, optional
group g "g"
  unit "U1" with allowance -1
  unit "U2" with allowance 2
event late
event commended
section S "s"
  item D "deductions"
    deduct 1 for each late, at most allowance
  item B "bonuses"
    bonus 3 for each commended
    bonus together at most allowance - 3
"""


def test_a_cap_below_0_gives_or_takes_nothing_and_never_turns_a_rule_around():
    """docs/language.md "Rules": a cap bounds what a rule gives or takes, so a cap worked out below 0 lets the rule
    give (or take) nothing; it used to make `min(points, cap)` of it: U1's deduction of 2 capped at -1 became +1, and
    a joint bonus limit of -1 took 1 from U2 with no bonus at all (found by the adversarial pass)."""
    program = loads(NEGATIVE_CAPS)
    events = [
        {"id": "1", "unit": "U1", "date": "2024-03-01", "kind": "late", "quantity": 2},
        {"id": "2", "unit": "U2", "date": "2024-03-01", "kind": "late", "quantity": 3},
        {"id": "3", "unit": "U1", "date": "2024-03-01", "kind": "commended"},
    ]
    card = program.score(events)
    scores = {u.unit: {i.item_id: i.score for i in u.items} for u in card.units}
    # D: U1 deducts 2 late, capped at allowance -1, below 0: nothing, 0; U2 deducts 3 capped at 2: -2.
    # B: the limit is allowance - 3: U1 -4, U2 -1, both below 0: U1's bonus of 3 is cut to 0, U2 has none: 0
    assert scores == {"U1": {"D": Decimal(0), "B": Decimal(0)}, "U2": {"D": Decimal(-2), "B": Decimal(0)}}
    text = explain_unit(program, card, "U1")
    assert "deduction capped at allowance (-1), below 0, so nothing (uncapped 2)" in text
    assert "bonus together at most allowance - 3: 3 capped at allowance - 3 (-4), below 0, so nothing" in text
