"""JSON events: one array of objects, each placed `file[index]`; rejected events are written as JSON Lines."""

from __future__ import annotations

import json
from decimal import Decimal

from .events import BadRecord, Place
from .files import TextFileSource
from .jsonl import write_json_lines


class JsonArraySource(TextFileSource):
    format = "json"

    def records(self, stream, path: str):
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

    def write_rejected(self, problems, path: str) -> None:
        write_json_lines(problems, path)
