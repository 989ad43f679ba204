"""JSON Lines events: one object per line, placed `file:line`; rejected lines are written back as JSON Lines.

A file (or stdin, kept whole) is read as bytes in blocks cut at `\\n`, and each line decoded by msgspec
with exact decimals (a number with a fraction or exponent becomes the Decimal of its text, never a
float): a block whose shape proves one object a line in one msgspec call, others split into lines,
with no Python code per line when nothing in the block is unusual. Places are the line numbers
themselves (plain ints; the engine makes a Place only for an event it shows, stdin's with its line
cut from the bytes kept). A line msgspec refuses is read again by the standard library's decoder, so
broken lines get the same messages and columns as ever and anything the standard decoder accepts
(NaN, lone surrogates) is read as before. A reader can be given a byte range: it reads the lines that
start inside it, so workers can share a file without anyone reading it whole.
"""

from __future__ import annotations

import array
import io
import itertools
import json
import sys
from decimal import Decimal
from typing import Any

import msgspec

from ..i18n import N_, _, tr
from .events import BadRecord, Place, Placer
from .files import TextFileSource, plain, write_rejected_text
from .parse_errors import json_problem

BLOCK = 1 << 16  # bytes read at a time: a block's lines are decoded together, and its objects are still in the cache when scored
BOM = b"\xef\xbb\xbf"
# msgspec, with exact decimals: one line at a time, or a block's lines at once (each line an object)
LINE_DECODER = msgspec.json.Decoder(float_hook=Decimal)
BLOCK_DECODER = msgspec.json.Decoder(dict[str, Any], float_hook=Decimal)
# What a block is reduced to for its shape: braces, colons and newlines (all other bytes deleted)
NOT_SKELETON = bytes(byte for byte in range(256) if byte not in b"{}:\n")
ONE_OBJECT_A_LINE = b"{}\n"
COUNTING_BLOCK = 1 << 20  # bytes read at a time to count the lines before a byte range
NEWLINE = ord("\n")
MAX_BACKOFF = 64  # blocks read line by line, at most, between two tries of the whole way
NOT_UTF8 = N_("this line is not UTF-8 text; the rest of the file was not read")


