"""Grade one submission: nbgrader's autograde and feedback, in this process, in a scratch course.

This is the task a worker runs (locally or on a cluster node). It needs the course bundle (the
release's gradebook) and the task (the normalised notebook); it touches nothing but its own
scratch folder, and returns everything it produced, so that the client alone writes results.
"""
from __future__ import annotations

import html
import io
import json
import logging
import socket
import tempfile
import time
import warnings
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory
from nbgrader.converters import Autograde, GenerateFeedback
from traitlets.config import Config, PyFileConfigLoader

from tools.grading.fork_server import FORK_SERVERS
from tools.grading.kernel_process import KernelPlan, default_data_root, remove_tree
from tools.grading.kernel_boot import TAMPER_ERROR
from tools.grading.models import ERROR, GRADED, CourseBundle, GradingResult, GradingTask
from tools.grading.preprocessors import INTEGRITY_ERROR, STOPPED_ERROR, is_test_cell

GRADING_CONFIG = Path(__file__).resolve().parent / "grading_config.py"
LOG_FORMAT = "[%(levelname)s] %(message)s"


def grading_config(bundle: CourseBundle, task: GradingTask, scratch: Path) -> Config:
    """The committed grading configuration plus this submission's values."""
    config = PyFileConfigLoader(GRADING_CONFIG.name, path=str(GRADING_CONFIG.parent)).load_config()
    settings = task.settings
    overrides = Config()
    overrides.CourseDirectory.root = str(scratch)
    overrides.CourseDirectory.course_id = bundle.course_id
    overrides.Execute.timeout = int(settings.cell_timeout)
    overrides.GradingExecute.timings_file = str(scratch / "timings.json")
    overrides.GuardTestCells.aliases = dict(bundle.aliases)
    overrides.GradingKernelManager.sandboxed = settings.sandboxed
    overrides.GradingKernelManager.prestart = settings.prestart
    overrides.GradingKernelManager.time_limit = float(settings.notebook_timeout)
    overrides.GradingKernelManager.memory_bytes = int(settings.memory_gb * 2**30)
    overrides.GradingKernelManager.disk_bytes = int(settings.disk_gb * 2**30)
    overrides.GradingKernelManager.threads = settings.threads
    overrides.GradingKernelManager.data_root = settings.data_root or default_data_root()
    config.merge(overrides)
    return config


def kernel_plan(settings) -> "KernelPlan":
    """How this worker starts kernels for `settings` (the same plan a GradingKernelManager computes)."""
    return KernelPlan(sandboxed=settings.sandboxed, threads=settings.threads,
                      data_root=settings.data_root or default_data_root(), extra_read_only=(), preload=(),
                      disk_bytes=int(settings.disk_gb * 2**30))


def start_fork_server(settings) -> None:
    """Start this worker's fork server (its kernels' imports) ahead of its first submission."""
    FORK_SERVERS.warm(kernel_plan(settings))


def notes_from(autograded: nbformat.NotebookNode) -> list[str]:
    """One sentence per cell that the grader stopped, interrupted, or found tampered with."""
    notes, stopped = [], False
    for index, cell in enumerate(autograded.cells):
        where = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or cell.get("id") or f"#{index + 1}"
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            name, value = output.get("ename"), str(output.get("evalue", "")).rstrip(".")
            if name in (TAMPER_ERROR, INTEGRITY_ERROR):
                notes.append(value[:1].upper() + value[1:] + ".")
            elif name == STOPPED_ERROR and not stopped:
                stopped = True
                notes.append(f"In cell {where}, {value}; the cells after it were not run.")
            elif name == "CellTimeoutError":
                notes.append(f"Cell {where} ran longer than the time allowed per cell and was interrupted.")
    return notes


def feedback_with_notes(page: str, notes: list[str]) -> str:
    """nbgrader's feedback page with the grader's notes at the top."""
    if not notes:
        return page
    items = "".join(f"<li>{html.escape(note)}</li>" for note in notes)
    block = (f'<div class="grader-notes" style="border:1px solid #d0a000;background:#fff8e0;padding:0.5em 1em;'
             f'margin:1em 0"><strong>Notes from the grader</strong><ul>{items}</ul></div>')
    marker = page.find("<body")
    if marker < 0:
        return block + page
    end = page.find(">", marker) + 1
    return page[:end] + block + page[end:]


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
        submitted = scratch / "submitted" / student / lab / f"{lab}.ipynb"
        submitted.parent.mkdir(parents=True)
        submitted.write_text(task.notebook)
        config = grading_config(bundle, task, scratch)
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
        with Gradebook(f"sqlite:///{scratch / 'gradebook.db'}") as gradebook:
            notebook = gradebook.find_submission_notebook(lab, lab, student)
            scores = {g.name: (None if g.auto_score is None and g.manual_score is None
                               else float(g.manual_score if g.manual_score is not None else g.auto_score))
                      for g in notebook.grades}
        autograded_nb = nbformat.read(graded_path, as_version=4)
        notes = [*task.notes, *notes_from(autograded_nb)]
        timings["read grades"] = time.monotonic() - mark

        mark = time.monotonic()
        feedback_config = Config(config)
        feedback_config.HTMLExporter.template_name = "feedback"
        feedback_failure = _run(GenerateFeedback(coursedir=coursedir, config=feedback_config), log)
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


def test_cells(nb: nbformat.NotebookNode) -> list[str]:
    """Grade ids of the autograded test cells of a notebook, in order."""
    return [cell.metadata.nbgrader["grade_id"] for cell in nb.cells if is_test_cell(cell)]
