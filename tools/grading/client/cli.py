"""The grading command line: parse the arguments, run the batch, set the exit code.

    python -m tools.grading LAB SUBMISSIONS [--out DIR] [--workers N | --scheduler tcp://host:8786]
        [--cell-timeout S] [--notebook-timeout S] [--memory-gb G] [--disk-gb G] [--force] [--no-sandbox]

(`make autograde LAB=vae SUBMISSIONS=path [WORKERS=2] [SCHEDULER=tcp://...]` runs it.)
SUBMISSIONS holds one folder per student with `<lab>.ipynb` in it, or nbgrader's collected layout
`<student>/<lab>/<lab>.ipynb`. Results go to OUT (default grading/<lab>/): see outputs.py.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tools import course
from tools.grading.client.batch import BatchOptions, grade_batch
from tools.grading.settings import DEFAULTS, GradingSettings, describe


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tools.grading", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("lab", help=f"the lab to grade ({', '.join(course.lab_names())})")
    parser.add_argument("submissions", type=Path, help="folder with one folder per student")
    parser.add_argument("--out", type=Path, default=None, help="results folder (default: grading/<lab>)")
    batch = BatchOptions()
    parser.add_argument("--workers", type=int, default=batch.workers,
                        help=f"worker processes of the local cluster (default: one per core, at most 4: {batch.workers})")
    parser.add_argument("--scheduler", default=None, help="address of a running Dask scheduler, e.g. tcp://host:8786")
    parser.add_argument("--retries", type=int, default=batch.retries,
                        help=f"times a submission moves on when its worker dies (default: {batch.retries})")
    parser.add_argument("--cell-timeout", type=float, default=DEFAULTS.cell_timeout,
                        help=f"seconds per cell before it is interrupted (default: {describe('cell_timeout')})")
    parser.add_argument("--notebook-timeout", type=float, default=DEFAULTS.notebook_timeout,
                        help=f"seconds per submission in all (default: {describe('notebook_timeout')})")
    parser.add_argument("--memory-gb", type=float, default=DEFAULTS.memory_gb,
                        help=f"memory per submission before it is stopped (default: {describe('memory_gb')})")
    parser.add_argument("--disk-gb", type=float, default=DEFAULTS.disk_gb,
                        help=f"files a submission may write before it is stopped (default: {describe('disk_gb')})")
    parser.add_argument("--force", action="store_true", help="regrade unchanged submissions too")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="run kernels without bubblewrap (only for trusted submissions; files are checked instead)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar (for logs)")
    parser.add_argument("--course-dir", type=Path, default=course.REPO_ROOT,
                        help="nbgrader course directory that receives the grades (gradebook.db, autograded/) for "
                             "formgrader and nbgrader's feedback commands (default: this repository)")
    parser.add_argument("--no-gradebook", action="store_true", help="do not write into the course's gradebook")
    return parser


@course.command("grading")
def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        course.check_labs([args.lab])
    except course.UnknownLabError as error:
        parser.error(str(error))
    if not args.submissions.is_dir():
        parser.error(f"{args.submissions} is not a folder; it should hold one folder per student with "
                     f"{args.lab}.ipynb inside")
    if args.workers < 1 or args.retries < 0:
        parser.error("--workers must be at least 1 and --retries at least 0")
    try:
        settings = GradingSettings(cell_timeout=args.cell_timeout, notebook_timeout=args.notebook_timeout,
                                   memory_gb=args.memory_gb, disk_gb=args.disk_gb, sandboxed=not args.no_sandbox)
    except ValueError as error:
        parser.error(f"--cell-timeout, --notebook-timeout, --memory-gb and --disk-gb must be positive ({error})")
    if not args.no_gradebook and not (args.course_dir / "nbgrader_config.py").is_file():
        parser.error(f"{args.course_dir} is not an nbgrader course directory (no nbgrader_config.py); "
                     f"give --course-dir, or --no-gradebook")
    options = BatchOptions(workers=args.workers, scheduler=args.scheduler, retries=args.retries, force=args.force,
                           show_progress=not args.no_progress and sys.stderr.isatty(),
                           course_dir=None if args.no_gradebook else args.course_dir.resolve())
    out = args.out or course.REPO_ROOT / "grading" / args.lab
    outcome = grade_batch(args.lab, args.submissions, out, settings, options)
    if outcome.interrupted:
        return 130
    return 0 if outcome.results else 1
