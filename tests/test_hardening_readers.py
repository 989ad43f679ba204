"""Issue 10, the readers: hostile and careless event files and test files give the project's own errors, and
`--rejected` holds every rejected record, in a form that re-reads to the same problems."""

import json
import time

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rubric_dsl
from rubric_dsl.api import loads
from rubric_dsl.cli import main
from rubric_dsl.errors import RubricDSLError
from rubric_dsl.sources.opening import read_events
from rubric_dsl.testing import run_test_paths

RUBRIC = """rubric "numbers"
window 2009-01-01 to 2009-12-31
unlisted units are scored apart
event s
  field v: decimal
  field n: integer, optional
  field note: text, optional
section A "a"
  item A.1 "i"
    award 2 of sum v of s
    award 1 for each s
"""
GOOD = {"id": "1", "unit": "x", "date": "2009-02-01", "kind": "s", "v": "1"}


@pytest.fixture(scope="module")
def program():
    return loads(RUBRIC)


def run(capsys, *argv):
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def messages(program, path, fmt=None):
    tally = program.tally(read_events(str(path), fmt))
    return tally, [p.message for p in tally.problems]


# ---- deep nesting, huge cells, duplicates --------------------------------------------------------


@pytest.mark.parametrize("fmt", ["jsonl", "json", "yaml"])
def test_events_nested_50000_deep_are_event_errors(program, tmp_path, fmt):
    deep = "[" * 50000 + "]" * 50000
    body = {
        "jsonl": json.dumps(GOOD) + "\n" + '{"id": "2", "v": ' + deep + "}\n" + deep + "\n",
        "json": "[" + json.dumps(GOOD) + ', {"id": "2", "v": ' + deep + "}, " + deep + "]",
        "yaml": "- " + json.dumps(GOOD) + "\n- id: '2'\n  v: " + deep + "\n",
    }[fmt]
    path = tmp_path / f"deep.{fmt}"
    path.write_text(body, encoding="utf-8")
    tally, found = messages(program, path)
    assert found and all("nested" in m for m in found), found
    # the good event was still read (a YAML document that cannot be composed is refused whole, at its line)
    assert tally.read >= (1 if fmt == "yaml" else 2)


def test_a_csv_cell_over_the_limit_rejects_its_record_only(program, tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("id,unit,date,kind,v\n1,x,2009-02-01,s," + "9" * 200_000 + "\n2,x,2009-02-01,s,5\n", encoding="utf-8")
    tally, found = messages(program, path)
    assert found == ["unreadable CSV record: field larger than field limit (131072)"]
    assert str(tally.problems[0].place) == f"{path}:2"
    assert program.finish(tally).units[0].total == 11  # the next record scored: 2 × 5 + 1


@pytest.mark.parametrize(
    "fmt, body",
    [
        ("jsonl", '{"id": "1", "unit": "x", "date": "2009-02-01", "kind": "s", "v": "1", "v": "2"}\n'),
        ("jsonl", '{"id": "1", "unit": "x", "date": "2009-02-01", "kind": "s", "v": "1", "v" : "2"}\n'),
        ("json", '[{"id": "1", "unit": "x", "date": "2009-02-01", "kind": "s", "v": "1", "v": "2"}]'),
        ("csv", "id,unit,date,kind,v,v\n1,x,2009-02-01,s,1,2\n"),
    ],
)
def test_a_field_given_twice_is_an_event_error(program, tmp_path, fmt, body):
    path = tmp_path / f"twice.{fmt}"
    path.write_text(body, encoding="utf-8")
    _, found = messages(program, path)
    assert len(found) == 1 and "twice" in found[0], found


def test_duplicate_keys_from_stdin_too(capsys, monkeypatch, tmp_path):
    import io
    import sys

    rubric = tmp_path / "n.rubric"
    rubric.write_text(RUBRIC, encoding="utf-8")
    line = '{"id": "1", "unit": "x", "date": "2009-02-01", "kind": "s", "v": "1", "v": "2"}\n'
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(line.encode())))
    status, _, err = run(capsys, "score", rubric, "-")
    assert status == 1 and "the key `v` appears twice in one object" in err


