"""Adversarial cases of the compact tally (issue 11): each one found a place where a compact tally's run
differed from a tally of records (the reference), and holds the two equal there."""

from __future__ import annotations

import csv
import datetime
import io
import pickle
import sqlite3
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rubric_dsl
from rubric_dsl.cli import main
from tests.test_compact import view
from tests.test_merging import AS_OF, INFO, chunks, cuts_of, streams
from tests.test_reference import FIELDS, KINDS, _declared, differential_rubrics


def test_a_database_rows_conflicting_copy_is_written_to_rejected_with_its_fields(tmp_path, capsys):
    """--rejected of a database lists each rejected row with its fields (scoring.md, "--rejected"); a
    later copy of an id with other content is rejected (re-sends, scoring.md). A compact tally keeps no
    event, so such a row lost its fields (only place and problem were written). Worked by hand: row 1 is
    e1, a picture_news of 通川區; row 2 is e1 again as a province item: other content, rejected; row 3 is
    e2, a picture_news. Counted: rows 1 and 3, 1 point each by A.4.3 (4.3.1: 1 point per picture_news)."""
    path = tmp_path / "e.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE events (entry INTEGER PRIMARY KEY, id TEXT, unit TEXT, date TEXT, kind TEXT, outlet TEXT)")
        db.execute("INSERT INTO events VALUES (1, 'e1', '通川區', '2009-05-04', 'adopted', 'picture_news')")
        db.execute("INSERT INTO events VALUES (2, 'e1', '通川區', '2009-05-04', 'adopted', 'province')")
        db.execute("INSERT INTO events VALUES (3, 'e2', '通川區', '2009-05-05', 'adopted', 'picture_news')")
    db.close()
    rejected = tmp_path / "rejected.csv"
    # the default table needs no event-level provenance: a compact tally unless the rejected rows need events
    assert main(["score", INFO, f"sqlite:///{path}?table=events", "--skip-invalid", "--rejected", str(rejected), "--format", "csv"]) == 1
    out = capsys.readouterr().out
    rows = list(csv.reader(io.StringIO(rejected.read_text(encoding="utf-8"))))
    assert rows == [
        ["place", "problem", "date", "id", "kind", "outlet", "unit"],
        [
            f"{path}:events[entry=2].id",
            f"id `e1` was already used at {path}:events[entry=1] with different content",
            "2009-05-04",
            "e1",
            "adopted",
            "province",
            "通川區",
        ],
    ]
    scores = {row["unit"]: row for row in csv.DictReader(io.StringIO(out))}
    assert scores["通川區"]["A.4.3"] == "2.00"


