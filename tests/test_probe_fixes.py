"""Fixes for what an outside rubric author found (PROBE_REPORT, 2026-11-29): bulletins of `period` rubrics,
`scored per` semantics, commendation, language gaps and messages. Every number is worked by hand."""

import datetime
from decimal import Decimal

import pytest

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
    program = loads(QUARTERLY.replace(" target 4", ""))
    tally = program.tally(QUARTERLY_EVENTS)
    for as_of in (datetime.date(2024, 5, 31), None):
        summary = " ".join(build_bulletin(program, tally, as_of).summary)
        assert "with targets" not in summary and "reached their target" not in summary
        assert "the scores of the 2 units" in summary


# ---- `scored per` (language.md "Sub-entities"): each sub-entity with its own events; cap/floor on the combination

ARTICLES = """\
rubric "per article"
window 2015-01-01 to 2015-12-31
unlisted units are scored apart
event adopted
  field article_id: text
  field level: one of 县级 | 国家级
section A "a"
  item C3 "adopted, at most 50" base 50
    scored per article_id of adopted, taking the sum
    award 15 when reached adopted where level = 国家级
    award 1 when reached adopted where level = 县级 and no adopted where level = 国家级
    cap 50
"""


def _adopted(n_national, n_county):
    events = [
        {"id": f"n{i}", "unit": "甲", "date": "2015-03-01", "kind": "adopted", "article_id": f"n{i}", "level": "国家级"}
        for i in range(n_national)
    ]
    events += [
        {"id": f"c{i}", "unit": "甲", "date": "2015-03-02", "kind": "adopted", "article_id": f"c{i}", "level": "县级"}
        for i in range(n_county)
    ]
    return events


def test_cap_of_a_scored_per_sum_caps_the_combined_score():
    """`cap 50` on `taking the sum`: 4 national articles at 15 = 60, capped at 50 (not 15 each, 60)."""
    card = loads(ARTICLES).score(_adopted(4, 0))
    item = card.unit("甲").items[0]
    assert item.score == Decimal(50)
    assert "score 60 lowered to the cap 50" in item.limits


def test_when_inside_a_scored_per_item_sees_each_article():
    """`award 1 when … 县级 and no … 国家级`: per article, so 2 national (15 each) + 3 county (1 each) = 33,
    although the unit as a whole has national articles."""
    card = loads(ARTICLES).score(_adopted(2, 3))
    assert card.unit("甲").items[0].score == Decimal(33)


def test_notes_inside_a_scored_per_item_name_the_sub_entity():
    """A county article's note says which article, and does not call the level 国家级 something reported."""
    card = loads(ARTICLES).score(_adopted(0, 1))
    why = " ".join(card.unit("甲").items[0].why_not)
    assert "no adopted where level = 国家级 for article_id c0" in why
    assert "国家级 was not reported" not in why


SCHOOL = """\
rubric "inspections"
window 2023-01-01 to 2023-12-31
group schools "schools"
  unit "East"
  unit "West"
event inspection
  field inspection_id: text
event finding
  field inspection_id: text
  field points: decimal, at least 0
event licence_missing
  field inspection_id: text
section S "s"
  item A "safety" base 100
    scored per inspection_id of inspection, taking the latest
    award 100
    deduct sum points of finding
  item B "canteen" base 80
    scored per inspection_id of inspection, taking the latest
    award 80
    only when no licence_missing
  item N "findings over all inspections"
    scored per inspection_id of inspection, taking the sum
    deduct 1 for each finding
"""

SCHOOL_EVENTS = [
    {"id": "1", "unit": "East", "date": "2023-03-01", "kind": "inspection", "inspection_id": "DF-1"},
    {"id": "2", "unit": "East", "date": "2023-03-01", "kind": "licence_missing", "inspection_id": "DF-1"},
    {"id": "3", "unit": "East", "date": "2023-03-01", "kind": "finding", "inspection_id": "DF-1", "points": "12"},
    {"id": "4", "unit": "East", "date": "2023-06-01", "kind": "inspection", "inspection_id": "DF-2"},
    {"id": "5", "unit": "East", "date": "2023-06-01", "kind": "finding", "inspection_id": "DF-2", "points": "3"},
]