class JsonLinesSource(TextFileSource):
    format = "jsonl"
    # a line ends at \n only (a lone \r is not a line end in JSON Lines), on stdin as in a file's blocks
    stdin_newline = "\n"

    def __init__(self, path: str, columns=None, byte_range: tuple[int, int | None] | None = None):
        super().__init__(path, columns)
        self.byte_range = byte_range  # (start, end): the lines whose first byte lies in [start, end)
        self.placer: Placer = Placer(self.name, "jsonl") if self.path != "-" else StdinPlacer()
        self.lined = True
        # Set once reading stopped at a line that is not UTF-8: `--jobs` then drops the ranges after it,
        # so the file is read up to the same line as by one process
        self.stopped = False

    def __iter__(self):
        placer = self.placer
        return ((record, placer(number)) for record, number in self._read_file())

    def compact(self):
        return self._read_file()

    def blocks(self):
        return self._blocks()

    def _open_bytes(self):
        """The file, or stdin's bytes (read once and kept: its lines are shown from them, and it may be read again)."""
        if self.path != "-":
            return open(self.path, "rb")
        if self._stdin is None:
            self._stdin = sys.stdin.buffer.read()
        assert isinstance(self.placer, StdinPlacer)
        self.placer.data = self._stdin
        return io.BytesIO(self._stdin)

    def records(self, stream, path: str):
        """The lines of a text stream read one by one by the standard decoder alone: what the block
        reader above must give, line for line (the tests hold it to that)."""
        keep = path == "<stdin>"  # stdin cannot be read twice: keep its lines for error messages
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            record = strict_decode(line)
            if isinstance(record, BadRecord):
                yield record, Place(path, number, text=line, format="jsonl")
                continue
            if not isinstance(record, dict):
                yield (
                    BadRecord(_("expected an object {{…}}, found {found}", found=type(record).__name__)),
                    Place(path, number, text=line, format="jsonl"),
                )
                continue
            yield record, Place(path, number, text=line if keep else None, format="jsonl")

    def _read_file(self):
        """(event dict or BadRecord, line number) for every non-blank line in the byte range."""
        return itertools.chain.from_iterable(self._blocks())

    def _blocks(self):
        """The lines of each block read, as an iterable of (record, line number) pairs per block.

        A block is cut after its last `\\n` (the line under way waits for the next block) and read in
        one of two ways, the first when it can be shown to give what reading its lines one by one gives:

        - Whole: one msgspec call decodes every line of the block (`decode_lines`, typed so that every
          line must be an object), after one pass over the bytes has kept only braces, colons and
          newlines (`skeleton`). That skeleton without its colons must be `{}` and a newline, once per
          line and once per object decoded: then each line holds exactly one object, whole (its only
          `{` and `}`), and nothing else but blanks, so its numbers are the line numbers; a blank line,
          a value that spans lines, two values on one line, a nested object or a brace inside a string
          all break the pattern (checked before anything is decoded).
        - Line by line otherwise: the lines are split, empty ones set aside, and the others decoded in
          one `map`; when every one is an object, the block is taken whole.

        Either way the block's keys must be shown distinct (`keys_are_distinct`, from its colons) and
        the lines are numbered with one `zip` against a `range`: no Python code runs per line of a
        well-formed block. Any other block (a broken line or one of blanks, a value that is not an
        object, a key given twice, a colon written as an escape) is read line by line, each line judged
        on its own (`read_lines`). After a block that is not of the whole shape, the next one is read line
        by line, then the next two after another, and so on up to 64, so that a file of nested objects
        does not pay for the skeleton of every block and a one-off blank line costs one block."""
        decode = LINE_DECODER.decode
        decode_block = BLOCK_DECODER.decode_lines
        begin, end = self.byte_range or (0, None)
        with self._open_bytes() as stream:
            offset, number = first_line_at(stream, begin) if begin else (0, 1)
            stream.seek(offset)
            pending: list[bytes] = []  # the line under way, in the pieces read so far (joined once it ends)
            # A BOM belongs to line 1, which starts at byte 0: it is taken off that line once the line is
            # whole (it may span blocks), so a range ending inside it still holds line 1
            bom_possible = offset == 0
            skip, backoff = 0, 1  # blocks to read line by line before trying the whole way again; the length of the next such run
            while end is None or offset < end:  # (a line starting at `end` or later belongs to the next range)
                block = stream.read(BLOCK)
                if block and b"\n" not in block:  # a line longer than a block: joined once, not once a block
                    pending.append(block)
                    continue
                data = b"".join((*pending, block)) if pending else block
                done = not block
                # the block's complete lines end at `cut` (at the end of the file, the last line need not end with \n)
                cut = data.rfind(b"\n") + 1 if block else len(data)
                if end is not None and offset + cut > end:  # the lines that start before `end`
                    if end <= offset:
                        cut = 0
                    else:
                        at = data.find(b"\n", end - offset - 1)
                        cut = at + 1 if at >= 0 else len(data)
                    done = True
                body = data[:cut]
                pending = [data[cut:]] if cut < len(data) else []
                offset += cut
                if not body:
                    if done:
                        return
                    continue
                if bom_possible:
                    bom_possible = False
                    if body.startswith(BOM):
                        body = body[len(BOM) :]
                if not body.endswith(b"\n"):  # the last line of the file: ended here so that every line has its \n
                    body += b"\n"
                records = None  # the block's objects, one per line, when it was decoded whole
                if skip:
                    skip -= 1
                else:
                    skeleton = body.translate(None, NOT_SKELETON)
                    shape = skeleton.translate(None, b":")
                    count = len(shape) // len(ONE_OBJECT_A_LINE)
                    if shape == ONE_OBJECT_A_LINE * count:
                        try:
                            records = decode_block(body)
                        except (msgspec.DecodeError, RecursionError):  # a broken line: judged below
                            records = None
                        if records is not None and len(records) != count:  # (cannot happen when the shape holds; never trusted blindly)
                            records = None
                    if records is None:
                        # Not of the whole shape: the next blocks are read line by line, twice as many each
                        # time in a row this happens (a file of nested objects), one when it is a one-off
                        skip, backoff = backoff, min(2 * backoff, MAX_BACKOFF)
                    else:
                        backoff = 1
                        if keys_are_distinct(body, records, len(skeleton) - len(shape)):
                            yield zip(records, range(number, number + count))
                            number += count
                            if done:
                                return
                            continue
                        # (a key given twice: `records`, one per line, are judged below each with its line)
                lines = body.split(b"\n")
                lines.pop()  # (empty: the body ends with \n)
                if records is None:
                    # empty lines are skipped here, at C speed (a line of blanks is judged below)
                    present = lines if all(lines) else list(filter(None, lines))
                    try:
                        records = list(map(decode, present))
                    except (msgspec.DecodeError, RecursionError):
                        records = None
                    if records is not None and set(map(type, records)) <= {dict} and keys_are_distinct(body, records, body.count(b":")):
                        numbers = range(number, number + len(lines))
                        yield zip(records, numbers if present is lines else itertools.compress(numbers, lines))
                        number += len(lines)
                        if done:
                            return
                        continue
                    if present is not lines:  # (not one record a line)
                        records = None
                pairs, number, complete = read_lines(lines, records, number, decode)
                yield pairs
                if not complete:
                    self.stopped = True
                    return
                if done:
                    return

    def write_rejected(self, problems, path: str) -> None:
        write_json_lines(problems, path)


