"""`rubric test`: YAML test cases beside a rubric — events in, expected totals and item scores out — and coverage."""

from __future__ import annotations

import pathlib
import time
from decimal import Decimal, InvalidOperation

import yaml

from . import i18n
from .api import load
from .discovery import discover
from .errors import RubricDSLError, UsageError, os_reason
from .i18n import _, join_clauses, join_names
from .language.diagnostics import RubricError
from .language.render import render_rule
from .numbers import fmt_decimal
from .sources.events import EventError, Place, SourceError
from .sources.opening import read_events
from .sources.parse_errors import yaml_problem_at
from .sources.unit_tables import UnitTableError, units_from_rows
from .sources.yamlfile import yaml_loader
from .suggestions import closest


class TestFileError(RubricDSLError):
    """A test file that cannot be run: its place and what is wrong."""


def find_test_files(paths) -> list[pathlib.Path]:
    """Test files named, every *.test.yaml below each folder named, and a named rubric's own test file."""
    return discover(paths, "*.test.yaml", lambda name: TestFileError(_("{name}: no such file or folder", name=name)), _test_file_of)


def _test_file_of(path: pathlib.Path) -> pathlib.Path | None:
    """A rubric stands for the test file beside it (none: nothing to run); any other file for itself."""
    if path.suffix != ".rubric":
        return path
    candidate = path.with_name(path.stem + ".test.yaml")
    return candidate if candidate.exists() else None


def _differs(unit_name: str, key: str, expected: Decimal, got: Decimal, places: int | None) -> str | None:
    """The failure line of a number that is not what the case expects (None when it is)."""
    if got == expected:
        return None
    return _(
        "{unit_name} {key}: expected {expected}, got {got}",
        unit_name=unit_name,
        key=key,
        expected=fmt_decimal(expected, None),
        got=fmt_decimal(got, places),
    )


def _decimal(value, where) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise TestFileError(_("{where}: expected a number, found {value!r}", where=where, value=value)) from None


def load_cases(path: pathlib.Path):
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml_loader())
    except yaml.YAMLError as error:
        raise TestFileError(_("{path}: broken YAML: {error}", path=path, error=yaml_problem_at(error))) from None
    except (OSError, UnicodeDecodeError) as error:
        raise TestFileError(_("{path}: cannot read the test file: {value}", path=path, value=os_reason(error))) from None
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise TestFileError(_("{path}: a test file is a mapping with `cases:` (a list)", path=path))
    rubric = data.get("rubric", path.name.replace(".test.yaml", ".rubric"))
    if not isinstance(rubric, str) or not rubric.strip():
        raise TestFileError(_("{path}: `rubric:` is the rubric's file name (text), not {name}", path=path, name=type(rubric).__name__))
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
        raise TestFileError(
            _(
                "{where}: unknown key `{unknown}`; a case takes: {value}",
                where=where,
                unknown=unknown[0],
                value=", ".join(sorted(CASE_KEYS)),
            )
        )
    events = case.get("events")
    if events is not None and not (isinstance(events, list) and all(isinstance(e, dict) for e in events)):
        raise TestFileError(_("{where}: `events` is a list of events (mappings)", where=where))
    units = case.get("units")
    if units is not None and not (isinstance(units, list) and all(isinstance(u, dict) for u in units)):
        raise TestFileError(_("{where}: `units` is a list of unit rows (mappings such as {{unit: W1, kind: website}})", where=where))
    expect = case.get("expect")
    if expect is not None and not isinstance(expect, dict):
        raise TestFileError(
            _("{where}: `expect` maps each unit to its expected total or to {{{value}}}", where=where, value=", ".join(sorted(UNIT_KEYS)))
        )
    for unit, wanted in (expect or {}).items():
        if isinstance(wanted, dict):
            # an unknown key (`totl`) fails its case, naming the key (see run_case), not the whole run
            if "items" in wanted and not isinstance(wanted["items"], dict):
                raise TestFileError(_("{where}: `{unit}` items map item ids to scores, e.g. {{A.4.1: 6}}", where=where, unit=unit))