def test_a_multi_line_csv_record_is_placed_at_its_first_line(program, tmp_path):
    path = tmp_path / "multi.csv"
    path.write_text('id,unit,date,kind,v\n1,x,2009-02-01,s,"1\n2\n3"\n2,x,2009-02-01,s,bad\n', encoding="utf-8")
    tally, _ = messages(program, path)
    assert [str(p.place) for p in tally.problems] == [f"{path}:2", f"{path}:5"]


@pytest.mark.parametrize(
    "text, message",
    [("010", None), ("190:20:30", "must be a whole number"), ("1_000", "must be a whole number"), ("0x1F", "must be a whole number")],
)
def test_yaml_1_1_numbers_do_not_become_quantities(program, tmp_path, text, message):
    path = tmp_path / "q.yaml"
    path.write_text(f"- id: '1'\n  unit: x\n  date: 2009-02-01\n  kind: s\n  v: 1\n  quantity: {text}\n", encoding="utf-8")
    tally, found = messages(program, path)
    if message is None:  # YAML 1.2 reads 010 as ten, never as octal eight: 2 × 1 × 10 + 10
        assert found == [] and program.finish(tally).units[0].total == 30
    else:
        assert len(found) == 1 and message in found[0]


def test_yaml_alias_bomb_in_events_is_refused(program, tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
    )
    path = tmp_path / "bomb.yaml"
    path.write_text(
        "- id: '1'\n  unit: x\n  date: 2009-02-01\n  kind: s\n  v: 1\n  note: &n " + json.dumps("x" * 10) + "\n- *n\n" + "# " + bomb,
        encoding="utf-8",
    )
    _, found = messages(program, path)
    assert found == ["broken YAML: an alias (*name) is not accepted: write the value out in full"]


# ---- error display stays linear ---------------------------------------------------------------


def test_showing_many_problems_reads_the_file_once(program, tmp_path, monkeypatch):
    import builtins

    lines = [json.dumps({**GOOD, "id": str(i), "v": "bad" if i % 50 == 0 else "1"}) for i in range(20_000)]
    path = tmp_path / "many.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tally = program.tally(read_events(str(path)))
    assert len(tally.problems) == 400
    opened = []
    real_open = builtins.open
    monkeypatch.setattr(builtins, "open", lambda file, *a, **k: opened.append(file) or real_open(file, *a, **k))
    started = time.perf_counter()
    rendered = [p.render() for p in tally.problems]
    elapsed = time.perf_counter() - started
    assert rendered[-1].splitlines()[1].endswith(lines[19_950])
    # one pass to index the lines, then one seek per problem: never a read from the start per problem
    assert elapsed < 5
    from rubric_dsl.sources import events

    assert len(events._line_starts(str(path))) == 20_000


# ---- --rejected: every rejected record, re-readable ----------------------------------------------

FIELD_VALUES = st.one_of(
    st.sampled_from(["1", "2.5", "-3", "50%", "bad", "1e30", "١٢٣", "1_000", "", "²"]),
    st.integers(-10, 10**20),
    st.none(),
    st.lists(st.integers(0, 3), max_size=2),
)


@st.composite
def records(draw):
    record = dict(GOOD, id=str(draw(st.integers(0, 30))))
    for key in draw(st.lists(st.sampled_from(["v", "n", "kind", "unit", "date", "quantity", "extra", "note"]), max_size=3, unique=True)):
        value = draw(FIELD_VALUES)
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    return record