def test_only_when_inside_a_scored_per_item_sees_the_inspection_scored():
    """East: the latest inspection DF-2 is clean of licence_missing (DF-1 had one), so B = 80; A = 100 - 3
    (DF-2's finding) = 97; N sums over both inspections: -1 - 1 = -2. Total 97 + 80 - 2 = 175."""
    card = loads(SCHOOL).score(SCHOOL_EVENTS)
    east = card.unit("East")
    assert {i.item_id: i.score for i in east.items} == {"A": Decimal(97), "B": Decimal(80), "N": Decimal(-2)}
    assert east.total == Decimal(175)


def test_a_unit_without_sub_entities_scores_nothing():
    """West was never inspected: no inspection to score, so every scored-per item is 0 (not `award 100`),
    total 0, and West ranks below East."""
    card = loads(SCHOOL).score(SCHOOL_EVENTS)
    west = card.unit("West")
    assert [i.score for i in west.items] == [Decimal(0)] * 3
    assert west.total == Decimal(0)
    assert "no inspection reported, so nothing to score per inspection_id: 0" in west.items[0].why_not
    assert card.unit("East").rank == 1 and west.rank == 2


def test_coverage_counts_rules_exercised_in_any_sub_entity(tmp_path):
    """The first inspection exercises only the deduction, the latest only … both rules of A are exercised:
    DF-1 has a finding (deduct), DF-2 none; `award 100` gives points in both. Coverage: A's 2 rules."""
    from rubric_dsl.testing import run_test_paths

    (tmp_path / "s.rubric").write_text(SCHOOL, encoding="utf-8")
    events = [
        {"id": "1", "unit": "East", "date": "2023-03-01", "kind": "inspection", "inspection_id": "DF-1"},
        {"id": "2", "unit": "East", "date": "2023-03-01", "kind": "finding", "inspection_id": "DF-1", "points": "5"},
        {"id": "3", "unit": "East", "date": "2023-06-01", "kind": "inspection", "inspection_id": "DF-2"},
    ]
    import yaml

    case = {"rubric": "s.rubric", "cases": [{"name": "two inspections", "events": events, "expect": {"East": {"total": 179}}}]}
    # A = 100 (latest DF-2, clean); B = 80; N = -1 (DF-1's finding) → 179
    (tmp_path / "s.test.yaml").write_text(yaml.safe_dump(case, allow_unicode=True), encoding="utf-8")
    lines = []
    assert run_test_paths([str(tmp_path / "s.test.yaml")], coverage=True, out=lines.append, err=lines.append) == 0
    text = "\n".join(lines)
    assert "deduct sum points of finding" not in text  # DF-1 exercised it, though DF-2 was the one taken
    assert "deduct 1 for each finding" not in text


# ---- commendation (language.md "Bulletins and commendation")

COMMEND = """\
rubric "commend per kind"
window 2024-01-01 to 2024-12-31
attribute kind: one of rep | team
event sale
event refund
group plan "plan"
  unit "Ann" with kind rep
  unit "Bo" with kind rep
  unit "Cy" with kind rep
  unit "North" with kind team
  unit "South" with kind team
commend top 2 per kind
section S "s"
  item A "sales"
    award 1 for each sale
    deduct 3 for each refund
"""


def test_commend_top_per_attribute_in_rank_order():
    """`commend top 2 per kind`: reps Ann 1, Bo 3, Cy 3 → top 2 are Bo and Cy (tied), in rank order then
    name; Ann is third. Teams North 2, South -3 (one refund): South is 2nd of the teams but its total is
    below 0, so it is not commended. Commended, best first: Bo, Cy (3), North (2)."""
    program = loads(COMMEND)
    events = [
        {"id": str(i), "unit": u, "date": "2024-02-01", "kind": "sale"}
        for i, u in enumerate(["Ann", "Bo", "Bo", "Bo", "Cy", "Cy", "Cy", "North", "North"])
    ]
    events.append({"id": "r", "unit": "South", "date": "2024-02-01", "kind": "refund"})
    bulletin = build_bulletin(program, program.tally(events), None)
    assert bulletin.commended == ("Bo", "Cy", "North")
    assert bulletin.commendation == "the top 2 of each kind"


