"""Wall time of `python -m rubric_dsl check rubrics/`, interpreter start included, against a bare interpreter start.

python bench/bench_check.py [--runs 10]
"""

import argparse
import pathlib
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent


def wall(command, runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args(argv)
    subprocess.run([sys.executable, "-m", "rubric_dsl", "check", "rubrics"], cwd=ROOT, capture_output=True)  # warm the cache
    bare = wall([sys.executable, "-c", "pass"], args.runs)
    check = wall([sys.executable, "-m", "rubric_dsl", "check", "rubrics"], args.runs)
    print(f"median of {args.runs} runs")
    print(f"  python -c pass                          {bare * 1000:7.1f} ms   1.00x")
    print(f"  python -m rubric_dsl check rubrics/     {check * 1000:7.1f} ms   {check / bare:.2f}x   (goal: under 300 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
