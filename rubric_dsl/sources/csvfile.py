"""CSV events: a header row of field names, then one event per row, placed `file:line`; empty cells are absent fields."""

from __future__ import annotations

import csv

from ..i18n import _
from .columns import field_names
from .events import BadRecord, Place
from .files import TextFileSource, write_rejected_text


class CsvSource(TextFileSource):
    format = "csv"

    def records(self, stream, path: str):
        keep = path == "<stdin>"
        fields: list[str | None] | None = None
        problem: str | None = None
        for row, raw, line in split_records(stream):
            first_line = raw.split("\n", 1)[0]
            place = Place(path, line, text=first_line if keep else None, format="csv")
            if fields is None and problem is None:  # the header
                if isinstance(row, csv.Error):
                    problem = _("the header row (line {line}) cannot be read ({row}), so no row can be", line=line, row=row)
                    yield BadRecord(problem), place
                    continue
                fields = field_names([h.strip() for h in row], self.columns)  # a column left out (None) is not read
                problem = duplicate_columns(fields)
                continue
            if isinstance(row, csv.Error):
                yield BadRecord(_("unreadable CSV record: {row}", row=row)), place
                continue
            if not any(cell.strip() for cell in row):
                continue
            if problem is not None:
                yield BadRecord(problem), place
                continue
            assert fields is not None  # the header row set them, or set `problem` and no row gets here
            if len(row) > len(fields):
                yield (
                    BadRecord(_("row has {cells} cells but the header names {columns} columns", cells=len(row), columns=len(fields))),
                    place,
                )
                continue
            # An empty cell means the field is absent.
            yield {k: v for k, v in zip(fields, row) if v != "" and k is not None}, place

    def write_rejected(self, problems, path: str) -> None:
        """The header and each rejected record, as written (quotes, line breaks and all): re-read, they give the same problems."""
        wanted = {p.place.line for p in problems}
        out = []
        with self.open() as stream:
            for index, (_row, raw, line) in enumerate(split_records(stream)):
                if index == 0 or line in wanted:
                    out.append(raw if raw.endswith("\n") else raw + "\n")
        write_rejected_text(path, "".join(out) if len(out) > 1 else "")


def duplicate_columns(fields) -> str | None:
    """The complaint about a header naming one field twice (which column would be meant?), or None."""
    seen: dict = {}
    for number, name in enumerate(fields, 1):
        if name is None:
            continue
        if name in seen:
            return _(
                "the header names `{name}` twice (columns {first} and {second}); a row cannot say which is meant",
                name=name,
                first=seen[name],
                second=number,
            )
        seen[name] = number
    return None


class _Capture:
    """The lines the csv module reads, kept until the record they make is taken."""

    def __init__(self, stream):
        self.stream = iter(stream)
        self.lines: list[str] = []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self.stream)
        self.lines.append(line)
        return line

    def take(self) -> str:
        text = "".join(self.lines)
        self.lines.clear()
        return text


def split_records(stream):
    """(cells or the csv.Error that stopped them, the record's text, its first line) for every record.

    A record is placed at its first line (a quoted cell may run over several). A cell longer than the
    csv module's limit (131,072 characters) is that record's error; reading goes on with the next one.
    """
    capture = _Capture(stream)
    reader = csv.reader(capture)
    before = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            row = error
        yield row, capture.take(), before + 1
        before = reader.line_num
