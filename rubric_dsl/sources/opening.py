"""Choosing a reader: a source named by a file (its suffix or --events-format says the format) or a database URL."""

from __future__ import annotations

import os
import pathlib

from ..i18n import N_, _, tr
from .columns import load_columns
from .csvfile import CsvSource
from .events import Source, SourceError
from .jsonfile import JsonArraySource
from .jsonl import JsonLinesSource
from .yamlfile import YamlSource

FILE_READERS = {"jsonl": JsonLinesSource, "csv": CsvSource, "yaml": YamlSource, "json": JsonArraySource}
# Spreadsheets the XLSX reader does not take: their formula and error cells could not be checked.
OTHER_SPREADSHEETS = {
    ".xls": N_("an Excel 97–2003 workbook"),
    ".xlsb": N_("a binary Excel workbook"),
    ".ods": N_("an OpenDocument spreadsheet"),
}
SUFFIX_FORMATS = {".csv": "csv", ".yaml": "yaml", ".yml": "yaml", ".json": "json", ".jsonl": "jsonl", ".xlsx": "xlsx", ".xlsm": "xlsx"}


def detect_format(name: str, explicit: str | None = None) -> str:
    """The format a source name calls for; anything unrecognised is read as JSON Lines."""
    if explicit:
        return explicit
    return SUFFIX_FORMATS.get(pathlib.PurePath(str(name)).suffix.lower(), "jsonl")


def read_events(source, format: str | None = None, *, rubric=None, columns=None, sheets=None, table=None, query=None, key=None) -> Source:
    """The events kept at `source`, as a Source of (event, place) pairs read lazily.

    `source`: a file path ('-' for stdin). `format` overrides the suffix. Column headings of the
    tabular sources are mapped to fields by the `heading` lines of `rubric` (a loaded rubric), then
    by `columns`: a dict (a heading mapped to None is not read) or a YAML file of `heading: field` lines.
    `sheets`: the workbook sheets to read (default: every visible sheet). A database URL
    (`sqlite:///events.db?table=events`, `postgresql://host/db`) reads
    a `table` or runs a `query` given whole; `key` names the column(s) that place a row.
    """
    if isinstance(source, Source):
        return source
    if isinstance(columns, (str, os.PathLike)):
        columns = load_columns(columns)
    if rubric is not None:
        declared = getattr(rubric, "rubric", rubric)  # a Program, or the Rubric it was compiled from
        columns = {**declared.columns, **(columns or {})}
    name = os.fspath(source)
    from .sql import is_database_url

    if is_database_url(name):
        from .sql import DatabaseSource

        if sheets:
            raise SourceError(_("only a workbook has sheets to choose"))
        return DatabaseSource(name, columns=columns, table=table, query=query, key=key)
    if table or query or key:
        raise SourceError(_("{name}: a table, query or key is for a database URL (sqlite:///events.db?table=events)", name=name))
    suffix = pathlib.PurePath(name).suffix.lower()
    if format is None and suffix in OTHER_SPREADSHEETS:
        raise SourceError(
            _("{name}: {kind} cannot be read; save it as an Excel workbook (.xlsx)", name=name, kind=tr(OTHER_SPREADSHEETS[suffix]))
        )
    fmt = detect_format(name, format)
    if sheets and fmt != "xlsx":
        raise SourceError(_("{name}: only a workbook has sheets to choose", name=name))
    if fmt == "xlsx":
        from .xlsx import WorkbookSource

        return WorkbookSource(name, columns=columns, sheets=sheets)
    return FILE_READERS[fmt](name, columns=columns)
