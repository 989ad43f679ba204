"""Event input: JSON Lines, YAML and CSV readers that yield (event, place) pairs, and event errors."""

from __future__ import annotations

import csv
import io
import json
import pathlib
import sys
from decimal import Decimal

import attrs


class Place:
    """Where an event came from: `path` and 1-based `line`, or `index` for in-memory events.

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

    def source_line(self) -> str | None:
        """The event's line as written: kept for stdin, read again from a file only when an error shows it."""
        if self.text is not None:
            return self.text
        if self.line and self.format in ("jsonl", "csv"):
            return fetch_line(self.path, self.line)
        return None

    def __eq__(self, other) -> bool:
        return isinstance(other, Place) and (self.path, self.line, self.index) == (other.path, other.line, other.index)

    def __hash__(self) -> int:
        return hash((self.path, self.line, self.index))


def fetch_line(path: str, number: int) -> str | None:
    """Line `number` of a file, streamed (a reader keeps no line text, so memory does not grow with events)."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as stream:
            for current, line in enumerate(stream, 1):
                if current == number:
                    return line
    except (OSError, UnicodeDecodeError):
        return None
    return None


def resolve(place, path: str) -> Place:
    """The Place of an event; in-memory events carry only their index until a place is needed."""
    return place if isinstance(place, Place) else Place(path, 0, place)


@attrs.frozen
class EventProblem:
    """A rejected event: where it is, what is wrong, and the field at fault (for the caret)."""

    place: Place
    message: str
    field: str | None = None
    event: object = attrs.field(default=None, eq=False, repr=False)
    column: int = attrs.field(default=0, eq=False, repr=False)

    def render(self) -> str:
        out = [f"{self.place}: error: {self.message}"]
        text = self.place.source_line()
        if text is not None:
            text = text.rstrip("\r\n")
            column = self.column or (column_of(text, self.field) if self.field else 1)
            from ..language.diagnostics import caret_line

            out.append(f"  {self.place.line:>4} | {text}")
            out.append("       | " + caret_line(text, column))
        return "\n".join(out)

    def to_json(self) -> dict:
        return {"place": str(self.place), "message": self.message, "field": self.field}


def column_of(text: str, field: str) -> int:
    for needle in (f'"{field}"', field):
        at = text.find(needle)
        if at >= 0:
            return at + 1
    return 1


class EventError(Exception):
    """Events that cannot be scored; `.problems` lists every EventProblem found."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(
            "\n".join(p.render() for p in self.problems[:20])
            + (f"\n… and {len(self.problems) - 20} more" if len(self.problems) > 20 else "")
        )


class BadRecord:
    """A line that is not an event at all (broken JSON, not an object); the engine rejects it with its place."""

    __slots__ = ("column", "message")

    def __init__(self, message: str, column: int = 0):
        self.message = message
        self.column = column


def detect_format(path: str, explicit: str | None = None) -> str:
    if explicit:
        return explicit
    suffix = pathlib.Path(path).suffix.lower()
    return {".csv": "csv", ".yaml": "yaml", ".yml": "yaml", ".json": "json"}.get(suffix, "jsonl")


def _open_text(path: str):
    if path == "-":
        return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig")
    return open(path, encoding="utf-8-sig", newline="")


def read_jsonl(stream, path: str):
    loads = json.JSONDecoder(parse_float=Decimal).decode
    keep = path == "<stdin>"  # stdin cannot be read twice: keep its lines for error messages
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            record = loads(line)
        except ValueError as error:
            message = getattr(error, "msg", str(error))
            yield BadRecord(f"broken JSON: {message}", getattr(error, "colno", 0)), Place(path, number, text=line, format="jsonl")
            continue
        if not isinstance(record, dict):
            yield BadRecord(f"expected an object {{…}}, found {type(record).__name__}"), Place(path, number, text=line, format="jsonl")
            continue
        yield record, Place(path, number, text=line if keep else None, format="jsonl")


def read_csv(stream, path: str):
    reader = csv.reader(stream)
    header = next(reader, None)
    if header is None:
        return
    header = [h.strip() for h in header]
    keep = path == "<stdin>"
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            yield (
                BadRecord(f"row has {len(row)} cells but the header names {len(header)} columns"),
                Place(path, line, text=",".join(row), format="csv"),
            )
            continue
        # An empty cell means the field is absent.
        text = ",".join(row) if keep else None
        yield {k: v for k, v in zip(header, row) if v != ""}, Place(path, line, text=text, format="csv")


def yaml_loader():
    """A safe YAML loader that reads floats as Decimal and dates as text, like the other formats."""
    import re

    import yaml

    class _Loader(yaml.SafeLoader):
        pass

    # Decimal, never float: YAML's 0.1 must stay exactly 0.1.
    _Loader.add_constructor("tag:yaml.org,2002:float", lambda loader, node: _yaml_decimal(loader.construct_scalar(node)))
    _Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))
    # YAML 1.1 reads yes/no/on/off as booleans; in event data they are words (`upheld: yes`).
    _Loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    _Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
    return _Loader


