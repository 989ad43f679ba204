"""Excel registers (.xlsx): each visible sheet, or those named, a heading row then one event per row, placed `book.xlsx:2009-06!C14`.

Cells are read with python-calamine: on the project's measurement (bench/bench_sources.py) it reads
rows about ten times faster than openpyxl's read-only mode, and it reports merged ranges and hidden
sheets, which openpyxl's read-only mode does not. calamine holds one sheet's cells at a time. It
shows an error cell or a formula without a saved value as an empty cell, so those are found by
streaming the sheet's XML, and only when the sheet has any formula or error at all.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from decimal import Decimal
from xml.etree import ElementTree

from ..i18n import _
from ..outputs.files import write_atomically
from ..outputs.safety import xlsx_row
from .columns import field_names
from .events import BadRecord, Place, Source, SourceError

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


class SheetPlace(Place):
    """A row of a sheet (`book.xlsx:2009-06!14`); `at(field)` names the field's cell (`book.xlsx:2009-06!C14`)."""

    __slots__ = ("cell", "letters", "sheet")

    def __init__(self, path: str, sheet: str, row: int, letters: dict, cell: str | None = None):
        super().__init__(path, row, format="xlsx")
        self.sheet = sheet
        self.letters = letters  # field → column letter, one dict shared by the sheet's places
        self.cell = cell  # the column of the one bad cell, when the row is rejected for a cell

    def __str__(self) -> str:
        where = f"{self.path}:{sheet_reference(self.sheet)}"
        if not self.line:
            return where
        return f"{where}!{self.cell or ''}{self.line}"

    def at(self, field: str | None) -> str:
        letter = self.letters.get(field) if field and not self.cell else None
        if letter is None:
            return str(self)
        return f"{self.path}:{sheet_reference(self.sheet)}!{letter}{self.line}"

    def __eq__(self, other) -> bool:
        return isinstance(other, SheetPlace) and (self.path, self.sheet, self.line) == (other.path, other.sheet, other.line)

    def __hash__(self) -> int:
        return hash((self.path, self.sheet, self.line))


def sheet_reference(name: str) -> str:
    """A sheet's name as a place shows it; quoted as Excel does when it holds a space or a separator."""
    if re.search(r"[\s!:'\[\]]", name):
        return "'" + name.replace("'", "''") + "'"
    return name


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_position(reference: str) -> tuple[int, int]:
    """`C14` → (13, 2): 0-based row and column."""
    match = re.fullmatch(r"([A-Z]+)(\d+)", reference)
    if not match:
        raise ValueError(reference)
    column = 0
    for char in match.group(1):
        column = column * 26 + ord(char) - 64
    return int(match.group(2)) - 1, column - 1


