"""Choosing a reader: a source named by a file (its suffix or --events-format says the format) or a database URL."""

from __future__ import annotations

import os
import pathlib

from .csvfile import CsvSource
from .events import Source
from .jsonfile import JsonArraySource
from .jsonl import JsonLinesSource
from .yamlfile import YamlSource

FILE_READERS = {"jsonl": JsonLinesSource, "csv": CsvSource, "yaml": YamlSource, "json": JsonArraySource}
SUFFIX_FORMATS = {".csv": "csv", ".yaml": "yaml", ".yml": "yaml", ".json": "json", ".jsonl": "jsonl"}


def detect_format(name: str, explicit: str | None = None) -> str:
    """The format a source name calls for; anything unrecognised is read as JSON Lines."""
    if explicit:
        return explicit
    return SUFFIX_FORMATS.get(pathlib.PurePath(str(name)).suffix.lower(), "jsonl")


def read_events(source, format: str | None = None, *, columns=None) -> Source:
    """The events kept at `source`, as a Source of (event, place) pairs read lazily.

    `source`: a file path ('-' for stdin). `format` overrides the suffix. `columns` maps column
    headers to field names for the tabular sources (a header mapped to None is not read).
    """
    if isinstance(source, Source):
        return source
    name = os.fspath(source)
    reader = FILE_READERS[detect_format(name, format)]
    return reader(name, columns=columns)
