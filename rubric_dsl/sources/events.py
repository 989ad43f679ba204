"""The reader protocol: a Source yields (event, Place) pairs; event problems, errors and bad records."""

from __future__ import annotations

import array
import itertools
import os
from collections.abc import Iterable, Iterator
from typing import Any

import attrs

from ..errors import RubricDSLError
from ..i18n import _, tr


class Place:
    """Where an event came from: `path` and 1-based `line`, or `index` for in-memory events.

    Every source's place is a Place: the sheet and table readers subclass it to say where in their
    own terms (`register.xlsx:2009-06!C14`, `events.db:events[id=i0019]`). `str(place)` names the
    event; `place.at(field)` names one field's value, as precisely as the source can.
    A plain slotted class rather than an attrs one: a reader makes one per event.
    """

    __slots__ = ("format", "index", "line", "path", "text")

    def __init__(self, path: str, line: int = 0, index: int = 0, text: str | None = None, format: str = "memory"):
        self.path = path
        self.line = line
        self.index = index
        self.text = text
        self.format = format

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}"
        return f"{self.path}[{self.index}]"

    def __repr__(self) -> str:
        return f"Place({str(self)!r})"

    def at(self, field: str | None) -> str:
        """The place of one field's value; a line is as precise as a text file gets (the caret does the rest)."""
        return str(self)

    def source_line(self) -> str | None:
        """The event's line as written: kept for stdin, read again from a file only when an error shows it."""
        if self.text is not None:
            return self.text
        if self.line and self.format in ("jsonl", "csv"):
            return fetch_line(self.path, self.line)
        return None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Place) and (self.path, self.line, self.index) == (other.path, other.line, other.index)

    def __hash__(self) -> int:
        return hash((self.path, self.line, self.index))


def fetch_line(path: str, number: int) -> str | None:
    """Line `number` of a file (a reader keeps no line text, so memory does not grow with events).

    The file's line starts are indexed once, on the first line asked for, and then each line is one
    seek: showing a thousand problems of a million-line file reads it once, not a thousand times.
    """
    try:
        starts = _line_starts(path)
        if not 0 < number <= len(starts):
            return None
        with open(path, "rb") as stream:
            stream.seek(starts[number - 1])
            raw = stream.readline()
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        return raw.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


_LINE_STARTS: dict[
    tuple[str, int, int], array.array[int]
] = {}  # (path, size, mtime) → array of line start offsets; the last few files only


def _line_starts(path: str) -> array.array[int]:
    status = os.stat(path)
    key = (path, status.st_size, status.st_mtime_ns)
    starts = _LINE_STARTS.get(key)
    if starts is None:
        starts = array.array("q", [0])
        offset = 0
        with open(path, "rb") as stream:
            while block := stream.read(1 << 20):
                at = block.find(b"\n")
                while at >= 0:
                    starts.append(offset + at + 1)
                    at = block.find(b"\n", at + 1)
                offset += len(block)
        if starts[-1] == offset:  # a final newline starts no line
            starts.pop()
        if len(_LINE_STARTS) >= 4:
            _LINE_STARTS.pop(next(iter(_LINE_STARTS)))
        _LINE_STARTS[key] = starts
    return starts


# What a source yields as an event's place: a Place, or a plain int (an index or line) a Placer makes one of.
RawPlace = Place | int


def resolve(place: RawPlace, path: str) -> Place:
    """The Place of an event; in-memory events carry only their index until a place is needed."""
    return place if isinstance(place, Place) else Place(path, 0, place)


class Placer:
    """Turns the plain int a source yields as an event's place into its Place, only when a place is shown.

    In-memory events are placed by their index (`<events>[7]`); a line-placed file by its line number
    (`events.jsonl:7`), so a reader makes no object per line. A Placer is small and picklable: it travels
    with a tally to another process and back.
    """

    __slots__ = ("format", "path")

    def __init__(self, path: str = "<events>", format: str = "memory"):
        self.path = path
        self.format = format

    def __call__(self, place: RawPlace) -> Place:
        if isinstance(place, Place):
            return place
        if self.format == "memory":
            return Place(self.path, 0, place)
        return Place(self.path, place, format=self.format)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Placer) and (self.path, self.format) == (other.path, other.format)

    def __hash__(self) -> int:
        return hash((self.path, self.format))

    def __getstate__(self) -> tuple[str, str]:
        return (self.path, self.format)

    def __setstate__(self, state: tuple[str, str]) -> None:
        self.path, self.format = state

    def __repr__(self) -> str:
        return f"Placer({self.path!r}, {self.format!r})"


