"""SQL events: a table, or a query given whole, read through SQLAlchemy Core in a read-only transaction
with a streaming cursor; rows placed `events.db:events[entry=12]`, a column `events.db:events[entry=12].outlet`.

A source is a URL: `sqlite:///events.db?table=events` (the embedded default) or
`postgresql://user@host/db?table=events` (through psycopg). Parameters the reader takes from the URL:
`table` (a table's name, looked up among the database's tables, never pasted into SQL), `key`
(the column(s) that name a row; by default the table's primary key) and `query` (a whole query,
run as given). Every other parameter goes to the driver. No SQL is ever built from user text.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import urllib.parse
import uuid
from decimal import Decimal

from ..i18n import _
from ..outputs.files import write_atomically
from ..outputs.safety import csv_text, spreadsheet_text, xlsx_row
from .columns import field_names
from .events import BadRecord, Place, Source, SourceError

SCHEMES = ("sqlite", "postgresql", "postgres")
READER_PARAMETERS = ("table", "query", "key")
BATCH = 1000  # rows fetched at a time from a streaming cursor


def is_database_url(name: str) -> bool:
    scheme = name.split(":", 1)[0].split("+", 1)[0].lower()
    return "://" in name and scheme in SCHEMES


class RowPlace(Place):
    """A row of a table or query: `db:events[entry=12]` (by its key) or `db:query[row 14]` (by its number)."""

    __slots__ = ("cell", "key", "layout")

    def __init__(self, path: str, number: int, key, layout: _Layout, cell: str | None = None):
        super().__init__(path, number, format="sql")
        self.key = key  # the key's value (a tuple for a compound key), or None: placed by row number
        self.layout = layout  # relation, key columns and field → column, shared by the source's places
        self.cell = cell  # the one bad column, when the row is rejected for a value

    def __str__(self) -> str:
        return self._row() + (f".{self.cell}" if self.cell else "")

    def _row(self) -> str:
        layout = self.layout
        if self.key is None:
            return f"{self.path}:{layout.relation}[row {self.line}]"
        values = self.key if isinstance(self.key, tuple) else (self.key,)
        pairs = ", ".join(f"{column}={value}" for column, value in zip(layout.key_columns, values))
        return f"{self.path}:{layout.relation}[{pairs}]"

    def at(self, field: str | None) -> str:
        column = self.layout.columns.get(field) if field and not self.cell else None
        return f"{self._row()}.{column}" if column else str(self)

    def __eq__(self, other) -> bool:
        return isinstance(other, RowPlace) and (self.path, self.layout.relation, self.line) == (
            other.path,
            other.layout.relation,
            other.line,
        )

    def __hash__(self) -> int:
        return hash((self.path, self.layout.relation, self.line))


class _Layout:
    __slots__ = ("columns", "key_columns", "relation")

    def __init__(self, relation: str, key_columns: tuple, columns: dict):
        self.relation = relation
        self.key_columns = key_columns
        self.columns = columns


def sql_value(value):
    """A column value as an event value, or (None, problem) for one no field can take."""
    kind = value.__class__
    if kind is str or kind is int or kind is bool or kind is Decimal:
        return value, None
    if kind is float:
        # a double holds the shortest decimal that reads back as it: 0.46, not 0.46000000000000002
        exact = Decimal(repr(value))
        if not exact.is_finite():
            return None, _("holds {value}, not a number an event can use", value=value)
        return (int(exact) if exact == exact.to_integral_value() else exact), None
    if kind is datetime.datetime:
        if value.time() == datetime.time(0) and value.tzinfo is None:
            return value.date().isoformat(), None
        return None, _(
            "holds a date and time ({value}); an event's date is a day: select it as one (CAST(… AS DATE))", value=value.isoformat(" ")
        )
    if kind is datetime.date:
        return value.isoformat(), None
    if kind is uuid.UUID:
        return str(value), None  # a website's ids are often UUIDs: as text they are ids like any other
    return None, _("holds a {type}, not a value an event field takes", type=type(value).__name__)


class DatabaseSource(Source):
    """Events from a database table or a query given whole (`table`, `query` and `key` may also come in the URL)."""

    format = "sql"
    rejected_from_events = True  # (write_problem_table)

    def __init__(self, url: str, columns=None, table: str | None = None, query: str | None = None, key=None):
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            parsed = make_url(url)
        except ArgumentError:
            raise SourceError(
                _("{url}: not a database URL (sqlite:///events.db?table=events, postgresql://host/db?table=events)", url=url)
            ) from None
        given = parsed.query
        self.table = table or _one(given.get("table"))
        self.query = query or _one(given.get("query"))
        key = key or _one(given.get("key"))
        self.key = tuple(k.strip() for k in key.split(",")) if isinstance(key, str) else tuple(key or ())
        parsed = parsed.difference_update_query(READER_PARAMETERS)
        backend = parsed.get_backend_name()
        if backend == "postgres":
            parsed = parsed.set(drivername="postgresql")
            backend = "postgresql"
        if backend == "postgresql" and parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        if backend == "sqlite":
            if not parsed.database or parsed.database == ":memory:":
                raise SourceError(_("{url}: name the database file: sqlite:///events.db?table=events", url=url))
            self.name = parsed.database
            # read-only at the file: a missing database is an error, not a new empty file
            # (as a URI: percent-encoded, or a `#` or `?` in the file name would cut it short and open another file)
            location = f"file:{urllib.parse.quote(parsed.database, safe='/:')}"
            parsed = parsed.set(database=location).update_query_dict({"mode": "ro", "uri": "true"})
        else:
            self.name = parsed.set(drivername=backend).render_as_string(hide_password=True)
        self.backend = backend
        self.url = parsed
        self.columns = dict(columns or {})
        if self.table and self.query:
            raise SourceError(_("{name}: give a table or a query, not both", name=self.name))

    def _connect(self):
        from sqlalchemy import create_engine
        from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
        from sqlalchemy.pool import NullPool

        try:
            engine = create_engine(self.url, poolclass=NullPool)
            connection = engine.connect()
        except (NoSuchModuleError, ArgumentError, ImportError) as error:
            raise SourceError(_("{name}: cannot use this database: {error}", name=self.name, error=error)) from None
        except SQLAlchemyError as error:
            raise SourceError(_("{name}: cannot connect: {error}", name=self.name, error=_first_line(error))) from None
        return engine, connection

    def __iter__(self):
        from sqlalchemy import inspect, select, text
        from sqlalchemy.exc import SQLAlchemyError

        engine, connection = self._connect()
        try:
            try:
                # read-only, whatever the query says (the first statement opens the transaction)
                if self.backend == "sqlite":
                    connection.exec_driver_sql("PRAGMA query_only = ON")
                elif self.backend == "postgresql":
                    connection.exec_driver_sql("SET TRANSACTION READ ONLY")
                if self.query:
                    relation, statement, key_columns = "query", text(self.query), self.key
                else:
                    relation = self.table or self._only_table(inspect(connection).get_table_names())
                    table = self._reflect(connection, relation)
                    key_columns = self.key or tuple(column.name for column in table.primary_key.columns)
                    unknown = [k for k in key_columns if k not in table.columns]
                    if unknown:
                        raise SourceError(
                            _(
                                "{name}: table {table} has no column {column} to use as the key",
                                name=self.name,
                                table=repr(relation),
                                column=repr(unknown[0]),
                            )
                        )
                    # in key order, so that the same table gives the same stream (and the same places) every time
                    statement = select(table).order_by(*(table.columns[k] for k in key_columns))
                result = connection.execution_options(stream_results=True, yield_per=BATCH).execute(statement)
                yield from self._rows(result, relation, key_columns)
            except SQLAlchemyError as error:
                if self.query:
                    raise SourceError(_("{name}: the query failed: {error}", name=self.name, error=_first_line(error))) from None
                raise SourceError(_("{name}: cannot read the table: {error}", name=self.name, error=_first_line(error))) from None
        finally:
            with contextlib.suppress(Exception):  # a connection already lost has nothing to roll back
                connection.rollback()  # nothing was written; end the read-only transaction
            connection.close()
            engine.dispose()

    def _reflect(self, connection, relation: str):
        """The table named, looked up among the database's tables (`schema.table` for one outside the default schema)."""
        from sqlalchemy import MetaData, Table, inspect
        from sqlalchemy.exc import NoSuchTableError

        attempts: list[tuple[str, str | None]] = [(relation, None)]
        if "." in relation:
            owner, _dot, bare = relation.rpartition(".")
            attempts.append((bare, owner))
        for name, schema in attempts:
            try:
                return Table(name, MetaData(), schema=schema, autoload_with=connection)
            except NoSuchTableError:
                continue
        tables = ", ".join(inspect(connection).get_table_names()) or "none"
        raise SourceError(
            _("{name}: no table named {table}; its tables are: {tables}", name=self.name, table=repr(relation), tables=tables)
        )

    def _only_table(self, tables) -> str:
        if "events" in tables:
            return "events"
        if len(tables) == 1:
            return tables[0]
        raise SourceError(
            _(
                "{name}: name the table to read (?table=NAME); its tables are: {tables}",
                name=self.name,
                tables=", ".join(tables) or _("none"),
            )
        )

    def _rows(self, result, relation, key_columns):
        names = list(result.keys())
        missing = [k for k in key_columns if k not in names]
        if missing:
            raise SourceError(_("{name}: the query gives no column {column} to use as the key", name=self.name, column=repr(missing[0])))
        fields = field_names(names, self.columns)
        # a key column places the row; it is an event field too only when it is the event's id or is mapped to a field
        fields = [
            None if name in key_columns and name not in self.columns and field != "id" else field for name, field in zip(names, fields)
        ]
        layout = _Layout(relation, tuple(key_columns), {f: c for f, c in zip(fields, names) if f is not None})
        key_index = [names.index(k) for k in key_columns]
        single = len(key_index) == 1
        pairs = [(index, field) for index, field in enumerate(fields) if field is not None]
        for number, row in enumerate(result, 1):
            key = (row[key_index[0]] if single else tuple(row[i] for i in key_index)) if key_index else None
            event = {}
            bad = None
            for index, field in pairs:
                value = row[index]
                if value is None:
                    continue
                kind = value.__class__
                if kind is not str and kind is not int:
                    value, trouble = sql_value(value)
                    if trouble:
                        bad = (names[index], _("`{column}` {trouble}", column=names[index], trouble=trouble))
                        break
                event[field] = value
            if bad is not None:
                yield BadRecord(bad[1]), RowPlace(self.name, number, key, layout, bad[0])
            else:
                yield event, RowPlace(self.name, number, key, layout)

    def write_rejected(self, problems, path: str) -> None:
        write_problem_table(problems, path)


