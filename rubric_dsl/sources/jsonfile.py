"""JSON events: one array of objects, each placed `file[index]`; rejected events are written back as a JSON array.

The array is walked element by element (the standard decoder's raw_decode), so each element's text is
known: a rejected element is written back exactly as it was, and an element that cannot be read (a
key given twice, nesting too deep) is rejected alone, not with the whole file.
"""

from __future__ import annotations

import re

from ..i18n import _
from .events import BadRecord, Place
from .files import TextFileSource, write_rejected_text
from .jsonl import STRICT_JSON, DuplicateKey, strict_decode
from .parse_errors import json_problem

_BLANK = re.compile(r"[ \t\n\r]*")
# strings (with their escapes) and brackets: enough to find where a value too deep to decode ends
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.S)


class JsonArraySource(TextFileSource):
    format = "json"

    def records(self, stream, path: str):
        text = stream.read()
        for value, index, _span in elements(text):
            place = Place(path, 0, index, format="json") if index >= 0 else Place(path, 1, format="json")
            if isinstance(value, (BadRecord, dict)):
                yield value, place
            else:
                yield BadRecord(_("expected an object {{…}}, found {found}", found=type(value).__name__)), place

    def write_rejected(self, problems, path: str) -> None:
        wanted = {p.place.index for p in problems if p.place.line == 0}
        whole = any(p.place.line for p in problems)
        text = self.text()
        if whole:  # the file as a whole was not an array of events: it is the one rejected record
            write_rejected_text(path, text)
            return
        spans = [text[start:end] for _value, index, (start, end) in elements(text) if index in wanted]
        write_rejected_text(path, "[\n" + ",\n".join(spans) + "\n]\n" if spans else "[]\n")


def _skip_blank(text: str, at: int) -> int:
    """Where the next non-blank character is, from `at`."""
    match = _BLANK.match(text, at)
    return match.end() if match else at  # the pattern matches the empty string: always a match


def elements(text: str):
    """(value or BadRecord, index, (start, end)) for each element of a JSON array; index -1 for a
    problem of the whole file (not JSON, not an array), whose span is the whole text."""
    whole = (0, len(text))
    at = _skip_blank(text, 0)
    if text[at : at + 1] != "[":
        value = strict_decode(text)
        message = value.message if isinstance(value, BadRecord) else "a JSON event file is a list of events [{…}, …]"
        yield BadRecord(message), -1, whole
        return
    at = _skip_blank(text, at + 1)
    if text[at : at + 1] == "]":
        return
    index = 0
    while True:
        start = at
        try:
            value, at = STRICT_JSON.raw_decode(text, start)
        except DuplicateKey as error:
            value, at = BadRecord(_("the key `{key}` appears twice in one object", key=error.key)), _value_end(text, start)
        except RecursionError:
            value, at = BadRecord(_("JSON nested too deep to read (an event is one flat object)")), _value_end(text, start)
        except ValueError as error:
            yield (
                BadRecord(
                    _(
                        "broken JSON: {detail} (line {line}); the rest of the file was not read",
                        detail=json_problem(error),
                        line=text.count(chr(10), 0, start) + 1,
                    )
                ),
                -1,
                whole,
            )
            return
        if at < 0:
            yield BadRecord(_("broken JSON: an element never ends; the rest of the file was not read")), -1, whole
            return
        yield value, index, (start, at)
        index += 1
        at = _skip_blank(text, at)
        separator = text[at : at + 1]
        if separator == "]" and not text[at + 1 :].strip():
            return
        if separator != ",":
            yield (
                BadRecord(_("broken JSON: expected `,` or `]` after element {index}; the rest of the file was not read", index=index)),
                -1,
                whole,
            )
            return
        at = _skip_blank(text, at + 1)


def _value_end(text: str, start: int) -> int:
    """Where the object or array at `start` ends, found without recursion (-1: it does not)."""
    depth = 0
    for token in _TOKENS.finditer(text, start):
        mark = token.group()
        if mark in "[{":
            depth += 1
        elif mark in "]}":
            depth -= 1
            if depth == 0:
                return token.end()
    return -1
