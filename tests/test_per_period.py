"""Per-period shortfalls (`short of 3 a month`) and `every PERIOD` / `for each PERIOD where` with a value on each side
(issue 9): tests/cases/constructs/per_period.rubric, scored for 2024-Q1; every number worked by hand from its rules
(Q: -1 for each sale short of 3 in a month; E: 5 when every month has at least as many sales as visits; W: +1 for
each month with at least twice as many sales as visits)."""

import datetime
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

SAMPLE = pathlib.Path(__file__).parent / "cases" / "constructs" / "per_period.rubric"
TEXT = SAMPLE.read_text(encoding="utf-8")
AS_OF = datetime.date(2024, 3, 31)


def event(event_id, unit, day, kind, quantity=1):
    return {"id": event_id, "unit": unit, "date": f"2024-{day}", "kind": kind, "quantity": quantity}


EVENTS = [
    # Ann: January 4 sales, 2 visits; February 1 sale, 1 visit; March nothing.
    event("1", "Ann", "01-05", "sale", 4),
    event("2", "Ann", "01-06", "visit", 2),
    event("3", "Ann", "02-05", "sale"),
    event("4", "Ann", "02-06", "visit"),
    # Bo: 3 sales each month, one visit in March; 9 sales in the quarter, but also an April sale (another quarter)
    event("5", "Bo", "01-10", "sale", 3),
    event("6", "Bo", "02-10", "sale", 3),
    event("7", "Bo", "03-10", "sale", 3),
    event("8", "Bo", "03-11", "visit", 2),
    event("9", "Bo", "04-10", "sale", 9),
]


@pytest.fixture(scope="module")
def program():
    return loads(TEXT, str(SAMPLE))


@pytest.fixture(scope="module")
def card(program):
    return program.score(EVENTS, as_of=AS_OF)


@pytest.mark.parametrize(
    "unit, item, score",
    [
        # Ann Q: January 4 ≥ 3; February 1 of 3 (2 short); March 0 of 3 (3 short): -5. The whole-quarter reading
        # (5 sales of 9) would give -4: a month above 3 does not make up for one below it.
        ("Ann", "Q", Decimal(-5)),
        # Ann E: January 4 ≥ 2, February 1 ≥ 1, March 0 ≥ 0: every month holds: 5
        ("Ann", "E", Decimal(5)),
        # Ann W: visits_needed is worked out per month: January 4 ≥ 4 yes; February 1 ≥ 2 no; March 0 ≥ 0 yes: 2
        ("Ann", "W", Decimal(2)),
        # Bo Q: 3, 3, 3: nothing short (the April sales are in another quarter): 0
        ("Bo", "Q", Decimal(0)),
        # Bo E: March 3 sales against 2 visits holds, every month holds: 5
        ("Bo", "E", Decimal(5)),
        # Bo W: January 3 ≥ 0, February 3 ≥ 0, March 3 ≥ 4 no: 2
        ("Bo", "W", Decimal(2)),
    ],
)
def test_scores(card, unit, item, score):
    assert card.unit(unit).item(item).score == score


def test_every_month_fails_on_one_month():
    text = TEXT.replace("every month count sale >= count visit", "every month count sale >= 2 * count visit")
    card = loads(text).score(EVENTS, as_of=AS_OF)
    # Ann: February 1 < 2: fails, so E = 0; Bo: March 3 < 4: fails
    assert card.unit("Ann").item("E").score == 0 and card.unit("Bo").item("E").score == 0


def test_explain_names_each_month(program, card):
    ann = explain_unit(program, card, "Ann")
    assert "2024-02: 1 of 3, 2 short" in ann and "2024-03: 0 of 3, 3 short" in ann
    text = TEXT.replace("every month count sale >= count visit", "every month count sale >= 2 * count visit")
    failing = loads(text)
    failed = failing.score(EVENTS, as_of=AS_OF)
    assert "count sale >= 2 * count visit failed in 1 of 3 months: 2024-02 (1 against 2)" in explain_unit(failing, failed, "Ann")
    bo = explain_unit(program, card, "Bo")
    assert "no month short of 3" in bo


def test_json_carries_the_per_month_lines(card):
    data = json.loads(render_scorecard(card, "json"))
    ann = next(u for u in data["units"] if u["unit"] == "Ann")
    quota = next(i for i in ann["items"] if i["id"] == "Q")
    assert quota["score"] == "-5.00"


def test_snippets_build_the_nodes():
    rubric = parse(TEXT)
    q, e, w = rubric.sections[0].items
    assert q.rules[0].amount.countable == n.Shortfall(n.Source("sale"), n.Number("3"), "month")
    assert e.rules[0].amount.condition == n.EveryMonth(n.Count(n.Source("sale")), ">=", n.Count(n.Source("visit")))
    assert w.rules[0].amount.countable == n.MonthsWhere(n.Count(n.Source("sale")), ">=", n.NameRef("visits_needed"))


def test_fmt_round_trip():
    assert parse(format_text(TEXT)) == parse(TEXT)
    assert "short of 3 a month" in format_text(TEXT)


def test_checker_checks_both_sides():
    _, found = check_text(TEXT.replace(">= visits_needed", ">= visits_neded"), "t.rubric")
    assert [(d.code, d.hint) for d in found] == [("E320", "did you mean `visits_needed`?")]
    _, found = check_text(TEXT.replace("every month count sale >= count visit", "every month count sale >= count visitt"), "t.rubric")
    assert [d.code for d in found] == ["E300"]
    _, found = check_text(TEXT.replace("short of 3 a month", "short of (count visit > 1) a month"), "t.rubric")
    assert [d.code for d in found] == ["E321"]
