"""Field bounds that depend on another field (issue 9; corpus 07 C3-C5: a public health hazard is worth at least 7
points, a critical violation at least 5, a general one at least 2): tests/cases/constructs/field_bounds.rubric,
where a general violation is also worth at most 6 (a range that holds only for it)."""

import pathlib

import pytest

import rubric_dsl
from rubric_dsl.api import check_text, loads
from rubric_dsl.engine.reference import reference_of
from rubric_dsl.language import nodes as n
from rubric_dsl.language.builder import parse, parse_statements
from rubric_dsl.language.formatter import format_text

from .test_reference import outcome

SAMPLE = pathlib.Path(__file__).parent / "cases" / "constructs" / "field_bounds.rubric"
TEXT = SAMPLE.read_text(encoding="utf-8")


def violation(event_id, category, points, **more):
    return {"id": event_id, "unit": "R", "date": "2023-03-01", "kind": "violation", "category": category, "points": points, **more}


@pytest.fixture(scope="module")
def program():
    return loads(TEXT, str(SAMPLE))


def test_the_bounds_build_into_options():
    (field,) = parse_statements("field p: integer, at least 7 when c = a, from 2 to 6 when c = b, at most 9 when not c = a\n")
    assert field.options == (
        n.FieldOption("min_when", (n.Number("7"), n.Compare("c", "=", n.Word("a")))),
        n.FieldOption("range_when", (n.Number("2"), n.Number("6"), n.Compare("c", "=", n.Word("b")))),
        n.FieldOption("max_when", (n.Number("9"), n.Not(n.Compare("c", "=", n.Word("a"))))),
    )


def test_fmt_keeps_the_bounds():
    formatted = format_text(TEXT, str(SAMPLE))
    assert "at least 7 when category = public_health_hazard" in formatted
    assert "from 2 to 6 when category = general" in formatted
    assert parse(formatted, "f") == parse(TEXT, "f")


@pytest.mark.parametrize(
    "category, points, message",
    [
        # C3: a public health hazard is worth at least 7: 6 is one short
        ("public_health_hazard", 6, "`points` is 6, below the least allowed 7 when category = public_health_hazard"),
        # C4: a critical violation is worth at least 5
        ("critical", 4, "`points` is 4, below the least allowed 5 when category = critical"),
        # C5: a general violation is worth at least 2 (and, in this sample, at most 6)
        ("general", 1, "`points` is 1, outside 2 to 6, the range when category = general"),
        ("general", 7, "`points` is 7, outside 2 to 6, the range when category = general"),
    ],
)
def test_a_value_outside_its_categorys_bound_is_an_event_problem(program, category, points, message):
    tally = program.tally([violation("v", category, points)])
    assert [(p.field, p.message) for p in tally.problems] == [("points", message)]


def test_values_inside_their_categorys_bound_score(program):
    # 7 (hazard, least 7) + 5 (critical, least 5) + 2 and 6 (general, 2 to 6) = 20; each bound holds
    # only for its own category: 2 points would be too few for a hazard, but are enough for a general one
    events = [
        violation("a", "public_health_hazard", 7),
        violation("b", "critical", 5),
        violation("c", "general", 2),
        violation("d", "general", 6),
    ]
    card = program.score(events)
    assert card.total("R") == 20


def test_the_bound_is_checked_with_the_events_other_problems(program):
    # the bound is judged once every field is known, and reported after the fields' own problems
    bad = violation("v", "critical", 3, quantity=0)
    (problem,) = program.tally([bad]).problems
    assert [p.message for p in problem.problems] == [
        "`quantity` must be a whole number of at least 1, not 0",
        "`points` is 3, below the least allowed 5 when category = critical",
    ]
    # with the category itself wrong, the bound that depends on it is not judged
    (problem,) = program.tally([violation("w", "critcal", 3)]).problems
    assert [p.field for p in problem.problems] == ["category"]