def run_case(program, case, base: pathlib.Path, where: str = "case", allowed=()):
    """Failures (list of text) and the scorecard, or raise TestFileError. `allowed`: folders and files
    named on the command line, from which an events_file may also come."""
    import datetime

    validate_case(case, where)
    if "events_file" in case:
        if not isinstance(case["events_file"], str):
            raise TestFileError(_("{where}: `events_file` is a file name (text)", where=where))
        path = base / case["events_file"]
        if not inside(path, [base.resolve(), *(pathlib.Path(p).resolve() for p in allowed)]):
            raise TestFileError(
                _(
                    "{where}: events_file {path} is outside the test file's folder; name it (or its folder) on the command line to allow it",
                    where=where,
                    path=path,
                )
            )
        if not path.is_file():
            raise TestFileError(_("{where}: events_file {path} does not exist", where=where, path=path))
        try:
            # any event file: JSON Lines, CSV, YAML, or an XLSX register (its headings mapped by the rubric's `heading` lines)
            events = list(read_events(str(path), rubric=program))
        except SourceError as error:
            raise TestFileError(_("{where}: events_file: {error}", where=where, error=error)) from None
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
            raise TestFileError(_("{where}: as_of must be a date YYYY-MM-DD, not {as_of!r}", where=where, as_of=as_of)) from None
    period = case.get("period")  # the period scored: 2022-Q1, 2022-03, a declared period's name
    if period is not None:
        try:
            program.scoring_period(as_of, str(period))
        except UsageError as error:
            raise TestFileError(_("{where}: period: {error}", where=where, error=error)) from None
    failures = []
    events_place = _("case {value!r} events", value=case.get("name"))
    wanted = case.get("expect_invalid")

    def score():
        return program.score(events, as_of=as_of, path=events_place, period=None if period is None else str(period))

    try:
        # `expect_invalid` quotes a rejection as the test file was written, in English (or as the reader sees
        # it): the case is scored in English first, so the same file passes whatever the reader's language
        card = in_language("en", score) if wanted else score()
    except EventError as error:
        if wanted:
            return missing_rejections(error, wanted if isinstance(wanted, list) else [wanted], score), None
        return [_("invalid events: {place}: {message}", place=p.place, message=p.messages) for p in error.problems], None
    if wanted:
        failures.append(_("expected invalid events, but every event was accepted"))
    for unit_name, wanted in (case.get("expect") or {}).items():
        try:
            unit = card.unit(unit_name)
        except KeyError:
            near = program.suggest_unit(str(unit_name), card)
            if near:
                failures.append(_("{unit_name}: no scorecard for this unit; did you mean `{near}`?", unit_name=unit_name, near=near))
            else:
                failures.append(_("{unit_name}: no scorecard for this unit", unit_name=unit_name))
            continue
        if not isinstance(wanted, dict):
            wanted = {"total": wanted}
        for key in sorted(set(wanted) - UNIT_KEYS, key=str):
            near = closest(key, UNIT_KEYS)
            failures.append(
                _(
                    "{unit_name}: unknown expect key `{key}`{near}; a unit takes: {value}",
                    unit_name=unit_name,
                    key=key,
                    near=_(" (did you mean `{near}`?)", near=near) if near else "",
                    value=", ".join(sorted(UNIT_KEYS)),
                )
            )
        if "total" in wanted:
            # null: the unit has no score (a veto that gives none)
            expected = None if wanted["total"] is None else _decimal(wanted["total"], _("{unit_name} total", unit_name=unit_name))
            if unit.total != expected:
                failures.append(
                    _(
                        "{unit_name} total: expected {expected}, got {value}",
                        unit_name=unit_name,
                        expected=_shown(expected, None),
                        value=_shown(unit.total, card.places),
                    )
                )
        for item_id, expected_raw in (wanted.get("items") or {}).items():
            if isinstance(expected_raw, dict):  # {score: 20, grade: B}: the item's score and its grade band
                failures += _item_details(unit, str(item_id), expected_raw, card.places, unit_name)
                continue
            failure = _item_failure(unit, str(item_id), expected_raw, card.places, unit_name)
            if failure:
                failures.append(failure)
        for key in ("grade", "status"):
            if key in wanted and getattr(unit, key) != (None if wanted[key] is None else str(wanted[key])):
                got = getattr(unit, key)
                failures.append(
                    _(
                        "{unit_name} {key}: expected {value}, got {got}",
                        unit_name=unit_name,
                        key=key,
                        value=_label(wanted[key]),
                        got=_label(got),
                    )
                )
        if "listed" in wanted and unit.listed != wanted["listed"]:
            failures.append(
                _("{unit_name} listed: expected {wanted}, got {listed}", unit_name=unit_name, wanted=wanted["listed"], listed=unit.listed)
            )
        if "rank" in wanted and unit.rank != wanted["rank"]:
            failures.append(
                _("{unit_name} rank: expected {wanted}, got {rank}", unit_name=unit_name, wanted=wanted["rank"], rank=unit.rank)
            )
    if "excluded" in case:
        counts = card.excluded_counts()
        got = sum(counts.values())
        if got != case["excluded"]:
            failures.append(_("excluded events: expected {case}, got {got} ({counts})", case=case["excluded"], got=got, counts=counts))
    return failures, card


