"""Grade a class: find and check the submissions, grade the new ones on the cluster, keep the results.

    find submissions -> read, identify, normalise, review -> grade (cluster workers, sandboxed kernels)
                     -> results folder (grades.csv, feedback, notebooks, logs, manifest, history)

`Batch.run` is that pipeline, one method per step; `grade_batch` runs it. Everything here runs on
the client: it reaches the workers only through `tools.grading.worker`'s functions (walk.py follows
one submission through every step).
"""
from __future__ import annotations

import ast
import datetime as dt
import importlib.util
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from tqdm import tqdm

from tools import cells, course
from tools.grading import worker
from tools.grading.client import executor
from tools.grading.client.gradebook import CourseGradebook
from tools.grading.client.normalise import normalise
from tools.grading.client.outputs import Columns, ResultStore, summarise, write_atomically
from tools.grading.client.protect import FileGuard
from tools.grading.client.review import review
from tools.grading.client.submissions import Submission, find_submissions, handed_in_files, read_notebook, which_lab
from tools.grading.exploration import exploration_cells
from tools.grading.records import ERROR, UNCHANGED, CourseBundle, GradingResult, GradingTask, sentence
from tools.grading.settings import GradingSettings


def default_workers() -> int:
    """Worker processes of a local cluster when none are asked for: one per core, at most 4."""
    return max(1, min(4, os.cpu_count() or 1))


@dataclass(frozen=True)
class BatchOptions:
    """How a batch runs: where, how parallel, and whether unchanged submissions are graded again."""

    workers: int = field(default_factory=default_workers)
    scheduler: str | None = None        # tcp://host:8786 of a running Dask cluster; None: a local one
    retries: int = 2                    # times a submission is moved to another worker when one dies
    force: bool = False
    show_progress: bool = True
    course_dir: Path | None = None      # nbgrader course directory to publish results into (formgrader, feedback)


@dataclass
class BatchOutcome:
    results: dict[str, GradingResult]
    summary: str
    interrupted: bool = False
    grading_seconds: float = 0.0


class DataUnavailable(course.CourseError):
    """The datasets the labs read are missing on the grading machine; the message says how to fix it."""


