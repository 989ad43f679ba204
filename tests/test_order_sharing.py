"""Order and sharing across units: the first report of a key (首报) and later ones (跟报), and credit for a jointly
reported item split among the units that reported it. Worked by hand."""

from decimal import Decimal

import pytest

from rubric_dsl.api import loads
from rubric_dsl.language import nodes as n
from rubric_dsl.language.builder import parse, parse_statements
from rubric_dsl.language.formatter import format_text

RUBRIC = """\
rubric "first and shared"
window 2022-01-01 to 2022-12-31
unlisted units are scored apart
event reported
  field incident: text
event adopted
  field article_id: text
section S "s"
  item F "首报/跟报"
    award 3 for each first reported per incident
    award 1 for each later reported per incident
  item J "联合报送"
    award 10 for each adopted shared per article_id
"""

EVENTS = [
    {"id": "1", "unit": "甲", "date": "2022-01-03", "kind": "reported", "incident": "i1"},
    {"id": "2", "unit": "乙", "date": "2022-01-02", "kind": "reported", "incident": "i1"},  # earlier: 乙 reported i1 first
    {"id": "3", "unit": "乙", "date": "2022-01-05", "kind": "reported", "incident": "i2", "quantity": 2},
    {"id": "4", "unit": "甲", "date": "2022-02-01", "kind": "adopted", "article_id": "a"},
    {"id": "5", "unit": "乙", "date": "2022-02-01", "kind": "adopted", "article_id": "a"},
    {"id": "6", "unit": "丙", "date": "2022-02-01", "kind": "adopted", "article_id": "a"},
    {"id": "7", "unit": "甲", "date": "2022-02-03", "kind": "adopted", "article_id": "b"},
]


@pytest.mark.parametrize(
    "unit,f,j",
    [
        ("甲", "1", "13.33"),  # i1 later (+1); a shared by 3 (10/3) + b alone (10)
        ("乙", "7", "3.33"),  # i1 first (+3); i2 first (+3) and its second occurrence later (+1); a: 10/3
        ("丙", "0", "3.33"),
    ],
)
def test_first_later_and_shared(unit, f, j):
    card = loads(RUBRIC).score(EVENTS)
    assert card.unit(unit).item("F").score == Decimal(f)
    assert card.unit(unit).item("J").score == Decimal(j)


def test_event_order_in_the_stream_does_not_decide_first_the_date_does():
    card = loads(RUBRIC).score(list(reversed(EVENTS)))
    assert card.unit("乙").item("F").score == Decimal("7")


def test_same_date_the_earlier_in_the_stream_is_first():
    events = [
        {"id": "x", "unit": "丙", "date": "2022-03-01", "kind": "reported", "incident": "i9"},
        {"id": "y", "unit": "丁", "date": "2022-03-01", "kind": "reported", "incident": "i9"},
    ]
    card = loads(RUBRIC).score(events)
    assert (card.unit("丙").item("F").score, card.unit("丁").item("F").score) == (Decimal(3), Decimal(1))


def test_snippets_and_round_trip():
    [first] = parse_statements("award 3 for each first reported where level = a per incident\n")
    assert first.amount.countable == n.FirstPer(n.Source("reported", n.Compare("level", "=", n.Word("a"))), "incident", first=True)
    [shared] = parse_statements("award 10 for each adopted shared per article_id\n")
    assert shared.amount.countable == n.SharedPer(n.Source("adopted"), "article_id")
    assert parse(format_text(RUBRIC)) == parse(RUBRIC) and format_text(RUBRIC) == RUBRIC


def test_an_unknown_key_field_is_reported():
    from rubric_dsl.api import check_text

    _, diagnostics = check_text(RUBRIC.replace("per incident\n", "per incidnt\n", 1))
    assert [(d.code, d.message) for d in diagnostics] == [("E301", "event kind `reported` has no field `incidnt`")]