def write_problem_table(problems, path: str) -> None:
    """Rejected rows of a source that cannot take them back (a database): place, problem and fields, as CSV or XLSX."""
    rows = [p.event if isinstance(p.event, dict) else {} for p in problems]
    fields = sorted({field for row in rows for field in row})
    header = ["place", "problem", *fields]
    lines = [[p.place.at(p.field), p.messages, *(_text(row.get(f)) for f in fields)] for p, row in zip(problems, rows)]
    if str(path).lower().endswith(".xlsx"):
        import openpyxl

        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet("rejected")
        sheet.append(header)
        for line in lines:
            sheet.append(xlsx_row(sheet, line))  # a value from the database is never a live formula
        buffer = io.BytesIO()
        book.save(buffer)
        write_atomically(path, buffer.getvalue())
        return
    write_atomically(path, csv_text([header, *([spreadsheet_text(cell) for cell in line] for line in lines)]))


def _text(value):
    return "" if value is None else str(value)


def _one(value):
    """A URL parameter given once (a repeated one is a tuple: the last wins, as in a browser)."""
    return value[-1] if isinstance(value, tuple) else value


def _first_line(error) -> str:
    original = getattr(error, "orig", None) or error
    text = str(original).strip().splitlines()
    return text[0] if text else type(original).__name__