def test_commend_per_an_undeclared_attribute_is_e306():
    from rubric_dsl.language.builder import parse
    from rubric_dsl.language.checker import check

    """`commend top 2 per kinds`: no attribute `kinds` → E306, with the did-you-mean."""
    diagnostics = check(parse(COMMEND.replace("per kind", "per kinds")))
    found = [d for d in diagnostics if d.code == "E306"]
    assert [d.message for d in found] == ["`commend top … per` names the unit attribute `kinds`, which is not declared"]
    assert "kind" in found[0].hint


# ---- points given as a value may take `when` (language.md "Values")

COMMISSION = """\
rubric "commission"
window 2024-01-01 to 2024-12-31
event sale
  field amount: decimal, at least 0
group reps "reps" target 1000
  unit "Ann"
  unit "Bo"
let sales = sum amount of sale
let attainment = sales / target
section S "s"
  item C "commission"
    award 4% * sales when attainment >= 100%
    award 2% * sales when attainment < 100%, at most 15
"""


def test_value_points_when_a_condition_holds():
    """`award 4% * sales when attainment >= 100%`: Ann sold 1200 of 1000 (120%) → 4% × 1200 = 48, the 2%
    rule does not hold. Bo sold 900 (90%) → 4% rule not awarded; 2% × 900 = 18, at most 15 → 15."""
    program = loads(COMMISSION)
    events = [
        {"id": "1", "unit": "Ann", "date": "2024-03-01", "kind": "sale", "amount": "1200"},
        {"id": "2", "unit": "Bo", "date": "2024-03-01", "kind": "sale", "amount": "900"},
    ]
    card = program.score(events)
    assert card.unit("Ann").total == Decimal(48)
    assert card.unit("Bo").total == Decimal(15)
    bo_rules = card.unit("Bo").items[0].rules
    assert any("not awarded: attainment >= 100% does not hold" in note for note in bo_rules[0].notes)


def test_value_points_when_round_trip():
    from rubric_dsl.language.builder import parse
    from rubric_dsl.language.formatter import format_text

    text = format_text(COMMISSION)
    assert "award 4% * sales when attainment >= 100%" in text
    assert parse(text) == parse(COMMISSION)


# ---- messages


def test_w520_for_an_optional_attribute_at_least_1_says_absent():
    """`quarterly_target: decimal, at least 1, optional`: it cannot be 0, only absent (W520 wording)."""
    from rubric_dsl.language.builder import parse
    from rubric_dsl.language.checker import check

    text = """\
rubric "w520"
window 2024-01-01 to 2024-12-31
attribute quarterly_target: decimal, at least 1, optional
event sale
  field amount: decimal
group g "g"
  unit "Ann" with quarterly_target 10
section S "s"
  item A "a"
    award 5 when sum amount of sale / quarterly_target >= 1
"""
    found = [d.message for d in check(parse(text)) if d.code == "W520"]
    assert found == [
        "`quarterly_target` can be absent for a unit (`quarterly_target` is optional), and then "
        "`sum amount of sale / quarterly_target` has no value (a comparison with it does not hold; points equal to it are 0)"
    ]
    required = text.replace(", optional", "")
    assert [d for d in check(parse(required)) if d.code == "W520"] == []  # at least 1 and always given: never 0


