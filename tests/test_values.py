"""Value expressions, named values and conditions, tiers, steps and shortfalls: scores worked by hand, no-value
semantics, explain lines and JSON fields (docs/language.md "Values")."""

import datetime
from decimal import Decimal

import pytest

from rubric_dsl.api import check_text, loads
from rubric_dsl.language.builder import parse
from rubric_dsl.language.formatter import format_text
from rubric_dsl.outputs.explain import explain_unit

RUBRIC = """\
rubric "values"
window 2022-01-01 to 2022-12-31
unlisted units are scored apart
group g
  unit "甲" target 4
  unit "乙"
event submitted
  field article_id: text
event adopted
  field article_id: text
event visit
  field score: decimal
let rate = distinct article_id of adopted / count submitted otherwise 0
let required = 2 * months
let excess = (count submitted - required) / required
let low = rate < 30%
section S "s"
  item R "rate"
    deduct 1 when low and count submitted > 0
  item Q "quota"
    deduct 1 for each submitted short of target
  item T "tiers"
    award by rate: 10 when >= 50%, 5 when >= 30%, otherwise 1
  item X "steps"
    bonus 1 when excess > 10%
    bonus 1 for each full 20% of excess beyond 30%
  item F "fraction steps"
    deduct 0.5 for each 10% of rate below 50%
  item V "visits"
    award average score of visit
  item P "points"
    award 0.5 * count submitted
"""

AS_OF = datetime.date(2022, 3, 31)  # months = 3, so required = 6


def events():
    out = []

    def add(unit, kind, day, **fields):
        out.append({"id": f"e{len(out)}", "unit": unit, "date": f"2022-{day}", "kind": kind, **fields})

    for article in ("a1", "a2", "a3"):
        add("甲", "submitted", "01-10", article_id=article)
    add("甲", "adopted", "02-01", article_id="a1")
    add("甲", "adopted", "02-02", article_id="a1")  # the same article twice: distinct counts it once
    add("甲", "visit", "03-01", score="80")
    add("甲", "visit", "03-02", score="90", quantity=2)
    for index in range(8):
        add("乙", "submitted", "01-20", article_id=f"b{index}")
    for index in range(4):
        add("乙", "adopted", "02-20", article_id=f"b{index}")
    add("丙", "visit", "03-03", score="70")
    for index in range(10):
        add("丁", "submitted", "02-05", article_id=f"d{index}")
    add("甲", "submitted", "04-01", article_id="late")  # after the as-of date: not counted
    return out


@pytest.fixture(scope="module")
def card():
    return loads(RUBRIC).score(events(), as_of=AS_OF)


# Each row: unit, item, score, worked by hand from the clause it tests.
HAND_WORKED = [
    # 甲: rate = 1 distinct adopted / 3 submitted = 33.33%, not below 30%
    ("甲", "R", "0"),
    ("甲", "Q", "-1"),  # short of target 4 by 1 (3 submitted)
    ("甲", "T", "5"),  # 33.33% >= 30%, below 50%
    ("甲", "X", "0"),  # excess = (3 - 6) / 6 = -50%
    ("甲", "F", "-0.83"),  # 16.67% below 50% = 1.667 steps of 10% × 0.5 = 0.8333
    ("甲", "V", "86.67"),  # (80 + 90 × 2) / 3 visits
    ("甲", "P", "1.50"),  # 0.5 × 3
    # 乙: rate = 4 / 8 = 50%; no target; no visits
    ("乙", "R", "0"),
    ("乙", "Q", "0"),  # no target: nothing counted short
    ("乙", "T", "10"),
    ("乙", "X", "1"),  # excess = (8 - 6) / 6 = 33.33%: > 10%; 3.33% beyond 30% is no full 20% step
    ("乙", "F", "0"),  # 50% is not below 50%
    ("乙", "V", "0"),  # average of no visits has no value: 0 points
    ("乙", "P", "4"),
    # 丙: nothing submitted: the rate is 0 by `otherwise 0`, but R needs a submission
    ("丙", "R", "0"),
    ("丙", "T", "1"),  # 0 < 30%: otherwise 1
    ("丙", "F", "-2.50"),  # the rate is 0: 50% below 50% = 5 steps × 0.5
    ("丙", "V", "70"),
    # 丁: 10 submitted, none adopted
    ("丁", "R", "-1"),  # 0% < 30%
    ("丁", "T", "1"),
    ("丁", "X", "2"),  # excess = 4 / 6 = 66.67%: 1 for > 10%, plus 1 full 20% step beyond 30% (36.67%)
    ("丁", "F", "-2.50"),  # 50% below 50% = 5 steps × 0.5
    ("丁", "P", "5"),
]


