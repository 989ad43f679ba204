"""Display numbers: one formatter, rounding as the rubric rounds (issue 14: display rounding was Decimal's half-even)."""

from decimal import ROUND_HALF_EVEN, Decimal

import pytest

import rubric_dsl
from rubric_dsl.engine.ranking import shared_ranks
from rubric_dsl.numbers import fmt_decimal, percent, plain, plain_number, signed
from rubric_dsl.outputs.scorecards import scorecard_csv, scorecard_table


def test_display_rounds_half_up_by_default():
    assert fmt_decimal(Decimal("12.25"), 1) == "12.3"  # half-even would give 12.2
    assert fmt_decimal(Decimal("12.35"), 1) == "12.4"
    assert fmt_decimal(Decimal("-0.125"), 2) == "-0.13"
    assert fmt_decimal(Decimal("12.25"), 1, ROUND_HALF_EVEN) == "12.2"


def test_plain_signed_and_json_numbers():
    assert plain(Decimal("2.500")) == "2.5"
    assert plain(Decimal("1E+1")) == "10"
    assert signed(Decimal("2")) == "+2" and signed(Decimal("-0.5")) == "-0.5"
    assert plain_number(Decimal("150.0")) == 150 and plain_number(Decimal("0.25")) == "0.25"
    assert percent(Decimal("0.1225")) == "12.3"


def completion_rubric(rounding: str) -> str:
    # Completion = total ÷ target = 49 ÷ 400 = 12.25%: shown to 0.1 it is the half-way case.
    return f"""rubric "Completion"
window 2009-01-01 to 2009-12-31
precision 2 rounding {rounding}

group towns
  unit "A" target 400

event adopted
  field outlet: one of daily | weekly

section A "News"
  item A.1 "Flat award"
    award 49
"""


@pytest.mark.parametrize("rounding,shown", [("half_up", "12.3"), ("half_even", "12.2")])
def test_completion_is_shown_with_the_rubrics_rounding(rounding, shown):
    card = rubric_dsl.loads(completion_rubric(rounding)).score([])
    assert card.total("A") == 49
    assert card.to_json()["units"][0]["completion"] == shown
    assert scorecard_csv(card).splitlines()[1].endswith(f",400,{shown}")
    assert scorecard_table(card).splitlines()[-1].split()[-2:] == ["400", shown]


def test_shared_ranks_give_ties_the_better_rank():
    totals = {"a": Decimal(5), "b": Decimal(7), "c": Decimal(5), "d": Decimal(1)}
    ranked = shared_ranks(totals, totals.__getitem__, str)
    assert ranked == [(1, "b"), (2, "a"), (2, "c"), (4, "d")]
