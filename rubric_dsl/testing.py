"""`rubric test`: YAML test cases beside a rubric — events in, expected totals and item scores out — and coverage."""

from __future__ import annotations

import pathlib
import time
from decimal import Decimal, InvalidOperation

import yaml

from .api import load
from .discovery import discover
from .errors import RubricDSLError, UsageError
from .language.diagnostics import RubricError
from .language.render import render_rule
from .numbers import fmt_decimal
from .sources.events import EventError, Place, SourceError
from .sources.opening import read_events
from .sources.unit_tables import UnitTableError, units_from_rows
from .sources.yamlfile import yaml_loader


class TestFileError(RubricDSLError):
    """A test file that cannot be run: its place and what is wrong."""


def find_test_files(paths) -> list[pathlib.Path]:
    """Test files named, every *.test.yaml below each folder named, and a named rubric's own test file."""
    return discover(paths, "*.test.yaml", lambda name: TestFileError(f"{name}: no such file or folder"), _test_file_of)


def _test_file_of(path: pathlib.Path) -> pathlib.Path | None:
    """A rubric stands for the test file beside it (none: nothing to run); any other file for itself."""
    if path.suffix != ".rubric":
        return path
    candidate = path.with_name(path.stem + ".test.yaml")
    return candidate if candidate.exists() else None


def _decimal(value, where) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise TestFileError(f"{where}: expected a number, found {value!r}") from None


