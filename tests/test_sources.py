"""The reader protocol: every source yields (event, Place) pairs placed in its own terms and writes back its rejected events."""

import csv
import datetime
import json
import os
from decimal import Decimal

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rubric_dsl
from rubric_dsl.sources.opening import detect_format, read_events

GOOD = {"id": "g", "unit": "通川區", "date": "2009-05-04", "kind": "adopted", "outlet": "picture_news"}
BAD = {"id": "b", "unit": "通川區", "date": "2009-05-04", "kind": "adoptd"}


def write_source(tmp_path, fmt):
    path = tmp_path / f"e.{fmt}"
    if fmt == "jsonl":
        path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in (GOOD, BAD)), encoding="utf-8")
    elif fmt == "json":
        path.write_text(json.dumps([GOOD, BAD], ensure_ascii=False), encoding="utf-8")
    elif fmt == "yaml":
        path.write_text(yaml.safe_dump([GOOD, BAD], allow_unicode=True), encoding="utf-8")
    else:
        columns = ["id", "unit", "date", "kind", "outlet"]
        with open(path, "w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, columns)
            writer.writeheader()
            writer.writerows([GOOD, BAD])
    return path


# where the second event sits in each format (YAML's safe_dump writes five lines per event here)
SECOND_PLACE = {"jsonl": "{}:2", "json": "{}[1]", "yaml": "{}:6", "csv": "{}:3"}


@pytest.mark.parametrize("fmt", ["jsonl", "json", "yaml", "csv"])
def test_every_file_source_places_its_events_and_writes_back_its_rejected(info, tmp_path, fmt):
    path = write_source(tmp_path, fmt)
    source = read_events(path)
    assert isinstance(source, rubric_dsl.Source) and source.format == fmt == detect_format(str(path))
    pairs = list(source)
    assert [event for event, _ in pairs] == [GOOD, BAD]
    assert all(isinstance(place, rubric_dsl.Place) for _, place in pairs)
    tally = info.tally(source)
    [problem] = tally.problems
    assert str(problem.place) == SECOND_PLACE[fmt].format(path)
    assert problem.message == "unknown event kind `adoptd` (did you mean `adopted`?)"
    rejected = tmp_path / f"rejected.{fmt}"
    source.write_rejected(tally.problems, str(rejected))
    # the rejected file is a source of the same kind holding only the bad event (a JSON array stays one: issue 10)
    back = [event for event, _ in read_events(rejected)]
    assert back == [BAD]


def test_a_source_passes_through_read_events_unchanged(tmp_path):
    source = read_events(write_source(tmp_path, "jsonl"))
    assert read_events(source) is source


def test_other_spreadsheets_are_refused_with_what_to_do(tmp_path):
    from rubric_dsl.sources.events import SourceError

    with pytest.raises(SourceError, match=r"e\.xls: an Excel 97–2003 workbook cannot be read; save it as an Excel workbook \(\.xlsx\)"):
        read_events(tmp_path / "e.xls")


def test_csv_headings_are_mapped_by_the_rubric(info, tmp_path):
    # the rubric's `heading` lines map a CSV's Chinese headings as they map a register's
    path = tmp_path / "e.csv"
    path.write_text("編號,單位,日期,事項,刊物,備註\nc1,通川區,2009-05-04,adopted,picture_news,已核\n", encoding="utf-8")
    [(event, _)] = list(read_events(path, rubric=info))
    assert event == {"id": "c1", "unit": "通川區", "date": "2009-05-04", "kind": "adopted", "outlet": "picture_news"}


# ---- property: what a clerk types into a register or a table is what the reader gives --------------

_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn")), min_size=1, max_size=12).filter(
    lambda s: s.strip() == s and not s.startswith("=")  # a leading = would make openpyxl write a formula
)
_ROW = st.fixed_dictionaries(
    {
        "a": _TEXT,
        "n": st.decimals(min_value=-(10**9), max_value=10**9, places=4, allow_nan=False, allow_infinity=False),
        "i": st.integers(-(10**9), 10**9),
        "d": st.dates(datetime.date(1990, 1, 1), datetime.date(2030, 12, 31)),
    }
)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_ROW, min_size=1, max_size=5))
def test_register_and_table_values_read_back_as_typed(rows):
    # numbers go in as binary floats (as Excel and a REAL column keep them) and must come back as the decimal typed
    import sqlite3
    import tempfile

    import openpyxl

    want = [{"a": r["a"], "n": r["n"], "i": r["i"], "d": r["d"].isoformat()} for r in rows]
    with tempfile.TemporaryDirectory() as folder:
        register = os.path.join(folder, "r.xlsx")
        book = openpyxl.Workbook()
        book.active.append(["a", "n", "i", "d"])
        for r in rows:
            book.active.append([r["a"], float(r["n"]), r["i"], r["d"]])
        book.save(register)
        database = os.path.join(folder, "e.db")
        with sqlite3.connect(database) as db:
            db.execute("CREATE TABLE events (k INTEGER PRIMARY KEY, a TEXT, n REAL, i INTEGER, d TEXT)")
            db.executemany("INSERT INTO events (a, n, i, d) VALUES (?, ?, ?, ?)", [(w["a"], float(w["n"]), w["i"], w["d"]) for w in want])
        db.close()
        for source in (read_events(register), read_events(f"sqlite:///{database}?table=events")):
            got = [event for event, _ in source]
            assert [{**g, "n": Decimal(g["n"])} for g in got] == want


def test_columns_file_errors_name_the_line(tmp_path):
    from rubric_dsl.sources.columns import ColumnsError, load_columns

    path = tmp_path / "c.yaml"
    path.write_text('單位: unit\n備註: "-"\n', encoding="utf-8")
    assert load_columns(path) == {"單位": "unit", "備註": None}
    path.write_text("單位: unit\n備註: -\n", encoding="utf-8")  # a bare dash starts a YAML list
    with pytest.raises(ColumnsError) as caught:
        load_columns(path)
    assert str(caught.value) == (
        f'{path}:2: broken YAML: sequence entries are not allowed here (to leave a column out, quote the dash: `備註: "-"`)'
    )
    path.write_text("單位: unit\n單位: id\n", encoding="utf-8")
    with pytest.raises(ColumnsError, match=r"c\.yaml:2: heading `單位` is mapped twice"):
        load_columns(path)
    path.write_text("- 單位\n", encoding="utf-8")
    with pytest.raises(ColumnsError, match=r"c\.yaml:1: a column mapping is lines of `heading: field`"):
        load_columns(path)
