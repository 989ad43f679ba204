"""The command line: exit statuses, output formats, and no traceback on bad input."""

import json

import pytest

from rubric_dsl.cli import main

from .conftest import ROOT, RUBRICS

INFO = str(RUBRICS / "2009_info.rubric")
INFZ = str(RUBRICS / "2009_informatization.rubric")
INFO_EVENTS = str(ROOT / "examples" / "2009_info.events.jsonl")
INFZ_EVENTS = str(ROOT / "examples" / "2009_informatization.events.jsonl")


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_check_shipped_rubrics_folder(capsys):
    status, _out, err = run(capsys, "check", str(RUBRICS))
    assert status == 0
    assert err == "2 files checked: all valid\n"


def test_check_error_and_json(capsys, tmp_path):
    bad = tmp_path / "bad.rubric"
    bad.write_text('rubric "t"\nwindow 2009-01-01 to 2009-12-31\nsection S "s"\n  item S.1 "i"\n    award 1 for each x\n', encoding="utf-8")
    status, out, err = run(capsys, "check", str(bad))
    assert status == 1
    assert err.splitlines()[0] == f"{bad}:5:22: error: unknown event kind `x` [E300]"
    status, out, err = run(capsys, "check", "--format", "json", str(bad))
    assert status == 1
    assert json.loads(out)["diagnostics"][0]["code"] == "E300"


def test_check_warnings_fail_only_with_strict(capsys, tmp_path):
    path = tmp_path / "w.rubric"
    path.write_text(
        'rubric "t"\nwindow 2009-01-01 to 2009-12-31\nevent e\nsection S "s"\n  item S.1 "i"\n    award 2 for each e, at most 1\n',
        encoding="utf-8",
    )
    assert run(capsys, "check", str(path))[0] == 0
    assert run(capsys, "check", "--strict", str(path))[0] == 1


def test_color_only_when_asked_or_at_a_terminal(capsys, tmp_path, monkeypatch):
    bad = tmp_path / "bad.rubric"
    bad.write_text('rubric "t"\n', encoding="utf-8")
    main(["check", str(bad)])
    assert "\033[" not in capsys.readouterr().err  # captured output is not a terminal
    main(["--color", "always", "check", str(bad)])
    err = capsys.readouterr().err
    assert f"{bad}:1:1: \033[1;31merror\033[0m: the rubric has no `window` line \033[2m[E202]\033[0m" in err
    monkeypatch.setenv("NO_COLOR", "1")
    main(["check", str(bad)])
    assert "\033[" not in capsys.readouterr().err


def test_usage_errors_exit_2(capsys):
    assert run(capsys, "check")[0] == 2
    assert run(capsys, "check", "no/such/path")[0] == 2
    assert run(capsys, "score", INFO, "no/such/events.jsonl")[0] == 2
    assert run(capsys, "frobnicate")[0] == 2


def test_score_json_shape(capsys):
    status, out, _err = run(capsys, "score", INFO, INFO_EVENTS, "--format", "json")
    assert status == 0
    data = json.loads(out)
    assert data["rubric"] == "2009年度全市政務信息目標任務考核辦法"
    units = data["units"]
    assert len(units) == 56  # 55 targeted + 市信息產業局 scored apart (A.4.5b)
    listed = [u for u in units if u["listed"]]
    assert [float(u["total"]) for u in listed] == sorted((float(u["total"]) for u in listed), reverse=True)
    first = units[0]
    assert set(first) >= {"unit", "group", "target", "total", "items"}
    assert [i["id"] for i in first["items"]] == ["A.4.1", "A.4.2", "A.4.3", "A.4.4", "A.4.5"]
    for unit in units:  # totals are sums of the rounded item scores
        assert sum(float(i["score"]) for i in unit["items"] if i["part_of"] is None) == pytest.approx(float(unit["total"]))
    assert data["excluded_counts"]["before the window"] == 54
    unlisted = [u for u in units if not u["listed"]]
    assert unlisted[0]["unit"] == "市信息產業局" and unlisted[0]["target"] is None


