"""`require A at least N days after B [of the same F], or it does not count` (issue 9; corpus 07 C8: a re-inspection
comes no earlier than one week after the initial inspection): tests/cases/constructs/required_gap.rubric. Every
number below is worked by hand from its two lines: a re-inspection counts only 7 or more days after the unit's
latest initial inspection on or before it; a finding counts only on or after an inspection with its inspection_id."""

import datetime
import pathlib

import pytest

import rubric_dsl
from rubric_dsl.api import check_text, loads
from rubric_dsl.engine.reference import reference_of
from rubric_dsl.language import nodes as n
from rubric_dsl.language.builder import parse, parse_statements
from rubric_dsl.language.formatter import format_text
from rubric_dsl.outputs.explain import explain_unit

from .test_reference import outcome

ROOT = pathlib.Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "cases" / "constructs" / "required_gap.rubric"
TEXT = SAMPLE.read_text(encoding="utf-8")


def inspection(event_id, unit, day, type_, inspection_id=None):
    return {
        "id": event_id,
        "unit": unit,
        "date": f"2023-{day}",
        "kind": "inspection",
        "inspection_id": inspection_id or event_id,
        "type": type_,
    }


def finding(event_id, unit, day, inspection_id, points):
    return {"id": event_id, "unit": unit, "date": f"2023-{day}", "kind": "finding", "inspection_id": inspection_id, "points": points}


EVENTS = [
    # Ann: initial 03-01; re-inspection 03-05 is 4 days later (too soon); re-inspection 03-08 is 7 days later (counts)
    inspection("a1", "Ann", "03-01", "initial"),
    inspection("a2", "Ann", "03-05", "reinspection"),
    inspection("a3", "Ann", "03-08", "reinspection"),
    finding("f1", "Ann", "03-01", "a1", 5),
    finding("f2", "Ann", "03-08", "a3", 2),
    # Bo: a re-inspection with no initial inspection before it (his initial is later): not counted
    inspection("b1", "Bo", "04-10", "reinspection"),
    inspection("b2", "Bo", "04-20", "initial"),
    # a finding dated before its inspection, and one for an inspection never reported: neither counts
    finding("f3", "Bo", "04-19", "b2", 3),
    finding("f4", "Bo", "04-20", "zz", 9),
    finding("f5", "Bo", "04-20", "b2", 4),
]


@pytest.fixture(scope="module")
def program():
    return loads(TEXT, str(SAMPLE))


@pytest.fixture(scope="module")
def card(program):
    return program.score(EVENTS)


def test_the_statement_builds():
    (statement,) = parse_statements(
        "require visit where type = b at least 7 days after visit where type = a of the same case_id, or it does not count\n"
    )
    assert statement == n.Require(
        n.KeyedEvents(n.Source("visit", n.Compare("type", "=", n.Word("b"))), "case_id"),
        n.KeyedEvents(n.Source("visit", n.Compare("type", "=", n.Word("a"))), "case_id"),
        7,
    )


def test_fmt_round_trip():
    formatted = format_text(TEXT, str(SAMPLE))
    assert (
        "require inspection where type = reinspection at least 7 days after inspection where type = initial, or it does not count"
        in formatted
    )
    assert parse(formatted, "f") == parse(TEXT, "f")


@pytest.mark.parametrize(
    "unit, item, score",
    [
        # Ann N: a1 (the initial) and a3 (7 days after it) count; a2 (4 days after) does not: 2
        ("Ann", "N", 2),
        # Ann P: f1 (on a1's day, 0 days after) 5 + f2 (on a3's day) 2 = 7
        ("Ann", "P", 7),
        # Bo N: b2 counts (an initial: the first line asks nothing of it); b1 has no initial on or before 04-10: 1
        ("Bo", "N", 1),
        # Bo P: f5 (b2's day) 4; f3 is a day before b2, f4's inspection zz was never reported: 4
        ("Bo", "P", 4),
    ],
)
def test_events_too_soon_do_not_count(card, unit, item, score):
    assert card.unit(unit).item(item).score == score


def test_explain_says_why_each_was_left_out(program, card):
    ann = explain_unit(program, card, "Ann")
    assert (
        "inspection a2 of 2023-03-05 was not counted: C8: 4 days after inspection where type = initial on 2023-03-01; at least 7 required"
        in ann
    )
    bo = explain_unit(program, card, "Bo")
    assert "inspection b1 of 2023-04-10 was not counted: C8: no inspection where type = initial on or before it" in bo
    assert "finding f3 of 2023-04-19 was not counted: no inspection on or before it" in bo