@pytest.mark.parametrize("unit,item,score", HAND_WORKED, ids=[f"{u}-{i}" for u, i, _ in HAND_WORKED])
def test_hand_worked_scores(card, unit, item, score):
    assert card.unit(unit).item(item).score == Decimal(score)


def test_totals_are_the_sums_of_the_items(card):
    assert card.total("甲") == Decimal("91.34")  # 0 - 1 + 5 + 0 - 0.83 + 86.67 + 1.5
    assert card.total("乙") == Decimal("15")  # 0 + 0 + 10 + 1 + 0 + 0 + 4
    assert card.total("丙") == Decimal("68.5")  # 0 + 0 + 1 + 0 - 2.5 + 70 + 0
    assert card.total("丁") == Decimal("4.5")  # -1 + 0 + 1 + 2 - 2.5 + 0 + 5


def test_named_values_in_the_scorecard_json(card):
    units = {u["unit"]: u for u in card.to_json()["units"]}
    assert units["乙"]["named"] == {"rate": "0.5", "required": "6", "excess": units["乙"]["named"]["excess"], "low": False}
    assert Decimal(units["乙"]["named"]["excess"]).quantize(Decimal("0.0001")) == Decimal("0.3333")
    assert units["丁"]["named"]["low"] is True


def test_no_value_is_explained():
    program = loads(RUBRIC.replace(" otherwise 0", ""), "values.rubric")
    card = program.score(events(), as_of=AS_OF)
    text = explain_unit(program, card, "丙")
    assert "rate has no value: count submitted is 0, so distinct article_id of adopted / count submitted has no value" in text


def test_why_not_shows_the_compared_values(card):
    item = card.unit("甲").item("R")
    assert item.rules[0].notes == ("low: rate is 0.3333 (1 / 3); needs < 30%",)


def test_division_without_otherwise_warns():
    _, diagnostics = check_text(RUBRIC.replace(" otherwise 0", ""))
    assert [(d.code, d.line) for d in diagnostics] == [("W520", 13)]  # the `let rate` line; `/ required` never is 0


def test_a_constant_denominator_does_not_warn():
    _, diagnostics = check_text(RUBRIC)
    assert diagnostics == []  # `/ required` is 2 × months, never 0; `rate` says `otherwise 0`


def test_format_round_trip_keeps_meaning():
    formatted = format_text(RUBRIC)
    assert parse(formatted) == parse(RUBRIC)
    assert format_text(formatted) == formatted


def test_corpus_rubrics_format_round_trip():
    # every corpus encoding: `fmt` keeps its meaning and is stable (quoted enum values included)
    import pathlib

    for path in sorted((pathlib.Path(__file__).parent.parent / "examples" / "corpus").rglob("*.rubric")):
        text = path.read_text(encoding="utf-8")
        formatted = format_text(text)
        assert parse(formatted) == parse(text), path
        assert format_text(formatted) == formatted, path


def test_clause_lines_inside_an_item_cite_the_item():
    text = RUBRIC.replace(
        "    deduct 1 when low and count submitted > 0\n", '    deduct 1 when low and count submitted > 0\n    clause C5 "rate under 30%"\n'
    )
    rubric = parse(text)
    assert rubric.item_clauses == (("C5", "R"),)
    assert format_text(text) == text  # the clause keeps the item's indentation


def test_coverage_counts_a_clause_cited_inside_an_item(tmp_path):
    from rubric_dsl.testing import run_test_paths

    (tmp_path / "v.rubric").write_text(
        RUBRIC.replace("    award 0.5 * count submitted\n", '    award 0.5 * count submitted\n    clause C9 "half a point a submission"\n'),
        encoding="utf-8",
    )

    def uncovered(events: str) -> list:
        case = "cases:\n  - name: one\n    as_of: 2022-03-31\n    events:\n" + events + "    expect: {}\n"
        (tmp_path / "v.test.yaml").write_text(case, encoding="utf-8")
        lines: list = []
        run_test_paths([str(tmp_path)], coverage=True, out=lines.append, err=lines.append)
        line = next((x for x in "\n".join(lines).splitlines() if "clauses no case covered:" in x), "")
        return line.split(":", 1)[-1].replace(" ", "").split(",") if line else []

    # a submission exercises item P, so C9 (cited inside P) is covered; with no events, it is not
    assert "C9" not in uncovered("      - {id: a, unit: 乙, date: 2022-01-02, kind: submitted, article_id: x}\n")
    assert "C9" in uncovered("      []\n")
