"""Periods beyond the month: `period quarter` (a run scores one quarter of the window), `--period`, declared
periods, `every quarter …`, `for each week where …`, `weeks/quarters/days` as values. Worked by hand."""

import datetime
import json
from decimal import Decimal

import pytest

from rubric_dsl.api import loads
from rubric_dsl.cli import main
from rubric_dsl.engine.plan import ExclusionReason, parse_period
from rubric_dsl.errors import UsageError
from rubric_dsl.language.builder import parse
from rubric_dsl.language.formatter import format_text

RUBRIC = """\
rubric "per quarter"
window 2022-01-01 to 2022-12-31
period quarter
period H1 "上半年" 2022-01-01 to 2022-06-30
unlisted units are scored apart
event submitted
section S "s"
  item C2 "quota"
    deduct 1 for each submitted short of 5
  item M "months"
    deduct 1 for each month without submitted
  item W "weeks"
    award 1 for each week where count submitted >= 1
  item E "every quarter"
    award 3 when every quarter count submitted >= 2
  item N "periods as values"
    award months + quarters * 10 + days / 1000
"""

EVENTS = [
    {"id": "1", "unit": "u", "date": "2022-01-03", "kind": "submitted"},  # Monday of ISO week 1
    {"id": "2", "unit": "u", "date": "2022-01-04", "kind": "submitted"},
    {"id": "3", "unit": "u", "date": "2022-03-30", "kind": "submitted"},  # ISO week 13
    {"id": "4", "unit": "u", "date": "2022-04-02", "kind": "submitted"},  # a Saturday: still ISO week 13
]


@pytest.fixture(scope="module")
def program():
    return loads(RUBRIC)


def scores(card):
    unit = card.unit("u")
    return {item.item_id: item.score for item in unit.items}


def test_the_as_of_date_picks_its_quarter(program):
    card = program.score(EVENTS, as_of=datetime.date(2022, 3, 31))
    assert card.period == (datetime.date(2022, 1, 1), datetime.date(2022, 3, 31))
    assert card.period_label == "2022-Q1"
    assert scores(card) == {
        "C2": Decimal("-2"),  # 3 submitted in Q1, 2 short of 5
        "M": Decimal("-1"),  # February had none
        "W": Decimal("2"),  # weeks 2022-W01 and 2022-W13
        "E": Decimal("3"),  # the one quarter has 3 >= 2
        "N": Decimal("13.09"),  # 3 months + 1 quarter × 10 + 90 days / 1000
    }
    # the April event is after the as-of date, not "after the period"
    assert [e.reason for e in card.excluded] == [ExclusionReason.AFTER_AS_OF]


def test_a_named_quarter_scores_only_its_own_events(program):
    card = program.finish(program.tally(EVENTS), period="2022-Q2")
    assert card.period == (datetime.date(2022, 4, 1), datetime.date(2022, 6, 30))
    assert scores(card) == {
        "C2": Decimal("-4"),  # 1 submitted in Q2
        "M": Decimal("-2"),  # May and June
        "W": Decimal("1"),  # 2022-W13 (its Saturday 2 April falls in Q2)
        "E": Decimal("0"),  # 1 < 2
        "N": Decimal("13.09"),  # 3 + 10 + 91 / 1000
    }
    assert sorted(e.reason.value for e in card.excluded) == ["before the period scored"] * 3
    why = card.unit("u").item("C2").why_not
    assert "3 submitted events dated before the period scored (2022-04-01) were not counted" in why


def test_without_an_as_of_date_the_last_quarter_is_scored(program):
    card = program.finish(program.tally(EVENTS))
    assert card.period_label == "2022-Q4"
    assert scores(card)["C2"] == Decimal("-5")


