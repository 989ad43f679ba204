"""Fixes for what an outside rubric author found (PROBE_REPORT, 2026-11-29): bulletins of `period` rubrics,
`scored per` semantics, commendation, language gaps and messages. Every number is worked by hand."""

import datetime
from decimal import Decimal

from rubric_dsl.api import loads
from rubric_dsl.engine.plan import ExclusionReason
from rubric_dsl.outputs import reports
from rubric_dsl.outputs.reports import build_bulletin, to_markdown

QUARTERLY = """\
rubric "quarterly"
window 2024-01-01 to 2024-12-31
period quarter
event sale
group reps "Reps" target 4
  unit "Ann"
  unit "Bo"
section S "s"
  item A "sales"
    award 1 for each sale
"""

QUARTERLY_EVENTS = [
    {"id": "1", "unit": "Ann", "date": "2024-01-10", "kind": "sale"},  # Q1: before Q2, the period scored in May
    {"id": "2", "unit": "Ann", "date": "2024-04-10", "kind": "sale"},
    {"id": "3", "unit": "Ann", "date": "2024-05-10", "kind": "sale"},
    {"id": "4", "unit": "Ann", "date": "2024-05-11", "kind": "sale"},
    {"id": "5", "unit": "Bo", "date": "2024-04-20", "kind": "sale"},
]


def test_every_exclusion_reason_has_bulletin_words():
    """A bulletin names every reason an event was not counted (the BEFORE_PERIOD KeyError)."""
    assert set(reports._NOT_COUNTED) == set(ExclusionReason)


def test_monthly_bulletin_of_a_quarterly_rubric():
    """`period quarter` (language.md Periods): the May bulletin scores Q2 (April–June) as of 31 May.
    Ann: 3 sales in Q2 (Jan's is before the period) = 3 of target 4 = 75%; Bo 1 = 25%.
    Pace over the quarter: 2 of its 3 months = 66.7% (not 5/12 of the window). Ann on pace, Bo behind.
    This month (May): Ann 3 - 1 (as of 30 April) = 2; Bo 1 - 1 = 0."""
    program = loads(QUARTERLY)
    tally = program.tally(QUARTERLY_EVENTS)
    bulletin = build_bulletin(program, tally, datetime.date(2024, 5, 31))
    assert bulletin.pace == Decimal(2) / Decimal(3)
    rows = {r.unit: r for _label, group in bulletin.groups for r in group}
    assert rows["Ann"].total == Decimal(3) and rows["Bo"].total == Decimal(1)
    assert rows["Ann"].this_month == Decimal(2) and rows["Bo"].this_month == Decimal(0)
    assert rows["Ann"].behind_pace is False and rows["Bo"].behind_pace is True
    assert bulletin.excluded == {"before the period scored": 1}
    assert "1 on pace" not in bulletin.summary[0]  # the wording is "1 units are on pace"
    assert "(66.7% of the target by now), 1 units are on pace and 1 are behind" in bulletin.summary[0]


def test_first_month_of_a_quarter_has_no_month_before_it():
    """April opens Q2: its month's gain is the whole quarter so far (Q1's total is another period's).
    As of 30 April: Ann has sale 2 (1 point), Bo sale 5 (1 point); this month = 1 each."""
    program = loads(QUARTERLY)
    bulletin = build_bulletin(program, program.tally(QUARTERLY_EVENTS), datetime.date(2024, 4, 30))
    rows = {r.unit: r for _label, group in bulletin.groups for r in group}
    assert rows["Ann"].this_month == Decimal(1) and rows["Bo"].this_month == Decimal(1)
    assert bulletin.pace == Decimal(1) / Decimal(3)


def test_yearly_bulletin_of_a_period_rubric_does_not_crash():
    """The year-end bulletin scores the last quarter (Q4, no events): every Q2/Q1 event is before it."""
    program = loads(QUARTERLY)
    bulletin = build_bulletin(program, program.tally(QUARTERLY_EVENTS), None)
    assert bulletin.excluded == {"before the period scored": 5}
    assert "5 before the period scored" in to_markdown(bulletin)


def test_no_targets_no_sentences_about_targets():
    """A rubric without targets: the opening says how many units, not "0 units with targets"."""
    program = loads(QUARTERLY.replace(' target 4', ''))
    tally = program.tally(QUARTERLY_EVENTS)
    for as_of in (datetime.date(2024, 5, 31), None):
        summary = " ".join(build_bulletin(program, tally, as_of).summary)
        assert "with targets" not in summary and "reached their target" not in summary
        assert "the scores of the 2 units" in summary
