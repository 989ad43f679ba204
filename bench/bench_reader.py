"""Reading JSON Lines alone against the bare msgspec parse of the same bytes, in one process; then `rubric score`.

    python bench/bench_reader.py                     # 200,000 lines, best of 5
    python bench/bench_reader.py --lines 1000000 --repeat 3 --no-score
    python bench/bench_reader.py --shapes            # also lines off the whole-block path

The lines are the info rubric's synthetic events of `bench/bench_score.py` (`synthetic_events`), written
as that bench writes them. Every contender reads the same file, after one warm-up run, under the same
cyclic-GC state (the engine's `no_cyclic_gc`), the contenders taking turns; the best time of each is
kept. Ratios, not seconds, are the result: the machine is shared and noisy.

- bare parse, per line: the file read whole, split at `\\n`, each line decoded by msgspec with Decimal
  floats (the "bare msgspec parse" row of bench_score.py): no line numbers, no checks.
- bare parse, per block: msgspec's `decode_lines` on 64 KiB blocks, the reader's own block size: as
  fast as msgspec goes when called from Python (no line numbers, no checks, no place for an error).
- reader: `JsonLinesSource.blocks()`, the blocks of pairs a compact tally reads, iterated as
  `Program.tally` iterates them (`enumerate` over each block, each pair unpacked into the event and its
  line number).

Then `rubric score` (the command, a compact tally) runs on the same file, on the same lines from stdin
and on an empty file, in fresh processes (best of the same number of runs); the difference is the
scoring time net of start-up. `--shapes` adds files whose blocks the reader cannot decode whole: the
same events with a time (`"10:30"`) in every line, with a nested object in every line, and with an
empty line after every fiftieth; each is read against its own bare per-line parse.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import msgspec  # noqa: E402
from bench_score import synthetic_events  # noqa: E402

import rubric_dsl  # noqa: E402
from rubric_dsl.engine.runtime import no_cyclic_gc  # noqa: E402
from rubric_dsl.sources import jsonl  # noqa: E402

RUBRIC = ROOT / "rubrics" / "2009_info.rubric"


def write_lines(path: pathlib.Path, count: int) -> None:
    program = rubric_dsl.load(RUBRIC)
    units = [unit.name for unit in program.rubric.units] + ["市信息產業局"]
    with open(path, "w", encoding="utf-8") as out:
        for event in synthetic_events(count, units):
            out.write(json.dumps({k: (str(v) if isinstance(v, Decimal) else v) for k, v in event.items()}, ensure_ascii=False) + "\n")


SHAPES = {
    "a time in every line": lambda event, n: {**event, "time": f"10:{n % 60:02d}"},
    "a nested object in every line": lambda event, n: {**event, "meta": {"source": "x"}},
}


def write_shaped(path: pathlib.Path, shaped: pathlib.Path, shape: str) -> None:
    """The lines of `path` changed to `shape` (or an empty line after every fiftieth)."""
    with open(path, encoding="utf-8") as lines, open(shaped, "w", encoding="utf-8") as out:
        for n, line in enumerate(lines):
            if shape in SHAPES:
                out.write(json.dumps(SHAPES[shape](json.loads(line), n), ensure_ascii=False) + "\n")
            else:
                out.write(line + ("\n" if n % 50 == 0 else ""))


def bare_per_line(path) -> int:
    decode = msgspec.json.Decoder(float_hook=Decimal).decode
    with open(path, "rb") as stream:
        return sum(1 for line in stream.read().split(b"\n") if line and decode(line))


def bare_per_block(path) -> int:
    decode_lines = msgspec.json.Decoder(float_hook=Decimal).decode_lines
    count = 0
    pending = b""
    with open(path, "rb") as stream:
        while block := stream.read(jsonl.BLOCK):
            data = pending + block
            cut = data.rfind(b"\n") + 1
            count += len(decode_lines(data[:cut]))
            pending = data[cut:]
    return count + (len(decode_lines(pending)) if pending else 0)


def reader(path) -> int:
    read = 0
    for block in jsonl.JsonLinesSource(str(path)).blocks():  # as Program.tally reads it (a compact tally)
        before = read
        for read, (_event, _line) in enumerate(block, before + 1):  # noqa: B007
            pass
    return read


def best_times(contenders: dict, repeat: int) -> dict:
    """Best seconds of each contender: one warm-up run each, then turns, all under the engine's GC policy."""
    best = dict.fromkeys(contenders, float("inf"))
    counts = {}
    for function in contenders.values():
        with no_cyclic_gc():
            function()
    for _ in range(repeat):
        for name, function in contenders.items():
            with no_cyclic_gc():
                started = time.perf_counter()
                counts[name] = function()
                best[name] = min(best[name], time.perf_counter() - started)
    assert len(set(counts.values())) == 1, counts  # every contender read every line
    return best


