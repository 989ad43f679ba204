"""Adversarial cases of the compact tally (issue 11): each one found a place where a compact tally's run
differed from a tally of records (the reference), and holds the two equal there."""

from __future__ import annotations

import csv
import io
import sqlite3

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rubric_dsl
from rubric_dsl.cli import main
from tests.test_compact import view
from tests.test_merging import AS_OF, INFO, chunks, cuts_of, streams


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


def test_parts_merged_out_of_their_neighbours_order_are_judged_in_stream_order():
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
    merged = first.merge(third).merge(second)
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
