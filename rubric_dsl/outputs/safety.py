"""Text from rubrics and events made inert for each medium it is written to: spreadsheets, Markdown, terminals.

Unit names, group labels, item titles and event fields are written by people we do not control. Each
medium has its own way to turn text into action (a spreadsheet formula, a Markdown heading or raw HTML,
a terminal escape sequence), so each gets its own function; HTML and JSON have their own escapers.
"""

from __future__ import annotations

import re

# OWASP "CSV injection": a cell whose first character is one of these is read by spreadsheets as a
# formula (tab and CR because some strip them first). The full-width forms are included because
# CJK input methods produce them and some spreadsheet locales read them as the ASCII ones.
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")


PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?", re.ASCII)


def is_formula_like(text: str) -> bool:
    """Would a spreadsheet read this text cell as a formula (leading blanks are skipped by some)?
    A plain signed numeral (`-5`, `+2.5`) is a number to a spreadsheet, not a formula."""
    stripped = text.lstrip(" \u3000")
    if not stripped or PLAIN_NUMBER.fullmatch(stripped):
        return False
    return text[0] in FORMULA_TRIGGERS or stripped[0] in FORMULA_TRIGGERS


def xlsx_text(text: str) -> str:
    """Text an XLSX cell can hold: the control characters XML 1.0 forbids are shown as `\\x1b`-style escapes,
    and so is a carriage return (XML reading turns it into a line feed: the cell would not read back as written)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", text).replace("\r", "\\x0d")
    return _SURROGATES.sub(lambda m: f"\\u{ord(m.group()):04x}", text)  # XML cannot hold a lone surrogate either


_SURROGATES = re.compile("[\ud800-\udfff]")


def xlsx_row(sheet, values) -> list:
    """A row for a write-only worksheet: text always as a text cell (openpyxl would store `=…` as a formula),
    formula-like text with Excel's quote prefix; numbers and empty cells as they are."""
    from openpyxl.cell import WriteOnlyCell

    row: list = []
    for value in values:
        if isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=xlsx_text(value))
            cell.data_type = "s"
            if is_formula_like(value):
                cell.quotePrefix = True
            row.append(cell)
        else:
            row.append(value)
    return row


def spreadsheet_text(text: str) -> str:
    """A text cell for CSV: formula-like text gets a leading apostrophe, as OWASP advises.

    Only text goes through here; numbers (negative scores included) are written as numbers.
    """
    return "'" + text if is_formula_like(text) else text


# C0 controls but newline and tab, DEL, the C1 controls (ESC [ … and OSC start here), and the bidirectional
# overrides that make a line read differently from what it holds.
_TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_TERMINAL_UNSAFE_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _visible(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(text: str, one_line: bool = False) -> str:
    """Text safe to print: control characters shown as `\\x1b`-style escapes instead of acting on the terminal.

    With `one_line`, newlines and tabs are shown escaped too (a name in a table cell must not start a line).
    """
    return (_TERMINAL_UNSAFE_ONE_LINE if one_line else _TERMINAL_UNSAFE).sub(_visible, text)


_MD_LINE_BREAKS = re.compile("\r\n|[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_MD_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}#|~!])")
_MD_HTML = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
_MD_LINE_START = re.compile(r"^(\s*)(?:([-+*])|(\d+)([.)]))(?=\s|$)")


def markdown_text(text: str) -> str:
    """One line of inline Markdown that shows `text` literally.

    Line breaks become spaces (a name cannot start a heading or a table row), raw HTML is shown as
    text (`<script>` becomes `&lt;script&gt;`), and the characters Markdown gives meaning to are
    backslash-escaped, as is a leading list marker.
    """
    text = _MD_CONTROLS.sub("", _MD_LINE_BREAKS.sub(" ", text))
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = "".join(_MD_HTML.get(ch, ch) for ch in text)
    # "- x" and "1. x" would start a list: escape the marker ("\\- x", "1\\. x")
    return _MD_LINE_START.sub(lambda m: m.group(1) + ("\\" + m.group(2) if m.group(2) else m.group(3) + "\\" + m.group(4)), text)


def csv_text(rows) -> str:
    """CSV of `rows`, lines ending in "\\n", and every field holding any line break quoted.

    Python's csv module quotes only the characters of its line terminator: with "\\n" it leaves a
    lone "\\r" bare, and a spreadsheet starts a new row there, so the text after it lands in a cell
    of its own, where `=…` is a formula again. Writing with "\\r\\n" quotes both; each row's "\\r\\n"
    is then turned back into "\\n".
    """
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(row)
        buffer.seek(buffer.tell() - 2)
        buffer.truncate()
        buffer.write("\n")
    return buffer.getvalue()
