"""What run_autograder runs: one submission, from Gradescope's folders to results.json, as named steps.

    python -m tools.grading.client.gradescope.run [--root /autograder] [--isolation auto|bubblewrap|user|none]

    protect the lab            source/lab/ (hidden tests), the metadata and the results: root's alone
    find the notebook          the one .ipynb uploaded (none, several or only other files: a message)
    read it                    submissions.read_notebook: empty, not text, not JSON, not a notebook
    check it is this lab's     submissions.which_lab
    rebuild it                 normalise.normalise: honest slips repaired, with notes (a Colab download too)
    review its code            review.review
    take the files beside it   submissions.handed_in_files
    time it                    Gradescope's created_at against the student's due date (lateness.assess)
    choose the isolation       isolation.choose: bubblewrap, a user without rights, or Gradescope's container
    grade it                   the worker's grade through tools.grading.worker, as for make autograde
                               (one submission: one kernel, launched, no cluster), with the smoke budget,
                               its threads and memory sized to the container (container.py)

These are the steps of `make autograde` for one submission (walk.py), with Gradescope's folders
instead of a submissions folder. A step that finds the submission unusable ends the walk with a
sentence for the student (0 points); a failure of the autograder itself is reported as such, with
its traceback in the instructor's log. results.json is always written.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from tools.grading import worker
from tools.grading.client.datasets import check_data
from tools.grading.client.gradescope import container
from tools.grading.client.gradescope.isolation import CHOICES, KERNEL_USER, Isolation, choose
from tools.grading.client.gradescope.lab_pack import LabPack
from tools.grading.client.gradescope.layout import GRADESCOPE_ROOT, Layout
from tools.grading.client.gradescope.metadata import read_metadata
from tools.grading.client.gradescope.results import graded_results, refused_results
from tools.grading.client.normalise import normalise
from tools.grading.client.review import review
from tools.grading.client.submissions import Submission, handed_in_files, read_notebook, which_lab
from tools.grading.lateness import UNKNOWN, Lateness, assess
from tools.grading.records import GradingResult, GradingTask, sentence
from tools.grading.settings import DEFAULTS, GradingSettings

STUDENT = "gradescope"                  # the student id inside the grader (Gradescope's names stay in its metadata)
SKIPPED = ("__MACOSX", ".ipynb_checkpoints")
NOTEBOOK_TIMEOUT = 480.0                # seconds: inside Gradescope's default autograder timeout (10 minutes)
AUTOGRADER_FAILED = ("The autograder failed on this submission, through no fault of yours (your instructor can see "
                     "the details). Submit again later, or tell your instructor.")


class Refused(Exception):
    """The submission cannot be graded; the message tells the student what to upload instead."""


@dataclass
class Run:
    """One run of the autograder: what each step finds, for the next."""

    layout: Layout
    pack: LabPack
    asked: str = "auto"
    kernel_user: str = KERNEL_USER
    notebook_timeout: float = NOTEBOOK_TIMEOUT
    started: float = field(default_factory=time.monotonic)
    submission: Submission = field(default_factory=lambda: Submission(STUDENT))
    notebook: nbformat.NotebookNode | None = None
    lateness: Lateness | None = None
    isolation: Isolation | None = None
    result: GradingResult | None = None

    @property
    def lab(self) -> str:
        return self.pack.bundle.lab


def protect_the_lab(run: Run) -> None:
    """Take every other user's access to the hidden tests, the metadata and the results."""
    for path, mode in ((run.layout.lab, 0o700), (run.layout.metadata, 0o600), (run.layout.results.parent, 0o700)):
        if path.exists():
            path.chmod(mode)


def find_the_notebook(run: Run) -> None:
    """The one notebook among the uploaded files."""
    folder = run.layout.submission
    uploaded = sorted(p for p in folder.rglob("*") if p.is_file() and not any(
        part.startswith(".") or part in SKIPPED for part in p.relative_to(folder).parts)) if folder.is_dir() else []
    notebooks = [p for p in uploaded if p.suffix.lower() == ".ipynb"]
    wanted = f"{run.lab}.ipynb"
    if not uploaded:
        raise Refused(f"The submission is empty: upload your {wanted} (in Colab: File > Download > Download .ipynb).")
    if not notebooks:
        names = ", ".join(p.name for p in uploaded[:4]) + (", ..." if len(uploaded) > 4 else "")
        raise Refused(f"The submission holds no notebook, only {names}: upload the notebook itself, {wanted} "
                      f"(in Colab: File > Download > Download .ipynb), not a script, a PDF or a zip of it.")
    if len(notebooks) > 1:
        names = ", ".join(str(p.relative_to(folder)) for p in notebooks)
        raise Refused(f"The submission holds {len(notebooks)} notebooks ({names}), so it is not clear which one to "
                      f"grade: submit again with only your {wanted}.")
    run.submission.path = notebooks[0]


def read_it(run: Run) -> None:
    """The notebook's JSON, or what is wrong with the file."""
    try:
        run.notebook = read_notebook(run.submission)
    except OSError as error:
        raise Refused(f"{run.submission.path.name} cannot be read ({error.strerror or error}): upload it again.") from None
    if run.notebook is None:
        raise Refused(f"{run.submission.path.name} cannot be graded: {run.submission.problem}. Upload the notebook "
                      f"as saved by JupyterLab or downloaded from Colab ({run.lab}.ipynb).")


def check_it_is_this_labs(run: Run) -> None:
    """Another lab's notebook, or something else, is refused with what it is."""
    problem = which_lab(run.notebook, run.lab, run.pack.release, run.pack.other_labs)
    if problem is not None:
        raise Refused(f"{sentence(problem)} Upload your {run.lab}.ipynb to this assignment.")


