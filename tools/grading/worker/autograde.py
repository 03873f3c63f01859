"""Grade one submission: nbgrader's autograde and feedback, in this process, in a scratch course.

This is what a worker does with a task (locally or on a cluster node), as named steps:

    lay out        the submission in nbgrader's layout in a scratch course with the release's gradebook
    autograde      nbgrader's autograde with the grading pipeline (pipeline.py), its log captured
    read scores    the scores autograde wrote (scores.autograded_scores) and the grader's notes
    feedback       nbgrader's feedback page (feedback.py), with the notes on top

It touches nothing but its own scratch folder, and returns everything it produced, so that the
client alone writes results.
"""
from __future__ import annotations

import io
import json
import logging
import os
import socket
import tempfile
import time
import warnings
from pathlib import Path

import nbformat
from nbgrader.coursedir import CourseDirectory
from nbgrader.converters import Autograde, GenerateFeedback

from tools.grading.records import ERROR, GRADED, CourseBundle, GradingResult, GradingTask
from tools.grading.scores import autograded_scores, open_gradebook
from tools.grading.worker.kernel_launch import remove_tree
from tools.grading.worker.notes import feedback_with_notes, notes_from
from tools.grading.worker.pipeline import grading_config

LOG_FORMAT = "[%(levelname)s] %(message)s"


def write_submission(scratch: Path, bundle: CourseBundle, task: GradingTask) -> Path:
    """The submission in nbgrader's layout in the scratch course: the notebook and the files handed in with it."""
    folder = scratch / "submitted" / task.student / bundle.lab
    folder.mkdir(parents=True)
    for name, content in task.files:
        target = (folder / name).resolve()
        if folder.resolve() not in target.parents:
            continue                    # a path that would leave the folder (never made by submissions.py)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    notebook = folder / f"{bundle.lab}.ipynb"
    notebook.write_text(task.notebook)
    return notebook


def _run(app, log_buffer: io.StringIO) -> str | None:
    """Start an nbgrader converter with its log captured; return an error summary or None."""
    handler = logging.StreamHandler(log_buffer)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    level = app.log.level
    app.log.addHandler(handler)
    app.log.setLevel(logging.INFO)
    try:
        app.start()
        return None
    except Exception as error:  # nbgrader raises NbGraderException and others; the log holds the details
        return f"{type(error).__name__}: {error}"
    finally:
        app.log.removeHandler(handler)
        app.log.setLevel(level)


def grade(task: GradingTask, bundle: CourseBundle) -> GradingResult:
    """Autograde `task` against `bundle` and generate its feedback; never raises for a bad submission."""
    warnings.filterwarnings("ignore", module="nbgrader")      # sqlalchemy's notes on nbgrader's sessions
    started = time.monotonic()
    lab, student = bundle.lab, task.student
    scratch = Path(tempfile.mkdtemp(prefix=f"grading-{student}-"))
    log = io.StringIO()
    timings: dict[str, float] = {}
    try:
        (scratch / "gradebook.db").write_bytes(bundle.gradebook)
        (scratch / "source" / lab).mkdir(parents=True)
        write_submission(scratch, bundle, task)
        config = grading_config(bundle, task, scratch, token_key=os.urandom(32).hex())
        coursedir = CourseDirectory(config=config, root=str(scratch), assignment_id=lab, student_id=student)
        timings["setup"] = time.monotonic() - started

        mark = time.monotonic()
        autograde = Autograde(coursedir=coursedir, config=config)
        autograde.force, autograde.create_student = True, True
        failure = _run(autograde, log)
        timings["autograde"] = time.monotonic() - mark
        if (scratch / "timings.json").exists():
            executed = json.loads((scratch / "timings.json").read_text())
            timings["kernel start"] = executed.get("kernel start", 0.0)
            timings["cells"] = sum(executed.get("cells", {}).values())
            slowest = sorted(executed.get("cells", {}).items(), key=lambda item: -item[1])[:3]
            timings.update({f"cell {cell_id}": seconds for cell_id, seconds in slowest})
        graded_path = scratch / "autograded" / student / lab / f"{lab}.ipynb"
        if failure is not None or not graded_path.exists():
            reason = _failure_sentence(log.getvalue())
            return GradingResult(student, ERROR, {}, [*task.notes, reason], task.digest,
                                 time.monotonic() - started, log=log.getvalue(), timings=timings,
                                 worker=socket.gethostname())

        mark = time.monotonic()
        with open_gradebook(scratch / "gradebook.db") as gradebook:
            scores = autograded_scores(gradebook, lab, student)
        autograded_nb = nbformat.read(graded_path, as_version=4)
        notes = [*task.notes, *notes_from(autograded_nb)]
        timings["read grades"] = time.monotonic() - mark

        mark = time.monotonic()
        feedback_failure = _run(GenerateFeedback(coursedir=coursedir, config=config), log)
        feedback_path = scratch / "feedback" / student / lab / f"{lab}.html"
        feedback = feedback_with_notes(feedback_path.read_text(), notes) if feedback_path.exists() else None
        if feedback_failure is not None:
            notes.append("The feedback page could not be made; the grades stand (see the log).")
        timings["feedback"] = time.monotonic() - mark
        return GradingResult(student, GRADED, scores, notes, task.digest, time.monotonic() - started,
                             autograded=graded_path.read_text(), feedback=feedback, log=log.getvalue(),
                             timings=timings, worker=socket.gethostname())
    finally:
        remove_tree(scratch)


def _failure_sentence(log: str) -> str:
    """One sentence for a submission nbgrader could not grade (the details stay in its log file)."""
    if "metadata may be corrupted" in log or "SchemaTooOld" in log:
        return "nbgrader could not read the notebook's grading metadata, so it was not graded (see the log)."
    if "Kernel died" in log or "DeadKernelError" in log:
        return "The kernel could not be started or died before grading began, so it was not graded (see the log)."
    return "nbgrader could not grade this notebook, so it scores 0 until resubmitted (see the log)."