def write_events(path, fmt, items):
    """Write records in one format; an item that is a str is a raw, malformed record for that format."""
    if fmt == "jsonl":
        path.write_text(
            "".join((item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)) + "\n" for item in items), encoding="utf-8"
        )
    elif fmt == "json":
        path.write_text(
            "[" + ",\n".join(item if isinstance(item, str) else json.dumps(item, ensure_ascii=False) for item in items) + "]",
            encoding="utf-8",
        )
    elif fmt == "yaml":
        path.write_text(yaml.safe_dump([item if not isinstance(item, str) else 42 for item in items], allow_unicode=True), encoding="utf-8")
    else:
        import csv
        import io

        columns = ["id", "unit", "date", "kind", "v", "n", "quantity", "extra", "note"]
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        for item in items:
            if isinstance(item, str):
                writer.writerow([*GOOD.values(), "", "", "", "", "", "too", "many"])
            else:
                writer.writerow(
                    ["" if item.get(c) is None else json.dumps(item[c]) if isinstance(item.get(c), list) else item.get(c) for c in columns]
                )
        path.write_text(buffer.getvalue(), encoding="utf-8")


MALFORMED = {"jsonl": ["{broken", "[1, 2]", "7"], "json": ["[1, 2]", "7", '"text"'], "yaml": ["x"], "csv": ["x"]}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["jsonl", "json", "yaml", "csv"]), st.data())
def test_rejected_re_reads_to_the_same_problems_and_nothing_is_lost(program, tmp_path_factory, fmt, data):
    items = data.draw(st.lists(st.one_of(records(), st.sampled_from(MALFORMED[fmt])), min_size=1, max_size=12))
    folder = tmp_path_factory.mktemp("rejected")
    path = folder / f"events.{fmt}"
    write_events(path, fmt, items)
    source = read_events(str(path))
    tally = program.tally(source)
    rejected_path = folder / f"rejected.{fmt}"
    source.write_rejected(tally.problems, str(rejected_path))
    again = program.tally(read_events(str(rejected_path)))
    # record for record: what was read is what was accepted plus what was rejected …
    assert again.read == len(tally.problems)

    # … and each rejected record, read again, has the same problem (but an id conflict: that needs
    # the accepted event it conflicts with, and the rejected record alone is valid; two such records
    # with one id and different content then conflict with each other instead)
    def without_conflicts(problems):
        return [p.message for p in problems if "already used" not in p.message]

    assert without_conflicts(again.problems) == without_conflicts(tally.problems)
    conflicted = sum("already used" in p.message for p in tally.problems)
    assert sum("already used" in p.message for p in again.problems) <= conflicted


def test_rejected_through_the_cli_mixed_formats_and_no_stale_file(capsys, tmp_path):
    rubric = tmp_path / "n.rubric"
    rubric.write_text(RUBRIC, encoding="utf-8")
    lines = tmp_path / "a.jsonl"
    lines.write_text(json.dumps(GOOD) + "\n" + json.dumps({**GOOD, "id": "2", "v": "bad"}) + "\n", encoding="utf-8")
    table = tmp_path / "b.csv"
    table.write_text("id,unit,date,kind,v\n3,x,2009-02-01,s,worse\n4,x,2009-02-01,s,2\n", encoding="utf-8")
    rejected = tmp_path / "rejected.jsonl"
    status, _, err = run(capsys, "score", rubric, lines, table, "--skip-invalid", "--rejected", rejected)
    assert status == 1
    assert json.loads(rejected.read_text(encoding="utf-8"))["v"] == "bad"
    second = tmp_path / "rejected.2.csv"
    assert second.read_text(encoding="utf-8") == "id,unit,date,kind,v\n3,x,2009-02-01,s,worse\n"
    assert f"to {rejected}" in err and f"to {second}" in err
    # a later run with nothing rejected leaves no stale rejections
    lines.write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
    status, _, _ = run(capsys, "score", rubric, lines, "--skip-invalid", "--rejected", rejected)
    assert status == 0 and rejected.read_text(encoding="utf-8") == ""