def load_cases(path: pathlib.Path):
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml_loader())
    except yaml.YAMLError as error:
        raise TestFileError(f"{path}: broken YAML: {error}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise TestFileError(f"{path}: cannot read the test file: {getattr(error, 'strerror', None) or error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise TestFileError(f"{path}: a test file is a mapping with `cases:` (a list)")
    rubric = data.get("rubric", path.name.replace(".test.yaml", ".rubric"))
    if not isinstance(rubric, str) or not rubric.strip():
        raise TestFileError(f"{path}: `rubric:` is the rubric's file name (text), not {type(rubric).__name__}")
    return path.parent / rubric, data["cases"]


def inside(path: pathlib.Path, roots) -> bool:
    """Is `path` (links followed) inside one of `roots`? A test file names files relative to its folder;
    anything else must be named on the command line, so that running someone's test file cannot read
    (and show, in its failures) files its author chose elsewhere on the machine."""
    real = path.resolve()
    return any(real == root or root in real.parents for root in roots)


CASE_KEYS = {
    "name",
    "clause",
    "events",
    "events_file",
    "as_of",
    "period",
    "units",
    "expect",
    "expect_invalid",
    "excluded",
    "reasoning",
}
UNIT_KEYS = {"total", "items", "rank", "listed", "grade", "status"}


def validate_case(case: dict, where: str) -> None:
    """A case's shape, checked before it runs, so a slip in a test file is named rather than crashing."""
    unknown = sorted(set(case) - CASE_KEYS, key=str)
    if unknown:
        raise TestFileError(f"{where}: unknown key `{unknown[0]}`; a case takes: {', '.join(sorted(CASE_KEYS))}")
    events = case.get("events")
    if events is not None and not (isinstance(events, list) and all(isinstance(e, dict) for e in events)):
        raise TestFileError(f"{where}: `events` is a list of events (mappings)")
    units = case.get("units")
    if units is not None and not (isinstance(units, list) and all(isinstance(u, dict) for u in units)):
        raise TestFileError(f"{where}: `units` is a list of unit rows (mappings such as {{unit: W1, kind: website}})")
    expect = case.get("expect")
    if expect is not None and not isinstance(expect, dict):
        raise TestFileError(f"{where}: `expect` maps each unit to its expected total or to {{{', '.join(sorted(UNIT_KEYS))}}}")
    for unit, wanted in (expect or {}).items():
        if isinstance(wanted, dict):
            if set(wanted) - UNIT_KEYS:
                raise TestFileError(f"{where}: `{unit}` takes: {', '.join(sorted(UNIT_KEYS))}")
            if "items" in wanted and not isinstance(wanted["items"], dict):
                raise TestFileError(f"{where}: `{unit}` items map item ids to scores, e.g. {{A.4.1: 6}}")


def run_case(program, case, base: pathlib.Path, where: str = "case", allowed=()):
    """Failures (list of text) and the scorecard, or raise TestFileError. `allowed`: folders and files
    named on the command line, from which an events_file may also come."""
    import datetime

    validate_case(case, where)
    if "events_file" in case:
        if not isinstance(case["events_file"], str):
            raise TestFileError(f"{where}: `events_file` is a file name (text)")
        path = base / case["events_file"]
        if not inside(path, [base.resolve(), *(pathlib.Path(p).resolve() for p in allowed)]):
            raise TestFileError(
                f"{where}: events_file {path} is outside the test file's folder; name it (or its folder) on the command line to allow it"
            )
        if not path.is_file():
            raise TestFileError(f"{where}: events_file {path} does not exist")
        try:
            # any event file: JSON Lines, CSV, YAML, or an XLSX register (its headings mapped by the rubric's `heading` lines)
            events = list(read_events(str(path), rubric=program))
        except SourceError as error:
            raise TestFileError(f"{where}: events_file: {error}") from None
    else:
        events = case.get("events") or []
    if case.get("units") is not None:
        try:
            program = program.with_units(units_from_rows(program.rubric, _unit_rows(case["units"], where)))
        except UnitTableError as error:
            raise TestFileError("\n".join(error.problems)) from None
    as_of = case.get("as_of")
    if as_of is not None:
        try:
            as_of = datetime.date.fromisoformat(str(as_of))
        except ValueError:
            raise TestFileError(f"{where}: as_of must be a date YYYY-MM-DD, not {as_of!r}") from None
    period = case.get("period")  # the period scored: 2022-Q1, 2022-03, a declared period's name
    if period is not None:
        try:
            program.scoring_period(as_of, str(period))
        except UsageError as error:
            raise TestFileError(f"{where}: period: {error}") from None
    failures = []
    try:
        card = program.score(events, as_of=as_of, path=f"case {case.get('name')!r} events", period=None if period is None else str(period))
    except EventError as error:
        if case.get("expect_invalid"):
            wanted = case["expect_invalid"]
            got = [p.message for p in error.problems]
            for needle in wanted if isinstance(wanted, list) else [wanted]:
                if not any(str(needle) in message for message in got):
                    failures.append(f"expected a rejection containing {needle!r}; got: {got}")
            return failures, None
        return [f"invalid events: {p.place}: {p.message}" for p in error.problems], None
    if case.get("expect_invalid"):
        failures.append("expected invalid events, but every event was accepted")
    for unit_name, wanted in (case.get("expect") or {}).items():
        try:
            unit = card.unit(unit_name)
        except KeyError:
            failures.append(f"{unit_name}: no scorecard for this unit")
            continue
        if not isinstance(wanted, dict):
            wanted = {"total": wanted}
        if "total" in wanted:
            # null: the unit has no score (a veto that gives none)
            expected = None if wanted["total"] is None else _decimal(wanted["total"], f"{unit_name} total")
            if unit.total != expected:
                failures.append(f"{unit_name} total: expected {_shown(expected, None)}, got {_shown(unit.total, card.places)}")
        for item_id, expected_raw in (wanted.get("items") or {}).items():
            failure = _item_failure(unit, str(item_id), expected_raw, card.places, unit_name)
            if failure:
                failures.append(failure)
        for key in ("grade", "status"):
            if key in wanted and getattr(unit, key) != (None if wanted[key] is None else str(wanted[key])):
                got = getattr(unit, key)
                failures.append(f"{unit_name} {key}: expected {_label(wanted[key])}, got {_label(got)}")
        if "listed" in wanted and unit.listed != wanted["listed"]:
            failures.append(f"{unit_name} listed: expected {wanted['listed']}, got {unit.listed}")
        if "rank" in wanted and unit.rank != wanted["rank"]:
            failures.append(f"{unit_name} rank: expected {wanted['rank']}, got {unit.rank}")
    if "excluded" in case:
        counts = card.excluded_counts()
        got = sum(counts.values())
        if got != case["excluded"]:
            failures.append(f"excluded events: expected {case['excluded']}, got {got} ({counts})")
    return failures, card


def _unit_rows(rows, where):
    """A case's `units:` rows, each placed `case …, unit row N`."""
    class Rows(list):
        paired = True

    return Rows((row, Place(f"{where} units", index=number)) for number, row in enumerate(rows))


def _shown(value, places) -> str:
    return "no score" if value is None else fmt_decimal(value, places)


def _label(value) -> str:
    return "none" if value is None else repr(str(value))


def _item_failure(unit, key: str, expected_raw, places, unit_name) -> str | None:
    """Compare one expected item: an item's or part's score, a member's total (a unit combined from its
    members lists them as items), or a named result (`… taking the latest as NAME`) such as an inspection id."""
    try:
        got = unit.item(key).score
    except KeyError:
        lets = dict(unit.named)
        if key in lets and isinstance(lets[key], Decimal):  # a named value (`let`) of the unit
            got = lets[key]
            expected = _decimal(expected_raw, f"{unit_name} {key}")
            if got != expected:
                return f"{unit_name} {key}: expected {fmt_decimal(expected, None)}, got {fmt_decimal(got, None)}"
            return None
        try:
            named = unit.chosen(key)
        except KeyError:
            return f"{unit_name} {key}: no such item or named result"
        if str(named) != str(expected_raw):
            return f"{unit_name} {key}: expected {expected_raw!r}, got {named!r}"
        return None
    expected = _decimal(expected_raw, f"{unit_name} {key}")
    if got != expected:
        return f"{unit_name} {key}: expected {fmt_decimal(expected, None)}, got {fmt_decimal(got, places)}"
    return None


def run_test_paths(paths, coverage=False, out=print, err=print) -> int:
    started = time.perf_counter()
    try:
        files = find_test_files(paths)
    except TestFileError as error:
        err(f"rubric test: error: {error}")
        return 2
    if not files:
        err("rubric test: error: no *.test.yaml files found")
        return 2
    passed = failed = 0
    uncovered_report = []
    for path in files:
        try:
            rubric_path, cases = load_cases(path)
            if not inside(rubric_path, [path.parent.resolve(), *(pathlib.Path(p).resolve() for p in paths)]):
                raise TestFileError(
                    f"{path}: rubric {rubric_path} is outside the test file's folder; name it (or its folder) on the command line to allow it"
                )
            program = load(rubric_path)
        except TestFileError as error:
            err(f"rubric test: error: {error}")
            return 2
        except RubricError as error:
            err(error.render())
            return 2
        exercised_rules: set = set()
        exercised_clauses: set = set()
        for number, case in enumerate(cases, 1):
            name = case.get("name", f"case {number}") if isinstance(case, dict) else f"case {number}"
            if not isinstance(case, dict):
                err(f"rubric test: error: {path}: case {number} is not a mapping")
                return 2
            try:
                failures, card = run_case(program, case, path.parent, f"{path}::{name}", paths)
            except TestFileError as error:
                err(f"rubric test: error: {error}")
                return 2
            label = f"{path}::{name}"
            if failures:
                failed += 1
                out(f"FAILED {label}")
                for failure in failures:
                    out(f"    {failure}")
            else:
                passed += 1
                out(f"PASSED {label}")
                if case.get("clause"):
                    clauses = case["clause"] if isinstance(case["clause"], list) else [case["clause"]]
                    exercised_clauses.update(str(c) for c in clauses)
                if card is not None:
                    for unit in card.units:
                        exercised_clauses.update(unit.outcome_clauses)  # a veto or grade line that held
                        for top in unit.items:
                            for item in (top, *top.parts):
                                for index, rule in enumerate(item.rules):
                                    if rule.points or rule.raw:
                                        exercised_rules.add((item.item_id, index))
                                        exercised_clauses.add(item.item_id)
        if coverage:
            uncovered_report.append(coverage_text(program, path, exercised_rules, exercised_clauses))
    for text in uncovered_report:
        out(text)
    elapsed = time.perf_counter() - started
    summary = f"{passed} passed" + (f", {failed} failed" if failed else "") + f" in {elapsed:.2f}s"
    out(f"== {summary} ==")
    return 1 if failed else 0


def coverage_text(program, path, exercised_rules, exercised_clauses) -> str:
    rubric = program.rubric

    missing_rules = []
    total_rules = 0
    for item in rubric.all_items():
        for index, rule in enumerate(item.rules):
            total_rules += 1
            if (item.item_id, index) not in exercised_rules:
                missing_rules.append(f"  {item.item_id} line {rule.span.line}: {render_rule(rule)}")
    clause_ids = [i.item_id for i in rubric.all_items()] + [c.clause_id for c, _ in rubric.clauses]
    # a clause cited inside an item is covered when a case exercises that item
    covered = set(exercised_clauses) | {clause for clause, item in rubric.item_clauses if item in exercised_clauses}
    missing_clauses = [c for c in clause_ids if c not in covered]
    lines = [
        f"coverage of {program.rubric.path} ({path}):",
        f"  rules: {total_rules - len(missing_rules)}/{total_rules} exercised;"
        f" clauses: {len(clause_ids) - len(missing_clauses)}/{len(clause_ids)} covered",
    ]
    if missing_rules:
        lines.append("  rules no case exercised:")
        lines += ["  " + m for m in missing_rules]
    if missing_clauses:
        lines.append("  clauses no case covered: " + ", ".join(missing_clauses))
    else:
        lines.append("  every clause is covered")
    return "\n".join(lines)
