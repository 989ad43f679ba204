"""Peak resident memory per event of `rubric score`, above an empty run's, from a JSON Lines file.

    python bench/bench_memory.py [--events 1000000] [--jobs 1]

Each command runs in its own process (peak RSS from the kernel: VmHWM): `score` (table),
`score --format json` (default provenance: items) and `score --format json --provenance events`.
The baseline is the same command on an empty file (interpreter, libraries and the compiled rubric).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
from decimal import Decimal

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from bench_score import synthetic_events  # noqa: E402

RUBRIC = str(ROOT / "rubrics" / "2009_info.rubric")
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec, so a child of
# this (large) benchmark process would start from the parent's size; VmHWM belongs to the new address space.
RUN = (
    "import sys, time\n"
    "from rubric_dsl.cli import main\n"
    "started = time.perf_counter()\n"
    "status = main(sys.argv[1:])\n"
    "hwm = next(line.split()[1] for line in open('/proc/self/status') if line.startswith('VmHWM:'))\n"
    "sys.stderr.write(f'\\nPEAK {hwm} {time.perf_counter() - started}\\n')\n"
    "sys.exit(status)\n"
)


def peak(argv: list[str]) -> tuple[int, float]:
    """(peak RSS in bytes, seconds) of one `rubric` command in a fresh process; output goes to /dev/null."""
    result = subprocess.run([sys.executable, "-c", RUN, *argv], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    line = [x for x in result.stderr.splitlines() if x.startswith("PEAK ")][-1]
    kib, seconds = line.split()[1:]
    return int(kib) * 1024, float(seconds)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args(argv)
    import rubric_dsl

    units = [u.name for u in rubric_dsl.load(RUBRIC).rubric.units]
    with tempfile.TemporaryDirectory() as folder:
        path, empty = os.path.join(folder, "events.jsonl"), os.path.join(folder, "empty.jsonl")
        pathlib.Path(empty).write_text("", encoding="utf-8")
        with open(path, "w", encoding="utf-8") as out:
            for event in synthetic_events(args.events, [*units, "市信息產業局"]):
                out.write(json.dumps({k: (str(v) if isinstance(v, Decimal) else v) for k, v in event.items()}, ensure_ascii=False) + "\n")
        print(
            f"{args.events:,} events ({os.path.getsize(path) / 1e6:.0f} MB of JSON Lines), --jobs {args.jobs}; peak RSS above an empty run's"
        )
        for label, extra in (
            ("score (table)", []),
            ("score --format json", ["--format", "json"]),
            ("score --format json --provenance events", ["--format", "json", "--provenance", "events"]),
        ):
            base, _ = peak(["score", RUBRIC, empty, *extra])
            full, seconds = peak(["score", RUBRIC, path, "--jobs", str(args.jobs), *extra])
            print(
                f"  {label:<42} {(full - base) / args.events:>7.0f} bytes/event   ({full / 2**20:,.0f} MiB peak, {base / 2**20:,.0f} MiB empty; {seconds:.1f} s)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