def module_aliases(release_nb: nbformat.NotebookNode) -> dict[str, str]:
    """Names the lab's import statements bind to modules (`F` -> torch.nn.functional, `cu` -> course_utils)."""
    aliases = {}
    for cell in release_nb.cells:
        if cell.cell_type != "code" or cells.nbgrader_metadata(cell):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    aliases[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else alias.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    if _is_module(node.module) and _is_module(full):
                        aliases[alias.asname or alias.name] = full
    return aliases


def _is_module(name: str) -> bool:
    """Whether `name` (a.b.c) is a module, found on disk without importing anything (torch takes seconds)."""
    top, *rest = name.split(".")
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return False
    if spec is None or not rest:
        return spec is not None
    for location in spec.submodule_search_locations or []:
        path = Path(location).joinpath(*rest)
        if (path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()
                or any(path.parent.glob(f"{path.name}.*.so"))):
            return True
    return False


def prepare_course(lab: str, workdir: Path) -> tuple[CourseBundle, nbformat.NotebookNode]:
    """Release the lab in a scratch course (never in this repository): the bundle every worker gets, and the
    released notebook."""
    master = course.make_course_copy(workdir / "course", [lab])
    release_nb = nbformat.read(course.release(master, lab) / f"{lab}.ipynb", as_version=4)
    bundle = CourseBundle(lab=lab, course_id=course.course_id(master), gradebook=(master / "gradebook.db").read_bytes(),
                          points=cells.graded_points(release_nb), manual=cells.written_answers(release_nb),
                          aliases=module_aliases(release_nb), exploration=exploration_cells(release_nb))
    return bundle, release_nb


def other_labs_ids(lab: str) -> dict[str, set[str]]:
    """Grade ids of the other labs' student notebooks (to recognise a submission of the wrong lab)."""
    return {other: set(cells.by_grade_id(nbformat.read(course.student_notebook(other), as_version=4).cells))
            for other in course.lab_names() if other != lab}


def inspect(submissions: list[Submission], lab: str, release_nb: nbformat.NotebookNode) -> None:
    """Read, identify, normalise and review each submission, and take the files beside it (cheap; on the client)."""
    others = other_labs_ids(lab)
    for submission in submissions:
        if submission.problem is not None:
            continue
        nb = read_notebook(submission)
        if nb is None:
            continue
        submission.problem = which_lab(nb, lab, release_nb, others)
        if submission.problem is not None:
            continue
        try:
            normalised, repairs = normalise(nb, release_nb)
        except Exception as error:  # noqa: BLE001 -- a notebook too broken to rebuild is reported, not fatal
            submission.problem = f"the notebook could not be matched to the lab ({type(error).__name__}: {error})"
            continue
        submission.notebook = normalised
        submission.notes += repairs + review(normalised, release_nb)
        handed_in_files(submission)


def check_data(root: str) -> None:
    """Stop with a clear message if the datasets are not where the kernels will look (they have no network)."""
    missing = [f"{folder}/raw/{name}" for folder in ("MNIST", "FashionMNIST")
               for name in ("train-images-idx3-ubyte", "t10k-images-idx3-ubyte") if not (Path(root) / folder / "raw" / name).exists()]
    if missing:
        raise DataUnavailable(
            f"the datasets are not under {root} (missing {', '.join(missing)}); grading kernels have no network, so "
            f"they must be on disk: set COURSE_DATA_ROOT to a folder laid out as torchvision keeps them, or download "
            f"them once with `make data`")


class Batch:
    """One grading run of `lab` over a submissions folder into a results folder."""

    def __init__(self, lab: str, submissions_dir: Path, out: Path, settings: GradingSettings,
                 options: BatchOptions) -> None:
        self.lab, self.submissions_dir, self.out = lab, submissions_dir, out
        self.settings, self.options = settings, options
        self.run_id = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        self.results: dict[str, GradingResult] = {}
        self.tasks: list[GradingTask] = []
        self.folders: dict[str, Path] = {}

    # -- the pipeline ------------------------------------------------------------------------------

    def run(self) -> BatchOutcome:
        """Check the machine, release the lab, start the cluster, inspect and plan, grade, report."""
        self.check_machine()
        self.release()
        self.open_course_gradebook()
        cluster = executor.Cluster(self.options.workers, self.options.scheduler, self.options.retries,
                                   warm_up=self.settings).start()
        try:
            self.inspect_submissions()
            self.plan()
            interrupted, elapsed = self.grade(cluster)
        finally:
            cluster.close()
        return self.report(interrupted, elapsed)

    def check_machine(self) -> None:
        """Stop with the fix when the sandbox or the datasets are missing."""
        if self.settings.sandboxed:
            worker.check_sandbox()
        check_data(self.settings.datasets)

    def release(self) -> None:
        """Release the lab in a scratch course. nbgrader changes this process's working folder while it
        releases, so this happens before the cluster's thread starts worker processes."""
        with tempfile.TemporaryDirectory(prefix="grading-course-") as workdir:
            self.bundle, self.release_nb = prepare_course(self.lab, Path(workdir))
        self.columns = Columns(points=self.bundle.points, manual=self.bundle.manual)
        self.store = ResultStore(self.out, self.lab, self.columns, self.run_id)

    def open_course_gradebook(self) -> None:
        """The course directory's gradebook that receives the results (formgrader, feedback), if any."""
        self.published = None
        if self.options.course_dir is not None:
            self.published = CourseGradebook(self.options.course_dir, self.lab, self.bundle.course_id,
                                             self.bundle.manual)
            if self.published.ensure_assignment():
                print(f"recorded {self.lab} in {self.options.course_dir / 'gradebook.db'} (nbgrader generate_assignment)")

    def inspect_submissions(self) -> None:
        """Find, read, normalise and review the submissions."""
        self.submissions = find_submissions(self.submissions_dir, self.lab)
        inspect(self.submissions, self.lab, self.release_nb)
        self.folders = {s.student: s.path.parent for s in self.submissions if s.path is not None}

    def plan(self) -> None:
        """Record what cannot be graded, keep what is unchanged, and make a task of the rest."""
        store = self.store
        for submission in self.submissions:
            if submission.problem is not None:
                result = GradingResult(submission.student, ERROR, {},
                                       [sentence(submission.problem), *submission.notes], submission.digest)
                self.results[submission.student] = result
                store.record(result)
            elif store.is_unchanged(submission.student, submission.digest) and not self.options.force:
                self.results[submission.student] = store.unchanged(submission.student)
            else:
                self.tasks.append(GradingTask(submission.student, nbformat.writes(submission.notebook),
                                              submission.digest, tuple(submission.notes), self.settings,
                                              submission.files))
        store.forget({s.student for s in self.submissions})
        store.save()

    def grade(self, cluster: executor.Cluster) -> tuple[bool, float]:
        """Grade the tasks on the cluster, storing each result as it arrives; (interrupted, seconds)."""
        print(f"grading {len(self.tasks)} submission(s) of {self.lab} on {self.where}, {self.mode}; "
              f"{sum(r.status == UNCHANGED for r in self.results.values())} unchanged, "
              f"{sum(r.status == ERROR for r in self.results.values())} not gradable", flush=True)
        guard = None if self.settings.sandboxed else FileGuard([self.submissions_dir, self.out])
        started, interrupted = time.monotonic(), False
        try:
            if self.tasks:
                client = cluster.client()
                started = time.monotonic()
                executor.run(client, self.tasks, self.bundle, lambda result: self.keep(result, guard),
                             self.options.show_progress)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            if guard is not None:
                guard.close()
        return interrupted, time.monotonic() - started

    def keep(self, result: GradingResult, guard: FileGuard | None) -> None:
        """Store one result: the results folder, the course gradebook, one line on the console."""
        if guard is not None:
            repaired = guard.repair()
            if repaired:
                result.notes.append(f"Files outside its folder changed while it was graded (restored): "
                                    f"{', '.join(repaired[:3])}{' ...' if len(repaired) > 3 else ''}.")
        self.results[result.student] = result
        self.store.record(result)
        if self.published is not None:
            self.published.publish(result, self.folders.get(result.student))
        if guard is not None:
            guard.accept_tree(self.out)
        total = sum(v for v in result.scores.values() if v is not None)
        tqdm.write(f"  {result.student:<24} {result.status:<9} {total:5.1f} / {self.columns.maximum:g}  "
                   f"{result.seconds:5.1f} s  {' '.join(result.notes)}")

    def report(self, interrupted: bool, elapsed: float) -> BatchOutcome:
        """Read back manual scores, write report.txt, print the summary."""
        if self.published is not None and self.bundle.manual:
            self.store.manual_scores = self.published.manual_scores()
            self.store.save()
        graded_now = sum(1 for t in self.tasks if t.student in self.results)
        summary = summarise(self.lab, self.results, self.columns, graded_now, elapsed,
                            f"{self.mode}\ngrading ran on {self.where}")
        if interrupted:
            left = len(self.tasks) - graded_now
            summary += (f"interrupted: {graded_now} submission(s) graded in this run are saved; {left} were not "
                        f"graded. Run the same command again to grade the rest.\n")
        write_atomically(self.out / "report.txt", summary)
        print(summary, end="")
        from tools.grading.client.class_report import write_class_report   # plotting and copydetect: only once grading is done
        print(f"class report: {write_class_report(self.out, self.release_nb)}")
        return BatchOutcome(self.results, summary, interrupted, elapsed)

    # -- how the run is described ---------------------------------------------------------------

    @property
    def mode(self) -> str:
        return ("sandboxed (bubblewrap)" if self.settings.sandboxed else
                "NOT sandboxed (--no-sandbox): kernels ran with the grader's rights; files were checked and "
                "restored after each submission")

    @property
    def where(self) -> str:
        return (f"the cluster at {self.options.scheduler}" if self.options.scheduler
                else f"a local cluster of {self.options.workers} worker(s)")


def grade_batch(lab: str, submissions_dir: Path, out: Path, settings: GradingSettings,
                options: BatchOptions) -> BatchOutcome:
    """Grade every submission of `lab` under `submissions_dir` into `out`; see the module docstring."""
    return Batch(lab, submissions_dir, out, settings, options).run()