def test_rubric_test_names_a_mistyped_key_and_suggests_units(tmp_path):
    """`rubric test`: `totl` fails its own case naming the key (did you mean `total`), the next case still
    runs and passes; `Anne` (no such unit) gets "did you mean `Ann`". Ann: 3 sales = 3 points (`award 1 for
    each sale`) in QUARTERLY's Q1 run with the as-of date 2024-03-31."""
    import yaml

    from rubric_dsl.testing import run_test_paths

    (tmp_path / "q.rubric").write_text(QUARTERLY, encoding="utf-8")
    sale = {"unit": "Ann", "date": "2024-02-01", "kind": "sale"}
    events = [dict(sale, id=str(i)) for i in range(3)]
    cases = [
        {"name": "typo", "as_of": "2024-03-31", "events": events, "expect": {"Ann": {"totl": 3}, "Anne": 3}},
        {"name": "good", "as_of": "2024-03-31", "events": [dict(e) for e in events], "expect": {"Ann": {"total": 3}}},
    ]
    (tmp_path / "q.test.yaml").write_text(yaml.safe_dump({"rubric": "q.rubric", "cases": cases}), encoding="utf-8")
    lines = []
    assert run_test_paths([str(tmp_path / "q.test.yaml")], out=lines.append, err=lines.append) == 1
    text = "\n".join(lines)
    assert "Ann: unknown expect key `totl` (did you mean `total`?); a unit takes: grade, items, listed, rank, status, total" in text
    assert "Anne: no scorecard for this unit; did you mean `Ann`?" in text
    assert "PASSED" in text and "good" in text


def test_nan_in_an_events_file_gets_no_library_advice(tmp_path):
    """JSON's NaN in a .jsonl file: "`amount` must be a number, not NaN", no decimal.Decimal hint (that is
    for programs passing floats to the library, which keep it)."""
    from rubric_dsl.engine.runtime import FLOAT_HINT
    from rubric_dsl.sources.events import EventError
    from rubric_dsl.sources.opening import read_events

    program = loads(COMMISSION)
    path = tmp_path / "e.jsonl"
    path.write_text('{"id": "d", "unit": "Ann", "date": "2024-01-01", "kind": "sale", "amount": NaN}\n', encoding="utf-8")
    with pytest.raises(EventError) as caught:
        program.score(read_events(str(path)))
    assert [p.message for p in caught.value.problems] == ["`amount` must be a number, not NaN"]
    with pytest.raises(EventError) as caught:
        program.score([{"id": "f", "unit": "Ann", "date": "2024-01-01", "kind": "sale", "amount": 0.1}])
    assert FLOAT_HINT in caught.value.problems[0].message


def test_a_clause_may_cite_a_let():
    """`clause` after a top-level `let` cites it (builder: CITABLE includes let); after a `section` line it
    is E200 with the list of statements a clause may follow."""
    from rubric_dsl.language.builder import parse
    from rubric_dsl.language.diagnostics import RubricError

    text = COMMISSION.replace(
        "let attainment = sales / target\n", 'let attainment = sales / target\n  clause S1 "Attainment is sales divided by target."\n'
    )
    rubric = parse(text)
    assert [(c.clause_id, type(target).__name__) for c, target in rubric.citations] == [("S1", "Let")]
    with pytest.raises(RubricError) as caught:
        parse(COMMISSION.replace('section S "s"\n', 'section S "s"\nclause S2 "x"\n'))
    message = str(caught.value)
    assert "E200" in message and "let, grade, status, veto" in message


TIERED = """\
rubric "tiered commission"
window 2024-01-01 to 2024-12-31
event sale
  field amount: decimal, at least 0
group reps "reps" target 1000
  unit "Ann"
  unit "Bo"
  unit "Cy"
let sales = sum amount of sale
let attainment = sales / target
section S "s"
  item C "commission"
    award by attainment: 6% * sales when >= 100%, 4% * sales when >= 80%, otherwise 0
"""


def test_tier_points_may_be_values():
    """`award by attainment: 6% * sales when >= 100%, 4% * sales when >= 80%, otherwise 0`:
    Ann 1200 (120%) → 6% × 1200 = 72; Bo 850 (85%) → 4% × 850 = 34; Cy 500 (50%) → otherwise 0."""
    from rubric_dsl.language.formatter import format_text

    program = loads(TIERED)
    events = [
        {"id": str(i), "unit": u, "date": "2024-03-01", "kind": "sale", "amount": a}
        for i, (u, a) in enumerate([("Ann", "1200"), ("Bo", "850"), ("Cy", "500")])
    ]
    card = program.score(events)
    assert [card.unit(u).total for u in ("Ann", "Bo", "Cy")] == [Decimal(72), Decimal(34), Decimal(0)]
    assert "6% * sales when >= 100%, 4% * sales when >= 80%, otherwise 0" in format_text(TIERED)