# Text dates clerks type: 2009-06-03, 2009/6/3, 2009.6.3, 2009年6月3日
TEXT_DATE = re.compile(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*")


def cell_value(value, field):
    """A cell as an event value, or (None, problem) for a cell no field can take."""
    kind = value.__class__
    if kind is str:
        if field == "date":
            match = TEXT_DATE.fullmatch(value)
            if match:
                return f"{match.group(1)}-{int(match.group(2)):02d}-{int(match.group(3)):02d}", None
        return value, None
    if kind is float:
        # Excel keeps 15 significant digits and shows no more: 0.45999999999999996 is the 0.46 typed in.
        exact = Decimal(format(value, ".15g"))
        if exact == exact.to_integral_value():
            return int(exact), None
        return exact, None
    if kind is int or kind is bool:
        return value, None
    if kind is datetime.datetime:
        if value.time() == datetime.time(0):
            return value.date().isoformat(), None
        return None, _("holds a date and time ({value}); give the date alone", value=value.isoformat(" "))
    if kind is datetime.date:
        return value.isoformat(), None
    if kind is datetime.time or kind is datetime.timedelta:
        return None, _("holds a time ({value}), not a value an event field takes", value=value)
    return None, _("holds {value}, not a value an event field takes", value=repr(value))


class WorkbookSource(Source):
    """The events of an .xlsx workbook: every visible sheet, or the sheets named (`sheets`)."""

    format = "xlsx"

    def __init__(self, path, columns=None, sheets=None):
        self.path = "<stdin>" if str(path) == "-" else str(path)
        self.name = self.path
        self._stdin = str(path) == "-"
        self._bytes: bytes | None = None  # a workbook from stdin, read once and kept (it is read again for --rejected)
        self.columns = dict(columns or {})
        self.sheets = list(sheets or [])

    def _open(self):
        from python_calamine import CalamineWorkbook

        try:
            if self._stdin:
                return CalamineWorkbook.from_filelike(self.file())
            return CalamineWorkbook.from_path(self.path)
        except FileNotFoundError:
            raise SourceError(_("{path}: no such workbook", path=self.path)) from None
        except Exception as error:  # calamine's own error types: a file that is not a workbook, or a damaged one
            raise SourceError(_("{path}: cannot read the workbook: {error}", path=self.path, error=error)) from None

    def file(self):
        """The workbook's path, or its bytes as a file when it came on stdin."""
        if not self._stdin:
            return self.path
        if self._bytes is None:
            import sys

            self._bytes = sys.stdin.buffer.read()
        return io.BytesIO(self._bytes)

    def sheet_names(self, book) -> list[tuple[str, bool]]:
        """(name, hidden) of each sheet to read, in the workbook's order (or the order named)."""
        from python_calamine import SheetTypeEnum, SheetVisibleEnum

        visible = {m.name: m.visible == SheetVisibleEnum.Visible for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet}
        if not self.sheets:
            return [(name, not shown) for name, shown in visible.items()]
        unknown = [name for name in self.sheets if name not in visible]
        if unknown:
            raise SourceError(
                _(
                    "{path}: no sheet named {name}; its sheets are: {sheets}",
                    path=self.path,
                    name=repr(unknown[0]),
                    sheets=", ".join(visible),
                )
            )
        return [(name, False) for name in self.sheets]  # a hidden sheet named on purpose is read

    def __iter__(self):
        book = self._open()
        try:
            chosen = self.sheet_names(book)
            cells = _UnusableCells(self.file)
            for name, hidden in chosen:
                sheet = book.get_sheet_by_name(name)
                if sheet.start is None:
                    continue  # an empty sheet holds no events
                if hidden:
                    message = _(
                        "sheet `{name}` is hidden, so its rows were not read; name it with --sheet to read it, or delete it", name=name
                    )
                    yield BadRecord(message), SheetPlace(self.path, name, 0, {})
                    continue
                yield from self._sheet_rows(sheet, name, cells.of(name))
        finally:
            book.close()

    def _sheet_rows(self, sheet, name, unusable):
        top, left = sheet.start
        merged = _merged_by_row(sheet.merged_cell_ranges or ())
        rows = iter(sheet.iter_rows())
        headings = next(rows)
        head_row = top + 1
        letters = {}
        problem = None
        for index, heading in enumerate(headings):
            letter = column_letter(left + index)
            if heading.__class__ is not str:
                problem = (
                    letter,
                    _("the first row must name the fields, but {cell} holds {heading}", cell=letter + str(head_row), heading=repr(heading)),
                )
                break
        texts = [h.strip() if h.__class__ is str else "" for h in headings]
        fields = field_names(texts, self.columns)
        for index, field in enumerate(fields):
            letter = column_letter(left + index)
            if problem is not None or not texts[index] or field is None:
                continue
            if field in letters:
                problem = (
                    letter,
                    _(
                        "headings {first} and {second} both give the field `{field}`",
                        first=letters[field] + str(head_row),
                        second=letter + str(head_row),
                        field=field,
                    ),
                )
                break
            letters[field] = letter
        if problem is None and top in merged:
            reference = merged[top][0][2]
            problem = (
                reference.split(":")[0].rstrip("0123456789"),
                _("heading cells {cells} are merged; give each column its own heading", cells=reference),
            )
        if problem is not None:
            yield BadRecord(problem[1] + "; the sheet was not read"), SheetPlace(self.path, name, head_row, letters, problem[0])
            return
        width = len(fields)
        for row_index, row in enumerate(rows, top + 1):
            number = row_index + 1
            event = {}
            bad = None
            merged_here = merged.get(row_index)
            unusable_here = unusable.get(row_index) if unusable else None
            for index, value in enumerate(row):
                if value == "" or value is None:
                    if unusable_here and left + index in unusable_here:
                        bad = (column_letter(left + index), unusable_here[left + index])
                        break
                    continue
                if index >= width or not texts[index]:
                    letter = column_letter(left + index)
                    bad = (letter, _("{cell} holds {value} but its column has no heading", cell=letter + str(number), value=repr(value)))
                    break
                field = fields[index]
                if field is None:
                    continue
                converted, trouble = cell_value(value, field)
                if trouble:
                    bad = (letters[field], _("{cell} {trouble}", cell=letters[field] + str(number), trouble=trouble))
                    break
                event[field] = converted
            if bad is None and merged_here and any(value != "" and value is not None for value in row):
                # a row with nothing in it is no event, even under a merged block (a note box below the data)
                first, _last, reference = merged_here[0]
                bad = (
                    column_letter(first),
                    _("cells {cells} are merged; give each row its own value (unmerge them and fill every row)", cells=reference),
                )
            if bad is not None:
                yield BadRecord(bad[1]), SheetPlace(self.path, name, number, letters, bad[0])
            elif event:
                yield event, SheetPlace(self.path, name, number, letters)

    def write_rejected(self, problems, path: str) -> None:
        write_rejected_workbook(self, problems, path)


def _merged_by_row(ranges) -> dict[int, list]:
    """0-based row → [(first column, last column, `A4:A5`)] of the merged ranges that cover it."""
    by_row: dict[int, list] = {}
    for (top, left), (bottom, right) in ranges:
        if (top, left) == (bottom, right):
            continue
        reference = f"{column_letter(left)}{top + 1}:{column_letter(right)}{bottom + 1}"
        for row in range(top, bottom + 1):
            by_row.setdefault(row, []).append((left, right, reference))
    return by_row


class _UnusableCells:
    """Cells calamine shows as empty but are not: error values (#N/A) and formulas with no saved value."""

    def __init__(self, opener):
        self.opener = opener  # gives the workbook's path or bytes
        self._members: dict[str, str] | None = None

    def _sheet_members(self, archive) -> dict[str, str]:
        relationships = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets: dict[str | None, str] = {}
        for rel in rels:
            target = rel.get("Target", "")
            targets[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
        return {sheet.get("name", ""): targets.get(sheet.get(relationships), "") for sheet in book.iter(MAIN + "sheet")}

    def of(self, sheet: str) -> dict[int, dict[int, str]]:
        """0-based row → {0-based column: the problem}."""
        try:
            with zipfile.ZipFile(self.opener()) as archive:
                if self._members is None:
                    self._members = self._sheet_members(archive)
                member = self._members.get(sheet)
                if not member or not _mentions(archive, member, (b"<f", b't="e"')):
                    return {}
                return _scan_cells(archive, member)
        except (OSError, KeyError, zipfile.BadZipFile, ElementTree.ParseError):
            return {}  # not an Open XML package calamine could read after all (.xlsb, .xls): nothing more to find


def _mentions(archive, member, needles) -> bool:
    """Whether the member's bytes hold any needle, read in chunks (a sheet can be large)."""
    tail = b""
    with archive.open(member) as stream:
        while chunk := stream.read(1 << 20):
            window = tail + chunk
            if any(needle in window for needle in needles):
                return True
            tail = window[-8:]
    return False


def _scan_cells(archive, member) -> dict[int, dict[int, str]]:
    found: dict[int, dict[int, str]] = {}
    with archive.open(member) as stream:
        for _event, element in ElementTree.iterparse(stream):
            if element.tag == MAIN + "c":
                reference = element.get("r", "")
                value = element.find(MAIN + "v")
                text = value.text if value is not None else None
                if element.get("t") == "e":
                    problem = _("{cell} holds the error {error}; correct the formula or the value", cell=reference, error=text or "#VALUE!")
                elif element.find(MAIN + "f") is not None and not text:
                    problem = _(
                        "{cell} is a formula with no saved value; open the workbook in Excel and save it so the value is calculated",
                        cell=reference,
                    )
                else:
                    continue
                try:
                    row, column = cell_position(reference)
                except ValueError:
                    continue
                found.setdefault(row, {})[column] = problem
            elif element.tag == MAIN + "row":
                element.clear()  # keep memory flat on long sheets
    return found


def write_rejected_workbook(source: WorkbookSource, problems, path: str) -> None:
    """The rejected rows as they were written, one sheet per sheet read, each with a `problem` column."""
    import openpyxl

    wanted: dict[str, dict[int, list[str]]] = {}
    elsewhere = []
    for problem in (each for rejected in problems for each in rejected.problems):  # every problem of each rejected row
        place = problem.place
        if isinstance(place, SheetPlace) and place.path == source.path and place.line:
            wanted.setdefault(place.sheet, {}).setdefault(place.line, []).append(f"{place.at(problem.field)}: {problem.message}")
        else:
            elsewhere.append((place.at(problem.field), problem.message))
    out = openpyxl.Workbook(write_only=True)
    if wanted:
        book = source._open()
        try:
            for name, rows in wanted.items():
                sheet = book.get_sheet_by_name(name)
                top = sheet.start[0]
                target = out.create_sheet(name)
                for index, row in enumerate(sheet.iter_rows(), top + 1):
                    if index == top + 1:
                        target.append(xlsx_row(target, [*row, "problem"]))
                    elif index in rows:
                        target.append(xlsx_row(target, [*(None if cell == "" else cell for cell in row), "\n".join(rows[index])]))
        finally:
            book.close()
    if elsewhere or not wanted:
        target = out.create_sheet("other problems")
        target.append(["place", "problem"])
        for row in elsewhere:
            target.append(xlsx_row(target, list(row)))
    buffer = io.BytesIO()
    out.save(buffer)
    write_atomically(path, buffer.getvalue())  # whole or not at all
