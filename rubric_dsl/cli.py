"""The command line: `rubric check|score|explain|test|fmt|report`; `main(argv) -> int`."""

from __future__ import annotations

import argparse
import contextlib
import datetime
import difflib
import os
import pathlib
import re
import sys
from collections.abc import Callable

from . import __version__, i18n
from .api import check_text, load, with_unit_table
from .discovery import discover
from .engine.runtime import no_cyclic_gc
from .errors import InternalError, UsageError, os_reason
from .i18n import _
from .language.diagnostics import RubricError, source_lines, unreadable
from .outputs.files import refuse_overwriting_inputs, write_atomically
from .outputs.safety import terminal_text
from .outputs.scorecards import PROVENANCE, json_text, render_scorecard, scorecard_json_pieces
from .sources.columns import ColumnsError, load_columns
from .sources.events import EventError, SourceError
from .sources.opening import read_events

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
REPORT_FORMATS = ("md", "html", "xlsx", "csv", "docx", "pdf")
# Whether the language was asked for (--lang, RUBRIC_LANG); if not, a rubric's `language` line chooses it.
_LANGUAGE = {"explicit": False}


def _language(text: str) -> str:
    found = i18n.normalise(text)
    if found is None:
        raise argparse.ArgumentTypeError(_("unknown language {text!r}; use {value}", text=text, value=", ".join(i18n.LANGUAGES)))
    return found


def _language_asked(argv) -> str | None:
    """--lang from the arguments before parsing them, so that argparse's own messages are in that language too."""
    argv = list(sys.argv[1:] if argv is None else argv)
    for index, word in enumerate(argv):
        if word == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if word.startswith("--lang="):
            return word.split("=", 1)[1]
    return None


def adopt_rubric_language(declared: str | None) -> None:
    """A rubric's `language` line sets the language, unless --lang or RUBRIC_LANG said otherwise."""
    if declared in i18n.LANGUAGES and not _LANGUAGE["explicit"]:
        i18n.set_language(declared)


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("not a date YYYY-MM-DD: {text!r}", text=text)) from None


def _jobs(text: str) -> int:
    try:
        jobs = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("not a number of processes: {text!r}", text=text)) from None
    if jobs < 0:
        raise argparse.ArgumentTypeError(_("not a number of processes: {text!r}", text=text))
    return jobs or os.cpu_count() or 1


def _month(text: str) -> str:
    try:
        datetime.date.fromisoformat(text + "-01")
    except ValueError:
        raise argparse.ArgumentTypeError(_("not a month YYYY-MM: {text!r}", text=text)) from None
    return text


def rubric_files(paths) -> list[pathlib.Path]:
    """Files named, and every *.rubric below each folder named."""
    return discover(paths, "*.rubric", lambda name: UsageError(_("{name}: no such file or folder", name=name)))


def read_rubric_text(path) -> str:
    """A rubric's text, from a file or `-` (stdin), strictly as UTF-8 (a BOM is dropped); raises UnicodeDecodeError."""
    if str(path) != "-":
        return pathlib.Path(path).read_bytes().decode("utf-8-sig")
    if not hasattr(sys.stdin, "buffer"):  # a text stream put in its place (tests, embedding): already decoded
        return sys.stdin.read().removeprefix("\ufeff")
    # the bytes, not sys.stdin's text: under a C locale Python would let undecodable bytes through as surrogates
    return sys.stdin.buffer.read().decode("utf-8-sig")


def _out(text: str = "", end="\n", raw: bool = False):
    """Print for a person (control characters from names made visible), or `raw` data (CSV, JSON, fmt)."""
    sys.stdout.write((text if raw else terminal_text(text)) + end)