def _unit_rows(rows, where):
    """A case's `units:` rows, each placed `case …, unit row N`."""

    class Rows(list):
        paired = True

    return Rows((row, Place(_("{where} units", where=where), index=number)) for number, row in enumerate(rows))


def _shown(value: Decimal | None, places: int | None) -> str:
    return _("no score") if value is None else fmt_decimal(value, places)


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
            return _differs(unit_name, key, expected, got, None)
        try:
            named = unit.chosen(key)
        except KeyError:
            return _("{unit_name} {key}: no such item or named result", unit_name=unit_name, key=key)
        if str(named) != str(expected_raw):
            return _(
                "{unit_name} {key}: expected {expected_raw!r}, got {named!r}",
                unit_name=unit_name,
                key=key,
                expected_raw=expected_raw,
                named=named,
            )
        return None
    expected = _decimal(expected_raw, f"{unit_name} {key}")
    return _differs(unit_name, key, expected, got, places)


ITEM_KEYS = ("score", "grade")


def _item_details(unit, key: str, wanted: dict, places, unit_name) -> list[str]:
    """An item expected as a mapping: its `score` (as a bare number would be) and its `grade` (null: none)."""
    unknown = [str(k) for k in wanted if k not in ITEM_KEYS]
    if unknown:
        return [_("{unit_name} {key}: unknown key `{name}`; an item takes score and grade", unit_name=unit_name, key=key, name=unknown[0])]
    try:
        item = unit.item(key)
    except KeyError:
        return [_("{unit_name} {key}: no such item or named result", unit_name=unit_name, key=key)]
    failures = []
    if "score" in wanted:
        failure = _differs(unit_name, key, _decimal(wanted["score"], f"{unit_name} {key}"), item.score, places)
        if failure:
            failures.append(failure)
    if "grade" in wanted:
        expected = None if wanted["grade"] is None else str(wanted["grade"])
        if item.grade != expected:
            failures.append(
                _(
                    "{unit_name} {key} grade: expected {value}, got {got}",
                    unit_name=unit_name,
                    key=key,
                    value=_label(expected),
                    got=_label(item.grade),
                )
            )
    return failures


def in_language(language: str, work):
    """`work()` with every message made in `language`, then back to the reader's language."""
    shown_in = i18n.language()
    i18n.set_language(language)
    try:
        return work()
    finally:
        i18n.set_language(shown_in)


def missing_rejections(error: EventError, needles: list, score) -> list[str]:
    """A failure for each `expect_invalid` text that no rejection contains, in English or in the reader's
    language (`score` is the case scored again, in the reader's language, only when English did not match)."""
    english = [each.message for p in error.problems for each in p.problems]
    missing = [needle for needle in needles if not any(str(needle) in message for message in english)]
    shown = english
    if missing and i18n.language() != "en":
        try:
            score()
        except EventError as again:
            shown = [each.message for p in again.problems for each in p.problems]
        missing = [needle for needle in missing if not any(str(needle) in message for message in shown)]
    return [_("expected a rejection containing {needle!r}; got: {got}", needle=needle, got=join_clauses(shown)) for needle in missing]


