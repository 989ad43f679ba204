"""The JSON Lines reader: exact decimals, line numbers, blank and broken lines, and byte ranges that split a file exactly."""

from __future__ import annotations

import itertools
import json
from decimal import Decimal
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from rubric_dsl import Place, read_events
from rubric_dsl.sources import jsonl
from rubric_dsl.sources.events import BadRecord
from rubric_dsl.sources.jsonl import JsonLinesSource


def lines_of(source):
    """(event or message, line) pairs as the engine reads them."""
    return [(r.message if isinstance(r, BadRecord) else r, n) for r, n in source.compact()]


def test_numbers_are_exact_decimals_from_their_text(tmp_path):
    path = tmp_path / "e.jsonl"
    path.write_bytes(b'{"value": 0.1, "big": 1e400, "n": 12345678901234567890123, "neg": -0.0}\n')
    [(event, place)] = list(read_events(path))
    assert event == {"value": Decimal("0.1"), "big": Decimal("1e400"), "n": 12345678901234567890123, "neg": Decimal("-0.0")}
    assert str(event["value"]) == "0.1" and str(event["neg"]) == "-0.0"
    assert place == Place(str(path), 1, format="jsonl")


def test_blank_lines_keep_the_numbering_and_a_bom_is_skipped(tmp_path):
    path = tmp_path / "e.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"a": 1}\n\n   \r\n\xe3\x80\x80\n{"b": 2}\r\n{"c": 3}')
    assert lines_of(read_events(path)) == [({"a": 1}, 1), ({"b": 2}, 5), ({"c": 3}, 6)]


def test_broken_lines_say_what_the_standard_decoder_says(tmp_path):
    path = tmp_path / "e.jsonl"
    path.write_bytes(b'{"a": 1}\n{"a": 1,}\n[1, 2]\n{"x": NaN}\n"text"\n')
    got = lines_of(read_events(path))
    assert got[1] == ("broken JSON: Expecting property name enclosed in double quotes", 2)
    assert got[2] == ("expected an object {…}, found list", 3)
    assert got[3][1] == 4 and got[3][0]["x"] != got[3][0]["x"]  # NaN, as json.loads reads it
    assert got[4] == ("expected an object {…}, found str", 5)
    [_, (bad, place), *_] = list(read_events(path))
    assert isinstance(bad, BadRecord) and bad.column == 9 and str(place) == f"{path}:2"


def test_a_line_that_is_not_utf8_stops_reading_after_every_line_before_it(tmp_path):
    path = tmp_path / "e.jsonl"
    path.write_bytes(b'{"a": 1}\n{"b": 2}\n{"c": "\xff"}\n{"d": 4}\n')
    assert lines_of(read_events(path)) == [
        ({"a": 1}, 1),
        ({"b": 2}, 2),
        ("this line is not UTF-8 text; the rest of the file was not read", 3),
    ]


LINE = st.one_of(
    st.dictionaries(st.sampled_from(["id", "unit", "n"]), st.one_of(st.integers(), st.text(max_size=5)), max_size=3).map(
        lambda d: json.dumps(d, ensure_ascii=False)
    ),
    st.sampled_from(["", "  ", "{broken", "[1]", '{"v": 2.50}']),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(LINE, max_size=12), st.lists(st.integers(min_value=0, max_value=400), max_size=4), st.booleans())
def test_byte_ranges_split_a_file_into_exactly_its_lines(tmp_path_factory, lines, cuts, final_newline):
    """Every line is read by exactly one range (the one holding its first byte), with its own line number."""
    path = tmp_path_factory.mktemp("ranges") / "e.jsonl"
    data = "\n".join(lines) + ("\n" if final_newline and lines else "")
    path.write_bytes(data.encode("utf-8"))
    size = path.stat().st_size
    bounds = sorted({0, size, *(min(c, size) for c in cuts)})
    pieces = []
    for begin, end in itertools.pairwise(bounds):
        pieces += lines_of(JsonLinesSource(str(path), byte_range=(begin, end)))
    assert pieces == lines_of(JsonLinesSource(str(path)))


@settings(max_examples=60, deadline=None)
@given(st.lists(LINE, max_size=12))
def test_the_fast_reader_reads_what_the_text_reader_reads(tmp_path_factory, lines):
    path = tmp_path_factory.mktemp("same") / "e.jsonl"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    source = JsonLinesSource(str(path))
    with open(path, encoding="utf-8-sig", newline="") as stream:
        text = [(r.message if isinstance(r, BadRecord) else r, p.line) for r, p in source.records(stream, str(path))]
    assert lines_of(source) == text