# Colour for people at a terminal, as ruff and pytest do; never in pipes, files or with NO_COLOR.
_COLOR = {"enabled": False}
# Each pattern's last group is painted; what comes before it in the match is kept as it is.
_PAINT = (
    (re.compile(r"(: )(error|错误|錯誤)(?=: )"), "\033[1;31m"),
    (re.compile(r"(: )(warning|警告)(?=: )"), "\033[1;33m"),
    (re.compile(r"^( +\| *)(\^+)$", re.M), "\033[1;31m"),
    (re.compile(r"^(  = )(help|提示)(?=:)", re.M), "\033[1;36m"),
    (re.compile(r"( )(\[[EW]\d{3}\])$", re.M), "\033[2m"),
)


def _painter(colour: str) -> Callable[[re.Match[str]], str]:
    return lambda m: m.group(1) + colour + m.group(2) + "\033[0m"


def paint(text: str) -> str:
    for pattern, colour in _PAINT:
        text = pattern.sub(_painter(colour), text)
    return text


def use_color(choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return bool(os.environ.get("FORCE_COLOR")) or sys.stderr.isatty()


# Why events were not scored (the engine's categories) → how the summary line says it.
NOT_SCORED = {
    "before the window": i18n.N_("before the window"),
    "after the window": i18n.N_("after the window"),
    "after the as-of date": i18n.N_("after the as-of date"),
    "re-sent": i18n.N_("re-sent"),
}


def _invalid_events(count: int) -> str:
    return _("{count} invalid event", count=count) if count == 1 else _("{count} invalid events", count=count)


def _err(text: str):
    text = terminal_text(text)
    sys.stderr.write((paint(text) if _COLOR["enabled"] else text) + "\n")


# ---- check ------------------------------------------------------------------------------


def cmd_check(args) -> int:
    files = rubric_files(args.paths)
    if not files:
        raise UsageError(_("no *.rubric files found"))
    all_diagnostics = []
    failed = False
    for path in files:
        try:
            text = read_rubric_text(path)
        except (OSError, UnicodeDecodeError) as error:
            text, diagnostics = "", [unreadable(path, error)]
        else:
            adopt_rubric_language(i18n.declared_language(text))
            _rubric, diagnostics = check_text(text, str(path))
        all_diagnostics += diagnostics
        errors = [d for d in diagnostics if d.severity == "error"]
        warnings = [d for d in diagnostics if d.severity == "warning"]
        if errors or (args.strict and warnings):
            failed = True
        if args.format == "text":
            lines = source_lines(text)
            for d in diagnostics:
                _err(d.render(lines))
    if args.format == "json":
        _out(json_text({"files": [str(f) for f in files], "diagnostics": [d.to_json() for d in all_diagnostics]}), raw=True)
    elif not args.quiet:
        error_count = sum(d.severity == "error" for d in all_diagnostics)
        warning_count = len(all_diagnostics) - error_count
        files_word = _("{count} file", count=len(files)) if len(files) == 1 else _("{count} files", count=len(files))
        if error_count or warning_count:
            errors_word = _("{count} error", count=error_count) if error_count == 1 else _("{count} errors", count=error_count)
            warnings_word = _("{count} warning", count=warning_count) if warning_count == 1 else _("{count} warnings", count=warning_count)
            _err(_("{files} checked: {errors}, {warnings}", files=files_word, errors=errors_word, warnings=warnings_word))
        else:
            _err(_("{files} checked: all valid", files=files_word))
    return EXIT_FAIL if failed else EXIT_OK


# ---- scoring commands share this ----------------------------------------------------------


def load_rubric(path: str, units: str | None = None):
    """The compiled rubric; with `units` (--units FILE), scoring that unit table instead of its own."""
    try:
        declared = i18n.declared_language(pathlib.Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        declared = None  # load() names the problem
    adopt_rubric_language(declared)
    try:
        program = load(path)
        if units is not None:
            if not pathlib.Path(units).is_file():
                raise UsageError(_("{units}: no such unit table", units=units))
            program = with_unit_table(program, units, replace=True)
        return program
    except RubricError as error:
        _err(error.render())
        raise SystemExit(EXIT_USAGE) from None


def event_sources(args, program=None) -> list:
    """The sources the command line names, with its --events-format, --sheet and --columns."""
    from .sources.sql import is_database_url

    # the rubric's `heading` lines, then a --columns file's (which win where both map a heading)
    columns = dict(program.rubric.columns) if program is not None else {}
    if getattr(args, "columns", None):
        columns.update(load_columns(args.columns))
    query = None
    if getattr(args, "query", None):
        try:
            query = pathlib.Path(args.query).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise UsageError(_("{query}: cannot read the query: {value}", query=args.query, value=os_reason(error))) from None
    sources = []
    for name in args.events:
        database = is_database_url(name)
        if not database and name != "-" and not pathlib.Path(name).is_file():
            raise UsageError(_("{name}: no such events file", name=name))
        if query and not database:
            raise UsageError(_("--query is for a database URL, not {name}", name=name))
        sources.append(read_events(name, args.events_format, columns=columns, sheets=getattr(args, "sheet", None), query=query))
    return sources


def score_card(args, compact: bool = False):
    """`compact`: the output needs no event-level provenance, so the tally keeps counts, not events (when the rubric allows)."""
    program = load_rubric(args.rubric, getattr(args, "units", None))
    sources = event_sources(args, program)
    if getattr(args, "rejected", None) and any(source.rejected_from_events for source in sources):
        compact = False  # a database's rejected rows are written from the events, which a compact tally does not keep
    tally = program.tally_sources(sources, jobs=args.jobs, compact=compact)
    for warning in tally.warnings:
        _err(warning)
    if tally.problems:
        for problem in tally.problems:
            _err(problem.render())
        count = len(tally.problems)
        if not args.skip_invalid:
            _err(_("{events}; nothing scored (use --skip-invalid to score the rest)", events=_invalid_events(count)))
            return program, None, EXIT_FAIL
        _err(_("{events} skipped", events=_invalid_events(count)))
    if getattr(args, "rejected", None):
        write_rejected(sources, tally.problems, args.rejected)
    try:
        card = program.finish(tally, args.as_of, getattr(args, "period", None))
    except UsageError as error:
        raise UsageError(str(error)) from None
    return program, card, EXIT_FAIL if tally.problems else EXIT_OK


FORMAT_SUFFIXES = {"jsonl": ".jsonl", "csv": ".csv", "yaml": ".yaml", "json": ".json", "xlsx": ".xlsx"}


def write_rejected(sources, problems, path: str) -> None:
    """Each source's rejected records in its own form, so they can be corrected and sent again.

    PATH takes the first source whose format its suffix names (or any, if the suffix names none);
    every other source's rejections go beside it, numbered, with their own suffix (`rejected.2.csv`),
    so each file re-reads in its own format. Nothing rejected: PATH is emptied, so no stale
    rejections from an earlier run remain.
    """
    by_source: dict[int, list] = {}
    for problem in problems:
        owner = next((i for i, s in enumerate(sources) if getattr(s, "name", None) == problem.place.path), 0)
        by_source.setdefault(owner, []).append(problem)
    if not by_source:
        sources[0].write_rejected([], path)
        return
    target = pathlib.Path(path)
    known = target.suffix.lower() in FORMAT_SUFFIXES.values()
    used = False
    for number, (index, rejected) in enumerate(sorted(by_source.items()), 1):
        source = sources[index]
        suffix = FORMAT_SUFFIXES.get(getattr(source, "format", ""), target.suffix)
        if not used and (not known or suffix == target.suffix.lower()):
            out, used = target, True
        else:
            out = target.with_name(f"{target.stem}.{number}{suffix}")
        source.write_rejected(rejected, str(out))
        if not used:  # no source wrote PATH: empty it, so it holds no stale rejections
            write_atomically(target, b"")
            used = True
        if len(rejected) == 1:
            _err(_("wrote 1 rejected record of {name} to {out}", name=source.name, out=out))
        else:
            _err(_("wrote {count} rejected records of {name} to {out}", count=len(rejected), name=source.name, out=out))


def cmd_score(args) -> int:
    # a table, CSV, or JSON with `--provenance items|none` shows no event: a compact tally serves them
    program, card, status = score_card(args, compact=args.format != "json" or args.provenance != "events")
    if card is None:
        return status
    units = card.units
    if args.unit:
        try:
            units = [card.unit(args.unit)]
        except KeyError:
            raise UsageError(_("unit {unit!r} has no scorecard", unit=args.unit) + _unit_hint(program, card, args.unit)) from None
    if args.format == "json":  # written unit by unit: the whole text is never held at once
        for piece in scorecard_json_pieces(card, units if args.unit else None, args.provenance):
            _out(piece, end="", raw=True)
        _out("", raw=True)
    else:
        _out(render_scorecard(card, args.format, units), end="", raw=args.format != "table")
    counts = card.excluded_counts()
    if counts:
        shown = [
            _("{count} {reason}", count=count, reason=i18n.tr(NOT_SCORED.get(reason, reason))) for reason, count in sorted(counts.items())
        ]
        _err(_("not scored: {counts}", counts=_(", ").join(shown)))
    return status


def _unit_hint(program, card, name):
    near = program.suggest_unit(name, card)
    return _("; did you mean {near!r}?", near=near) if near else ""


# ---- explain -----------------------------------------------------------------------------------


def cmd_explain(args) -> int:
    from .outputs.explain import explain_json, explain_unit

    program, card, status = score_card(args)
    if card is None:
        return status
    try:
        card.unit(args.unit)
    except KeyError:
        raise UsageError(_("unit {unit!r} has no scorecard", unit=args.unit) + _unit_hint(program, card, args.unit)) from None
    try:
        if args.format == "json":
            _out(json_text(explain_json(card, args.unit, args.item)), raw=True)
        else:
            _out(explain_unit(program, card, args.unit, args.item), end="")
    except KeyError:
        raise UsageError(_("no item {item!r} in the rubric", item=args.item)) from None
    return status


# ---- fmt ---------------------------------------------------------------------------------------


def cmd_fmt(args) -> int:
    from .language.formatter import format_text

    if args.paths == ["-"]:
        try:
            text = read_rubric_text("-")
        except UnicodeDecodeError as error:
            _err(unreadable("<stdin>", error).render())
            return EXIT_USAGE
        try:
            _out(format_text(text, "<stdin>"), end="", raw=True)
        except RubricError as error:
            _err(error.render())
            return EXIT_USAGE
        return EXIT_OK
    changed, broken = [], 0
    for path in rubric_files(args.paths):
        try:
            text = read_rubric_text(path)
        except (OSError, UnicodeDecodeError) as error:
            _err(unreadable(path, error).render())
            broken += 1
            continue
        try:
            formatted = format_text(text, str(path))
        except RubricError as error:
            _err(error.render())
            broken += 1
            continue
        if formatted == text:
            continue
        changed.append(path)
        if args.diff:
            _out("".join(difflib.unified_diff(text.splitlines(True), formatted.splitlines(True), f"{path}", f"{path} (formatted)")), end="")
        if args.check:
            _err(_("would reformat {path}", path=path))
        elif not args.diff:
            try:
                write_atomically(path, formatted)
            except OSError as error:
                # a read-only file (or folder) stops that file, not the run
                _err(_("rubric fmt: error: cannot write {path}: {value}", path=path, value=os_reason(error)))
                broken += 1
                continue
            _err(_("reformatted {path}", path=path))
    if not changed and not broken:
        _err(_("all files already formatted"))
    if broken:
        return EXIT_USAGE if not changed else EXIT_FAIL
    return EXIT_FAIL if (args.check or args.diff) and changed else EXIT_OK


# ---- test --------------------------------------------------------------------------------------


def cmd_test(args) -> int:
    from .testing import run_test_paths

    return run_test_paths(args.paths, coverage=args.coverage, out=_out, err=_err)


# ---- report ------------------------------------------------------------------------------------


def cmd_report(args) -> int:
    from .outputs.reports import build_bulletin, write_bulletin

    program = load_rubric(args.rubric, args.units)
    as_of = program.month_as_of(*map(int, args.month.split("-"))) if args.month else None
    tally = program.tally_sources(event_sources(args, program), jobs=args.jobs)
    for warning in tally.warnings:
        _err(warning)
    if tally.problems:
        for problem in tally.problems:
            _err(problem.render())
        if not args.skip_invalid:
            _err(_("{value} invalid events; no report (use --skip-invalid to report the rest)", value=len(tally.problems)))
            return EXIT_FAIL
    try:
        bulletin = build_bulletin(program, tally, as_of, issued=args.issued, number=args.number)
    except UsageError as error:
        raise UsageError(_("no bulletin for {month}: {error}", month=args.month, error=error)) from None
    fmt = args.format or (pathlib.Path(args.output).suffix.lstrip(".") if args.output else "md")
    fmt = {"markdown": "md", "htm": "html"}.get(fmt, fmt)
    if fmt not in REPORT_FORMATS:
        raise UsageError(_("unknown report format {fmt!r}; use md, html, xlsx, csv, docx or pdf", fmt=fmt))
    if fmt in ("xlsx", "docx", "pdf") and not args.output:
        raise UsageError(_("a {value} report needs -o PATH", value=fmt.upper()))
    if fmt in ("docx", "pdf"):
        from .outputs.document import NoChromium, to_docx, to_pdf

        try:
            (to_docx if fmt == "docx" else to_pdf)(bulletin, args.output)
        except NoChromium:
            raise UsageError(
                _(
                    "a PDF is printed by Chromium, which is not installed (apt-get install chromium); --format docx or html needs nothing more"
                )
            ) from None
        except RuntimeError as error:
            raise UsageError(str(error)) from None
    else:
        write_bulletin(bulletin, fmt, args.output, _out)
    if args.output:
        _err(_("wrote {output}", output=args.output))
    return EXIT_FAIL if tally.problems else EXIT_OK


def check_outputs(args):
    """Usage errors about output paths, found before any work: an output that is an input, a lone --rejected."""
    inputs = [args.rubric, *args.events] if hasattr(args, "events") else []
    if getattr(args, "rejected", None):
        if not args.skip_invalid:
            raise UsageError(_("--rejected needs --skip-invalid (without it, invalid events stop the run and nothing is rejected)"))
        problem = refuse_overwriting_inputs(args.rejected, inputs, "--rejected")
        if problem:
            raise UsageError(problem)
    if getattr(args, "output", None):
        problem = refuse_overwriting_inputs(args.output, inputs, "-o")
        if problem:
            raise UsageError(problem)


# ---- wiring --------------------------------------------------------------------------------------


def event_options(p):
    """How to read the event sources: the same options for score, explain and report."""
    p.add_argument("--events-format", choices=("jsonl", "csv", "yaml", "json", "xlsx"), help=_("when the file suffix does not say"))
    p.add_argument(
        "--sheet", action="append", metavar="NAME", help=_("read this workbook sheet (repeat for more; default: every visible sheet)")
    )
    p.add_argument(
        "--columns", metavar="FILE", help=_('YAML lines `heading: field` mapping column headings to fields (`heading: "-"` leaves one out)')
    )
    p.add_argument("--query", metavar="FILE", help=_("run this SQL query, given whole, on the database URL (instead of ?table=)"))
    p.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        default=1,
        metavar="N",
        help=_("tally JSON Lines files in N processes, each reading its own part of the file (0: one per core; default 1); same result"),
    )


def build_parser() -> argparse.ArgumentParser:
    i18n.translate_argparse()
    parser = argparse.ArgumentParser(prog="rubric", description=_("Executable assessment rubrics: check, score, explain, report."))
    parser.add_argument("--version", action="version", version=f"rubric_dsl {__version__}")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto", help=_("colour diagnostics (default: auto)"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("check", help=_("parse and statically check rubric files"))
    p.add_argument("paths", nargs="+", metavar="PATH", help=_("rubric files, or folders holding *.rubric files"))
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--strict", action="store_true", help=_("treat warnings as errors"))
    p.add_argument("-q", "--quiet", action="store_true", help=_("print findings only, no summary"))
    p.set_defaults(run=cmd_check)

    def scoring(p):
        p.add_argument("rubric", metavar="RUBRIC")
        p.add_argument(
            "events",
            nargs="+",
            metavar="EVENTS",
            help=_("JSON Lines, YAML, CSV or XLSX files, - for stdin, or a database URL (sqlite:///events.db?table=events)"),
        )
        p.add_argument("--as-of", type=_date, metavar="DATE", help=_("score what had happened by this date"))
        p.add_argument(
            "--period",
            metavar="PERIOD",
            help=_(
                "score one period of the window: 2022, 2022-Q1, 2022-03, 2022-W05 or a declared period's name (default: the rubric's `period` holding the as-of date, else the whole window)"
            ),
        )
        p.add_argument("--skip-invalid", action="store_true", help=_("score the valid events and list the rejected ones"))
        event_options(p)
        p.add_argument("--units", metavar="FILE", help=_("score the units listed in this CSV/YAML/JSON table instead of the rubric's"))

    p = sub.add_parser("score", help=_("score event streams into scorecards"))
    scoring(p)
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.add_argument("--unit", help=_("show a single unit"))
    p.add_argument("--rejected", metavar="PATH", help=_("with --skip-invalid: write the rejected events here"))
    p.add_argument(
        "--provenance",
        choices=PROVENANCE,
        default="items",
        help=_(
            "with --format json: each rule's points per item (items, the default: a size that does not grow with the events), every event's points and every excluded event (events), or neither (none)"
        ),
    )
    p.set_defaults(run=cmd_score)

    p = sub.add_parser("explain", help=_("the ledger of every point a unit earned or lost"))
    scoring(p)
    p.add_argument("--unit", required=True)
    p.add_argument("--item", metavar="ID")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=cmd_explain)

    p = sub.add_parser("test", help=_("run rubric test files (*.test.yaml)"))
    p.add_argument("paths", nargs="+", metavar="PATH", help=_("test files, rubrics, or folders"))
    p.add_argument("--coverage", action="store_true", help=_("list rules and clauses no case exercised"))
    p.set_defaults(run=cmd_test)

    p = sub.add_parser("fmt", help=_("put rubric files into canonical layout"))
    p.add_argument("paths", nargs="+", metavar="PATH", help=_("files or folders; - reads stdin and writes stdout"))
    p.add_argument("--check", action="store_true", help=_("change nothing; exit 1 if any file would change"))
    p.add_argument("--diff", action="store_true", help=_("print the changes instead of writing them"))
    p.set_defaults(run=cmd_fmt)

    p = sub.add_parser("report", help=_("the monthly or year-end bulletin"))
    p.add_argument("rubric", metavar="RUBRIC")
    p.add_argument("events", nargs="+", metavar="EVENTS")
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--month", type=_month, metavar="YYYY-MM")
    when.add_argument("--year", action="store_true")
    p.add_argument("--format", choices=REPORT_FORMATS)
    p.add_argument("-o", "--output", metavar="PATH")
    p.add_argument("--issued", type=_date, metavar="DATE", help=_("the date on the bulletin (default: the day after its period)"))
    p.add_argument("--number", metavar="N", help=_("fills {number} of the rubric's document number (default: the month)"))
    p.add_argument("--skip-invalid", action="store_true")
    event_options(p)
    p.add_argument("--units", metavar="FILE", help=_("score the units listed in this CSV/YAML/JSON table instead of the rubric's"))
    p.set_defaults(run=cmd_report)
    for command in sub.choices.values():
        command.add_argument(
            "--lang",
            type=_language,
            metavar="LANG",
            help=_("zh-Hans, zh-Hant or en (default: $RUBRIC_LANG, the rubric's `language`, then the locale)"),
        )
    return parser


