"""Text event files: opening a file or stdin as UTF-8, and the base of the line-placed readers."""

from __future__ import annotations

import io
import sys

from ..outputs.files import write_atomically
from .events import BadRecord, Place, Source


class TextFileSource(Source):
    """A text file ('-' for stdin) read by `records(stream, name)`; its places are `file:line`."""

    # How stdin's lines end: "" (any of \n, \r\n, \r, as the csv module wants); JSON Lines sets "\n"
    stdin_newline = ""

    def __init__(self, path: str, columns=None):
        self.path = str(path)
        self.name = "<stdin>" if self.path == "-" else self.path
        self.columns = dict(columns or {})

    def records(self, stream, name: str):
        raise NotImplementedError

    def __iter__(self):
        last_line = 0
        with self.open() as stream:
            try:
                for record, place in self.records(stream, self.name):
                    last_line = place.line or last_line
                    yield record, place
            except UnicodeDecodeError:
                # The rest of the file cannot be read as text: say so once, at the first line that is not UTF-8.
                line = first_undecodable_line(self.path) or last_line + 1
                yield (
                    BadRecord("this line is not UTF-8 text; the rest of the file was not read"),
                    Place(self.name, line, format=self.format),
                )

    _stdin: bytes | None = None

    def open(self):
        """The text, streamed; stdin is read once and kept, so that its rejected records can be written back."""
        if self.path != "-":
            return open_text(self.path)
        if self._stdin is None:
            self._stdin = sys.stdin.buffer.read()
        return io.TextIOWrapper(io.BytesIO(self._stdin), encoding="utf-8-sig", newline=self.stdin_newline)

    def text(self) -> str:
        """The whole text (undecodable bytes replaced: only rejected records are taken from it)."""
        if self.path == "-":
            with self.open():
                pass
            return (self._stdin or b"").decode("utf-8-sig", "replace")
        with open(self.path, "rb") as stream:
            return stream.read().decode("utf-8-sig", "replace")


def write_rejected_text(path: str, text: str) -> None:
    """A rejected-records file, written whole or not at all."""
    write_atomically(path, text)


class _KeepOpen:
    """stdin is not ours to close."""

    def __init__(self, value):
        self.value = value

    def __enter__(self):
        return self.value

    def __exit__(self, *exc):
        return False


def open_text(path: str):
    if path == "-":
        return _KeepOpen(io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig"))
    return open(path, encoding="utf-8-sig", newline="")


def first_undecodable_line(path: str) -> int | None:
    if path == "-":
        return None
    with open(path, "rb") as stream:
        for number, raw in enumerate(stream, 1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return None


def plain(event: dict) -> dict:
    """An event as JSON/YAML can write it: exact decimals as their text."""
    from decimal import Decimal

    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in event.items()}