class StdinPlacer(Placer):
    """Places of stdin's lines, each with its text: stdin cannot be read again to show a line, so the
    text comes from the bytes the source kept, cut at the line's start (the starts are found once, when
    a first place is made) and decoded only for a place that is made."""

    __slots__ = ("data", "starts")

    def __init__(self) -> None:
        super().__init__("<stdin>", "jsonl")
        self.data: bytes | None = None  # set when stdin is read
        self.starts: array.array[int] | None = None

    def __call__(self, place):
        if isinstance(place, Place):
            return place
        return Place(self.path, place, text=self.text_of(place), format=self.format)

    def text_of(self, number: int) -> str | None:
        """Line `number` as written (with its line end), or None if it is not UTF-8."""
        data = self.data
        if data is None:
            return None
        if self.starts is None:
            starts = array.array("q", [0])
            at = data.find(b"\n")
            while at >= 0:
                starts.append(at + 1)
                at = data.find(b"\n", at + 1)
            if starts[-1] == len(data):  # a final newline starts no line
                starts.pop()
            self.starts = starts
        if not 0 < number <= len(self.starts):
            return None
        raw = data[self.starts[number - 1] : self.starts[number] if number < len(self.starts) else len(data)]
        if number == 1 and raw.startswith(BOM):
            raw = raw[len(BOM) :]
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def __getstate__(self):
        return (self.path, self.format, self.data)

    def __setstate__(self, state) -> None:
        self.path, self.format, self.data = state
        self.starts = None


def read_lines(lines: list, records: list | None, number: int, decode) -> tuple[list, int, bool]:
    """Lines one by one (`records`: their msgspec decodings, if every line decoded): ([(record or BadRecord,
    line number)], the next line number, False if a line was not UTF-8 and reading stops there)."""
    pairs = []
    for index, line in enumerate(lines):
        try:
            record = records[index] if records is not None else decode(line)
            # msgspec keeps the last of two equal keys: unless they are shown distinct, the strict decoder decides
            if record.__class__ is dict and not keys_are_distinct(line, (record,), line.count(b":")):
                record = reread(line)
        except (msgspec.DecodeError, RecursionError):
            record = reread(line)
            if record is None:  # blank
                number += 1
                continue
            if record is NOT_UTF8:
                pairs.append((BadRecord(tr(NOT_UTF8)), number))
                return pairs, number + 1, False
        if record.__class__ is not dict and not isinstance(record, (dict, BadRecord)):
            record = BadRecord(_("expected an object {{…}}, found {found}", found=type(record).__name__))
        pairs.append((record, number))
        number += 1
    return pairs, number, True