def run_test_paths(paths, coverage=False, out=print, err=print) -> int:
    started = time.perf_counter()
    try:
        files = find_test_files(paths)
    except TestFileError as error:
        err(_("rubric test: error: {error}", error=error))
        return 2
    if not files:
        err(_("rubric test: error: no *.test.yaml files found"))
        return 2
    passed = failed = 0
    uncovered_report = []
    for path in files:
        try:
            rubric_path, cases = load_cases(path)
            if not inside(rubric_path, [path.parent.resolve(), *(pathlib.Path(p).resolve() for p in paths)]):
                raise TestFileError(
                    _(
                        "{path}: rubric {rubric_path} is outside the test file's folder; name it (or its folder) on the command line to allow it",
                        path=path,
                        rubric_path=rubric_path,
                    )
                )
            program = load(rubric_path)
        except TestFileError as error:
            err(_("rubric test: error: {error}", error=error))
            return 2
        except RubricError as error:
            err(error.render())
            return 2
        exercised_rules: set = set()
        exercised_clauses: set = set()
        for number, case in enumerate(cases, 1):
            name = case.get("name", _("case {number}", number=number)) if isinstance(case, dict) else _("case {number}", number=number)
            if not isinstance(case, dict):
                err(_("rubric test: error: {path}: case {number} is not a mapping", path=path, number=number))
                return 2
            try:
                failures, card = run_case(program, case, path.parent, f"{path}::{name}", paths)
            except TestFileError as error:
                err(_("rubric test: error: {error}", error=error))
                return 2
            label = f"{path}::{name}"
            if failures:
                failed += 1
                out(_("FAILED {label}", label=label))
                for failure in failures:
                    out(f"    {failure}")
            else:
                passed += 1
                out(_("PASSED {label}", label=label))
                if case.get("clause"):
                    clauses = case["clause"] if isinstance(case["clause"], list) else [case["clause"]]
                    exercised_clauses.update(str(c) for c in clauses)
                if card is not None:
                    for unit in card.units:
                        exercised_clauses.update(unit.outcome_clauses)  # a veto or grade line that held
                        for top in unit.items:
                            for item in (top, *top.parts):
                                # a `scored per` item: a rule counts if it gave points for any sub-entity
                                for outcomes in item.entity_rules or (item.rules,):
                                    for index, rule in enumerate(outcomes):
                                        if rule.points or rule.raw:
                                            exercised_rules.add((item.item_id, index))
                                            exercised_clauses.add(item.item_id)
        if coverage:
            uncovered_report.append(coverage_text(program, path, exercised_rules, exercised_clauses))
    for text in uncovered_report:
        out(text)
    elapsed = time.perf_counter() - started
    summary = (
        _("{passed} passed", passed=passed)
        + (_(", {failed} failed", failed=failed) if failed else "")
        + _(" in {elapsed:.2f}s", elapsed=elapsed)
    )
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
                missing_rules.append(
                    _("  {item_id} line {line}: {rule}", item_id=item.item_id, line=rule.span.line, rule=render_rule(rule))
                )
    clause_ids = [i.item_id for i in rubric.all_items()] + [c.clause_id for c, _target in rubric.clauses]
    # a clause cited inside an item is covered when a case exercises that item
    covered = set(exercised_clauses) | {clause for clause, item in rubric.item_clauses if item in exercised_clauses}
    missing_clauses = [c for c in clause_ids if c not in covered]
    lines = [
        _("coverage of {path} ({path2}):", path=program.rubric.path, path2=path),
        _(
            "  rules: {value}/{total_rules} exercised; clauses: {value2}/{clause_ids} covered",
            value=total_rules - len(missing_rules),
            total_rules=total_rules,
            value2=len(clause_ids) - len(missing_clauses),
            clause_ids=len(clause_ids),
        ),
    ]
    if missing_rules:
        lines.append(_("  rules no case exercised:"))
        lines += ["  " + m for m in missing_rules]
    if missing_clauses:
        lines.append(_("  clauses no case covered: {clauses}", clauses=join_names(missing_clauses)))
    else:
        lines.append(_("  every clause is covered"))
    return "\n".join(lines)
