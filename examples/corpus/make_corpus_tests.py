"""Turns a corpus document's cases (the `cases.json` format of the corpus README) into a `rubric test` file for
its encoding, keeping every case's events, units, as-of date, period and expected totals, items, grades,
statuses and ranks; nothing a case expects is dropped.

Write the committed test files (each folder's `cases.json` copied beside its rubric, then the cases worked by
hand in `hand_cases.py`):

    python examples/corpus/make_corpus_tests.py

Run new cases for the same document (for example held-back ones) against its encoding, unchanged:

    python examples/corpus/make_corpus_tests.py --cases NEW.json --folder 06_zhaoqing_web_2019 -o new.test.yaml --run

`--run` runs the written file at once (exit 0 all pass, 1 a case fails, 2 the file cannot be run); without it
the script prints the `rubric test` command that does. A case key or an expected key that `rubric test` does
not know is reported on stderr and kept, so the case fails naming it rather than passing without it.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys

import yaml

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from hand_cases import EXTRA_CASES  # noqa: E402  (beside this script, which is not a package)

# folder → its rubric file
RUBRICS = {
    "03_zhonglou_info": "zhonglou_info.rubric",
    "05_township_disclosure_2010": "township_disclosure_2010.rubric",
    "06_zhaoqing_web_2019": "zhaoqing_web_2019.rubric",
    "07_nyc_restaurant_grading": "nyc_restaurant_grading.rubric",
    "10_f1_points": "f1_points.rubric",
}
# the clauses each case of the documents' own cases.json checks (for `rubric test --coverage`); a case not
# listed here (a new one) claims no clause, and is run all the same
CLAUSES = {
    "rate_exactly_30pct_vs_just_below": ["C2", "C5", "C6", "C8"],
    "short_of_target_and_zero_rate": ["C2", "C5", "C8"],
    "floor_hit_then_bonus": ["C1", "C2", "C3", "C4", "C5", "C8"],
    "provincial_with_instruction": ["C2", "C5", "C6", "C7", "C8"],
    "exact_quota": ["C6", "C7", "C2"],
    "below_and_blank_month": ["C6", "C7", "C8"],
    "floor_then_commendation": ["C3", "C7", "C8"],
    "bonus_10pct_boundary": ["C2"],
    "mid_range_no_bonus": ["C2", "C4"],
    "exactly_80_vs_80_5": ["C4"],
    "indicator_cap_and_bonus_cap": ["C2", "C5"],
    "veto_website": ["C3"],
    "initial_A_and_zero": ["C1", "C2", "C7"],
    "initial_14_ungraded": ["C2", "C8"],
    "reinspection_B_at_27": ["C1", "C6", "C9"],
    "reinspection_C_at_28_exact_week": ["C1", "C8", "C9"],
    "single_race_fastest_lap_outside_top10": ["C1", "C3"],
    "fastest_lap_in_top10_and_dnf": ["C1", "C3"],
    "countback_ties_and_constructors": ["C2", "C4"],
    "countback_deep_to_4th_place": ["C2"],
}
# the keys of a corpus case (README "Conventions in cases.json"); `clause` and `expect` are this project's
# spellings (hand_cases.py), taken as they are
CASE_KEYS = ("name", "as_of", "period", "units", "events", "expected", "expect", "clause", "reasoning")
# what `rubric test` compares for a unit (rubric_dsl.testing.UNIT_KEYS; `listed` is not used by the corpus)
UNIT_KEYS = ("total", "items", "grade", "status", "rank", "listed")


class _Dumper(yaml.SafeDumper):
    """Writes a value shared by two cases out in full each time: `rubric test` refuses YAML aliases."""

    def ignore_aliases(self, data) -> bool:
        return True


class CasesError(Exception):
    """Cases that cannot be converted: where, and what is wrong."""


def convert_case(case, where: str, warn) -> dict:
    """One corpus case as a `rubric test` case. Raises CasesError for a case that is not one; `warn(text)`
    hears of keys `rubric test` does not know, which are kept so that the case fails naming them."""
    if not isinstance(case, dict):
        raise CasesError(f"{where}: a case is a mapping with name, events and expected, not {type(case).__name__}")
    name = case.get("name")
    if not isinstance(name, str) or not name:
        raise CasesError(f"{where}: a case needs a `name` (text)")
    where = f"{where} ({name})"
    unknown = [key for key in case if key not in CASE_KEYS]
    if unknown:
        raise CasesError(f"{where}: unknown key `{unknown[0]}`; a corpus case takes: {', '.join(CASE_KEYS)}")
    if "expected" in case and "expect" in case:
        raise CasesError(f"{where}: give `expected` or `expect`, not both")
    expected = case.get("expected", case.get("expect"))
    if not isinstance(expected, dict) or not expected:
        raise CasesError(f"{where}: `expected` maps each unit to what is expected of it")
    for unit, wanted in expected.items():
        if not isinstance(wanted, dict):
            continue  # a bare number is the unit's total
        for key in wanted:
            if key not in UNIT_KEYS:
                warn(f"{where}: unit `{unit}` expects `{key}`, which rubric test does not know: kept, so the case fails naming it")
        if "items" in wanted and not isinstance(wanted["items"], dict):
            raise CasesError(f"{where}: unit `{unit}` items map item ids (or named results) to expected values")
    if not isinstance(case.get("events", []), list):
        raise CasesError(f"{where}: `events` is a list of events")
    if not isinstance(case.get("units", []), list):
        raise CasesError(f"{where}: `units` is a list of unit rows")
    converted: dict = {"name": name}
    clause = case.get("clause", CLAUSES.get(name))
    if clause:
        converted["clause"] = clause
    for key in ("as_of", "period", "units"):
        if key in case:
            converted[key] = case[key]
    converted["events"] = case.get("events", [])
    converted["expect"] = expected
    if "reasoning" in case:
        converted["reasoning"] = case["reasoning"]
    return converted


def test_file_text(cases, rubric: str, header: list[str], source: str, warn) -> str:
    """The YAML test file of `cases` (read from `source`) for the rubric file named `rubric`."""
    if not isinstance(cases, list):
        raise CasesError(f"{source}: a cases file is a JSON list of cases")
    converted = [convert_case(case, f"{source}: case {number}", warn) for number, case in enumerate(cases, 1)]
    names = [case["name"] for case in converted]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise CasesError(f"{source}: case name `{twice[0]}` is used twice; each case needs its own name")
    body = yaml.dump(
        {"rubric": rubric, "cases": converted}, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=140, default_flow_style=None
    )
    return "\n".join(f"# {line}" if line else "#" for line in header) + "\n" + body


def committed_text(folder: str, warn=lambda text: None) -> str:
    """The committed test file of a corpus folder: its cases.json, then its hand-worked cases."""
    source = HERE / folder / "cases.json"
    cases = json.loads(source.read_text(encoding="utf-8"))
    header = [
        f"Every case of corpus document {folder} (cases.json), unchanged: events, units, as-of date and the",
        "expected totals (null: no score), items, grades, statuses and ranks. Written by make_corpus_tests.py.",
    ]
    extra = EXTRA_CASES.get(folder, [])
    if extra:
        header.append("The cases after them are worked by hand (hand_cases.py), each with its reasoning.")
    return test_file_text(cases + extra, RUBRICS[folder], header, f"{folder}/cases.json", warn)


def _warn(text: str) -> None:
    print(f"make_corpus_tests: warning: {text}", file=sys.stderr)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", help="a cases.json of new cases for one document (with --folder)")
    parser.add_argument("--folder", choices=sorted(RUBRICS), help="the corpus folder whose encoding the cases run against")
    parser.add_argument("-o", "--output", help="the test file to write (default: NAME.test.yaml beside the --cases file)")
    parser.add_argument("--run", action="store_true", help="run the written test file with `rubric test`")
    args = parser.parse_args(argv)
    if args.cases is None:
        if args.folder or args.output or args.run:
            parser.error("--folder, -o and --run go with --cases")
        for folder in RUBRICS:
            target = HERE / folder / f"{folder}.test.yaml"
            target.write_text(committed_text(folder, _warn), encoding="utf-8")
            print(f"wrote {target}")
        return 0
    if args.folder is None:
        parser.error("--cases needs --folder: the corpus folder whose rubric the cases run against")
    source = pathlib.Path(args.cases)
    output = pathlib.Path(args.output) if args.output else source.with_name(source.stem + ".test.yaml")
    if not output.name.endswith(".test.yaml"):
        parser.error(f"-o {output}: a rubric test file's name ends in .test.yaml")
    rubric = HERE / args.folder / RUBRICS[args.folder]
    try:
        cases = json.loads(source.read_text(encoding="utf-8"))
        header = [
            f"The cases of {source} for corpus document {args.folder}, unchanged. Written by make_corpus_tests.py;",
            f"run: rubric test {output} {rubric}",
        ]
        relative = os.path.relpath(rubric, output.resolve().parent)
        text = test_file_text(cases, relative, header, str(source), _warn)
    except (OSError, UnicodeDecodeError) as error:
        print(f"make_corpus_tests: error: {source}: cannot read it: {error}", file=sys.stderr)
        return 2
    except json.JSONDecodeError as error:
        print(f"make_corpus_tests: error: {source}:{error.lineno}:{error.colno}: not JSON: {error.msg}", file=sys.stderr)
        return 2
    except CasesError as error:
        print(f"make_corpus_tests: error: {error}", file=sys.stderr)
        return 2
    output.write_text(text, encoding="utf-8")
    print(f"wrote {output} ({len(cases)} cases)")
    # the rubric is named on the command line: `rubric test` reads a rubric outside the test file's folder only then
    command = [str(output), str(rubric)]
    if not args.run:
        print("run: rubric test " + " ".join(command))
        return 0
    from rubric_dsl.testing import run_test_paths

    return run_test_paths(command)


if __name__ == "__main__":
    sys.exit(main())