def _yaml_decimal(text: str):
    """A YAML float as an exact Decimal; what has no exact value (.inf, .nan, 1:30) stays text and fails validation."""
    try:
        value = Decimal(text.replace("_", ""))
    except ArithmeticError:
        return text
    return value if value.is_finite() else text


def read_yaml(stream, path: str):
    import yaml

    _Loader = yaml_loader()
    text = stream.read()
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        yield BadRecord(f"broken YAML: {getattr(error, 'problem', error)}"), Place(path, line, format="yaml")
        return
    if node is None:
        return
    if not isinstance(node, yaml.SequenceNode):
        yield BadRecord("a YAML event file is a list of events (- id: …)"), Place(path, node.start_mark.line + 1, format="yaml")
        return
    lines = text.splitlines()
    loader = _Loader("")
    for child in node.value:
        line = child.start_mark.line + 1
        try:
            record = loader.construct_document(child)
        except yaml.YAMLError as error:
            yield BadRecord(f"unreadable YAML value: {getattr(error, 'problem', error)}"), Place(path, line, format="yaml")
            continue
        source_line = lines[line - 1] if line <= len(lines) else None
        if not isinstance(record, dict):
            yield BadRecord(f"expected a mapping, found {type(record).__name__}"), Place(path, line, text=source_line, format="yaml")
            continue
        yield record, Place(path, line, text=source_line, format="yaml")


class EventStream:
    """(event, Place) pairs from a file, read lazily; iterate it once or many times."""

    paired = True

    def __init__(self, path: str, format: str | None = None):
        self.path = path
        self.format = format

    def __iter__(self):
        return _read_events(self.path, self.format)


def read_events(path: str, format: str | None = None) -> EventStream:
    """(event, place) pairs from a file ('-' for stdin); JSON Lines and CSV are streamed line by line."""
    return EventStream(str(path), format)


def _read_events(path: str, format: str | None = None):
    fmt = detect_format(path, format)
    name = "<stdin>" if path == "-" else path
    reader = {"csv": read_csv, "yaml": read_yaml, "json": read_json_array}.get(fmt, read_jsonl)
    last_line = 0
    with _open_text(path) if path != "-" else _nullcontext(_open_text(path)) as stream:
        try:
            for record, place in reader(stream, name):
                last_line = place.line or last_line
                yield record, place
        except UnicodeDecodeError:
            # The rest of the file cannot be read as text: say so once, at the first line that is not UTF-8.
            line = _first_undecodable_line(path) or last_line + 1
            yield BadRecord("this line is not UTF-8 text; the rest of the file was not read"), Place(name, line, format=fmt)


def _first_undecodable_line(path: str) -> int | None:
    if path == "-":
        return None
    with open(path, "rb") as stream:
        for number, raw in enumerate(stream, 1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return None


def read_json_array(stream, path):
    try:
        data = json.loads(stream.read(), parse_float=Decimal)
    except ValueError as error:
        yield BadRecord(f"broken JSON: {error}"), Place(path, 1, format="json")
        return
    if not isinstance(data, list):
        yield BadRecord("a JSON event file is a list of events"), Place(path, 1, format="json")
        return
    for index, record in enumerate(data):
        place = Place(path, 0, index, format="json")
        yield (record if isinstance(record, dict) else BadRecord("expected an object")), place


class _nullcontext:
    def __init__(self, value):
        self.value = value

    def __enter__(self):
        return self.value

    def __exit__(self, *exc):
        return False


def with_places(events, start: int = 0):
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


def write_rejected(problems, path: str, format: str):
    """Write rejected events in their input format, so they can be corrected and sent again."""
    with open(path, "w", encoding="utf-8", newline="") as out:
        if format == "csv":
            rows = [p.event for p in problems if isinstance(p.event, dict)]
            columns = sorted({k for row in rows for k in row})
            writer = csv.DictWriter(out, fieldnames=columns)
            writer.writeheader()
            for row in rows:
                writer.writerow(row)
            return
        if format == "yaml":
            import yaml

            rows = [_plain(p.event) for p in problems if isinstance(p.event, dict)]
            yaml.safe_dump(rows, out, allow_unicode=True, sort_keys=False)
            return
        for problem in problems:
            if isinstance(problem.event, dict):
                out.write(json.dumps(_plain(problem.event), ensure_ascii=False) + "\n")
            elif problem.place.source_line() is not None:
                out.write(problem.place.source_line().rstrip("\r\n") + "\n")


def _plain(event: dict) -> dict:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in event.items()}
