"""Regenerates examples/README.md (and the bulletins beside it) from the real commands' output.

python examples/make_readme.py
"""

import os
import pathlib
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from rubric_dsl.outputs.reports import find_chromium, screenshot

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent


def run(*args, check=True):
    result = subprocess.run(
        [sys.executable, "-m", "rubric_dsl", *args], cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    if check and result.returncode not in (0, 1):
        raise SystemExit(result.stderr)
    return result


def block(command, result, stderr=True):
    text = result.stdout + (result.stderr if stderr else "")
    return f"```console\n$ rubric {command}\n{text.rstrip()}\n```\n\n(exit status {result.returncode})\n"


def count(path):
    return sum(1 for line in (ROOT / path).read_text(encoding="utf-8").splitlines() if line.strip())


def main():
    out = HERE / "bulletins"
    out.mkdir(exist_ok=True)
    info, infz = "rubrics/2009_info.rubric", "rubrics/2009_informatization.rubric"
    info_ev, infz_ev = "examples/2009_info.events.jsonl", "examples/2009_informatization.events.jsonl"
    run("report", info, info_ev, "--month", "2009-06", "-o", "examples/bulletins/2009-06.html")
    run("report", info, info_ev, "--month", "2009-06", "-o", "examples/bulletins/2009-06.md")
    run("report", info, info_ev, "--year", "-o", "examples/bulletins/2009-year.html")
    run("report", info, info_ev, "--year", "-o", "examples/bulletins/2009-year.xlsx")
    run("report", infz, infz_ev, "--year", "-o", "examples/bulletins/2009-informatization.md")
    shot = find_chromium() is not None
    if shot:
        screenshot(out / "2009-06.html", out / "2009-06.png")
    bad = HERE / "bad.events.jsonl"
    sections = [
        "# Examples\n",
        "Everything here is produced by `python examples/make_readme.py` from the real commands; "
        "the event streams come from `python examples/make_examples.py` (seeded, so reproducible).\n",
        "| file | what |\n|---|---|\n"
        f"| `2009_info.events.jsonl` | a year of information reporting: {count(info_ev)} events across counties, departments and offices, March (before the method applies) to December |\n"
        "| `2009_info.q2.events.csv` | the April–June part of it as CSV |\n"
        f"| `2009_informatization.events.jsonl` | a year of the city's informatization work: {count(infz_ev)} events |\n"
        "| `2009_informatization.milestones.events.yaml` | its milestones, columns and access rates as YAML |\n"
        "| `2009_informatization_prorated.rubric` | the other reading of B.2.2.1 (prorated instead of all-or-nothing) |\n"
        "| `bad.events.jsonl` | events with mistakes, to show the errors |\n"
        "| `2009_info.register.xlsx` | the same year as a clerk's Excel register: a sheet per month, Chinese column headings |\n"
        "| `2009_info.db` | the same year as a SQLite database (table `events`) |\n"
        "| `2009_info.columns.yaml` | the register's headings mapped to fields, for `--columns` (the rubric's `heading` lines say the same) |\n"
        "| `bad.register.xlsx` | a register with one mistake of each kind, to show where each error is placed |\n"
        "| `make_sources.py` | writes the register and the database from the event stream |\n"
        "| `use_library.py` | how another tool uses the library |\n"
        "| `other_city/` | another city's (made-up) rubric with its tests |\n"
        "| `bulletins/` | the June and year-end bulletins in Markdown, HTML and XLSX |\n",
        "## Check\n",
        block("check rubrics/", run("check", "rubrics/")),
        "## Score\n",
        block(f"score {info} {info_ev}", run("score", info, info_ev)),
        "Units not in the tables are scored apart (clause A.4.5b): 市信息產業局 appears at the end, unranked. "
        "Events dated before 2009-04-01 are kept and reported, never silently dropped (A.4.7).\n",
        block(f"score {infz} {infz_ev}", run("score", infz, infz_ev)),
        "The same scores from other formats and as data:\n",
        block(
            f"score {info} examples/2009_info.q2.events.csv --unit 通川區",
            run("score", info, "examples/2009_info.q2.events.csv", "--unit", "通川區"),
        ),
        block(
            f"score {infz} examples/2009_informatization.milestones.events.yaml --format csv",
            run("score", infz, "examples/2009_informatization.milestones.events.yaml", "--format", "csv"),
        ),
        "`--format json` gives the scorecard as one JSON object (units ranked, each item with its score, base, "
        "bonus, deduction, limits, reasons and contributing events).\n",
        "## Bad events\n",
        block(f"score {info} examples/bad.events.jsonl", run("score", info, str(bad.relative_to(ROOT)))),
        "## Registers and databases\n",
        'The same year from the Excel register (a sheet per month; the rubric\'s `heading "單位" is unit` lines map its Chinese '
        "headings) and from the SQLite database give the same scores:\n",
        block(
            f"score {info} examples/2009_info.register.xlsx --unit 通川區",
            run("score", info, "examples/2009_info.register.xlsx", "--unit", "通川區"),
        ),
        block(
            f'score {info} "sqlite:///examples/2009_info.db?table=events" --unit 通川區',
            run("score", info, "sqlite:///examples/2009_info.db?table=events", "--unit", "通川區"),
        ),
        "A register's errors are placed at their cell (`workbook:sheet!cell`), each kind of mistake once:\n",
        block(f"score {info} examples/bad.register.xlsx", run("score", info, "examples/bad.register.xlsx")),
        "## Explain\n",
        "The ledger of one county: every event, the rule and clause behind it, and why it did not earn more.\n",
        block(f"explain {info} {info_ev} --unit 通川區", run("explain", info, info_ev, "--unit", "通川區")),
        "And the informatization rubric, where the city lost points:\n",
        block(f"explain {infz} {infz_ev} --unit 達州市", run("explain", infz, infz_ev, "--unit", "達州市")),
        "## The prorated reading of B.2.2.1\n",
        "`2009_informatization_prorated.rubric` changes one line: `award 80 prorated over months where count "
        "portal_submission >= 100`. In the example year February has 95 submissions, so the shipped rubric gives "
        "B.2.2.1 nothing while the variant gives 80 × 11/12:\n",
        block(
            f"explain examples/2009_informatization_prorated.rubric {infz_ev} --unit 達州市 --item B.2.2.1",
            run("explain", "examples/2009_informatization_prorated.rubric", infz_ev, "--unit", "達州市", "--item", "B.2.2.1"),
        ),
        "## Test\n",
        block("test rubrics/ --coverage", run("test", "rubrics/", "--coverage")),
        "## Another city's rubric\n",
        "`other_city/2010_news.rubric` is a made-up document for another city: a new file, not new code. It uses what the "
        "Dazhou rubrics do not (item caps, `in`/`or`/`not` filters, months meeting a requirement, a share of a sum, "
        "a date field, commendation of the best unit per group), and comes with its own hand-worked tests:\n",
        block("test examples/other_city --coverage", run("test", "examples/other_city", "--coverage")),
        "## Bulletins\n",
        "The June monthly bulletin (as of 2009-06-30): points this month, cumulative score, target, completion, "
        "rank within the group and its change since May, and the pace line (3 of the window's 9 months = 33.3%).\n",
        block(f"report {info} {info_ev} --month 2009-06", run("report", info, info_ev, "--month", "2009-06")),
        (
            "The same as HTML (`-o bulletins/2009-06.html`), printable, with a bar chart of completion per unit "
            "(red: behind the pace line):\n\n![June bulletin](bulletins/2009-06.png)\n"
            if shot
            else ""
        ),
        "The year-end bulletin, with the commendation list (the rubric declares `commend completion >= 100%`; the seed fixes no criterion):\n",
        block(f"report {info} {info_ev} --year", run("report", info, info_ev, "--year")),
        "For the informatization rubric, the year-end bulletin itemises base, bonus and deductions and names who answers for each lost point:\n",
        block(f"report {infz} {infz_ev} --year", run("report", infz, infz_ev, "--year")),
        "XLSX: `rubric report … --year -o bulletins/2009-year.xlsx` (one sheet per group, numbers stored as numbers, header row frozen).\n",
    ]
    (HERE / "README.md").write_text("\n".join(sections), encoding="utf-8")


if __name__ == "__main__":
    main()