def test_total_floor():
    """`total floor 0` (tests/cases/constructs/total_floor.rubric): Ann 1 sale, 1 refund → 10 - 15 = -5,
    raised to 0; items keep 10 and -15. Bo 2 sales, 1 refund → 20 - 15 = 5, unchanged."""
    import pathlib

    from rubric_dsl.language.formatter import format_text

    text = (pathlib.Path(__file__).parent / "cases" / "constructs" / "total_floor.rubric").read_text(encoding="utf-8")
    program = loads(text)
    events = [
        {"id": "1", "unit": "Ann", "date": "2024-02-01", "kind": "sale"},
        {"id": "2", "unit": "Ann", "date": "2024-02-02", "kind": "refund"},
        {"id": "3", "unit": "Bo", "date": "2024-02-01", "kind": "sale"},
        {"id": "4", "unit": "Bo", "date": "2024-02-01", "kind": "sale"},
        {"id": "5", "unit": "Bo", "date": "2024-02-03", "kind": "refund"},
    ]
    card = program.score(events)
    ann = card.unit("Ann")
    assert ann.total == Decimal(0) and [i.score for i in ann.items] == [Decimal(10), Decimal(-15)]
    assert card.unit("Bo").total == Decimal(5)
    assert "total floor 0" in format_text(text)


# PROBE2_REPORT (2026-11-29): a football group table. "Three points for a win, one for a draw": the result is two
# fields of one event (goals for, goals against), which a filter cannot compare (E303 now says how to).
GROUP_MATCHES = """\
rubric "group"
window 2018-06-14 to 2018-06-28
group H "Group H"
  unit "Japan"
  unit "Senegal"
event match
  field match_id: text
  field goals_for: integer, at least 0
  field goals_against: integer, at least 0
section S "s"
  item W1 "Points"
    scored per id of match, taking the sum
    award 3 when sum goals_for of match > sum goals_against of match
    award 1 when sum goals_for of match = sum goals_against of match
"""


def test_two_fields_of_one_event_compared_per_event_as_the_e303_hint_says():
    """W1 (3 a win, 1 a draw, 0 a defeat), Japan 2018: W 2-1, D 2-2, L 0-1 = 3 + 1 + 0 = 4; Senegal: W 2-1, D 2-2,
    L 0-1 = 4. Each event is its own sub-entity, so the sums compare one match's goals."""
    matches = [("Japan", "M16", 2, 1), ("Japan", "M32", 2, 2), ("Japan", "M47", 0, 1)]
    matches += [("Senegal", "M15", 2, 1), ("Senegal", "M32", 2, 2), ("Senegal", "M48", 0, 1)]
    events = [
        {
            "id": f"{unit}-{match}",
            "unit": unit,
            "date": "2018-06-20",
            "kind": "match",
            "match_id": match,
            "goals_for": gf,
            "goals_against": ga,
        }
        for unit, match, gf, ga in matches
    ]
    card = loads(GROUP_MATCHES).score(events)
    assert card.total("Japan") == card.total("Senegal") == Decimal(4)


def test_a_filter_comparing_two_fields_points_to_the_per_event_form():
    from rubric_dsl.api import check_text

    _rubric, diagnostics = check_text(
        GROUP_MATCHES.replace(
            "    scored per id of match, taking the sum\n    award 3 when sum goals_for of match > sum goals_against of match\n"
            "    award 1 when sum goals_for of match = sum goals_against of match\n",
            "    award 3 for each match where goals_for > goals_against\n",
        )
    )
    (e303,) = [d for d in diagnostics if d.code == "E303"]
    assert "`goals_against` is another field of match" in e303.hint
    assert "scored per id of match, taking the sum" in e303.hint