@attrs.frozen
class EventProblem:
    """A rejected event: where it is, what is wrong, and the field at fault (for the caret).

    An event with several problems is one EventProblem (one rejected event): the first problem, and the
    others in `more`, each with its own field; `problems` lists them all, in the order they were found.
    """

    place: Place
    message: str
    field: str | None = None
    event: object = attrs.field(default=None, eq=False, repr=False)
    column: int = attrs.field(default=0, eq=False, repr=False)
    seq: int = attrs.field(default=-1, eq=False, repr=False)  # the event's position in the stream: orders merged chunks
    more: tuple[EventProblem, ...] = ()  # the event's further problems (fields of their own, no `more`)

    @property
    def problems(self) -> tuple[EventProblem, ...]:
        """Every problem of the event: this one, then the rest."""
        return (self, *self.more)

    @property
    def messages(self) -> str:
        """Every problem of the event in one line, each with its place: the problem column of a rejected-rows table."""
        if not self.more:
            return self.message
        return "; ".join(f"{p.place.at(p.field)}: {p.message}" for p in self.problems)

    def render(self) -> str:
        return "\n".join(p.render_one() for p in self.problems)

    def render_one(self) -> str:
        from ..language.diagnostics import SEVERITIES

        out = [f"{self.place.at(self.field)}: {tr(SEVERITIES['error'])}: {self.message}"]
        text = self.place.source_line()
        if text is not None:
            text = text.rstrip("\r\n")
            column = self.column or (column_of(text, self.field) if self.field else 1)
            from ..language.diagnostics import caret_line

            text, column = excerpt(text, column)
            out.append(f"  {self.place.line:>4} | {text}")
            out.append("       | " + caret_line(text, column))
        return "\n".join(out)

    def to_json(self) -> dict[str, Any]:
        """The first problem's place, message and field, and under `problems` every problem of the event."""
        first = {"place": self.place.at(self.field), "message": self.message, "field": self.field}
        return {**first, "problems": [{"place": p.place.at(p.field), "message": p.message, "field": p.field} for p in self.problems]}


EXCERPT = 160  # characters of a rejected line shown under its message


def excerpt(text: str, column: int) -> tuple[str, int]:
    """At most EXCERPT characters of a long line around `column`, `…` where it is cut, and the column in the
    excerpt: a 200 KB line is not printed whole under its message."""
    if len(text) <= EXCERPT:
        return text, column
    start = min(max(column - 1 - EXCERPT // 2, 0), len(text) - EXCERPT)
    end = start + EXCERPT
    shown = ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
    return shown, column - start + (1 if start else 0)


def column_of(text: str, field: str) -> int:
    for needle in (f'"{field}"', field):
        at = text.find(needle)
        if at >= 0:
            return at + 1
    return 1


class EventError(RubricDSLError):
    """Events that cannot be scored; `.problems` lists every EventProblem found."""

    def __init__(self, problems: Iterable[EventProblem]) -> None:
        self.problems = list(problems)
        super().__init__(
            "\n".join(p.render() for p in self.problems[:20])
            + ("\n" + _("… and {count} more", count=len(self.problems) - 20) if len(self.problems) > 20 else "")
        )


PAIRS_A_BLOCK = 1 << 16


def in_blocks(pairs: Iterable[Any], size: int = PAIRS_A_BLOCK) -> Iterator[list[Any]]:
    """`pairs` in lists of `size`."""
    pairs = iter(pairs)
    while block := list(itertools.islice(pairs, size)):
        yield block


class Source:
    """Where events are kept. Every reader is one: iterating yields (event dict or BadRecord, Place)
    pairs, lazily and as often as asked; `write_rejected` writes rejected events back in the
    source's own form, so they can be corrected and sent again.
    """

    paired = True  # the engine takes its items as (event, place) pairs, not bare dicts
    # A source whose `compact()` pairs carry plain ints for places sets `placer` (a Placer) to make them
    # Places; `lined` says the ints are line numbers (the engine orders events by them, so a chunk read
    # from the middle of a file needs no count of the events before it).
    placer: Placer | None = None
    lined = False
    format = ""
    name = ""  # how messages name the source
    # `write_rejected` writes each rejected event's own fields, not the record at its place (a database's
    # rows cannot be given back as they were): it needs the events, which a compact tally does not keep
    rejected_from_events = False

    def __iter__(self) -> Iterator[tuple[dict[str, Any] | BadRecord, Place]]:
        raise NotImplementedError

    def compact(self) -> Iterator[tuple[dict[str, Any] | BadRecord, RawPlace]]:
        """What the engine reads: (event, place) pairs where a place may be a plain int for `placer`
        to turn into a Place when one is shown (no object per event). Iterating gives Places."""
        return iter(self)

    def blocks(self) -> Iterator[Iterable[tuple[dict[str, Any] | BadRecord, RawPlace]]]:
        """`compact()`'s pairs a block at a time: a tally loops over each block with no generator step per pair."""
        return in_blocks(self.compact())

    def write_rejected(self, problems: Iterable[EventProblem], path: str) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


class SourceError(RubricDSLError):
    """A source that cannot be read at all (no such file, not a workbook, a refused connection, a failing
    query): nothing is scored, and the command exits 2. The message names the source."""


class BadRecord:
    """A line that is not an event at all (broken JSON, not an object); the engine rejects it with its place."""

    __slots__ = ("column", "message")

    def __init__(self, message: str, column: int = 0):
        self.message = message
        self.column = column


def with_places(events: Iterable[Any], start: int = 0) -> Iterator[tuple[Any, RawPlace]]:
    """In-memory events → (event, index) pairs (the index becomes a Place only if one is needed);
    (event, Place) pairs pass through. Indexes count from `start`, a chunk's offset in the stream."""
    for index, event in enumerate(events, start):
        if event.__class__ is dict:
            yield event, index
        elif isinstance(event, tuple) and len(event) == 2 and isinstance(event[1], Place):
            yield event
        elif isinstance(event, dict):
            yield event, index
        else:
            yield BadRecord(f"expected a dict, found {type(event).__name__}"), index
