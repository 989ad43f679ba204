"""Time relations: `A within N days after B`, `A without B within N days` (matched `of the same FIELD`), and a
window that slides with the as-of date (`count K in the last N days`). Worked by hand."""

import datetime
from decimal import Decimal

from rubric_dsl.api import check_text, loads
from rubric_dsl.language import nodes as n
from rubric_dsl.language.builder import parse, parse_statements
from rubric_dsl.language.formatter import format_text

RUBRIC = """\
rubric "time relations"
window 2022-01-01 to 2022-12-31
unlisted units are scored apart
event dead_link
  field link_id: text
event repair
  field link_id: text
event complaint
section S "s"
  item L "dead links not repaired within 3 days"
    deduct 1 for each dead_link without repair of the same link_id within 3 days
  item R "repairs within 3 days"
    bonus 0.5 for each repair within 3 days after dead_link of the same link_id
  item C "few complaints lately"
    award 5 when count complaint in the last 30 days < 2
"""

EVENTS = [
    {"id": "d1", "unit": "u", "date": "2022-03-01", "kind": "dead_link", "link_id": "a"},
    {"id": "r1", "unit": "u", "date": "2022-03-04", "kind": "repair", "link_id": "a"},  # 3 days: in time
    {"id": "d2", "unit": "u", "date": "2022-03-01", "kind": "dead_link", "link_id": "b"},
    {"id": "r2", "unit": "u", "date": "2022-03-05", "kind": "repair", "link_id": "b"},  # 4 days: late
    {"id": "d3", "unit": "u", "date": "2022-03-02", "kind": "dead_link", "link_id": "c"},
    {"id": "r3", "unit": "u", "date": "2022-03-03", "kind": "repair", "link_id": "a"},  # another link's repair
    {"id": "d4", "unit": "u", "date": "2022-03-29", "kind": "dead_link", "link_id": "d"},  # its 3 days end 04-01
    {"id": "c1", "unit": "u", "date": "2022-02-20", "kind": "complaint"},
    {"id": "c2", "unit": "u", "date": "2022-03-15", "kind": "complaint"},
]


def scores(as_of):
    card = loads(RUBRIC).score(EVENTS, as_of=as_of)
    unit = card.unit("u")
    return {item: unit.item(item).score for item in ("L", "R", "C")}, unit


def test_as_of_the_end_of_march():
    got, unit = scores(datetime.date(2022, 3, 31))
    # L: b repaired after 4 days, c never: -2; d's 3 days run to 04-01, not yet late
    # R: r1 is 3 days after d1 (same link a): +0.5; r2 4 days after d2: no; r3 is a's, 2 days after d1: +0.5
    # C: complaints after 03-01 (the last 30 days to 03-31): only c2, so 1 < 2: +5
    assert got == {"L": Decimal("-2"), "R": Decimal("1"), "C": Decimal("5")}
    assert "1 dead_link still within their 3 days on 2022-03-31: not counted yet" in unit.item("L").rules[0].notes
    # the ledger line of a comparison that held says what the values were
    [line] = unit.item("C").rules[0].contributions
    assert line.what == "count complaint in the last 30 days < 2: count complaint in the last 30 days is 1"


def test_a_week_later_the_open_link_is_late_and_the_window_has_slid():
    got, _ = scores(datetime.date(2022, 4, 8))
    # L: d is now late too: -3. C: the last 30 days (after 03-09) hold c2 only: still +5
    assert got == {"L": Decimal("-3"), "R": Decimal("1"), "C": Decimal("5")}


def test_the_sliding_window_counts_only_its_days():
    got, _ = scores(datetime.date(2022, 3, 16))
    # the last 30 days to 03-16 (after 02-14) hold c1 and c2: 2 is not < 2
    assert got["C"] == Decimal("0")


def test_snippets_round_trip_and_key_check():
    [rule] = parse_statements("deduct 1 for each dead_link without repair of the same link_id within 3 days\n")
    assert rule.amount.countable == n.Within(
        n.KeyedEvents(n.Source("dead_link"), "link_id"), n.KeyedEvents(n.Source("repair"), "link_id"), 3, without=True
    )
    assert parse(format_text(RUBRIC)) == parse(RUBRIC) and format_text(RUBRIC) == RUBRIC
    _, diagnostics = check_text(RUBRIC.replace("of the same link_id within", "of the same link within"))
    assert {(d.code, d.message) for d in diagnostics} == {
        ("E301", "event kind `dead_link` has no field `link`"),
        ("E301", "event kind `repair` has no field `link`"),
    }
