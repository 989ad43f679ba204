"""JSON Lines events: one object per line, placed `file:line`; rejected lines are written back as JSON Lines."""

from __future__ import annotations

import json
from decimal import Decimal

from .events import BadRecord, Place
from .files import TextFileSource, plain


class JsonLinesSource(TextFileSource):
    format = "jsonl"

    def records(self, stream, path: str):
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

    def write_rejected(self, problems, path: str) -> None:
        write_json_lines(problems, path)


def write_json_lines(problems, path: str) -> None:
    """Rejected events one per line; a line that was never an event is written back as it was."""
    with open(path, "w", encoding="utf-8", newline="") as out:
        for problem in problems:
            if isinstance(problem.event, dict):
                out.write(json.dumps(plain(problem.event), ensure_ascii=False) + "\n")
            elif problem.place.source_line() is not None:
                out.write(problem.place.source_line().rstrip("\r\n") + "\n")
