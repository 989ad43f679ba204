"""Diagnostics as data: where, which code, what is wrong and how to fix it; and their rendering."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import attrs

from ..errors import RubricDSLError, os_reason
from ..i18n import N_, _, tr

# The severity words as a diagnostic shows them (the JSON keeps `error`/`warning`).
SEVERITIES = {"error": N_("error"), "warning": N_("warning")}


@attrs.frozen
class Diagnostic:
    """One finding: `path`, 1-based `line`/`column` (0 when unknown), `code`, `message`, optional `hint`."""

    path: str
    line: int
    column: int
    code: str
    message: str
    severity: str = "error"
    hint: str | None = None
    end_line: int = 0
    end_column: int = 0

    def render(self, source_lines: list[str] | None = None) -> str:
        """`path:line:col: error: message [CODE]`, then the source line and a caret under the column."""
        where = self.path
        if self.line:
            where += f":{self.line}:{self.column}"
        out = [f"{where}: {tr(SEVERITIES[self.severity])}: {self.message} [{self.code}]"]
        if source_lines and 0 < self.line <= len(source_lines):
            text = source_lines[self.line - 1].rstrip("\r\n")
            out.append(f"  {self.line:>4} | {text}")
            out.append("       | " + caret_line(text, self.column, self.end_column if self.end_line == self.line else 0))
        if self.hint:
            out.append("  = " + _("help") + ": " + self.hint)
        return "\n".join(out)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }


def source_lines(text: str) -> list[str]:
    """The lines of rubric text as the parser counts them: broken at "\\n" only.

    str.splitlines also breaks at \\x0b, \\x0c, \\x1c-\\x1e, U+0085, U+2028 and U+2029, which the grammar
    treats as ordinary characters: using it would show (and format) the wrong line after one of them.
    """
    return [line.removesuffix("\r") for line in text.split("\n")]


def caret_line(text: str, column: int, end_column: int = 0) -> str:
    """Spaces up to `column` (wide CJK characters take two cells), then carets to `end_column`."""
    from wcwidth import wcswidth

    prefix = text[: max(column - 1, 0)]
    pad = "".join("\t" if ch == "\t" else " " * max(wcswidth(ch), 1) for ch in prefix)
    span_text = text[column - 1 : end_column - 1] if end_column > column else text[column - 1 : column]
    width = max(wcswidth(span_text), 1) if span_text else 1
    return pad + "^" * width


def unreadable(path: str | os.PathLike[str], error: Exception) -> Diagnostic:
    """E001: a rubric file that cannot be read (missing, unreadable, or not UTF-8)."""
    if isinstance(error, UnicodeDecodeError):
        return Diagnostic(str(path), 0, 0, "E001", _("cannot read the rubric: it is not UTF-8 text"), hint=_("save the file as UTF-8"))
    reason = os_reason(error)
    return Diagnostic(str(path), 0, 0, "E001", _("cannot read the rubric: {reason}", reason=reason))


class RubricError(RubricDSLError):
    """A rubric that cannot be used: carries every diagnostic found (`.diagnostics`) and the source."""

    def __init__(self, diagnostics: Iterable[Diagnostic], source: str | None = None):
        self.diagnostics = list(diagnostics)
        self.source = source
        super().__init__(self.render())

    def render(self) -> str:
        lines = source_lines(self.source) if self.source is not None else None
        errors = [d for d in self.diagnostics if d.severity == "error"]
        shown = errors or self.diagnostics
        text = "\n".join(d.render(lines) for d in shown[:20])
        if len(shown) > 20:
            text += "\n" + _("… and {count} more", count=len(shown) - 20)
        return text