def test_a_nested_decimal_does_not_break_the_yaml_writer(program, tmp_path):
    path = tmp_path / "nested.yaml"
    path.write_text("- id: '1'\n  unit: x\n  date: 2009-02-01\n  kind: s\n  v: [1.5, {a: 2.25}]\n", encoding="utf-8")
    source = read_events(str(path))
    tally = program.tally(source)
    source.write_rejected(tally.problems, str(tmp_path / "rejected.yaml"))
    back = yaml.load((tmp_path / "rejected.yaml").read_text(encoding="utf-8"), Loader=rubric_dsl.sources.yamlfile.yaml_loader())
    from decimal import Decimal

    assert back[0]["v"] == [Decimal("1.5"), {"a": Decimal("2.25")}]


# ---- arbitrary input gives only the project's own errors ------------------------------------------

JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(["id", "unit", "date", "kind", "v", "n", "x"]), inner, max_size=5)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(fmt=st.sampled_from(["jsonl", "json", "yaml", "csv"]), data=st.one_of(st.binary(max_size=300), JSON_VALUES))
def test_arbitrary_bytes_and_values_as_events_give_only_our_errors(program, tmp_path_factory, fmt, data):
    path = tmp_path_factory.mktemp("arbitrary") / f"events.{fmt}"
    if isinstance(data, bytes):
        path.write_bytes(data)
    elif fmt == "yaml":
        path.write_text(yaml.safe_dump([data, data]), encoding="utf-8")
    else:
        path.write_text(json.dumps(data) + "\n" + json.dumps([data]) + "\n", encoding="utf-8")
    try:
        card = program.score(read_events(str(path)), skip_invalid=True)
    except RubricDSLError:
        return
    for problem in card.problems:
        problem.render()  # and each problem shows without failing


TEST_FILE_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=6), st.just("2009-02-01")),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(["rubric", "cases", "name", "events", "events_file", "as_of", "expect", "total", "items", "id", "unit"]),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=16,
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(max_size=200), TEST_FILE_VALUES))
def test_arbitrary_test_files_are_named_not_crashed(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("tests")
    (folder / "n.rubric").write_text(RUBRIC, encoding="utf-8")
    path = folder / "n.test.yaml"
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    said = []
    status = run_test_paths([str(path)], out=said.append, err=said.append)
    assert status in (0, 1, 2)


# ---- bad test files ------------------------------------------------------------------------------


def bomb_text():
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 9):
        lines.append(f"{chr(97 + i)}: &{chr(97 + i)} [{', '.join(['*' + chr(96 + i)] * 9)}]")
    return "\n".join(lines) + "\ncases:\n  - name: boom\n    as_of: *i\n"


@pytest.mark.parametrize(
    "text, message",
    [
        (bomb_text(), "an alias (*name) is not accepted"),
        ("rubric: 5\ncases: []\n", "`rubric:` is the rubric's file name (text), not int"),
        ("rubric: [a]\ncases: []\n", "`rubric:` is the rubric's file name (text), not list"),
        ("cases:\n  - name: x\n    events_file: ../outside.jsonl\n", "is outside the test file's folder"),
        ("cases:\n  - name: x\n    events_file: /etc/passwd\n", "is outside the test file's folder"),
        ("cases:\n  - name: x\n    events_file: [1]\n", "`events_file` is a file name (text)"),
        ("rubric: ../elsewhere/n.rubric\ncases: []\n", "is outside the test file's folder"),
    ],
)
def test_bad_test_files_are_named(tmp_path, text, message):
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "n.rubric").write_text(RUBRIC, encoding="utf-8")
    (tmp_path / "outside.jsonl").write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "n.rubric").write_text(RUBRIC, encoding="utf-8")
    path = folder / "n.test.yaml"
    path.write_text(text, encoding="utf-8")
    said = []
    started = time.perf_counter()
    assert run_test_paths([str(path)], out=said.append, err=said.append) == 2
    assert time.perf_counter() - started < 10
    assert any(message in line for line in said), said


