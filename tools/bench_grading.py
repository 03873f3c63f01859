"""Measure grading throughput and where one submission's time goes.

    python -m tools.bench_grading                   # 20 complete vae submissions, 1 then 2 workers
    python -m tools.bench_grading --count 40 --workers 1 2 4 --cluster

For each worker count it grades the same generated class twice over: the whole command as an
instructor runs it (the grader starts its own local Dask cluster), and, with --cluster, through a
cluster started beforehand and reached by its address (what `--scheduler` does). It prints
submissions per minute for the whole command and for the grading phase alone, and the average
time of one submission's stages (kernel start, the notebook's cells, nbgrader's own work, the
feedback page).
"""
from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path
from statistics import mean

import nbformat

from tools import course
from tools.grading import worker
from tools.grading.client.batch import BatchOptions, check_data, grade_batch
from tools.grading.settings import GradingSettings
from tools.labcode import complete_submission
from tools.results import write_record

STAGES = ("kernel start", "cells", "nbgrader", "feedback")


def make_class(folder: Path, lab: str, count: int) -> None:
    """`count` copies of the complete submission of `lab`, one folder per student."""
    _, complete = complete_submission(lab)
    for k in range(count):
        path = folder / f"student-{k:03d}" / f"{lab}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(complete, path)


def breakdown(outcome) -> dict[str, float]:
    """Average seconds per stage of one submission (nbgrader = its autograde work besides the kernel)."""
    results = [r for r in outcome.results.values() if r.timings]
    if not results:
        return {}
    stages = {
        "kernel start": mean(r.timings.get("kernel start", 0.0) for r in results),
        "cells": mean(r.timings.get("cells", 0.0) for r in results),
        "nbgrader": mean(r.timings.get("autograde", 0.0) - r.timings.get("kernel start", 0.0)
                         - r.timings.get("cells", 0.0) + r.timings.get("read grades", 0.0) for r in results),
        "feedback": mean(r.timings.get("feedback", 0.0) for r in results),
    }
    stages["whole submission"] = mean(r.seconds for r in results)
    return stages


def run_once(lab: str, submissions: Path, out: Path, workers: int, scheduler: str | None) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    outcome = grade_batch(lab, submissions, out, GradingSettings(),
                          BatchOptions(workers=workers, scheduler=scheduler, show_progress=False))
    whole = time.perf_counter() - start
    graded = sum(r.status == "graded" for r in outcome.results.values())
    return {"whole": 60 * graded / whole, "grading": 60 * graded / max(outcome.grading_seconds, 1e-9),
            "graded": graded, "stages": breakdown(outcome)}


@course.command("bench-grading")
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lab", default="vae", help="the lab whose complete submissions are graded (default: vae)")
    parser.add_argument("--count", type=int, default=20, help="submissions in the generated class (default: 20)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2],
                        help="worker counts to measure, one run each (default: 1 2)")
    parser.add_argument("--cluster", action="store_true", help="also grade through a separately started cluster")
    args = parser.parse_args(argv)
    try:
        course.check_labs([args.lab])
    except course.UnknownLabError as error:
        parser.error(str(error))
    if args.count < 1 or min(args.workers) < 1:
        parser.error("--count and every --workers value must be at least 1")
    worker.check_sandbox()                  # stop before generating anything when grading cannot run here
    check_data(GradingSettings().datasets)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as scratch:
        submissions = Path(scratch) / "submissions"
        make_class(submissions, args.lab, args.count)
        for workers in args.workers:
            rows.append((workers, "grader's own local cluster",
                         run_once(args.lab, submissions, Path(scratch) / "out", workers, None)))
            if args.cluster:
                from distributed import LocalCluster
                with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, memory_limit=0,
                                  dashboard_address=None, silence_logs=logging.ERROR) as cluster:
                    rows.append((workers, f"running cluster at {cluster.scheduler_address}",
                                 run_once(args.lab, submissions, Path(scratch) / "out", workers,
                                          cluster.scheduler_address)))
    print(f"\n{args.count} complete {args.lab} submissions, sandboxed kernels:")
    print(f"{'workers':>8}  {'path':<40} {'whole command':>14} {'grading phase':>14}   (submissions per minute)")
    for workers, path, row in rows:
        print(f"{workers:>8}  {path:<40} {row['whole']:>14.1f} {row['grading']:>14.1f}")
    print("\nwhere one submission's time goes (seconds, average):")
    for workers, path, row in rows:
        stages = "  ".join(f"{name} {seconds:.2f}" for name, seconds in row["stages"].items())
        print(f"  {workers} worker(s), {path}: {stages}")
    write_record("grading", {
        "class": f"{args.count} complete {args.lab} submissions, sandboxed kernels",
        "submissions per minute (whole command / grading phase)": [
            {"workers": workers, "path": path.split(" at ")[0], "whole command": round(row["whole"], 1),
             "grading phase": round(row["grading"], 1)} for workers, path, row in rows],
        "seconds per submission by stage": [
            {"workers": workers, "path": path.split(" at ")[0], **{k: round(v, 2) for k, v in row["stages"].items()}}
            for workers, path, row in rows]})
    return 0


if __name__ == "__main__":
    sys.exit(main())