class _ClosedStream:
    """Stands in for a standard stream that was closed before we started (`rubric … >&-`):
    using it is an error we report, not an AttributeError on None."""

    def __init__(self, name: str):
        self.name = name

    def _closed(self, *args, **kwargs):
        raise OSError(9, _("standard {name} is closed", name=self.name))

    read = write = readline = fileno = _closed
    buffer = property(_closed)

    def flush(self):
        pass

    def isatty(self):
        return False


def main(argv=None) -> int:
    """Run one command; whatever happens to the standard streams, end with an exit status, not a traceback."""
    if sys.stdin is None:
        sys.stdin = _ClosedStream("input")
    if sys.stdout is None:
        sys.stdout = _ClosedStream("output")
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - nowhere to report to; lives until exit
    for stream in (sys.stdout, sys.stderr):
        # a lone surrogate from an event's JSON ("\ud800") is shown escaped rather than stopping the output
        with contextlib.suppress(AttributeError, ValueError, OSError):
            # looked up by name: a replaced stream (a test's capture, _ClosedStream) need not have it
            getattr(stream, "reconfigure")(errors="backslashreplace")  # noqa: B009
    before = i18n.language()
    try:
        status = _main(argv)
        sys.stdout.flush()
    except OSError as error:  # stdout closed early (a pipe to `head`) or full (/dev/full)
        status = EXIT_USAGE
        _detach_stdout()
        with contextlib.suppress(OSError):
            _err(_("rubric: error: cannot write the output: {value}", value=os_reason(error)))
    finally:
        i18n.set_language(before)  # main() may be called again in the same process, in another language
    return status