def test_events_file_outside_is_allowed_when_named_on_the_command_line(tmp_path):
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "n.rubric").write_text(RUBRIC, encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    (data / "e.jsonl").write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
    # A.1: 2 × 1 + 1 for the one event
    (folder / "n.test.yaml").write_text("cases:\n  - name: x\n    events_file: ../data/e.jsonl\n    expect: {x: 3}\n", encoding="utf-8")
    said = []
    assert run_test_paths([str(folder / "n.test.yaml"), str(data)], out=said.append, err=said.append) == 0, said
    # a link inside the folder to a file outside it is outside too
    (folder / "link.jsonl").symlink_to(data / "e.jsonl")
    (folder / "n.test.yaml").write_text("cases:\n  - name: x\n    events_file: link.jsonl\n    expect: {x: 3}\n", encoding="utf-8")
    said = []
    assert run_test_paths([str(folder / "n.test.yaml")], out=said.append, err=said.append) == 2
    assert any("outside the test file's folder" in line for line in said)


# ---- rejected workbooks and problem tables hold no formula from input -------------------------------


def test_rejected_register_rows_hold_no_formula(program, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "2009-02"
    sheet.append(["id", "unit", "date", "kind", "v", "note"])
    sheet.append(["1", "x", "2009-02-01", "s", "1", "fine"])
    sheet.append(["2", "x", "2009-02-01", "s", "bad", '=HYPERLINK("http://evil.example","x")'])
    sheet["F3"].data_type = "s"  # typed as text by the clerk, not a formula
    path = tmp_path / "register.xlsx"
    book.save(path)
    source = read_events(str(path))
    tally = program.tally(source)
    assert len(tally.problems) == 1
    rejected = tmp_path / "rejected.xlsx"
    source.write_rejected(tally.problems, str(rejected))
    back = openpyxl.load_workbook(rejected)
    cells = [cell for ws in back.worksheets for row in ws.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    assert '=HYPERLINK("http://evil.example","x")' in [cell.value for cell in cells]


def test_database_problem_tables_hold_no_formula(tmp_path):
    import csv
    import io

    import openpyxl

    from rubric_dsl.sources.events import EventProblem, Place
    from rubric_dsl.sources.sql import write_problem_table

    problems = [EventProblem(Place("db", 0, 1), "`v` must be a number", "v", {"id": "1", "v": "=1+1", "unit": "@SUM(1)", "n": "-5"})]
    write_problem_table(problems, str(tmp_path / "p.xlsx"))
    cells = [c for row in openpyxl.load_workbook(tmp_path / "p.xlsx").active.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells) and "=1+1" in [c.value for c in cells]
    write_problem_table(problems, str(tmp_path / "p.csv"))
    rows = list(csv.reader(io.StringIO((tmp_path / "p.csv").read_text(encoding="utf-8"), newline="")))
    assert rows[1][rows[0].index("v")] == "'=1+1" and rows[1][rows[0].index("unit")] == "'@SUM(1)"
    assert rows[1][rows[0].index("n")] == "-5"  # a plain number stays a number


def test_lone_surrogates_are_named_and_never_stop_the_output(capsys, tmp_path):
    rubric = tmp_path / "n.rubric"
    rubric.write_text(RUBRIC, encoding="utf-8")
    events = tmp_path / "s.jsonl"
    events.write_text(
        json.dumps(GOOD)
        + "\n"
        + '{"id": "2", "unit": "\\ud800", "date": "2009-02-01", "kind": "s", "v": "1"}\n'
        + '{"id": "\\udc00", "unit": "x", "date": "2009-02-01", "kind": "s", "v": "1", "note": "\\ud83d"}\n',
        encoding="utf-8",
    )
    status, _, err = run(capsys, "score", rubric, events, "--skip-invalid")
    assert status == 1 and "`unit` holds a lone surrogate (such as \\ud800), which is not text" in err
    for argv in (
        ["explain", rubric, events, "--skip-invalid", "--unit", "x"],
        ["report", rubric, events, "--skip-invalid", "--year", "-o", tmp_path / "r.xlsx"],
    ):
        status, _, err = run(capsys, *argv)
        assert status == 1 and "Traceback" not in err
