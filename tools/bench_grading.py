"""Measure autograding throughput: the same batch of generated submissions, sequential vs parallel.

    python -m tools.bench_grading             # 20 copies of a complete vae submission, 1 then 2 workers
    python -m tools.bench_grading --count 40 --workers 1 2 4
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from tools import autograde
from tools.release import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "tests"))
from batch_fixtures import LAB, notebooks, write  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    _, complete = notebooks()
    with tempfile.TemporaryDirectory() as scratch:
        submissions = Path(scratch) / "submissions"
        for k in range(args.count):
            write(submissions, f"student-{k:03d}", complete)
        rates = {}
        for workers in args.workers:
            start = time.perf_counter()
            autograde.main([LAB, str(submissions), "--out", str(Path(scratch) / f"out-{workers}"), "--workers", str(workers)])
            rates[workers] = 60 * args.count / (time.perf_counter() - start)
    print(f"\n{args.count} complete {LAB} submissions, whole command timed (set-up included):")
    for workers, rate in rates.items():
        print(f"  {workers} worker(s): {rate:.1f} submissions per minute")


if __name__ == "__main__":
    main()
