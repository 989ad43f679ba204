"""The error hierarchy: every error rubric_dsl raises for its callers is a `RubricDSLError`.

- `RubricError` (language.diagnostics): a rubric that cannot be used; carries its diagnostics.
- `EventError` (sources.events): events that cannot be scored; carries every problem found.
- `UsageError`: a request that cannot be answered as asked (an as-of date before the window,
  a unit or item the scorecard does not have, a missing file); the CLI exits 2.
- `TestFileError` (testing): a test file that cannot be run.
- `InternalError`: a bug in rubric_dsl itself (never the rubric's or the events' fault); it names
  the rubric line whose generated code failed and asks for a report. `NoCase`, one kind of it, is a
  pass (checker, renderer, code generator, evaluator…) meeting a node class it has no case for: the
  fall-through of every dispatch on node classes, so that a construct one pass forgets is named, never
  taken for bad input (tests/test_passes.py walks every node class through every pass to catch it first).
"""

from __future__ import annotations

from .i18n import _


class RubricDSLError(Exception):
    """Base of every error rubric_dsl raises on purpose."""


class UsageError(RubricDSLError, ValueError):
    """A request that cannot be answered as asked. (A ValueError too, as it was before 0.2.)"""


class NotFound(UsageError, KeyError):
    """A unit or item the scorecard does not hold. (A KeyError too, for `card.unit(name)` callers.)"""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class InternalError(RubricDSLError):
    """A failure inside rubric_dsl: a bug to report, with where in the rubric it happened."""

    def __init__(self, message: str, rubric_path: str | None = None, line: int = 0, column: int = 0):
        super().__init__(message)
        self.message = message
        self.rubric_path = rubric_path
        self.line = line
        self.column = column


class NoCase(InternalError):
    """A pass has no case for a node class: a construct that pass forgot. Not a TypeError on purpose, so
    that no handler of data errors (a list where a value belongs) can mistake it for bad input."""

    def __init__(self, pass_name: str, node: object):
        self.pass_name = pass_name
        self.node_class = type(node).__name__
        span = getattr(node, "span", None)
        message = _(
            "internal error: {pass_name} has no case for {node_class} ({node}).\n"
            "This is a bug in rubric_dsl, not in the rubric. Please report it with the rubric.",
            pass_name=pass_name,
            node_class=self.node_class,
            node=repr(node),
        )
        super().__init__(message, None, getattr(span, "line", 0), getattr(span, "column", 0))


def os_reason(error: BaseException) -> str:
    """Why a file could not be read or written, in the reader's language: the usual errno values have a catalogue
    entry whose English is the C library's own text (so English output is what the system says); any other error
    keeps the system's words."""
    import errno

    known = {
        errno.ENOENT: lambda: _("No such file or directory"),
        errno.EACCES: lambda: _("Permission denied"),
        errno.EISDIR: lambda: _("Is a directory"),
        errno.ENOTDIR: lambda: _("Not a directory"),
        errno.ENOSPC: lambda: _("No space left on device"),
        errno.EROFS: lambda: _("Read-only file system"),
    }
    number = getattr(error, "errno", None)
    if isinstance(error, OSError) and number in known:
        return known[number]()
    return getattr(error, "strerror", None) or str(error)
