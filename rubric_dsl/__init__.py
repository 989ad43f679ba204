"""rubric_dsl: written assessment rules as executable, explainable rubrics."""

from .api import check_text, load, loads
from .engine.program import Program
from .engine.results import ItemResult, Scorecard, UnitResult
from .engine.runtime import Tally
from .errors import InternalError, NotFound, RubricDSLError, UsageError
from .language.builder import parse
from .language.diagnostics import Diagnostic, RubricError
from .sources.events import EventError, EventProblem, Place, Source, SourceError
from .sources.opening import read_events

Rubric = Program

__version__ = "0.1.0"

__all__ = [
    "Diagnostic",
    "EventError",
    "EventProblem",
    "InternalError",
    "ItemResult",
    "NotFound",
    "Place",
    "Program",
    "Rubric",
    "RubricDSLError",
    "RubricError",
    "Scorecard",
    "Source",
    "SourceError",
    "Tally",
    "UnitResult",
    "UsageError",
    "check_text",
    "load",
    "loads",
    "parse",
    "read_events",
]