def rebuild_it(run: Run) -> None:
    """The notebook to grade, built from the release and the student's work (repairs become notes)."""
    try:
        run.notebook, repairs = normalise(run.notebook, run.pack.release)
    except Exception as error:  # noqa: BLE001 -- a notebook too broken to rebuild is refused, not a crash
        raise Refused(f"The notebook could not be matched to the {run.lab} lab ({type(error).__name__}: {error}); "
                      f"download it again and resubmit.") from None
    run.submission.notes += repairs


def review_its_code(run: Run) -> None:
    run.submission.notes += review(run.notebook, run.pack.release)


def take_the_files_beside_it(run: Run) -> None:
    handed_in_files(run.submission)


def time_it(run: Run) -> None:
    """How late it was handed in: Gradescope's time against the student's due date (Gradescope's, else the course's)."""
    metadata = read_metadata(run.layout.metadata)
    run.lateness = assess(run.pack.deadline, metadata.names, metadata.submitted, metadata.problem, metadata.due)
    if run.lateness is not None and run.lateness.status == UNKNOWN:
        run.submission.notes.append(run.lateness.sentence())


def choose_the_isolation(run: Run) -> None:
    run.isolation = choose(run.asked, run.kernel_user)


def grade_it(run: Run) -> None:
    """The worker's grading of one submission, as make autograde's workers do it."""
    base = GradingSettings(notebook_timeout=run.notebook_timeout, prestart=False, threads=container.cores(),
                           memory_gb=container.kernel_memory_gb(DEFAULTS.memory_gb), data_root=data_root(run.layout))
    settings = run.isolation.settings(base, run.kernel_user)
    check_data(settings.datasets)
    task = GradingTask(STUDENT, nbformat.writes(run.notebook), run.submission.digest, tuple(run.submission.notes),
                       settings, run.submission.files, run.lateness, feedback_page=False)
    run.result = worker.grade_on_worker(task, run.pack.bundle, {})


STEPS = (protect_the_lab, find_the_notebook, read_it, check_it_is_this_labs, rebuild_it, review_its_code,
         take_the_files_beside_it, time_it, choose_the_isolation, grade_it)


def data_root(layout: Layout) -> str:
    """The datasets: $COURSE_DATA_ROOT when run_autograder sets it, else data/ under the root (setup.sh's)."""
    return os.environ.get("COURSE_DATA_ROOT", "").strip() or str(layout.data)


def autograde(layout: Layout, asked: str = "auto", kernel_user: str = KERNEL_USER,
              notebook_timeout: float = NOTEBOOK_TIMEOUT) -> dict:
    """Grade the submission under `layout` and write results.json; the results."""
    started = time.monotonic()
    try:
        pack = LabPack.read(layout.lab)
    except Exception:  # noqa: BLE001 -- a damaged zip: the student still gets a result that says so
        traceback.print_exc(file=sys.stdout)
        results = refused_results(AUTOGRADER_FAILED, None, time.monotonic() - started, "")
        write_results(layout, results)
        return results
    run = Run(layout, pack, asked, kernel_user, notebook_timeout, started)
    try:
        for step in STEPS:
            step(run)
        results = graded_results(run.result, run.pack, run.isolation, time.monotonic() - run.started,
                                 list(run.result.notes))
    except Refused as refusal:
        results = refused_results(str(refusal), run.isolation, time.monotonic() - run.started, run.lab)
    except Exception:  # noqa: BLE001 -- the autograder's own failure still gives the student a result
        traceback.print_exc(file=sys.stdout)
        results = refused_results(AUTOGRADER_FAILED, run.isolation, time.monotonic() - run.started, run.lab)
    write_results(layout, results)
    report(run, results)
    return results


def write_results(layout: Layout, results: dict) -> None:
    """results.json, written whole (a reader never sees half a file)."""
    layout.results.parent.mkdir(parents=True, exist_ok=True)
    partial = layout.results.with_name(".results.json.partial")
    partial.write_text(json.dumps(results, indent=1) + "\n")
    os.replace(partial, layout.results)


def report(run: Run, results: dict) -> None:
    """The instructor's log (Gradescope shows run_autograder's output to instructors only)."""
    print(f"{run.lab}: score {results['score']:g}; isolation: "
          f"{run.isolation.description if run.isolation else 'none chosen (nothing was run)'}")
    if run.lateness is not None:
        print(f"handed in: {run.lateness.label}; penalty {results['extra_data']['late_penalty']:g}")
    for note in run.result.notes if run.result is not None else run.submission.notes:
        print(f"note: {note}")
    if run.result is not None and run.result.log:
        print("nbgrader's log:\n" + run.result.log[-4000:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="run_autograder", description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, default=GRADESCOPE_ROOT,
                        help=f"the folder Gradescope's layout is under (default: {GRADESCOPE_ROOT})")
    parser.add_argument("--isolation", choices=CHOICES, default="auto",
                        help="where the kernel runs (default auto: bubblewrap if it works, else a user without "
                             "rights, else Gradescope's container alone)")
    parser.add_argument("--kernel-user", default=KERNEL_USER,
                        help=f"the user kernels run as without bubblewrap (default: {KERNEL_USER}, made by setup.sh)")
    parser.add_argument("--notebook-timeout", type=float, default=NOTEBOOK_TIMEOUT,
                        help=f"seconds for the whole notebook (default: {NOTEBOOK_TIMEOUT:g}; keep it under the "
                             f"assignment's autograder timeout on Gradescope)")
    args = parser.parse_args(argv)
    autograde(Layout(args.root), args.isolation, args.kernel_user, args.notebook_timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