def test_the_scorecard_lists_them_as_excluded(card):
    data = card.to_json(provenance="events")
    reasons = {e["id"]: e["reason"] for e in data["excluded"]}
    assert reasons == {
        "a2": "too soon after the event it must follow (C8: 4 days after inspection where type = initial on 2023-03-01; at least 7 required)",
        "b1": "too soon after the event it must follow (C8: no inspection where type = initial on or before it)",
        "f3": "too soon after the event it must follow (no inspection on or before it)",
        "f4": "too soon after the event it must follow (no inspection on or before it)",
    }
    assert data["excluded_counts"] == {"too soon after the event it must follow": 4}
    # 10 events read; 4 left out
    assert (card.events_read, card.events_scored) == (10, 6)


def test_an_earlier_period_holds_the_event_it_follows(program):
    # scored as of 03-06, a3 (03-08) is after the as-of date; a2 is still too soon: N = 1 (a1)
    card = program.score(EVENTS, as_of=datetime.date(2023, 3, 6))
    assert card.unit("Ann").item("N").score == 1


def test_the_tally_is_left_as_it_was(program):
    # one tally, finished twice (as monthly bulletins do): the second finish sees every record again
    tally = program.tally(EVENTS)
    first = program.finish(tally)
    second = program.finish(tally)
    assert first.to_json() == second.to_json()


def test_the_reference_interpreter_agrees(program):
    assert outcome(program, EVENTS) == outcome(reference_of(program), EVENTS)


def test_checker_names_unknown_kinds_fields_and_values():
    head = 'rubric "t"\nwindow 2023-01-01 to 2023-12-31\nunlisted units are scored apart\nevent v\n  field t: one of a | b\nevent w\n'
    _rubric, diagnostics = check_text(
        head + "require v where t = c at least 7 days after x of the same k, or it does not count\n", "t.rubric"
    )
    # the undeclared value c, the unknown kind x, and the key k that v does not have
    assert sorted(d.code for d in diagnostics if d.severity == "error") == ["E300", "E301", "E302"]
    _rubric, diagnostics = check_text(head + "require v at least 7 days after w of the same t, or it does not count\n", "t.rubric")
    assert [d.message for d in diagnostics if d.severity == "error"] == ["event kind `w` has no field `t`"]


def test_corpus_07_does_not_count_a_reinspection_within_a_week():
    # corpus 07 C8: R's initial inspection (03-01) scores 7 + 5 + 2 = 14, no grade, awaiting re-inspection; a
    # re-inspection four days later (03-05, 2 points) is too soon, so the initial one is still the latest counted
    corpus = rubric_dsl.load(ROOT / "examples" / "corpus" / "07_nyc_restaurant_grading" / "nyc_restaurant_grading.rubric")

    def violation(event_id, day, inspection_id, category, points):
        return {
            "id": event_id,
            "unit": "R",
            "date": f"2023-{day}",
            "kind": "violation",
            "inspection_id": inspection_id,
            "category": category,
            "condition_level": 1,
            "points": points,
        }

    events = [
        {"id": "e1", "unit": "R", "date": "2023-03-01", "kind": "inspection", "inspection_id": "i1", "type": "initial"},
        violation("e2", "03-01", "i1", "public_health_hazard", 7),
        violation("e3", "03-01", "i1", "critical", 5),
        violation("e4", "03-01", "i1", "general", 2),
        {"id": "e5", "unit": "R", "date": "2023-03-05", "kind": "inspection", "inspection_id": "i2", "type": "reinspection"},
        violation("e6", "03-05", "i2", "general", 2),
    ]
    unit = corpus.score(events, as_of=datetime.date(2023, 3, 10)).unit("R")
    assert unit.total == 14
    assert unit.grade is None
    assert unit.status == "ungraded, awaiting re-inspection"


def test_an_event_without_the_key_shares_it_with_none():
    # `of the same inspection_id`: a finding and an inspection that both lack the (optional) id are not "the same"
    text = TEXT.replace("  field inspection_id: text\n", "  field inspection_id: text, optional\n")
    program = loads(text, "optional.rubric")
    events = [
        {"id": "i", "unit": "Ann", "date": "2023-03-01", "kind": "inspection", "type": "initial"},
        {"id": "f", "unit": "Ann", "date": "2023-03-02", "kind": "finding", "points": 3},
    ]
    card = program.score(events)
    # the inspection counts (N 1); the finding has no inspection of its id, so it does not (P 0)
    assert (card.unit("Ann").item("N").score, card.unit("Ann").item("P").score) == (1, 0)