@pytest.mark.parametrize("consume", [False, True], ids=["copied", "consumed"])
def test_parts_merged_out_of_their_neighbours_order_are_judged_in_stream_order(consume):
    """Merging is exact whatever the order of the merges (scaling.md, "Two tallies"): here the first and
    third parts are merged, then the second. The second part's events come before the third's, so the
    merged log is put back in stream order: before, the third part's copy of e2 was taken for its first
    copy and the fingerprints of the second part's events were not found. Worked by hand (instructions of
    level city, 4.2.1: 4 points each; `item` is read by no rule, so it is outside the signature):
    seq 0 e1 of 通川區 item A; seq 1 e2 of the unlisted 巴中市 item B (its first event); seq 2 and 3 re-send
    them; seq 4 is e1 without an item: other content, rejected. 通川區 4 points, 巴中市 4 points."""
    info = rubric_dsl.load(INFO)
    city = {"date": "2009-05-01", "kind": "instruction", "level": "city"}
    events = [
        {"id": "e1", "unit": "通川區", "item": "A", **city},
        {"id": "e2", "unit": "巴中市", "item": "B", **city},
        {"id": "e1", "unit": "通川區", "item": "A", **city},
        {"id": "e2", "unit": "巴中市", "item": "B", **city},
        {"id": "e1", "unit": "通川區", **city},
    ]
    first, second, third = (info.tally(chunk, start=start, compact=True) for chunk, start in chunks(events, [1, 2]))
    # (consumed: the merged tally takes over the earlier part's containers, as --jobs lets it; the earlier
    # part's size is taken before they grow)
    merged = first.merge(third, consume).merge(second, consume)
    assert [(e.event_id, e.seq, e.detail) for e in merged.resent] == [("e1", 2, "first at <events>[0]"), ("e2", 3, "first at <events>[1]")]
    assert [p.render() for p in merged.problems] == ["<events>[4]: error: id `e1` was already used at <events>[0] with different content"]
    assert merged.unlisted["巴中市"][0] == 1
    card = info.finish(merged)
    assert (card.total("通川區"), card.total("巴中市")) == (4, 4)
    assert view(card) == view(info.finish(info.tally(events)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(streams(), st.lists(st.integers(1, 29), min_size=2, max_size=4), AS_OF, st.data())
def test_compact_parts_merged_in_any_order_score_as_the_whole_stream(info, events, cuts, as_of, data):
    """Any order of merges, not only neighbours: each step merges the tally so far with any part left."""
    whole = view(info.finish(info.tally(events), as_of))
    parts = [info.tally(chunk, start=start, compact=True) for chunk, start in chunks(events, cuts_of(cuts, len(events)))]
    order = data.draw(st.permutations(range(len(parts))))
    merged = parts[order[0]]
    for index in order[1:]:
        merged = merged.merge(parts[index]) if data.draw(st.booleans()) else parts[index].merge(merged)
    assert view(info.finish(merged, as_of)) == whole


# Ids that differ only in case, normalisation (é as one code point or two), width or a trailing blank, a
# number and its text (one id), a very long one; units under aliases and the other script's spelling,
# unlisted ones and a near miss; dates on both sides of the window, the as-of dates and the periods.
IDS = ["e1", "E1", "e2", "\u00e9", "e\u0301", 1, "1", "x" * 3000, "ｅ1", "e1 ", "通", "e3"]
UNITS = ["甲", "乙", "乙鄉", "乙乡", "達縣", "达县", "達川區", "达川区", "丙", "丁", "甲 "]
DATES = ["2009-02-28", "2009-03-01", "2009-04-15", "2009-05-31", "2009-06-01", "2009-07-15", "2009-10-31", "2009-11-01"]
# decimals spelled several ways (1.0, 1 and 1.00 are one value: a re-send; a sum keeps the spelling counted)
SPELLINGS = {"score": ["1.0", "1", "1.00", 1, Decimal("1.0"), "100%", "-0", "0.0", "5", "5.0"], "title": ["a", "", 12, "12"]}


@st.composite
def adversarial_rubrics(draw):
    """test_reference's generated rubrics, with an alias and, half the time, unit names matched across scripts."""
    text, fields = draw(differential_rubrics())
    lines = text.split("\n")
    if draw(st.booleans()):
        lines.insert(4, "unit names match across scripts")
    lines.insert(lines.index('  unit "乙" also "乙鄉"') + 1, '  unit "達縣" also "達川區"')
    return "\n".join(lines), fields


@st.composite
def adversarial_streams(draw, fields):
    events = []
    for _ in range(draw(st.integers(0, 20))):
        kind = draw(st.sampled_from(KINDS))
        event = {"id": draw(st.sampled_from(IDS)), "unit": draw(st.sampled_from(UNITS)), "date": draw(st.sampled_from(DATES)), "kind": kind}
        for name in _declared(fields[kind]):
            value = draw(st.sampled_from(FIELDS[name][1] + SPELLINGS.get(name, [])))
            if value is not None or draw(st.booleans()):  # absent, or given as null
                event[name] = value
        if draw(st.integers(0, 4)) == 0:
            event["quantity"] = draw(st.sampled_from([2, "2", Decimal("2.0"), 1]))
        events.append(event)
        if draw(st.integers(0, 3)) == 0:
            events.append(dict(draw(st.sampled_from(events))))  # the same id again: a re-send, or a conflict if spelt otherwise
    return events


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_generated_rubrics_and_adversarial_streams_merge_exactly_in_any_order(data):
    """The compact tally of the whole stream, and of its parts (pickled) merged in any order, score as the
    records tally of the whole, on generated rubrics (rejected or scored-apart unlisted units). A rubric
    that needs records is tallied with records however it is asked: its parts are merged as neighbours."""
    text, fields = data.draw(adversarial_rubrics())
    program = rubric_dsl.loads(text, "generated.rubric")
    events = data.draw(adversarial_streams(fields))
    as_of = data.draw(st.sampled_from([None, datetime.date(2009, 5, 31), datetime.date(2009, 8, 15)]))
    period = data.draw(st.sampled_from([None, "2009-Q2", "2009-05"]))
    whole = view(program.finish(program.tally(events), as_of, period))
    assert view(program.finish(program.tally(events, compact=True), as_of, period)) == whole
    cuts = data.draw(st.lists(st.integers(0, 25), max_size=3))
    parts = [pickle.loads(pickle.dumps(program.tally(c, start=s, compact=True))) for c, s in chunks(events, cuts_of(cuts, len(events)))]
    consume = data.draw(st.booleans())  # (the merged tally may take over a part's containers, as --jobs lets it)
    if program.compactable:  # any order
        order = data.draw(st.permutations(range(len(parts))))
        merged = parts[order[0]]
        for index in order[1:]:
            merged = merged.merge(parts[index], consume) if data.draw(st.booleans()) else parts[index].merge(merged, consume)
    else:  # records: neighbours, in any order (records do not merge a part into a tally on both sides of it)
        while len(parts) > 1:
            at = data.draw(st.integers(0, len(parts) - 2))
            parts[at : at + 2] = [parts[at].merge(parts[at + 1], consume)]
        merged = parts[0]
    assert view(program.finish(merged, as_of, period)) == whole


def test_units_first_named_by_later_copies_are_settled_together():
    """Unlisted units are scored apart (A.4.5b) from their first counted event; a later copy of an id is
    not counted (re-sends, scoring.md), so a unit only such copies name does not exist, and one first
    named by one starts at its next event. Several such units are settled in one pass over the log.
    Worked by hand: seq 1 and 2 are conflicting copies of e1 naming 外甲 and 外乙; seq 3 (e2) is 外乙's
    first counted event; seq 4 (e3) is 外丙's, seq 5 re-sends it. A.4.3: 1 point for each picture_news."""
    info = rubric_dsl.load(INFO)
    picture = {"date": "2009-05-01", "kind": "adopted", "outlet": "picture_news"}
    events = [
        {"id": "e1", "unit": "通川區", **picture},
        {"id": "e1", "unit": "外甲", **picture},
        {"id": "e1", "unit": "外乙", **picture},
        {"id": "e2", "unit": "外乙", **picture},
        {"id": "e3", "unit": "外丙", **picture},
        {"id": "e3", "unit": "外丙", **picture},
    ]
    tally = info.tally(events, compact=True)
    assert {unit: seq for unit, (seq, _place) in tally.unlisted.items()} == {"外乙": 3, "外丙": 4}
    assert [p.seq for p in tally.problems] == [1, 2] and [e.seq for e in tally.resent] == [5]
    card = info.finish(tally)
    assert [(u.unit, u.item("A.4.3").score) for u in card.units if not u.listed] == [("外丙", 1), ("外乙", 1)]
    assert "外甲" not in {u.unit for u in card.units}
    assert view(card) == view(info.finish(info.tally(events)))


REJECTING = """rubric "rejecting"
window 2009-03-01 to 2009-10-31
unlisted units are rejected
group g "G" target 40
  unit "甲"
event report
section S "s"
  item S.1 "i"
    award 2 for each report
    award 1 when no report
"""


def test_records_merge_keeps_the_unit_problem_of_a_copy_judged_again():
    """`unlisted units are rejected` (language.md, Units): a later copy of an id for an unlisted unit is a
    conflict and an unlisted unit both, as the whole stream's records tally says. Chunks [e1] [e1, e1 of
    `甲 `]: the second chunk judged its `甲 ` copy against its own e1, and the merge judged it again
    against the first chunk's e1 and lost its unit problem. (`no report` needs records.)"""
    program = rubric_dsl.loads(REJECTING, "rejecting.rubric")
    assert not program.compactable
    report = {"id": "e1", "unit": "甲", "date": "2009-05-28", "kind": "report"}
    events = [report, dict(report), {**report, "unit": "甲 "}]
    first, second = (program.tally(chunk, start=start) for chunk, start in chunks(events, [1]))
    merged = first.merge(second)
    assert [[q.message for q in p.problems] for p in merged.problems] == [
        [
            "id `e1` was already used at <events>[0] with different content",
            "unit `甲 ` is not in the rubric's tables, and this rubric rejects unlisted units (did you mean `甲`?)",
        ]
    ]
    assert view(program.finish(merged)) == view(program.finish(program.tally(events)))


def test_records_merge_judges_a_unit_rejection_by_its_id_when_an_earlier_part_used_it():
    """`unlisted units are rejected`: an event whose id was already used is judged by its id first (a
    later copy never reaches the unit's check), so the whole stream's records tally (and a compact tally,
    however cut) reports e1 of `甲 ` as e1's conflict with its unit problem beside it. Cut so that the
    event starts a chunk of its own, a records tally saw a new id and reported the unit alone; merged from
    the back (a merge of merges, the first copy moving from seq 1 to seq 0) it must still cite seq 0."""
    program = rubric_dsl.loads(REJECTING, "rejecting.rubric")
    report = {"id": "e1", "unit": "甲", "date": "2009-05-28", "kind": "report"}
    events = [report, dict(report), {**report, "unit": "甲 "}]
    whole = view(program.finish(program.tally(events)))
    expected = [
        [
            "id `e1` was already used at <events>[0] with different content",
            "unit `甲 ` is not in the rubric's tables, and this rubric rejects unlisted units (did you mean `甲`?)",
        ]
    ]
    first, second = (program.tally(chunk, start=start) for chunk, start in chunks(events, [2]))
    merged = first.merge(second)
    assert [[q.message for q in p.problems] for p in merged.problems] == expected
    assert view(program.finish(merged)) == whole
    one, two, three = (program.tally(chunk, start=start) for chunk, start in chunks(events, [1, 2]))
    merged = one.merge(two.merge(three))
    assert [[q.message for q in p.problems] for p in merged.problems] == expected
    assert view(program.finish(merged)) == whole


def test_records_merge_leaves_a_unit_rejection_before_its_ids_first_copy_alone():
    """The other way round: e2 of `甲 ` (rejected: unlisted units are rejected) comes before e2's first
    valid copy, so in one stream it claims nothing and is a unit problem only, and the later e2 is
    counted (2 points for each report: 4 with e1). Merging the chunks [e1] [e2 of `甲 `, e2] taking over
    the earlier part's index (consume, as tally_sources and --jobs merge) must not see the later part's
    own e2 as the earlier part's."""
    program = rubric_dsl.loads(REJECTING, "rejecting.rubric")
    report = {"unit": "甲", "date": "2009-05-28", "kind": "report"}
    events = [{"id": "e1", **report}, {"id": "e2", **report, "unit": "甲 "}, {"id": "e2", **report}]
    first, second = (program.tally(chunk, start=start) for chunk, start in chunks(events, [1]))
    merged = first.merge(second, consume=True)
    assert [[q.field for q in p.problems] for p in merged.problems] == [["unit"]]
    card = program.finish(merged)
    assert card.unit("甲").item("S.1").score == 4
    assert view(card) == view(program.finish(program.tally(events)))