def test_the_reference_interpreter_agrees(program):
    events = [
        violation(str(i), c, p)
        for i, (c, p) in enumerate([("public_health_hazard", 6), ("critical", 5), ("general", 7), ("general", 3), ("critcal", 1)])
    ]
    events.append(violation("q", "critical", 2, quantity=0))
    assert outcome(program, events) == outcome(reference_of(program), events)


@pytest.mark.parametrize(
    "declaration, message",
    [
        ("field n: text, at least 3 when c = a", "`n` is text; only numbers take `at least`/`at most`"),
        ("field n: integer, from 9 to 5 when c = a", "the range of `n` is empty (9 to 5)"),
        (
            "field n: integer, at most 3 when unit kind = x",
            "a bound on `n` can depend on the event's own fields, not on its unit's attributes",
        ),
        ("field n: integer, at least 3 when d = a", "event kind `e` has no field `d`"),
    ],
)
def test_checker_refuses_bounds_it_cannot_apply(declaration, message):
    text = f'rubric "t"\nwindow 2023-01-01 to 2023-12-31\nunlisted units are scored apart\nattribute kind: one of x | y\nevent e\n  field c: one of a | b\n  {declaration}\n'
    _rubric, diagnostics = check_text(text, "t.rubric")
    assert [d.message for d in diagnostics if d.severity == "error"] == [message]


def test_a_unit_attribute_takes_no_conditional_bound():
    text = (
        'rubric "t"\nwindow 2023-01-01 to 2023-12-31\nunlisted units are scored apart\nattribute size: integer, at least 3 when size = 4\n'
    )
    _rubric, diagnostics = check_text(text, "t.rubric")
    assert [d.code for d in diagnostics] == ["E305"]


def test_library_raises_every_problem(program):
    with pytest.raises(rubric_dsl.EventError) as raised:
        program.score([violation("v", "public_health_hazard", 3)])
    assert "below the least allowed 7 when category = public_health_hazard" in str(raised.value)


def test_corpus_07_rejects_a_violation_below_its_categorys_minimum():
    # corpus 07 C3-C5, as encoded in examples/corpus/07_nyc_restaurant_grading: a hazard at 6 (least 7), a critical
    # violation at 4 (least 5) and a general one at 1 (least 2) are rejected; each at its minimum is accepted
    root = pathlib.Path(__file__).resolve().parent.parent
    corpus = rubric_dsl.load(root / "examples" / "corpus" / "07_nyc_restaurant_grading" / "nyc_restaurant_grading.rubric")

    def v(event_id, category, points):
        return {**violation(event_id, category, points), "inspection_id": "i1", "condition_level": 1}

    tally = corpus.tally([v("a", "public_health_hazard", 6), v("b", "critical", 4), v("c", "general", 1)])
    assert [p.message for p in tally.problems] == [
        "`points` is 6, below the least allowed 7 when category = public_health_hazard",
        "`points` is 4, below the least allowed 5 when category = critical",
        "`points` is 1, below the least allowed 2 when category = general",
    ]
    assert corpus.tally([v("a", "public_health_hazard", 7), v("b", "critical", 5), v("c", "general", 2)]).problems == []


def test_expect_invalid_matches_any_problem_of_an_event(program):
    # the bound is the event's second problem (after its quantity): `expect_invalid` finds it all the same
    from rubric_dsl.testing import run_case

    case = {
        "name": "hazard below 7",
        "events": [violation("v", "public_health_hazard", 6, quantity=0)],
        "expect_invalid": ["below the least allowed 7 when category = public_health_hazard", "`quantity` must be a whole number"],
    }
    failures, _card = run_case(program, case, SAMPLE.parent)
    assert failures == []
    case["expect_invalid"] = "below the least allowed 5"
    failures, _card = run_case(program, case, SAMPLE.parent)
    assert len(failures) == 1 and failures[0].startswith("expected a rejection containing 'below the least allowed 5'")