def keys_are_distinct(text: bytes, records, colons: int) -> bool:
    """Whether no object in `records` (msgspec's decoding of `text`, which holds `colons` colons) had a
    key given twice: msgspec keeps the last of two equal keys without a word.

    Each key of the text, at any depth, stands before a colon of its own, and the other colons are
    inside strings. So when the colons are exactly the top-level keys, no key is repeated (and nothing
    is nested, no string holds a colon). Otherwise the records are written back by msgspec, one colon
    per key at every depth and every colon inside a string as it is: a key given twice in the text
    (one pair dropped) leaves fewer colons in that writing than in the text, and none dropped leaves
    exactly as many, unless the text wrote a colon inside a string as an escape (`\\u003a`), which
    decodes to a colon the text does not hold: such a text is not judged here (False)."""
    if colons == sum(map(len, records)):
        return True
    if b"\\" in text and b"\\u003" in text:
        return False
    return colons == msgspec.json.encode(records).count(b":")


def reread(line: bytes):
    """A line msgspec refused, as the standard decoder reads it: None for a blank line, NOT_UTF8, a BadRecord or the value."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return NOT_UTF8
    if not text.strip():
        return None
    return strict_decode(text)


class DuplicateKey(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _no_duplicate_keys(pairs: list) -> dict:
    record = dict(pairs)
    if len(record) != len(pairs):
        seen: set = set()
        for key, _value in pairs:
            if key in seen:
                raise DuplicateKey(key)
            seen.add(key)
    return record


def _bounded_int(text: str):
    # Python refuses to make an int of more than 4300 digits (and says so in terms of sys.*); such a
    # number is kept as a Decimal, which the engine then refuses as out of range, at its place
    return int(text) if len(text) <= 4000 else Decimal(text)


STRICT_JSON = json.JSONDecoder(parse_float=Decimal, parse_int=_bounded_int, object_pairs_hook=_no_duplicate_keys)


def strict_decode(text: str):
    """A JSON value as the standard decoder reads it, or a BadRecord: broken JSON, a key given twice in
    one object (which value was meant?), or nesting deeper than the decoder's recursion allows."""
    try:
        return STRICT_JSON.decode(text)
    except DuplicateKey as error:
        return BadRecord(_("the key `{key}` appears twice in one object", key=error.key))
    except RecursionError:
        return BadRecord(_("JSON nested too deep to read (an event is one flat object)"))
    except ValueError as error:
        return BadRecord(_("broken JSON: {detail}", detail=json_problem(error)), getattr(error, "colno", 0))


def first_line_at(stream, position: int) -> tuple[int, int]:
    """(offset, line number) of the first line starting at or after `position`: a line belongs to the range holding its first byte."""
    import numpy  # (only byte ranges need it: not imported with the reader)

    newlines = 0
    stream.seek(0)
    remaining = position - 1  # the byte before `position` says whether a line starts there
    while remaining > 0:
        block = stream.read(min(COUNTING_BLOCK, remaining))
        if not block:
            break
        # every range counts the lines before it (a Dask partition deep in a file, most of the file):
        # numpy compares a block's bytes at once, about 7x faster than bytes.count's loop
        newlines += int(numpy.count_nonzero(numpy.frombuffer(block, numpy.uint8) == NEWLINE))
        remaining -= len(block)
    last = stream.read(1)
    if last == b"\n" or not last:
        return position, newlines + (1 if last else 0) + 1
    tail = b""
    while True:  # the rest of the line under way at `position`
        block = stream.read(BLOCK)
        at = block.find(b"\n")
        if at >= 0:
            return position + len(tail) + at + 1, newlines + 2
        if not block:
            return position + len(tail), newlines + 2
        tail += block


def write_json_lines(problems, path: str) -> None:
    """Rejected lines written back exactly as they were, one per line (whole or not at all), so the
    file re-reads to the same problems; an in-memory event that has no line is written as JSON."""
    out, seen = [], set()
    for problem in problems:
        place = problem.place
        key = (place.path, place.line, place.index)
        if key in seen:
            continue
        seen.add(key)
        line = place.source_line() if place.line else None
        if line is not None:
            out.append(line.rstrip("\r\n") + "\n")
        elif isinstance(problem.event, dict):
            out.append(json.dumps(plain(problem.event), ensure_ascii=False, default=str) + "\n")
    write_rejected_text(path, "".join(out))
