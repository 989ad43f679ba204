"""One limit shared by several rules (`bonus for commended and instructed together at most 10`) and a cap on the
total (`total cap 20`), issue 9: tests/cases/constructs/joint_caps.rubric, every number worked by hand from its
clauses (S3: commendations and instructions together at most 10; S9: the payout at most 20; the total floor 0)."""

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

SAMPLE = pathlib.Path(__file__).parent / "cases" / "constructs" / "joint_caps.rubric"
TEXT = SAMPLE.read_text(encoding="utf-8")


def event(event_id, unit, kind, quantity=1):
    return {"id": event_id, "unit": unit, "date": "2024-03-01", "kind": kind, "quantity": quantity}


EVENTS = [
    # Ann: 3 commendations (9) + 1 instruction (4) = 13 > 10, so S3 takes 3 off: A = 10 - 1 late = 9;
    # B = 15 - 2 (late) = 13; total 22, lowered to the total cap 20 (S9)
    event("1", "Ann", "commended", 3),
    event("2", "Ann", "instructed"),
    event("3", "Ann", "late"),
    # Bo: 1 commendation (3) + 1 instruction (4) = 7, within 10: A = 7; B = 15 - 3 refunds (12), the
    # deductions together at most 8: 15 - 8 = 7; total 14, within the floor and the cap
    event("4", "Bo", "commended"),
    event("5", "Bo", "instructed"),
    event("6", "Bo", "refund", 3),
    # Cy: 5 refunds (20) and 4 late (8 on B, 4 on A): A = 0 - 4 = -4; B = 15 - 8 (deductions capped) = 7;
    # total 3. Dee: 10 late: A = -10, B = 15 - 8 = 7, total -3 raised to the floor 0
    event("7", "Cy", "refund", 5),
    event("8", "Cy", "late", 4),
    event("9", "Dee", "late", 10),
]


@pytest.fixture(scope="module")
def program():
    return loads(TEXT, str(SAMPLE))


@pytest.fixture(scope="module")
def card(program):
    return program.score(EVENTS)


@pytest.mark.parametrize(
    "unit, a, b, total",
    [
        ("Ann", Decimal(9), Decimal(13), Decimal(20)),  # S3 cuts the bonus, S9 the total
        ("Bo", Decimal(7), Decimal(7), Decimal(14)),  # the deductions together at most 8
        ("Cy", Decimal(-4), Decimal(7), Decimal(3)),  # a joint limit counts only its verb: A's late is not bonus
        ("Dee", Decimal(-10), Decimal(7), Decimal(0)),  # the total floor 0
    ],
)
def test_joint_and_total_caps(card, unit, a, b, total):
    result = card.unit(unit)
    assert (result.item("A").score, result.item("B").score, result.total) == (a, b, total)


def test_explain_says_which_limit_cut_what(program, card):
    ann = explain_unit(program, card, "Ann")
    assert "total: the items add up to 22, lowered to the total cap 20" in ann
    assert "limit: bonus for commended and instructed together at most 10: 13 capped at 10" in ann
    # each rule keeps its own points in the ledger
    assert "bonus 3 for each commended  → +9" in ann
    bo = explain_unit(program, card, "Bo")
    assert "limit: deduct together at most 8: 12 capped at 8" in bo
    assert "total:" not in bo  # nothing moved Bo's total
    dee = explain_unit(program, card, "Dee")
    assert "total: the items add up to -3, raised to the total floor 0" in dee


def test_json_scorecard(card):
    data = json.loads(render_scorecard(card, "json"))
    units = {u["unit"]: u for u in data["units"]}
    assert units["Ann"]["total_limits"] == ["the items add up to 22, lowered to the total cap 20"]
    assert units["Bo"]["total_limits"] == []
    item_a = next(i for i in units["Ann"]["items"] if i["id"] == "A")
    assert "bonus for commended and instructed together at most 10: 13 capped at 10" in item_a["limits"]


def test_snippets_build_the_nodes():
    rubric = parse(TEXT)
    assert rubric.total_cap == n.TotalCap(n.Number("20"))
    a, b = rubric.sections[0].items
    assert a.joint_caps == (n.JointCap("bonus", ("commended", "instructed"), n.Number("10")),)
    assert b.joint_caps == (n.JointCap("deduct", (), n.Number("8")),)
    assert n.joint_rules(a, a.joint_caps[0]) == [0, 1] and n.joint_rules(b, b.joint_caps[0]) == [1, 2]


def test_fmt_round_trip_and_clause_after_a_joint_cap():
    assert parse(format_text(TEXT)) == parse(TEXT)
    assert "    bonus for commended and instructed together at most 10\n    clause S3" in format_text(TEXT)
    rubric, found = check_text(TEXT, "t.rubric")
    assert found == [] and ("S3", "A") in rubric.item_clauses


def test_a_joint_cap_given_by_a_value():
    text = TEXT.replace("deduct together at most 8", "deduct together at most 2 * count refund")
    card = loads(text).score(EVENTS)
    # Bo: 3 refunds, so the deductions are capped at 6: B = 15 - 6 = 9; Cy: 5 refunds: cap 10, deductions
    # 20 + 8 = 28 → 10: B = 5
    assert card.unit("Bo").item("B").score == Decimal(9)
    assert card.unit("Cy").item("B").score == Decimal(5)


def test_checker():
    _, found = check_text(TEXT.replace("for commended and instructed", "for commended and instructd"), "t.rubric")
    assert [(d.code, d.hint) for d in found] == [("E300", "did you mean `instructed`?")]
    _, found = check_text(TEXT.replace("deduct together at most 8", "award together at most 8"), "t.rubric")
    assert [d.code for d in found] == []  # award 15 is an award rule: it limits that
    _, found = check_text(TEXT.replace("deduct together at most 8", "bonus together at most 8"), "t.rubric")
    assert [d.code for d in found] == ["E423"]
    _, found = check_text(TEXT.replace("deduct together at most 8", "deduct together at most (count late > 2)"), "t.rubric")
    assert [d.code for d in found] == ["E321"]
    _, found = check_text(TEXT.replace("total cap 20", "total cap -1"), "t.rubric")
    assert [d.code for d in found] == ["E408"]
