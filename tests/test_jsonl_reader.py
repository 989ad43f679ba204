"""The JSON Lines reader: exact decimals, line numbers, blank and broken lines, and byte ranges that split a file exactly."""

from __future__ import annotations

import itertools
import json
from decimal import Decimal
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from rubric_dsl import Place, read_events
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
