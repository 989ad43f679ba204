"""Grade bands on an item (issue 9): `grade by score: A when <= 13, B when <= 27, C otherwise` gives the item the first
band its own score is in. tests/cases/constructs/item_grades.rubric; every number worked by hand from its rules
(score: the sum of the violations' points, graded A to 13, B to 27, C above, as corpus 07 C1 bands an inspection;
clean: 10 - 1 per violation, at least 0, `good` from 8, no grade from 5, `poor` below)."""

import pathlib

import pytest
import yaml

from rubric_dsl.api import check_text, loads
from rubric_dsl.engine.reference import reference_of
from rubric_dsl.language import nodes as n
from rubric_dsl.language.builder import parse, parse_statements
from rubric_dsl.language.formatter import format_text
from rubric_dsl.outputs.explain import explain_unit
from rubric_dsl.outputs.scorecards import scorecard_csv, scorecard_table
from rubric_dsl.testing import run_case

from .test_reference import outcome

SAMPLE = pathlib.Path(__file__).parent / "cases" / "constructs" / "item_grades.rubric"
TEXT = SAMPLE.read_text(encoding="utf-8")


def violation(event_id, unit, points):
    return {"id": event_id, "unit": unit, "date": "2023-03-01", "kind": "violation", "points": points}


EVENTS = [
    # Ann: 7 + 6 = 13 points in 2 violations → score 13 (A, the edge of the band); clean 10 - 2 = 8 (good)
    violation("a1", "Ann", 7),
    violation("a2", "Ann", 6),
    # Bo: 14 points in 4 violations → score 14 (B); clean 10 - 4 = 6 (from 5: no grade)
    *(violation(f"b{i}", "Bo", p) for i, p in enumerate([5, 5, 2, 2])),
    # Cy: 30 in 12 violations → score 30 (C); clean 10 - 12 = -2, floored at 0 (poor)
    *(violation(f"c{i}", "Cy", p) for i, p in enumerate([3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2])),
    # Di: 4 points, but a closure vetoes the unit: no score, and its items no grade
    violation("d1", "Di", 4),
    {"id": "d2", "unit": "Di", "date": "2023-03-02", "kind": "closure"},
]


@pytest.fixture(scope="module")
def program():
    return loads(TEXT, str(SAMPLE))


@pytest.fixture(scope="module")
def card(program):
    return program.score(EVENTS)


def test_the_bands_build():
    (statement,) = parse_statements('grade by score: A when <= 13, none when < 20, "C grade" otherwise\n')
    assert statement == n.ItemGrades(
        (n.GradeBand("A", "<=", n.Number("13")), n.GradeBand(None, "<", n.Number("20")), n.GradeBand("C grade"))
    )


def test_fmt_round_trip():
    formatted = format_text(TEXT, str(SAMPLE))
    assert "    grade by score: A when <= 13, B when <= 27, C otherwise\n" in formatted
    assert parse(formatted, "f") == parse(TEXT, "f")


@pytest.mark.parametrize(
    "unit, item, score, grade",
    [
        ("Ann", "score", 13, "A"),  # 13 <= 13
        ("Ann", "clean", 8, "good"),  # 8 >= 8
        ("Bo", "score", 14, "B"),  # 14 > 13, <= 27
        ("Bo", "clean", 6, None),  # 6 < 8, >= 5: the band `none`
        ("Cy", "score", 30, "C"),  # 30 > 27
        ("Cy", "clean", 0, "poor"),  # floored at 0: < 5
    ],
)
def test_each_item_gets_the_first_band_its_score_is_in(card, unit, item, score, grade):
    result = card.unit(unit).item(item)
    assert (result.score, result.grade) == (score, grade)


def test_a_vetoed_item_has_no_grade(card):
    di = card.unit("Di")
    assert di.total is None
    assert [i.grade for i in di.items] == [None, None]


def test_json_carries_the_grade_on_the_item(card):
    units = {u["unit"]: u for u in card.to_json()["units"]}
    assert [(i["id"], i["grade"]) for i in units["Bo"]["items"]] == [("score", "B"), ("clean", None)]


