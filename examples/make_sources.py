"""Writes the info example stream into the places offices keep events: an Excel register and a SQLite database.

python examples/make_sources.py            # 2009_info.register.xlsx, bad.register.xlsx and 2009_info.db
python examples/make_sources.py --db PATH  # the SQLite database only, at PATH

The register has one sheet per month and Chinese column headings (2009_info.columns.yaml maps them
to the rubric's fields); most dates are date cells, some are typed as text, and numbers are number
cells, as a clerk's register has them. The database has one table `events`, keyed by `entry` (an id
may come twice: a re-sent item).
"""

import argparse
import datetime
import json
import pathlib
import sqlite3

HERE = pathlib.Path(__file__).resolve().parent
STREAM = HERE / "2009_info.events.jsonl"

# heading → field; the same lines as 2009_info.columns.yaml
HEADINGS = {
    "編號": "id",
    "單位": "unit",
    "日期": "date",
    "事項": "kind",
    "刊物": "outlet",
    "類別": "category",
    "欄目": "column",
    "級別": "level",
    "批示信息": "item",
    "得分": "value",
    "條數": "quantity",
    "備註": None,
}
FIELDS = ["id", "unit", "date", "kind", "outlet", "category", "column", "level", "item", "value", "quantity"]


def stream():
    return [json.loads(line) for line in STREAM.read_text(encoding="utf-8").splitlines() if line.strip()]


def register_cell(event, field, row_number):
    value = event.get(field)
    if value is None:
        return None
    if field == "date":
        day = datetime.date.fromisoformat(value)
        # every seventh row's date is typed as text, the way clerks do (2009/6/3)
        return f"{day.year}/{day.month}/{day.day}" if row_number % 7 == 0 else day
    if field == "value":
        return float(value)  # a number cell, as typed
    return value


def write_register(path, events):
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    book.remove(book.active)
    book.properties.creator = "rubric_dsl examples"
    book.properties.created = book.properties.modified = datetime.datetime(2010, 1, 4, 9, 0)
    months = sorted({e["date"][:7] for e in events})
    headings = list(HEADINGS)
    for month in months:
        sheet = book.create_sheet(month)
        sheet.append(headings)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        rows = [e for e in events if e["date"][:7] == month]
        for number, event in enumerate(rows, 2):
            values = [register_cell(event, field, number) if field else None for field in HEADINGS.values()]
            if event["kind"] == "instruction":
                values[-1] = "領導批示"  # remarks: left out by the mapping (備註: -)
            sheet.append(values)
            if isinstance(values[2], datetime.date):
                sheet.cell(number, 3).number_format = "yyyy-mm-dd"
        sheet.freeze_panes = "A2"
    book.save(path)


def write_bad_register(path):
    """A register with one mistake of each kind a clerk makes, to show where each error is placed."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    book.properties.creator = "rubric_dsl examples"
    book.properties.created = book.properties.modified = datetime.datetime(2010, 1, 4, 9, 0)
    sheet = book.create_sheet("2009-06")
    sheet.append(["編號", "單位", "日期", "事項", "刊物", "類別", "條數"])
    day = datetime.date(2009, 6, 3)
    rows = [
        ["b01", "通川區", day, "adopted", "daily_provincial", "dynamic", 1],  # good
        ["b02", "達縣", "2009/6/5", "adopted", "daily_provincial", "thematic", 1],  # a date typed as text: read as 2009-06-05
        ["b03", "渠縣", day, "adopted", "daily_provincial", None, 1],  # missing cell: category is required here
        ["b04", "開江縣", day, "adopted", "picture_news", None, "兩條"],  # wrong type: a count written in words
        ["b05", "大竹縣", "6月3日", "adopted", "picture_news", None, 1],  # a date with no year
        ["b06", "宣漢縣", day, "adopted", "picture_news", None, "=1+1"],  # a formula never calculated (no saved value)
        ["b07", "萬源市", day, "adopted", "picture_news", None, 1],  # B8:B9 merged: one unit name for two rows
        ["b08", None, day, "adopted", "picture_news", None, 1],
    ]
    for row in rows:
        sheet.append(row)
    sheet.merge_cells("B8:B9")
    old = book.create_sheet("舊表")
    old.append(["編號", "單位", "日期", "事項", "刊物"])
    old.append(["x01", "通川區", day, "adopted", "picture_news"])
    old.sheet_state = "hidden"
    book.save(path)


def write_database(path, events):
    path = pathlib.Path(path)
    if path.exists():
        path.unlink()
    with sqlite3.connect(path) as db:
        db.execute(
            # `entry` keys the rows: an event id may come twice (a re-sent item), as in the stream
            "CREATE TABLE events (entry INTEGER PRIMARY KEY, id TEXT NOT NULL, unit TEXT NOT NULL, date TEXT NOT NULL, kind TEXT NOT NULL,"
            ' outlet TEXT, category TEXT, "column" TEXT, level TEXT, item TEXT, value NUMERIC, quantity INTEGER)'
        )
        db.executemany(
            "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [[entry, *(event.get(field) for field in FIELDS)] for entry, event in enumerate(events, 1)],
        )
    db.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", metavar="PATH", help="write only the SQLite database, here")
    args = parser.parse_args()
    events = stream()
    if args.db:
        write_database(args.db, events)
    else:
        write_register(HERE / "2009_info.register.xlsx", events)
        write_bad_register(HERE / "bad.register.xlsx")
        write_database(HERE / "2009_info.db", events)
