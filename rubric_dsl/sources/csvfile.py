"""CSV events: a header row of field names, then one event per row, placed `file:line`; empty cells are absent fields."""

from __future__ import annotations

import csv

from .columns import field_names
from .events import BadRecord, Place
from .files import TextFileSource


class CsvSource(TextFileSource):
    format = "csv"

    def records(self, stream, path: str):
        reader = csv.reader(stream)
        header = next(reader, None)
        if header is None:
            return
        fields = field_names([h.strip() for h in header], self.columns)  # a column left out (None) is not read
        keep = path == "<stdin>"
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(fields):
                yield (
                    BadRecord(f"row has {len(row)} cells but the header names {len(fields)} columns"),
                    Place(path, line, text=",".join(row), format="csv"),
                )
                continue
            # An empty cell means the field is absent.
            text = ",".join(row) if keep else None
            yield {k: v for k, v in zip(fields, row) if v != "" and k is not None}, Place(path, line, text=text, format="csv")

    def write_rejected(self, problems, path: str) -> None:
        rows = [p.event for p in problems if isinstance(p.event, dict)]
        columns = sorted({k for row in rows for k in row})
        with open(path, "w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=columns)
            writer.writeheader()
            for row in rows:
                writer.writerow(row)