def test_explain_says_which_band_and_why_not_the_ones_before(program, card):
    bo = explain_unit(program, card, "Bo")
    assert "  not A: 14 is not <= 13; grade B: 14 <= 27" in bo
    assert "  not good: 6 is not >= 8; no grade: 6 >= 5" in bo
    cy = explain_unit(program, card, "Cy")
    assert "  not A: 30 is not <= 13; not B: 30 is not <= 27; grade C: otherwise" in cy


def test_table_and_csv_show_a_grade_column_per_graded_item(card):
    table = scorecard_table(card)
    assert "score grade" in table and "clean grade" in table
    rows = {line.split(",")[1]: line.split(",") for line in scorecard_csv(card).splitlines()}
    header = rows["unit"]
    assert header[header.index("score_grade")] == "score_grade"
    assert rows["Cy"][header.index("score_grade")] == "C"
    assert rows["Cy"][header.index("clean_grade")] == "poor"
    assert rows["Bo"][header.index("clean_grade")] == ""


def test_a_test_case_expects_an_items_grade(program):
    case = yaml.safe_load(
        """
name: grades
events:
  - {id: b1, unit: Bo, date: '2023-03-01', kind: violation, points: 14}
expect:
  Bo:
    items: {score: {score: 14, grade: B}, clean: {score: 9, grade: good}}
"""
    )
    failures, _card = run_case(program, case, SAMPLE.parent)
    assert failures == []
    case["expect"]["Bo"]["items"]["score"]["grade"] = "A"
    case["expect"]["Bo"]["items"]["clean"] = {"grade": None, "scor": 9}
    failures, _card = run_case(program, case, SAMPLE.parent)
    assert failures == ["Bo score grade: expected 'A', got 'B'", "Bo clean: unknown key `scor`; an item takes score and grade"]


def test_the_reference_interpreter_agrees(program):
    assert outcome(program, EVENTS) == outcome(reference_of(program), EVENTS)


def test_a_band_no_score_can_reach_is_a_warning():
    text = 'rubric "t"\nwindow 2023-01-01 to 2023-12-31\nunlisted units are scored apart\nsection S "s"\n  item A "a"\n    award 3\n'
    _rubric, diagnostics = check_text(text + "    grade by score: 合格 when >= 60, 优秀 when >= 90, 不合格 otherwise\n", "t.rubric")
    assert [(d.code, d.severity, d.message) for d in diagnostics] == [
        ("W504", "warning", "item A: grade 优秀 is never given: the bands before it take every score it would")
    ]
    _rubric, diagnostics = check_text(text + "    grade by score: 优秀 when >= 90, 合格 when >= 60, 不合格 otherwise\n", "t.rubric")
    assert diagnostics == []


def test_grade_bands_belong_to_an_item():
    text = 'rubric "t"\nwindow 2023-01-01 to 2023-12-31\nunlisted units are scored apart\ngrade by score: A otherwise\n'
    _rubric, diagnostics = check_text(text, "t.rubric")
    assert [d.code for d in diagnostics] == ["E200"]


def test_a_single_units_bulletin_shows_each_items_grade():
    # a rubric with one unit lists its items in the bulletin: Ann's score 13 (A) and clean 8 (good)
    import datetime

    from rubric_dsl.outputs.reports import build_bulletin, to_markdown

    text = TEXT.replace(
        "unlisted units are scored apart\n",
        'unlisted units are scored apart\nbulletin monthly, yearly\ngroup g "restaurants"\n  unit "Ann"\n',
    )
    program = loads(text, "one.rubric")
    bulletin = build_bulletin(program, program.tally(EVENTS[:2]), datetime.date(2023, 3, 31))
    assert [(line.item_id, line.score, line.grade) for line in bulletin.items] == [("score", 13, "A"), ("clean", 8, "good")]
    markdown = to_markdown(bulletin)
    assert "| grade |" in markdown
    assert "| A |" in markdown and "| good |" in markdown