def test_score_json_carries_raw_part_points(capsys):
    _status, out, _ = run(capsys, "score", INFZ, INFZ_EVENTS, "--format", "json")
    items = json.loads(out)["units"][0]["items"]
    ids = [i["id"] for i in items]
    parts = [f"B.2.2.{n}" for n in range(1, 7)]
    assert ids == [
        "B.1.1",
        "B.1.2",
        "B.1.3",
        "B.1.4",
        "B.2.1.1",
        "B.2.1.2",
        "B.2.1.3",
        "B.2.2",
        *parts,
        "B.3.1",
        "B.3.2",
        "B.3.3",
        "B.4.1",
        "B.4.2",
        "B.4.3",
    ]
    assert next(i for i in items if i["id"] == "B.2.2")["parts"] == parts
    assert {i["part_of"] for i in items if i["id"] in parts} == {"B.2.2"}
    # the parts carry raw 300-scale points: B.2.2.1 is all-or-nothing 80 (0 here: February had 95)
    assert next(i for i in items if i["id"] == "B.2.2.1")["score"] == "0.00"


def test_score_invalid_events_exit_1_and_skip(capsys, tmp_path):
    events = tmp_path / "e.jsonl"
    events.write_text(
        '{"id": "a", "unit": "通川區", "date": "2009-05-01", "kind": "adopted", "outlet": "picture_news"}\n'
        '{"id": "b", "unit": "通川區", "date": "2009-05-01", "kind": "adoptd"}\n',
        encoding="utf-8",
    )
    status, out, err = run(capsys, "score", INFO, str(events))
    assert status == 1 and out == ""
    assert f"{events}:2: error: unknown event kind `adoptd` (did you mean `adopted`?)" in err
    assert "Traceback" not in err
    rejected = tmp_path / "rejected.jsonl"
    status, out, err = run(capsys, "score", INFO, str(events), "--skip-invalid", "--rejected", str(rejected), "--format", "csv")
    assert status == 1
    assert "通川區" in out
    assert json.loads(rejected.read_text(encoding="utf-8"))["id"] == "b"


def test_score_unit_and_stdin(capsys, monkeypatch):
    import io
    import sys

    line = '{"id": "a", "unit": "通川區", "date": "2009-05-01", "kind": "adopted", "outlet": "picture_news"}\n'
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(line.encode())))
    status, out, _err = run(capsys, "score", INFO, "-", "--unit", "通川區", "--format", "csv")
    assert status == 0
    assert out.splitlines()[1].startswith("1,通川區,counties,yes,0.00,0.00,1.00")


def test_score_broken_rubric_exit_2(capsys, tmp_path):
    bad = tmp_path / "bad.rubric"
    bad.write_text("rubric\n", encoding="utf-8")
    status, _out, err = run(capsys, "score", str(bad), INFO_EVENTS)
    assert status == 2
    assert err.startswith(f"{bad}:1:7: error: unexpected end of line")


def test_fmt_check_diff_and_stdin(capsys, tmp_path, monkeypatch):
    import io
    import sys

    messy = tmp_path / "m.rubric"
    messy.write_text('rubric   "t"\nwindow 2009-01-01 to 2009-12-31\nevent e\nfield f:text\n', encoding="utf-8")
    assert run(capsys, "fmt", "--check", str(RUBRICS))[0] == 0
    status, out, err = run(capsys, "fmt", "--check", str(messy))
    assert status == 1 and err == f"would reformat {messy}\n"
    status, out, err = run(capsys, "fmt", "--diff", str(messy))
    assert status == 1 and "+  field f: text" in out
    assert run(capsys, "fmt", str(messy))[0] == 0
    assert messy.read_text(encoding="utf-8") == 'rubric "t"\nwindow 2009-01-01 to 2009-12-31\nevent e\n  field f: text\n'
    monkeypatch.setattr(sys, "stdin", io.StringIO('rubric  "x"\n'))
    status, out, err = run(capsys, "fmt", "-")
    assert status == 0 and out == 'rubric "x"\n'


def test_test_command_with_coverage(capsys):
    status, out, _err = run(capsys, "test", str(RUBRICS), "--coverage")
    assert status == 0
    assert "every clause is covered" in out
    assert out.count("every clause is covered") == 2
    assert out.splitlines()[-1].startswith("== 40 passed")


def test_test_command_failure_shows_expected_and_actual(capsys, tmp_path):
    (tmp_path / "t.rubric").write_text((RUBRICS / "2009_info.rubric").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "t.test.yaml").write_text(
        "cases:\n  - name: wrong on purpose\n    events:\n"
        "      - {id: a, unit: 通川區, date: 2009-05-01, kind: adopted, outlet: picture_news}\n"
        "    expect:\n      通川區: {total: 2, items: {A.4.3: 2}}\n",
        encoding="utf-8",
    )
    status, out, _err = run(capsys, "test", str(tmp_path))
    assert status == 1
    assert "    通川區 total: expected 2, got 1.00" in out
    assert "    通川區 A.4.3: expected 2, got 1.00" in out


