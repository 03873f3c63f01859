"""Grade a class: find and check the submissions, grade the new ones on the cluster, keep the results.

    find submissions -> read, identify, normalise, review -> grade (cluster workers, sandboxed kernels)
                     -> results folder (grades.csv, feedback, notebooks, logs, manifest, history)
"""
from __future__ import annotations

import ast
import datetime as dt
import importlib.util
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from tqdm import tqdm

from tools import course
from tools.grading import executor, sandbox
from tools.grading.gradebook import CourseGradebook
from tools.grading.kernel_process import default_data_root
from tools.grading.models import (ERROR, UNCHANGED, CourseBundle, GradingResult, GradingSettings,
                                  GradingTask, Submission)
from tools.grading.normalise import normalise
from tools.grading.outputs import Columns, ResultStore, summarise, write_atomically
from tools.grading.protect import FileGuard
from tools.grading.review import review
from tools.grading.submissions import find_submissions, graded_ids, read_notebook, which_lab


@dataclass(frozen=True)
class BatchOptions:
    """How a batch runs: where, how parallel, and whether unchanged submissions are graded again."""

    workers: int = 2
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


def module_aliases(release_nb: nbformat.NotebookNode) -> dict[str, str]:
    """Names the lab's import statements bind to modules (`F` -> torch.nn.functional, `cu` -> course_utils)."""
    aliases = {}
    for cell in release_nb.cells:
        if cell.cell_type != "code" or cell.get("metadata", {}).get("nbgrader"):
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
    """Release the lab in a scratch course: the bundle every worker gets, and the released notebook."""
    master = course.make_course_copy(workdir / "course", [lab])
    release_nb = nbformat.read(course.release(master, lab) / f"{lab}.ipynb", as_version=4)
    graded = {grade_id: cell for grade_id, cell in graded_ids(release_nb).items()
              if cell.metadata.get("nbgrader", {}).get("grade")}
    points = {grade_id: float(cell.metadata["nbgrader"]["points"]) for grade_id, cell in graded.items()}
    manual = tuple(grade_id for grade_id, cell in graded.items() if cell.metadata["nbgrader"].get("solution"))
    config_course_id = "generative-models"
    for line in (master / "nbgrader_config.py").read_text().splitlines():
        if line.startswith("c.CourseDirectory.course_id"):
            config_course_id = ast.literal_eval(line.split("=", 1)[1].strip())
    bundle = CourseBundle(lab=lab, course_id=config_course_id, gradebook=(master / "gradebook.db").read_bytes(),
                          points=points, manual=manual, aliases=module_aliases(release_nb))
    return bundle, release_nb


def other_labs_ids(lab: str) -> dict[str, set[str]]:
    """Grade ids of the other labs' student notebooks (to recognise a submission of the wrong lab)."""
    return {other: set(graded_ids(nbformat.read(course.student_notebook(other), as_version=4)))
            for other in course.lab_names() if other != lab}


def inspect(submissions: list[Submission], lab: str, release_nb: nbformat.NotebookNode) -> None:
    """Read, identify, normalise and review each submission (cheap; runs on the client)."""
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


def grade_batch(lab: str, submissions_dir: Path, out: Path, settings: GradingSettings,
                options: BatchOptions) -> BatchOutcome:
    """Grade every submission of `lab` under `submissions_dir` into `out`; see the module docstring."""
    if settings.sandboxed:
        sandbox.check_available()
    check_data(settings.data_root or default_data_root())
    run_id = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    # nbgrader changes this process's working folder while it releases the lab, so that happens
    # before the cluster's thread starts worker processes (which would inherit a scratch folder).
    with tempfile.TemporaryDirectory(prefix="grading-course-") as workdir:
        bundle, release_nb = prepare_course(lab, Path(workdir))
    published = None
    if options.course_dir is not None:
        published = CourseGradebook(options.course_dir, lab, bundle.course_id, bundle.manual)
        if published.ensure_assignment():
            print(f"recorded {lab} in {options.course_dir / 'gradebook.db'} (nbgrader generate_assignment)")
    cluster = executor.Cluster(options.workers, options.scheduler, options.retries, warm_up=settings).start()
    try:
        return _grade(lab, submissions_dir, out, settings, options, cluster, run_id, bundle, release_nb, published)
    finally:
        cluster.close()


