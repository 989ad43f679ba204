"""Rows per second read from each source, next to JSON Lines in the same run, and the reader's memory as it goes.

python bench/bench_sources.py                 # 1,000,000 rows (XLSX: 100,000), PostgreSQL if its binaries are found
python bench/bench_sources.py --rows 200000   # shorter

The same synthetic adoption events are written as JSON Lines, an XLSX register, a SQLite table and
(when initdb/pg_ctl are installed) a PostgreSQL table; each source is then read once, iterating
(event, place) pairs as the engine does. The resident memory is sampled every tenth of the rows: a
streaming reader stays flat. Scoring adds the tallies (an id per event), which this leaves out.
"""

import argparse
import json
import os
import pathlib
import sqlite3
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import rubric_dsl  # noqa: E402

UNITS = ["通川區", "達縣", "萬源市", "宣漢縣", "大竹縣", "渠縣", "開江縣", "市教育局", "市衛生局"]
FIELDS = ["id", "unit", "date", "kind", "outlet", "quantity"]


def events(count):
    for index in range(count):
        yield {
            "id": f"e{index}",
            "unit": UNITS[index % len(UNITS)],
            "date": f"2009-{4 + index % 9:02d}-{1 + index % 28:02d}",
            "kind": "adopted",
            "outlet": "picture_news",
            "quantity": 1 + index % 3,
        }


def resident_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def measure(source, count):
    """(rows/s, [RSS MiB at each tenth])"""
    step = max(count // 10, 1)
    samples = []
    started = time.perf_counter()
    read = 0
    for read, _ in enumerate(source, 1):
        if read % step == 0:
            samples.append(resident_mib())
    elapsed = time.perf_counter() - started
    assert read == count, (read, count)
    return read / elapsed, samples


def write_jsonl(path, count):
    with open(path, "w", encoding="utf-8") as out:
        for event in events(count):
            out.write(json.dumps(event, ensure_ascii=False) + "\n")


def write_xlsx(path, count):
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("2009")
    sheet.append(FIELDS)
    for event in events(count):
        sheet.append([event[f] for f in FIELDS])
    book.save(path)


def write_sqlite(path, count):
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE events (id TEXT PRIMARY KEY, unit TEXT, date TEXT, kind TEXT, outlet TEXT, quantity INTEGER)")
        db.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)", ([e[f] for f in FIELDS] for e in events(count)))
    db.close()


def write_postgres(url, count):
    import psycopg

    with psycopg.connect(url) as db:
        db.execute("CREATE TABLE events (id TEXT PRIMARY KEY, unit TEXT, date DATE, kind TEXT, outlet TEXT, quantity INTEGER)")
        with db.cursor().copy("COPY events FROM STDIN") as copy:
            for event in events(count):
                copy.write_row([event[f] for f in FIELDS])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000, help="an XLSX sheet holds at most 1,048,576 rows; writing one is slow")
    args = parser.parse_args()
    folder = pathlib.Path(tempfile.mkdtemp(prefix="rubric-bench-"))
    results = []
    server = None
    try:
        jsonl = folder / "events.jsonl"
        write_jsonl(jsonl, args.rows)
        results.append(("JSON Lines", args.rows, *measure(rubric_dsl.read_events(jsonl), args.rows)))
        workbook = folder / "events.xlsx"
        write_xlsx(workbook, args.xlsx_rows)
        results.append(("XLSX", args.xlsx_rows, *measure(rubric_dsl.read_events(workbook), args.xlsx_rows)))
        database = folder / "events.db"
        write_sqlite(database, args.rows)
        results.append(("SQLite", args.rows, *measure(rubric_dsl.read_events(f"sqlite:///{database}?table=events"), args.rows)))
        sys.path.insert(0, str(ROOT / "tests"))
        from postgres_server import PostgresServer, server_binaries

        binaries = server_binaries()
        if binaries:
            server = PostgresServer(binaries).start()
            write_postgres(server.url, args.rows)
            results.append(("PostgreSQL", args.rows, *measure(rubric_dsl.read_events(f"{server.url}?table=events"), args.rows)))
        else:
            print("PostgreSQL: skipped (initdb/pg_ctl not found)")
    finally:
        if server:
            server.stop()
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
    base = results[0][2]
    print(f"{'source':<12} {'rows':>9} {'rows/s':>10} {'vs JSONL':>9}  resident MiB at each tenth of the rows")
    for name, count, rate, samples in results:
        print(f"{name:<12} {count:>9,} {rate:>10,.0f} {rate / base:>8.2f}x  " + " ".join(f"{s:.0f}" for s in samples))


if __name__ == "__main__":
    main()