def score_seconds(path, repeat: int, stdin: bool = False) -> float:
    command = [sys.executable, "-m", "rubric_dsl", "score", str(RUBRIC), "-" if stdin else str(path)]
    best = float("inf")
    for _ in range(repeat):
        with open(path, "rb") as lines:
            started = time.perf_counter()
            subprocess.run(
                command, stdin=lines if stdin else None, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, cwd=ROOT
            )
            best = min(best, time.perf_counter() - started)
    return best


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5, help="best of N runs for each contender")
    parser.add_argument("--no-score", action="store_true", help="leave out the `rubric score` rows")
    parser.add_argument("--shapes", action="store_true", help="also read lines that are off the whole-block path")
    args = parser.parse_args(argv)
    folder = pathlib.Path(tempfile.mkdtemp(prefix="rubric-bench-reader-"))
    path, empty = folder / "events.jsonl", folder / "empty.jsonl"
    try:
        write_lines(path, args.lines)
        empty.write_bytes(b"")
        print(
            f"{args.lines:,} lines ({path.stat().st_size / args.lines:.0f} bytes each), best of {args.repeat}, load {os.getloadavg()[0]:.1f}"
        )
        best = best_times(
            {
                "bare msgspec parse, per line": lambda: bare_per_line(path),
                "bare msgspec parse, per block": lambda: bare_per_block(path),
                "reader (event, line) pairs": lambda: reader(path),
            },
            args.repeat,
        )
        base = best["bare msgspec parse, per line"]
        for name, seconds in best.items():
            print(
                f"  {name:<34} {args.lines / seconds:>12,.0f} lines/s  {seconds / args.lines * 1e9:6.0f} ns/line  {seconds / base:.2f}x the per-line parse's time"
            )
        print(
            f"  the reader takes {best['reader (event, line) pairs'] / best['bare msgspec parse, per block']:.2f}x the per-block parse's time"
        )
        if args.shapes:
            for shape in [*SHAPES, "an empty line after every fiftieth"]:
                shaped = folder / "shaped.jsonl"
                write_shaped(path, shaped, shape)
                times = best_times({"bare": lambda f=shaped: bare_per_line(f), "reader": lambda f=shaped: reader(f)}, args.repeat)
                print(
                    f"  reader, {shape + ':':<34} {times['reader'] / args.lines * 1e9:6.0f} ns/line  {times['reader'] / times['bare']:.2f}x its bare per-line parse's time"
                )
        if not args.no_score:
            start_up = score_seconds(empty, args.repeat)
            for label, stdin in (("rubric score (compact tally)", False), ("the same, the lines from stdin", True)):
                whole = score_seconds(path, args.repeat, stdin)
                net = whole - start_up
                print(f"  {label:<34} {args.lines / net:>12,.0f} events/s net of start-up ({start_up:.2f} s of {whole:.2f} s)")
                print(f"    = {base / net:.0%} of the bare per-line parse rate; {args.lines / whole:,.0f} events/s with start-up")
    finally:
        for file in folder.iterdir():
            file.unlink()
        folder.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