def _detach_stdout():
    # Python flushes sys.stdout once more at exit; point it at /dev/null so that flush cannot fail
    # and print "Exception ignored" after we have reported the error.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives until exit


def _main(argv=None) -> int:
    i18n.set_language(i18n.choose(_language_asked(argv)))
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:
        return int(stop.code or 0)
    _COLOR["enabled"] = use_color(args.color)
    _LANGUAGE["explicit"] = bool(args.lang or os.environ.get(i18n.ENVIRONMENT))
    try:
        check_outputs(args)
        if args.command in ("score", "explain", "report"):
            # Tallies, scorecards and their JSON are millions of acyclic objects: the cyclic collector would
            # only rescan them, again and again, as they pile up (seconds at a million events). Paused for the run.
            with no_cyclic_gc():
                return args.run(args)
        return args.run(args)
    except UsageError as error:
        _err(_("rubric {command}: error: {error}", command=args.command, error=error))
        return EXIT_USAGE
    except SystemExit as stop:
        return int(stop.code or 0)
    except EventError as error:
        _err(str(error))
        return EXIT_FAIL
    except (SourceError, ColumnsError) as error:
        _err(_("rubric {command}: error: {error}", command=args.command, error=error))
        return EXIT_USAGE
    except InternalError as error:  # a bug of ours: said plainly, with where, and no traceback
        _err(str(error))
        return EXIT_USAGE
    except (OSError, UnicodeDecodeError) as error:
        _err(_("rubric {command}: error: {error}", command=args.command, error=error))
        try:
            sys.stdout.flush()
        except OSError:  # the error was stdout's own: do not report it twice
            _detach_stdout()
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