def check_data(root: str) -> None:
    """Stop with a clear message if the datasets are not where the kernels will look (they have no network)."""
    missing = [f"{folder}/raw/{name}" for folder in ("MNIST", "FashionMNIST")
               for name in ("train-images-idx3-ubyte", "t10k-images-idx3-ubyte") if not (Path(root) / folder / "raw" / name).exists()]
    if missing:
        raise DataUnavailable(
            f"the datasets are not under {root} (missing {', '.join(missing)}); grading kernels have no network, so "
            f"they must be on disk: set COURSE_DATA_ROOT to a folder laid out as torchvision keeps them, or download them "
            f"once with `.venv/bin/python -c \"import course_utils as cu; [cu.load_images(d, t) for d in ('mnist', "
            f"'fashion-mnist') for t in (True, False)]\"`")


class DataUnavailable(RuntimeError):
    """The datasets the labs read are missing on the grading machine; the message says how to fix it."""


def _grade(lab: str, submissions_dir: Path, out: Path, settings: GradingSettings, options: BatchOptions,
           cluster: "executor.Cluster", run_id: str, bundle: CourseBundle, release_nb: nbformat.NotebookNode,
           published: CourseGradebook | None) -> BatchOutcome:
    columns = Columns(points=bundle.points, manual=bundle.manual)
    store = ResultStore(out, lab, columns, run_id)
    submissions = find_submissions(submissions_dir, lab)
    inspect(submissions, lab, release_nb)
    folders = {s.student: s.path.parent for s in submissions if s.path is not None}

    results: dict[str, GradingResult] = {}
    tasks: list[GradingTask] = []
    for submission in submissions:
        if submission.problem is not None:
            results[submission.student] = GradingResult(submission.student, ERROR, {},
                                                         [_sentence(submission.problem), *submission.notes],
                                                         submission.digest)
            store.record(results[submission.student])
        elif store.is_unchanged(submission.student, submission.digest) and not options.force:
            old = store.earlier(submission.student)
            results[submission.student] = GradingResult(submission.student, UNCHANGED, old["scores"], old["notes"],
                                                        submission.digest, old.get("seconds", 0.0))
        else:
            tasks.append(GradingTask(submission.student, nbformat.writes(submission.notebook), submission.digest,
                                     tuple(submission.notes), settings))
    store.forget({s.student for s in submissions})
    for result in results.values():
        if result.status == UNCHANGED:
            store.record(result, save=False)
    store.save()

    mode = ("sandboxed (bubblewrap)" if settings.sandboxed else
            "NOT sandboxed (--no-sandbox): kernels ran with the grader's rights; files were checked and restored "
            "after each submission")
    where = f"the cluster at {options.scheduler}" if options.scheduler else f"a local cluster of {options.workers} worker(s)"
    print(f"grading {len(tasks)} submission(s) of {lab} on {where}, {mode}; "
          f"{sum(r.status == UNCHANGED for r in results.values())} unchanged, "
          f"{sum(r.status == ERROR for r in results.values())} not gradable", flush=True)
    guard = None if settings.sandboxed else FileGuard([submissions_dir, out])

    def on_result(result: GradingResult) -> None:
        if guard is not None:
            repaired = guard.repair()
            if repaired:
                result.notes.append(f"Files outside its folder changed while it was graded (restored): "
                                    f"{', '.join(repaired[:3])}{' ...' if len(repaired) > 3 else ''}.")
        results[result.student] = result
        store.record(result)
        if published is not None:
            published.publish(result, folders.get(result.student))
        if guard is not None:
            guard.accept_tree(out)
        total = sum(v for v in result.scores.values() if v is not None)
        tqdm.write(f"  {result.student:<24} {result.status:<9} {total:5.1f} / {columns.maximum:g}  "
                   f"{result.seconds:5.1f} s  {' '.join(result.notes)}")

    started, interrupted = time.monotonic(), False
    try:
        if tasks:
            client = cluster.client()
            started = time.monotonic()
            executor.run(client, tasks, bundle, on_result, options.show_progress)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        if guard is not None:
            guard.close()
    elapsed = time.monotonic() - started
    if published is not None and bundle.manual:
        store.manual_scores = published.manual_scores()
        store.save()
    graded_now = sum(1 for t in tasks if t.student in results)
    summary = summarise(lab, results, columns, graded_now, elapsed, f"{mode}\ngrading ran on {where}")
    if interrupted:
        left = len(tasks) - graded_now
        summary += (f"interrupted: {graded_now} submission(s) graded in this run are saved; {left} were not graded. "
                    f"Run the same command again to grade the rest.\n")
    write_atomically(out / "report.txt", summary)
    print(summary, end="")
    return BatchOutcome(results, summary, interrupted, elapsed)


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."
