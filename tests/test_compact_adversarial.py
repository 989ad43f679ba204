"""Adversarial cases of the compact tally (issue 11): each one found a place where a compact tally's run
differed from a tally of records (the reference), and holds the two equal there."""

from __future__ import annotations

import csv
import io
import sqlite3

from rubric_dsl.cli import main
from tests.test_merging import INFO


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