def test_a_declared_period(program):
    card = program.finish(program.tally(EVENTS), period="H1")
    assert card.period == (datetime.date(2022, 1, 1), datetime.date(2022, 6, 30))
    assert scores(card)["M"] == Decimal("-3")  # February, May, June
    assert scores(card)["E"] == Decimal("0")  # Q1 has 3, Q2 has 1: not every quarter
    assert scores(card)["N"] == Decimal("26.18")  # 6 + 2 × 10 + 181 / 1000


def test_unknown_and_outside_periods_are_usage_errors(program):
    tally = program.tally(EVENTS)
    with pytest.raises(UsageError, match="unknown period `H3`; the declared periods are: H1"):
        program.finish(tally, period="H3")
    with pytest.raises(UsageError, match="outside the window"):
        program.finish(tally, period="2023-Q1")


@pytest.mark.parametrize(
    "label,bounds",
    [
        ("2022", ("2022-01-01", "2022-12-31")),
        ("2022-Q1", ("2022-01-01", "2022-03-31")),
        ("2022-Q4", ("2022-10-01", "2022-12-31")),
        ("2024-02", ("2024-02-01", "2024-02-29")),
        ("2022-W01", ("2022-01-03", "2022-01-09")),
        ("2022-Q5", None),
        ("2022-13", None),
        ("Q1", None),
    ],
)
def test_period_labels(label, bounds):
    expected = tuple(datetime.date.fromisoformat(d) for d in bounds) if bounds else None
    assert parse_period(label) == expected


def test_cli_period_option(tmp_path, capsys):
    rubric = tmp_path / "q.rubric"
    rubric.write_text(RUBRIC, encoding="utf-8")
    events = tmp_path / "e.jsonl"
    events.write_text("\n".join(json.dumps(e) for e in EVENTS) + "\n", encoding="utf-8")
    assert main(["score", str(rubric), str(events), "--period", "2022-Q2", "--format", "json"]) == 0
    card = json.loads(capsys.readouterr().out)
    assert card["period"] == ["2022-04-01", "2022-06-30"] and card["period_label"] == "2022-Q2"
    assert main(["score", str(rubric), str(events), "--period", "2022-Q9"]) == 2


def test_format_round_trip():
    assert parse(format_text(RUBRIC)) == parse(RUBRIC)
    assert format_text(RUBRIC) == RUBRIC


CAPS = """\
rubric "caps per period"
window 2009-01-01 to 2009-12-31
unlisted units are scored apart
event adopted
section S "s"
  item A "a month and the whole period"
    award 2 for each adopted, at most 5 a month and 8
  item B "a month and a quarter"
    award 2 for each adopted, at most 3 a month and 4 a quarter
"""

CAP_EVENTS = [
    {"id": "1", "unit": "u", "date": "2009-01-03", "kind": "adopted", "quantity": 3},
    {"id": "2", "unit": "u", "date": "2009-01-04", "kind": "adopted"},
    {"id": "3", "unit": "u", "date": "2009-02-01", "kind": "adopted"},
    {"id": "4", "unit": "u", "date": "2009-03-01", "kind": "adopted", "quantity": 2},
    {"id": "5", "unit": "u", "date": "2009-04-01", "kind": "adopted"},
]


def test_caps_per_period_hold_together():
    card = loads(CAPS).score(CAP_EVENTS)
    unit = card.unit("u")
    # A: January 8 → 5 (a month), February 2, March 4, April 2 = 13 → 8 (the whole period)
    assert unit.item("A").score == Decimal("8")
    # B: January 8 → 3; February 2 → 1 (Q1 has 4); March 0 (Q1 full); April 2 (Q2) = 6
    assert unit.item("B").score == Decimal("6")
    rule = unit.item("B").rules[0]
    assert [c.points for c in rule.contributions] == [Decimal(3), Decimal(0), Decimal(1), Decimal(0), Decimal(2)]
    assert rule.notes == ("award capped at 3 a month in 2009-01", "award capped at 4 a quarter in 2009-Q1")


def test_caps_per_period_round_trip():
    assert parse(format_text(CAPS)) == parse(CAPS)
    assert format_text(CAPS) == CAPS
