"""The library's entry points: load a rubric (parse, check, compile) and read events."""

from __future__ import annotations

import os
import pathlib

from .engine.program import Program
from .errors import os_reason
from .i18n import _
from .language import nodes as n
from .language.builder import parse_statements, structure
from .language.checker import check
from .language.diagnostics import Diagnostic, RubricError, unreadable
from .sources.unit_tables import UnitTableError, read_unit_table


def check_text(text: str, path: str = "<rubric>") -> tuple[n.Rubric | None, list[Diagnostic]]:
    """(rubric or None, diagnostics): parse and run every check; syntax errors stop at the first."""
    text = text.removeprefix("\ufeff")  # a UTF-8 byte order mark, as Windows editors write it
    try:
        statements = parse_statements(text, path)
    except RubricError as error:
        return None, error.diagnostics
    rubric, diagnostics = structure(statements, path, text)
    diagnostics = diagnostics + check(rubric)
    return rubric, sorted(diagnostics, key=lambda d: (d.line, d.column, d.code))


def loads(text: str, path: str = "<rubric>") -> Program:
    """Compile rubric text. Raises RubricError carrying every error found. A `units from "FILE"` line
    reads its table relative to the rubric's folder."""
    text = text.removeprefix("\ufeff")
    rubric, diagnostics = check_text(text, path)
    if rubric is None or any(d.severity == "error" for d in diagnostics):
        raise RubricError(diagnostics, text)
    program = Program(rubric, [d for d in diagnostics if d.severity == "warning"])
    if rubric.units_from is not None:
        table = pathlib.Path(path).parent / rubric.units_from.path
        program = with_unit_table(program, table, rubric.units_from.span, text)
    return program


def with_unit_table(
    program: Program, table: str | os.PathLike[str], span: n.Span | None = None, text: str | None = None, replace: bool = False
) -> Program:
    """`program` with the units of a CSV/YAML/JSON table: they replace same-named units of the rubric and
    join the others (`replace`: the table is the whole list, as `--units` gives it).
    Raises RubricError (E308) naming each bad row."""
    span = span or n.NO_SPAN
    try:
        units = read_unit_table(program.rubric, str(table))
    except (OSError, UnicodeDecodeError) as error:
        reason = os_reason(error)
        problems = [_("cannot read {table}: {reason}", table=table, reason=reason)]
    except UnitTableError as error:
        problems = error.problems
    else:
        if not replace:
            names = {u.name for u in units}
            units = [u for u in program.rubric.units if u.name not in names] + units
        return program.with_units(units)
    path = program.rubric.path
    diagnostics = [
        Diagnostic(
            path,
            span.line,
            span.column,
            "E308",
            _("the unit table does not fit the rubric: {problem}", problem=problem),
            hint=_("one row per unit: `unit` (its name), optional `group` and `target`, then the declared attributes"),
            end_line=span.end_line,
            end_column=span.end_column,
        )
        for problem in problems
    ]
    raise RubricError(diagnostics, text)


def load(path: str | os.PathLike[str]) -> Program:
    """Compile a `.rubric` file. Raises RubricError carrying every error found."""
    path = pathlib.Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise RubricError([unreadable(path, error)]) from None
    return loads(text, str(path))
