"""The library's entry points: load a rubric (parse, check, compile) and read events."""

from __future__ import annotations

import pathlib

from .engine.program import Program
from .language.builder import parse_statements, structure
from .language.checker import check
from .language.diagnostics import RubricError, unreadable


def check_text(text: str, path: str = "<rubric>"):
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
    """Compile rubric text. Raises RubricError carrying every error found."""
    text = text.removeprefix("\ufeff")
    rubric, diagnostics = check_text(text, path)
    if rubric is None or any(d.severity == "error" for d in diagnostics):
        raise RubricError(diagnostics, text)
    return Program(rubric, [d for d in diagnostics if d.severity == "warning"])


def load(path) -> Program:
    """Compile a `.rubric` file. Raises RubricError carrying every error found."""
    path = pathlib.Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise RubricError([unreadable(path, error)]) from None
    return loads(text, str(path))