def test_explain_of_a_summed_scored_per_item_names_the_sub_entity_of_each_note():
    """Scored per match and summed, every match's rules are shown in turn: each note says which match it is about
    (language.md "Sub-entities": notes inside the item name the sub-entity). Japan lost M47 0-1: the draw rule's
    note for M47 says 0 needs = 1."""
    from rubric_dsl.outputs.explain import explain_unit

    matches = [("Japan", "M16", 2, 1), ("Japan", "M47", 0, 1)]
    events = [
        {
            "id": f"{unit}-{match}",
            "unit": unit,
            "date": "2018-06-20",
            "kind": "match",
            "match_id": match,
            "goals_for": gf,
            "goals_against": ga,
        }
        for unit, match, gf, ga in matches
    ]
    program = loads(GROUP_MATCHES.replace("scored per id of match", "scored per match_id of match"))
    text = explain_unit(program, program.score(events), "Japan")
    assert "note: match_id M47: sum goals_for of match is 0; needs = sum goals_against of match is 1" in text
    assert "note: match_id M16: sum goals_for of match is 2; needs = sum goals_against of match is 1" in text


def test_commend_top_n_per_group_follows_the_rank_lines_tie_breaks():
    """`commend top 2 per group` with `rank within group by total, then score of conduct`: Japan and Senegal are
    level on points (4) but Japan's conduct is -1 (one yellow card) and Senegal's -2 (two): Japan ranks 2nd,
    Senegal 3rd, so only Colombia (6) and Japan are commended; before, every unit on the 2nd place's total was."""
    from rubric_dsl.outputs.reports import commended_units

    rubric_text = (
        GROUP_MATCHES.replace("window 2018-06-14 to 2018-06-28\n", "window 2018-06-14 to 2018-06-28\ncommend top 2 per group\n")
        .replace('  unit "Senegal"\n', '  unit "Senegal"\n  unit "Colombia"\n')
        .replace(
            "section S",
            "event card\n  field sanction: one of yellow | red\nrank within group by total, then score of conduct\nsection S",
        )
        + '  item conduct "Team conduct"\n    deduct for each card by sanction: yellow 1, red 4\n    not in the total\n'
    )
    matches = [("Colombia", "M1", 3, 0), ("Colombia", "M2", 3, 0), ("Japan", "M3", 2, 1), ("Japan", "M4", 2, 2)]
    matches += [("Senegal", "M5", 2, 1), ("Senegal", "M4", 2, 2)]
    events = [
        {
            "id": f"{unit}-{match}",
            "unit": unit,
            "date": "2018-06-20",
            "kind": "match",
            "match_id": match,
            "goals_for": gf,
            "goals_against": ga,
        }
        for unit, match, gf, ga in matches
    ]
    events += [
        {"id": f"y{i}", "unit": unit, "date": "2018-06-21", "kind": "card", "sanction": "yellow"}
        for i, unit in enumerate(["Japan", "Senegal", "Senegal"])
    ]
    program = loads(rubric_text)
    card = program.score(events)
    assert [card.unit(u).rank for u in ("Colombia", "Japan", "Senegal")] == [1, 2, 3]
    assert commended_units(program.rubric, card) == ("Colombia", "Japan")


def test_the_table_shows_statuses_and_no_empty_grade_column():
    """A rubric with a status line and no grade line (`status "advances" when …`): the terminal table showed an
    empty grade column and no status. W1 3 a win: Japan 2-1 → 3 points, advances (3 >= 3); Senegal 2-2 → 1."""
    from rubric_dsl.outputs.scorecards import scorecard_table

    program = loads(GROUP_MATCHES.replace("section S", 'status "advances" when total >= 3\nsection S'))
    events = [
        {"id": "j", "unit": "Japan", "date": "2018-06-19", "kind": "match", "match_id": "M1", "goals_for": 2, "goals_against": 1},
        {"id": "s", "unit": "Senegal", "date": "2018-06-19", "kind": "match", "match_id": "M2", "goals_for": 2, "goals_against": 2},
    ]
    header, _rule, japan, senegal = scorecard_table(program.score(events)).splitlines()[2:]
    assert header.split()[-1] == "status" and "grade" not in header.split()
    assert japan.split()[-1] == "advances" and senegal.split()[-1] == "—"