TRICKY_LINE = st.one_of(
    LINE,
    st.sampled_from(
        [
            '{"id": "a", "id": "b"}',  # a key given twice: msgspec alone would keep the second
            '{"t": "10:30"}',  # a colon inside a value
            '{"o": {"p": 1}}',  # nesting
            "null",
            '{"a": 1} {"b": 2}',  # two values on one line
            '{"a":',  # an object cut short (its end on the next line is another broken line)
            "1}",
            '{"t": "{"}',  # braces inside strings: a whole block's shape is counted on bytes, so these must not pass for objects
            '{"t": "}{"}',
            '"{}"',  # a string holding braces: the shape of an object, but not an object
            "{}",
            '  {"a": 1}\t ',  # blanks around an object
            '{"a": 1}\r',  # a Windows line end
            "\r",
            '{"o": {}}',  # nesting without a colon of its own
            '{"a": [1, 2], "b": "x"}',
            '{"a": 1}{"b": 2}',
            '{"t": "10:30", "u": "http://x"}',  # colons inside strings, keys distinct
            '{"a": 1, "a": "\\u003a"}',  # a key given twice, hidden from a count of colons by an escaped colon
            '{"t": "\\u003a"}',
            '{"o": {"p": 1, "p": 2}}',  # a key given twice in a nested object
            '{"l": [{"p": 1}, {"p": 2}]}',
        ]
    ),
)


@settings(max_examples=80, deadline=None)
@given(st.lists(TRICKY_LINE, max_size=30), st.sampled_from([1, 5, 16, 64, 1 << 16]))
def test_lines_decoded_a_block_at_a_time_are_read_as_one_by_one(tmp_path_factory, lines, block):
    """Whatever the block size (blocks decoded together, a block with anything unusual read line by line),
    every line gets what the standard decoder reading it alone gives, at its own line number."""
    from unittest import mock

    path = tmp_path_factory.mktemp("blocks") / "e.jsonl"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    source = JsonLinesSource(str(path))
    with open(path, encoding="utf-8-sig", newline="") as stream:
        text = [(r.message if isinstance(r, BadRecord) else r, p.line) for r, p in source.records(stream, str(path))]
    with mock.patch("rubric_dsl.sources.jsonl.BLOCK", block):
        assert lines_of(source) == text


def test_a_range_ending_inside_the_bom_still_holds_line_1(tmp_path):
    """Line 1 starts at byte 0, BOM included: a range [0, 1..3) holds it and the next range does not
    (the reader used to start line 1 after the BOM, so a cut at byte 1, 2 or 3 lost it), at any block size."""
    path = tmp_path / "e.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"a": 1}\n{"b": 2}\n')
    whole = [({"a": 1}, 1), ({"b": 2}, 2)]
    for block in (1, 2, 3, 4, 1 << 16):
        with mock.patch("rubric_dsl.sources.jsonl.BLOCK", block):
            assert lines_of(JsonLinesSource(str(path))) == whole
            for cut in (1, 2, 3, 4, 12):
                pieces = lines_of(JsonLinesSource(str(path), byte_range=(0, cut)))
                pieces += lines_of(JsonLinesSource(str(path), byte_range=(cut, None)))
                assert pieces == whole, (block, cut)


def test_stdin_lines_end_where_a_files_lines_end(tmp_path):
    """JSON Lines ends a line at `\\n` only: a lone `\\r` inside a line does not end it, on stdin as in a file (stdin was
    read with universal newlines, so `{"a": 1}\\r{"b": 2}` was two events from stdin and one broken line from a file,
    and the line numbers after it differed; found by the adversarial pass)."""
    data = b'{"a": 1}\r{"b": 2}\n{"c": 3}\r\n\r\n{"d": 4}\n'
    path = tmp_path / "e.jsonl"
    path.write_bytes(data)
    stdin = JsonLinesSource("-")
    stdin._stdin = data
    from_stdin = [(r.message if isinstance(r, BadRecord) else r, place.line) for r, place in stdin]
    # line 1 holds both objects (Extra data), line 2 is c, line 3 is blank (\r\n), line 4 is d
    assert from_stdin == lines_of(JsonLinesSource(str(path))) == [("broken JSON: Extra data", 1), ({"c": 3}, 2), ({"d": 4}, 4)]


# Bytes that make or break a line's shape (braces, colons, quotes, brackets, commas, blanks), so that
# lines of every near-miss shape turn up: a block is decoded whole only when its shape proves that each
# line holds one object, and what it then reads must be what reading the lines one by one reads.
SHAPE_LINE = st.one_of(TRICKY_LINE, st.text(alphabet='{}[]:,"a1 \t\r', max_size=10))


@settings(max_examples=150, deadline=None)
@given(st.lists(SHAPE_LINE, max_size=40), st.sampled_from([1, 2, 7, 16, 64, 1 << 16]), st.booleans())
def test_blocks_read_whole_give_what_each_line_read_alone_gives(tmp_path_factory, lines, block, final_newline):
    """Every line gets what the standard decoder reading it alone gives, at its own line number, whatever
    the block size (blocks cut inside lines, blocks of one line, blocks of the whole file) and whether
    or not the file ends with a newline; byte ranges cut at every tenth byte read the same lines (the
    lines before each range counted in blocks of the same sizes)."""
    path = tmp_path_factory.mktemp("shapes") / "e.jsonl"
    data = "\n".join(lines) + ("\n" if final_newline and lines else "")
    path.write_bytes(data.encode("utf-8"))
    source = JsonLinesSource(str(path))
    # each line alone, without its \n (as a file's lines are judged: `"` is an unterminated string, not one holding a newline)
    text = [(r.message if isinstance(r, BadRecord) else r, p.line) for r, p in source.records(iter(data.split("\n")), str(path))]
    with mock.patch("rubric_dsl.sources.jsonl.BLOCK", block), mock.patch("rubric_dsl.sources.jsonl.COUNTING_BLOCK", block):
        assert lines_of(source) == text
        size = path.stat().st_size
        pieces = []
        for begin, end in itertools.pairwise([*range(0, size, 10), size]):
            pieces += lines_of(JsonLinesSource(str(path), byte_range=(begin, end)))
        assert pieces == text


