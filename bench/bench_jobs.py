"""`rubric score --jobs 2` against `--jobs 1` on one JSON Lines file: wall clock, and the critical path in CPU seconds.

    python bench/bench_jobs.py [FILE] [--events 5000000]

Without FILE, a file of `bench_score.py`'s synthetic events is written first. Two measurements:

- Wall clock: `rubric score RUBRIC FILE --jobs 1` and `--jobs 2`, each in a fresh process, taking turns,
  best of N, their tables compared byte for byte. Meaningful only with two idle cores.
- Phases, in CPU seconds of this process (so a busy machine does not distort them): the tally of the
  whole file and its finish; the tally of each of the two byte ranges `--jobs 2` cuts, the pickling and
  unpickling of the worker's tally, the merge and the finish. The critical path with two free cores is
  max(parent's range, worker's range + pickling) + unpickling + merge + finish.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import pickle
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_score import synthetic_events  # noqa: E402

import rubric_dsl  # noqa: E402
from rubric_dsl.engine import parallel  # noqa: E402
from rubric_dsl.engine.runtime import no_cyclic_gc  # noqa: E402
from rubric_dsl.sources.jsonl import JsonLinesSource  # noqa: E402

RUBRIC = str(ROOT / "rubrics" / "2009_info.rubric")


def cpu(function):
    started = time.process_time()
    result = function()
    return time.process_time() - started, result


def wall(path: str, jobs: int) -> tuple[float, bytes]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "rubric_dsl", "score", RUBRIC, path, "--jobs", str(jobs)], cwd=ROOT, capture_output=True, check=True
    )
    return time.perf_counter() - started, done.stdout


def phases(path: str) -> None:
    program = rubric_dsl.load(RUBRIC)
    with no_cyclic_gc():
        whole_tally, whole = cpu(lambda: program.tally(JsonLinesSource(path), compact=True))
        whole_finish, _card = cpu(lambda: program.finish(whole))
        whole = _card = None  # (freed before the ranges are tallied)
        (a, b), (c, d) = parallel.byte_ranges(os.path.getsize(path), 2, parallel.COMPACT_PARENT_SHARE)
        parent, first = cpu(lambda: program.tally(JsonLinesSource(path, byte_range=(a, b)), compact=True))
        worker, second = cpu(lambda: program.tally(JsonLinesSource(path, byte_range=(c, d)), compact=True))
        pickling, data = cpu(lambda: pickle.dumps(second, protocol=pickle.HIGHEST_PROTOCOL))
        unpickling, received = cpu(lambda: pickle.loads(data))
        merging, merged = cpu(lambda: first.merge(received, consume=True))
        finishing, _card = cpu(lambda: program.finish(merged))
    one = whole_tally + whole_finish
    path_length = max(parent, worker + pickling) + unpickling + merging + finishing
    print("phases, CPU seconds:")
    print(f"  one process: tally {whole_tally:.2f} + finish {whole_finish:.2f} = {one:.2f}")
    print(
        f"  --jobs 2: parent's range {parent:.2f}, worker's range {worker:.2f} + pickling {pickling:.2f} ({len(data) / 1e6:.0f} MB);"
        f" unpickling {unpickling:.2f}, merge {merging:.2f}, finish {finishing:.2f}"
    )
    print(f"  critical path with two free cores {path_length:.2f}: --jobs 2 is {one / path_length:.2f}x as fast as --jobs 1")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", help="a JSON Lines file of the info rubric's events (default: written here)")
    parser.add_argument("--events", type=int, default=5_000_000, help="events to write when no FILE is given")
    parser.add_argument("--repeat", type=int, default=2, help="best of N wall-clock runs")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = args.file
        if path is None:
            path = os.path.join(folder, "events.jsonl")
            units = [u.name for u in rubric_dsl.load(RUBRIC).rubric.units]
            with open(path, "w", encoding="utf-8") as out:
                for event in synthetic_events(args.events, [*units, "市信息產業局"]):
                    out.write(
                        json.dumps({k: (str(v) if isinstance(v, Decimal) else v) for k, v in event.items()}, ensure_ascii=False) + "\n"
                    )
        print(f"{path}: {os.path.getsize(path) / 1e6:.0f} MB, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
        best = {1: float("inf"), 2: float("inf")}
        outputs = {}
        for _ in range(args.repeat):
            for jobs in (1, 2):
                seconds, outputs[jobs] = wall(path, jobs)
                best[jobs] = min(best[jobs], seconds)
        assert outputs[1] == outputs[2], "--jobs 2 scored differently from --jobs 1"
        print(
            f"wall clock, best of {args.repeat}: --jobs 1 {best[1]:.2f} s, --jobs 2 {best[2]:.2f} s: {best[1] / best[2]:.2f}x (same table)"
        )
        phases(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