def test_explain_as_of_says_what_is_not_counted_yet(capsys):
    status, out, _err = run(capsys, "explain", INFO, INFO_EVENTS, "--unit", "通川區", "--item", "A.4.3", "--as-of", "2009-06-30")
    assert status == 0
    assert "  why not more: 20 adopted events dated after the as-of date were not counted yet" in out.splitlines()


def test_explain_unknown_unit_suggests(capsys):
    status, _out, err = run(capsys, "explain", INFO, INFO_EVENTS, "--unit", "通川区")
    assert status == 2
    assert "did you mean '通川區'" in err


def test_report_formats(capsys, tmp_path):
    for fmt in ("md", "html", "csv"):
        status, out, _err = run(capsys, "report", INFO, INFO_EVENTS, "--month", "2009-06", "--format", fmt)
        assert status == 0 and out
    assert run(capsys, "report", INFO, INFO_EVENTS, "--year", "--format", "xlsx")[0] == 2  # needs -o
    assert run(capsys, "report", INFO, INFO_EVENTS, "--month", "2009-13")[0] == 2
    status, out, err = run(capsys, "report", INFO, INFO_EVENTS, "--month", "2009-03")
    assert status == 2
    assert err == "rubric report: error: no bulletin for 2009-03: the as-of date 2009-03-31 is before the window starts (2009-04-01)\n"


def test_report_month_after_the_window_is_a_usage_error(capsys):
    status, _out, err = run(capsys, "report", INFO, INFO_EVENTS, "--month", "2010-01")
    assert (status, err) == (2, "rubric report: error: no bulletin for 2010-01: the window ends 2009-12-31\n")


def test_score_as_of_before_the_window_is_a_usage_error(capsys):
    status, _out, err = run(capsys, "score", INFO, INFO_EVENTS, "--as-of", "2009-03-01")
    assert status == 2 and "is before the window starts (2009-04-01)" in err


def test_score_table_aligns_cjk_by_display_width(capsys):
    from wcwidth import wcswidth

    status, out, _ = run(capsys, "score", INFO, INFO_EVENTS)
    lines = out.splitlines()[2:]  # header, rule, rows
    assert status == 0 and len(lines) == 58
    # every column ends at the same display cell on every line: the last (right-aligned) one included
    assert {wcswidth(line) for line in lines} == {wcswidth(lines[1])}
    total_end = wcswidth(lines[0][: lines[0].index("total") + len("total")])
    for line in lines[2:]:
        cells = line.split()
        total = cells[-3]
        assert wcswidth(line[: line.rindex(" " + total + " ") + 1 + len(total)]) == total_end


@pytest.mark.parametrize(
    "case,message",
    [
        ("{name: a, events: 5}", "`events` is a list of events (mappings)"),
        ("{name: a, as_of: notadate}", "as_of must be a date YYYY-MM-DD, not 'notadate'"),
        ("{name: a, expect: [1]}", "`expect` maps each unit to its expected total or to {grade, items, listed, rank, status, total}"),
        ("{name: a, expect: {通川區: {items: [1]}}}", "`通川區` items map item ids to scores, e.g. {A.4.1: 6}"),
        (
            "{name: a, expected: {}}",
            "unknown key `expected`; a case takes: as_of, clause, events, events_file, excluded, expect, expect_invalid, name,"
            " period, reasoning, units",
        ),
        ("{name: a, units: 5}", "`units` is a list of unit rows (mappings such as {unit: W1, kind: website})"),
        (
            "{name: a, units: [{unit: X, group: counties, colour: red}]}",
            "t.test.yaml::a units[0]: unit `X` has `colour`, which is not a declared attribute (the rubric declares no attributes)",
        ),
    ],
)
def test_test_file_mistakes_are_named_not_crashed(capsys, tmp_path, case, message):
    (tmp_path / "t.rubric").write_text((RUBRICS / "2009_info.rubric").read_text(encoding="utf-8"), encoding="utf-8")
    test_file = tmp_path / "t.test.yaml"
    test_file.write_text(f"cases: [{case}]\n", encoding="utf-8")
    status, _out, err = run(capsys, "test", str(tmp_path))
    if message.startswith("t.test.yaml"):  # a unit row's problem is placed at the row
        message = message.removeprefix("t.test.yaml::a ")
        assert (status, err) == (2, f"rubric test: error: {test_file}::a {message}\n")
    else:
        assert (status, err) == (2, f"rubric test: error: {test_file}::a: {message}\n")