def test_a_block_of_one_object_a_line_is_decoded_in_one_call_and_others_line_by_line(tmp_path):
    """The whole-block path is taken when it may be (so that the property above tests it), and not
    when the block's shape is another: a nested object sends its block line by line, and the reader
    goes back to whole blocks after the next well-formed block."""
    clean = [json.dumps({"id": f"e{n}", "value": "1.5"}) for n in range(40)]
    nested = [*clean[:5], '{"o": {"p": 1}}', *clean[5:]]
    decoders = []
    real = jsonl.BLOCK_DECODER

    class Counting:
        def decode_lines(self, buf):
            decoders.append(buf.count(b"\n"))
            return real.decode_lines(buf)

    for lines, block, expected in (
        (clean, 1 << 16, [40]),  # one block, one call for its 40 lines
        (clean, 400, None),  # blocks of a dozen lines or so: one call for each
        (nested, 200, None),
    ):
        decoders.clear()
        path = tmp_path / "e.jsonl"
        path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
        with mock.patch.object(jsonl, "BLOCK_DECODER", Counting()), mock.patch.object(jsonl, "BLOCK", block):
            got = lines_of(JsonLinesSource(str(path)))
        assert [n for _, n in got] == list(range(1, len(lines) + 1))
        if expected is not None:
            assert decoders == expected
        elif lines is clean:
            assert sum(decoders) == 40 and len(decoders) > 1
        else:
            # the block holding line 6 is read line by line, and so is the next one; every other line is read whole
            assert 0 < sum(decoders) < 40 - 1


def stdin_source(data: bytes) -> JsonLinesSource:
    source = JsonLinesSource("-")
    source._stdin = data  # what reading stdin keeps
    return source


@settings(max_examples=80, deadline=None)
@given(st.lists(SHAPE_LINE, max_size=30), st.sampled_from([1, 7, 64, 1 << 16]), st.booleans())
def test_stdin_is_read_as_a_file_is_and_shows_the_same_lines(tmp_path_factory, lines, block, final_newline):
    """stdin goes through the same block reader as a file (it used to be decoded line by line by the
    standard decoder): the same events and messages at the same line numbers, and every place shows
    its line as written, from the bytes kept (stdin cannot be read again), as a file's place shows it
    read again from the file."""
    data = ("\n".join(lines) + ("\n" if final_newline and lines else "")).encode("utf-8")
    path = tmp_path_factory.mktemp("stdin") / "e.jsonl"
    path.write_bytes(data)
    with mock.patch("rubric_dsl.sources.jsonl.BLOCK", block):
        assert lines_of(stdin_source(data)) == lines_of(JsonLinesSource(str(path)))
        shown = [(str(place), place.source_line()) for _, place in stdin_source(data)]
        from_file = [(str(place).replace(str(path), "<stdin>"), place.source_line()) for _, place in JsonLinesSource(str(path))]
    assert shown == from_file


def test_stdin_stops_at_its_line_that_is_not_utf8_as_a_file_does(tmp_path):
    """A line that is not UTF-8 stops stdin at that line, after every line before it (stdin was decoded
    as text in chunks of 8 KiB: a bad byte lost the good lines of its chunk before it and was reported
    one line after the last line yielded; here all 300 lines were lost and the message put at line 1)."""
    data = b"".join(b'{"n": %d}\n' % n for n in range(1, 301)) + b'{"c": "\xff"}\n{"d": 4}\n'
    path = tmp_path / "e.jsonl"
    path.write_bytes(data)
    got = lines_of(stdin_source(data))
    assert got == lines_of(JsonLinesSource(str(path)))
    assert got[:300] == [({"n": n}, n) for n in range(1, 301)]
    assert got[300:] == [("this line is not UTF-8 text; the rest of the file was not read", 301)]


def test_a_stdin_place_keeps_its_line_through_pickling():
    """A tally's placer travels with it (to another process and back): stdin's keeps the bytes it shows lines from."""
    import pickle

    source = stdin_source(b'{"a": 1}\n\n{"b": 2}\r\n')
    [first, second] = [place for _, place in source]
    assert (str(first), first.source_line()) == ("<stdin>:1", '{"a": 1}\n')
    assert (str(second), second.source_line()) == ("<stdin>:3", '{"b": 2}\r\n')
    placer = pickle.loads(pickle.dumps(source.placer))
    assert placer(3).source_line() == '{"b": 2}\r\n' and placer(1).source_line() == '{"a": 1}\n'
