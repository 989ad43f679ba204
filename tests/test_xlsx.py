"""Excel registers: every bad-cell kind CSV has, placed at its cell (`book.xlsx:sheet!C14`); sheets, headings, numbers, rejects."""

import datetime
import json
import pathlib
import zipfile
from decimal import Decimal

import openpyxl
import pytest

import rubric_dsl
from rubric_dsl.cli import main
from rubric_dsl.sources.opening import read_events

ROOT = pathlib.Path(__file__).resolve().parent.parent
INFO = str(ROOT / "rubrics" / "2009_info.rubric")
HEAD = ["id", "unit", "date", "kind", "outlet", "category", "quantity"]
GOOD = ["g1", "通川區", datetime.date(2009, 5, 4), "adopted", "daily_provincial", "dynamic", None]


def workbook(path, sheets, hidden=(), merges=(), patch=None):
    """Write sheets {name: rows}; `merges` are (sheet, range); `patch` rewrites a sheet's XML (what openpyxl cannot write)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if name in hidden:
            sheet.sheet_state = "hidden"
    for name, cells in merges:
        book[name].merge_cells(cells)
    book.save(path)
    if patch:
        member, old, new = patch
        with zipfile.ZipFile(path) as source:
            parts = {n: source.read(n) for n in source.namelist()}
        # openpyxl writes an empty value as <v></v> with lxml installed (python-docx brings it) and <v /> without
        parts[member] = parts[member].replace(b"<v></v>", b"<v />")
        assert old in parts[member]
        parts[member] = parts[member].replace(old, new)
        with zipfile.ZipFile(path, "w") as target:
            for n, data in parts.items():
                target.writestr(n, data)
    return str(path)


def problems(program, source):
    return [(p.place.at(p.field), p.message) for p in program.tally(source).problems]


def test_good_rows_score_and_places_name_sheet_and_row(info, tmp_path):
    # clause A.4.1: an item adopted by the provincial daily, category dynamic, earns 2 points
    path = workbook(tmp_path / "r.xlsx", {"2009-05": [HEAD, GOOD]})
    pairs = list(read_events(path))
    assert [str(place) for _, place in pairs] == [f"{path}:2009-05!2"]
    assert pairs[0][0]["date"] == "2009-05-04"
    assert info.score(read_events(path)).total("通川區") == 2


def test_missing_cell_is_placed_at_its_cell(info, tmp_path):
    row = GOOD[:5] + [None, None]  # category left empty: required when outlet = daily_provincial
    path = workbook(tmp_path / "r.xlsx", {"2009-05": [HEAD, row]})
    assert problems(info, read_events(path)) == [
        (f"{path}:2009-05!F2", "missing `category`: it is required when outlet = daily_provincial")
    ]


def test_wrong_type_is_placed_at_its_cell(info, tmp_path):
    path = workbook(tmp_path / "r.xlsx", {"2009-05": [HEAD, [*GOOD[:6], "兩條"]]})
    assert problems(info, read_events(path)) == [(f"{path}:2009-05!G2", '`quantity` must be a whole number of at least 1, not "兩條"')]


def test_formula_cell_is_read_as_its_saved_value(info, tmp_path):
    # quantity G2 = 1+1 saved as 2: clause A.4.1 gives 2 points for each dynamic item, so 4
    member = "xl/worksheets/sheet1.xml"
    path = workbook(
        tmp_path / "r.xlsx", {"2009-05": [HEAD, [*GOOD[:6], "=1+1"]]}, patch=(member, b"<f>1+1</f><v />", b"<f>1+1</f><v>2</v>")
    )
    assert info.score(read_events(path)).total("通川區") == 4


def test_formula_without_saved_value_is_an_error(info, tmp_path):
    path = workbook(tmp_path / "r.xlsx", {"2009-05": [HEAD, [*GOOD[:6], "=1+1"]]})
    assert problems(info, read_events(path)) == [
        (f"{path}:2009-05!G2", "G2 is a formula with no saved value; open the workbook in Excel and save it so the value is calculated")
    ]


def test_error_cell_is_an_error(info, tmp_path):
    member = "xl/worksheets/sheet1.xml"
    patch = (member, b'<c r="G2" t="n"><v>2</v></c>', b'<c r="G2" t="e"><v>#N/A</v></c>')
    path = workbook(tmp_path / "r.xlsx", {"2009-05": [HEAD, [*GOOD[:6], 2]]}, patch=patch)
    assert problems(info, read_events(path)) == [(f"{path}:2009-05!G2", "G2 holds the error #N/A; correct the formula or the value")]


def test_merged_cells_are_an_error_on_every_row_they_cover(info, tmp_path):
    second = ["g2", None, *GOOD[2:]]
    path = workbook(tmp_path / "r.xlsx", {"2009-05": [HEAD, GOOD, second]}, merges=[("2009-05", "B2:B3")])
    message = "cells B2:B3 are merged; give each row its own value (unmerge them and fill every row)"
    assert problems(info, read_events(path)) == [(f"{path}:2009-05!B2", message), (f"{path}:2009-05!B3", message)]


def test_dates_as_date_cells_or_text(info, tmp_path):
    rows = [
        HEAD,
        GOOD,
        ["g2", *GOOD[1:2], "2009/5/6", *GOOD[3:]],
        ["g3", *GOOD[1:2], "2009年5月7日", *GOOD[3:]],
        ["g4", *GOOD[1:2], "5月8日", *GOOD[3:]],
    ]
    path = workbook(tmp_path / "r.xlsx", {"2009-05": rows})
    dates = [event.get("date") for event, _ in read_events(path)]
    assert dates == ["2009-05-04", "2009-05-06", "2009-05-07", "5月8日"]
    assert problems(info, read_events(path)) == [(f"{path}:2009-05!C5", '`date` must be a real date YYYY-MM-DD, not "5月8日"')]


def test_a_date_with_a_time_is_an_error(info, tmp_path):
    path = workbook(tmp_path / "r.xlsx", {"2009-05": [HEAD, [*GOOD[:2], datetime.datetime(2009, 5, 4, 9, 30), *GOOD[3:]]]})
    assert problems(info, read_events(path)) == [
        (f"{path}:2009-05!C2", "C2 holds a date and time (2009-05-04 09:30:00); give the date alone")
    ]


def test_hidden_sheet_is_reported_not_read_unless_named(info, tmp_path):
    sheets = {"2009-05": [HEAD, GOOD], "old": [HEAD, ["g9", *GOOD[1:]]]}
    path = workbook(tmp_path / "r.xlsx", sheets, hidden=["old"])
    assert problems(info, read_events(path)) == [
        (f"{path}:old", "sheet `old` is hidden, so its rows were not read; name it with --sheet to read it, or delete it")
    ]
    assert [event["id"] for event, _ in read_events(path, sheets=["old"])] == ["g9"]


def test_every_sheet_or_the_sheets_named(tmp_path):
    sheets = {"2009-05": [HEAD, GOOD], "2009-06": [HEAD, ["g2", *GOOD[1:]]], "empty": []}
    path = workbook(tmp_path / "r.xlsx", sheets)
    assert [str(place) for _, place in read_events(path)] == [f"{path}:2009-05!2", f"{path}:2009-06!2"]
    assert [str(place) for _, place in read_events(path, sheets=["2009-06"])] == [f"{path}:2009-06!2"]
    with pytest.raises(rubric_dsl.sources.events.SourceError, match="no sheet named 'July'; its sheets are: 2009-05, 2009-06, empty"):
        list(read_events(path, sheets=["July"]))


def test_float_cells_become_the_decimal_typed_in():
    from rubric_dsl.sources.xlsx import cell_value

    assert cell_value(0.45999999999999996, "value") == (Decimal("0.46"), None)
    assert cell_value(0.1 + 0.2, "value") == (Decimal("0.3"), None)
    assert cell_value(2.0, "quantity") == (2, None)


def test_float_cell_scores_exactly(info, tmp_path):
    # the provincial score (clause A.4.5's value) is read as typed: 0.1 + 0.2 computed in Excel shows 0.3
    head = ["id", "unit", "date", "kind", "value"]
    path = workbook(tmp_path / "r.xlsx", {"s": [head, ["p", "通川區", datetime.date(2009, 12, 1), "provincial_score", 0.1 + 0.2]]})
    [(event, _)] = list(read_events(path))
    assert event["value"] == Decimal("0.3")


def test_headings_are_required_and_mapped(info, tmp_path):
    path = workbook(tmp_path / "r.xlsx", {"s": [GOOD, GOOD]})
    [(record, place)] = list(read_events(path))
    assert str(place) == f"{path}:s!C1"
    assert record.message.startswith("the first row must name the fields, but C1 holds datetime.date(2009, 5, 4)")
    chinese = ["編號", "單位", "日期", "事項", "刊物", "類別", "備註"]
    path = workbook(tmp_path / "c.xlsx", {"s": [chinese, [*GOOD[:6], "remark"]]})
    columns = {"編號": "id", "單位": "unit", "日期": "date", "事項": "kind", "刊物": "outlet", "類別": "category", "備註": None}
    assert [event for event, _ in read_events(path, columns=columns)] == [
        {"id": "g1", "unit": "通川區", "date": "2009-05-04", "kind": "adopted", "outlet": "daily_provincial", "category": "dynamic"}
    ]


def test_a_value_under_no_heading_is_an_error(info, tmp_path):
    path = workbook(tmp_path / "r.xlsx", {"s": [HEAD, [*GOOD, "stray"]]})
    assert problems(info, read_events(path)) == [(f"{path}:s!H2", "H2 holds 'stray' but its column has no heading")]


def test_cli_rejected_workbook_has_the_bad_rows_and_a_problem_column(capsys, tmp_path):
    bad = ["b1", "通川區", datetime.date(2009, 5, 4), "adoptd", "daily_provincial", "dynamic", None]
    path = workbook(tmp_path / "r.xlsx", {"2009-05": [HEAD, GOOD, bad]})
    rejected = tmp_path / "rejected.xlsx"
    status = main(["score", INFO, path, "--skip-invalid", "--rejected", str(rejected), "--format", "json"])
    captured = capsys.readouterr()
    assert status == 1
    assert f"{path}:2009-05!D3: error: unknown event kind `adoptd` (did you mean `adopted`?)" in captured.err
    assert json.loads(captured.out)["units"]
    rows = list(openpyxl.load_workbook(rejected)["2009-05"].iter_rows(values_only=True))
    assert rows[0] == (*HEAD, "problem")
    assert rows[1][:4] == ("b1", "通川區", datetime.datetime(2009, 5, 4), "adoptd")
    assert rows[1][-1] == f"{path}:2009-05!D3: unknown event kind `adoptd` (did you mean `adopted`?)"


def test_cli_unknown_sheet_and_broken_workbook_exit_2(capsys, tmp_path):
    path = workbook(tmp_path / "r.xlsx", {"2009-05": [HEAD, GOOD]})
    assert main(["score", INFO, path, "--sheet", "June"]) == 2
    assert "rubric score: error: " + path + ": no sheet named 'June'; its sheets are: 2009-05" in capsys.readouterr().err
    broken = tmp_path / "broken.xlsx"
    broken.write_text("not a workbook", encoding="utf-8")
    assert main(["score", INFO, str(broken)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"rubric score: error: {broken}: cannot read the workbook") and "Traceback" not in err


def test_example_register_scores_as_the_stream(info):
    # the same example stream from JSON Lines and from the monthly-sheet register with Chinese headings
    examples = ROOT / "examples"
    from_jsonl = info.score(read_events(examples / "2009_info.events.jsonl"), skip_invalid=True)
    from_xlsx = info.score(
        read_events(examples / "2009_info.register.xlsx", columns=examples / "2009_info.columns.yaml"), skip_invalid=True
    )
    assert scores(from_xlsx) == scores(from_jsonl)


def scores(card):
    """The scorecard without its places (which name the source each event came from)."""
    data = card.to_json()
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    import re

    return re.sub(r'"place": "[^"]*"', '"place": ""', re.sub(r"\(first at [^)]*\)", "", text))


def test_rubric_heading_lines_map_the_register(info):
    # rubrics/2009_info.rubric declares the register's Chinese headings: no --columns needed
    examples = ROOT / "examples"
    assert info.rubric.columns["單位"] == "unit" and info.rubric.columns["備註"] is None
    from_xlsx = info.score(read_events(examples / "2009_info.register.xlsx", rubric=info), skip_invalid=True)
    from_jsonl = info.score(read_events(examples / "2009_info.events.jsonl"), skip_invalid=True)
    assert scores(from_xlsx) == scores(from_jsonl)


def test_columns_file_wins_over_the_rubric_headings(info, tmp_path):
    path = workbook(tmp_path / "r.xlsx", {"s": [["編號", "單位", "日期", "事項", "刊物", "類別"], GOOD[:6]]})
    columns = tmp_path / "c.yaml"
    columns.write_text("類別: outlet\n刊物: category\n", encoding="utf-8")  # swapped on purpose
    [(event, _)] = list(read_events(path, rubric=info, columns=columns))
    assert event["outlet"] == "dynamic" and event["category"] == "daily_provincial"


def test_heading_lines_are_checked():
    text = (
        'rubric "t"\nwindow 2009-01-01 to 2009-12-31\nunlisted units are scored apart\nevent adopted\n  field outlet: one of a | b\n'
        'heading "刊物" is outlt\nheading "單位" is unit\nheading "單位" is id\nheading "備註" is not read\n'
    )
    _, diagnostics = rubric_dsl.check_text(text, "t.rubric")
    assert [(d.line, d.code, d.message, d.hint) for d in diagnostics] == [
        (6, "E301", "no event kind has a field `outlt` for heading `刊物`", "did you mean `outlet`?"),
        (8, "E201", "heading `單位` is declared twice (first on line 7)", "keep one of them"),
    ]
    from rubric_dsl.language.formatter import format_text

    assert 'heading "備註" is not read\n' in format_text(text, "t.rubric")


def test_example_bad_register_places_each_mistake_at_its_cell(info):
    # examples/bad.register.xlsx: one mistake of each kind (examples/make_sources.py says which row holds which)
    path = str(ROOT / "examples" / "bad.register.xlsx")
    found = [
        (p.place.at(p.field).removeprefix(path + ":"), p.message.split(";")[0]) for p in info.tally(read_events(path, rubric=info)).problems
    ]
    assert found == [
        ("2009-06!F4", "missing `category`: it is required when outlet = daily_provincial"),
        ("2009-06!G5", '`quantity` must be a whole number of at least 1, not "兩條"'),
        ("2009-06!C6", '`date` must be a real date YYYY-MM-DD, not "6月3日"'),
        ("2009-06!G7", "G7 is a formula with no saved value"),
        ("2009-06!B8", "cells B8:B9 are merged"),
        ("2009-06!B9", "cells B8:B9 are merged"),
        ("舊表", "sheet `舊表` is hidden, so its rows were not read"),
    ]
    # the good rows, the text date among them, are read: 通川區 b01 and 達縣 b02 (2009/6/5)
    events = [event for event, _ in read_events(path, rubric=info) if isinstance(event, dict)]
    assert [(e["id"], e["date"]) for e in events[:2]] == [("b01", "2009-06-03"), ("b02", "2009-06-05")]


def test_a_workbook_on_stdin(capsys, monkeypatch):
    import io
    import sys

    data = (ROOT / "examples" / "bad.register.xlsx").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["score", INFO, "-", "--events-format", "xlsx"]) == 1
    err = capsys.readouterr().err
    assert "<stdin>:2009-06!G7: error: G7 is a formula with no saved value" in err  # found in the XML of the bytes read
    assert "<stdin>:舊表: error: sheet `舊表` is hidden" in err


def test_empty_rows_under_a_merged_block_are_not_events(info, tmp_path):
    # a note box merged over A4:F6 below the data: its first row holds the note (not an event), the others are empty
    rows = [HEAD, GOOD, [], ["備註:本月無通報"], [], []]
    path = workbook(tmp_path / "r.xlsx", {"s": rows}, merges=[("s", "A4:F6")])
    found = problems(info, read_events(path))
    assert found == [(f"{path}:s!A4", "cells A4:F6 are merged; give each row its own value (unmerge them and fill every row)")]


def test_a_rubric_test_case_can_read_a_register(capsys, tmp_path):
    # events_file may be a register; the rubric's heading lines map its Chinese headings
    import shutil

    shutil.copy(ROOT / "rubrics" / "2009_info.rubric", tmp_path / "info.rubric")
    chinese = ["編號", "單位", "日期", "事項", "刊物", "類別"]
    workbook(tmp_path / "register.xlsx", {"2009-05": [chinese, GOOD[:6]]})
    (tmp_path / "info.test.yaml").write_text(
        "rubric: info.rubric\ncases:\n"
        "  - name: one dynamic item from the register\n    clause: A.4.1\n    events_file: register.xlsx\n"
        "    expect:\n      通川區: {total: 2, items: {A.4.1: 2}}\n",  # A.4.1: dynamic 2
        encoding="utf-8",
    )
    assert main(["test", str(tmp_path / "info.test.yaml")]) == 0
    assert "1 passed" in capsys.readouterr().out
