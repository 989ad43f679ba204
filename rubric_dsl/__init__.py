"""rubric_dsl: written assessment rules as executable, explainable rubrics."""

from .api import check_text, load, loads
from .language.builder import parse
from .engine.program import Program
from .engine.runtime import Tally
from .errors import InternalError, NotFound, RubricDSLError, UsageError
from .language.diagnostics import Diagnostic, RubricError
from .sources.events import EventError, EventProblem, Place, Source, SourceError
from .sources.opening import read_events
from .engine.results import ItemResult, Scorecard, UnitResult

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
    "SourceError",
    "Scorecard",
    "Source",
    "Tally",
    "UnitResult",
    "UsageError",
    "check_text",
    "load",
    "loads",
    "parse",
    "read_events",
]
