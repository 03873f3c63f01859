"""Autograde a folder of submissions for one lab with nbgrader, robustly, and keep everything.

    python -m tools.autograde vae path/to/submissions            # or: make autograde LAB=vae SUBMISSIONS=path
        [--out grading/vae] [--workers 2] [--cell-timeout 120] [--notebook-timeout 900]
        [--memory-gb 6] [--force]

SUBMISSIONS holds one folder per student, named by the student id, containing `<lab>.ipynb`
(or `<lab>/<lab>.ipynb`, the layout of nbgrader's `submitted/` folder after `nbgrader collect`).
Each submission is checked first (empty, malformed, renamed, another lab's notebook, deleted or
edited test cells, suspicious code) and then graded by nbgrader's own `autograde` and
`generate_feedback` in a scratch course of its own, in parallel worker processes with a time and
memory limit. Results land in OUT:

    grades.csv                    one row per student: status, a column per graded exercise, total, notes
    feedback/<student>/<lab>.html nbgrader's feedback report
    autograded/<student>/<lab>.ipynb the executed notebook
    report.txt                    the summary printed at the end
    manifest.json                 what was graded from which file (makes regrading incremental)
    history/<run>/                earlier grades and feedback replaced by this run (nothing is lost)

Running the command again regrades only submissions whose file changed (`--force` regrades all).
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import psutil
from nbgrader.api import Gradebook

from tools.grading_preprocessors import is_test_cell
from tools.release import REPO_ROOT, lab_names, make_course_copy, nbgrader, release

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
SUSPICIOUS = {
    r"\bcu\.\w+\s*=[^=]": "assigns to a course_utils helper",
    r"course_utils(\.\w+)+\s*=[^=]": "assigns to a course_utils helper",
    r"\bbuiltins\b|__builtins__": "touches Python's builtins",
    r"\bAssertionError\s*=[^=]": "redefines AssertionError",
    r"set_custom_exc|showtraceback|get_ipython\(\)\.\w+\s*=": "changes how the kernel reports errors",
    r"\bsys\.modules\b": "edits imported modules",
    r"\bos\._exit\b|\bsys\.exit\b": "stops the kernel",
    r"shutil\.rmtree|os\.remove|os\.unlink|\.unlink\(|os\.rename|\.\./": "deletes or moves files, or leaves its folder",
}


@dataclass
class Submission:
    student: str
    notebook: Path | None = None
    problem: str | None = None          # why it cannot be graded (then it scores zero)
    notes: list[str] = field(default_factory=list)
    digest: str = ""
    prepared: nbformat.NotebookNode | None = None


@dataclass
class Result:
    student: str
    status: str                          # graded, error, unchanged
    scores: dict[str, float]
    notes: list[str]
    digest: str
    seconds: float = 0.0


# ---------------------------------------------------------------- reading submissions

def graded_ids(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    """Cells carrying nbgrader metadata, by grade_id."""
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells
            if "nbgrader" in c.get("metadata", {}) and "grade_id" in c.metadata["nbgrader"]}


def find_submissions(folder: Path, lab: str) -> list[Submission]:
    """One Submission per entry of `folder`, with a problem set when it cannot be graded."""
    found = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        student = entry.name if entry.is_dir() else entry.stem
        submission = Submission(student=student)
        found.append(submission)
        if not STUDENT_ID.match(student):
            submission.problem = f"{entry.name!r} is not a usable student id (letters, digits, '.', '_', '-')"
        elif not entry.is_dir():
            submission.problem = f"a loose file, not a student folder: put it in {folder.name}/{student}/{lab}.ipynb"
        else:
            expected = entry / f"{lab}.ipynb"
            if not expected.is_file() and (entry / lab / f"{lab}.ipynb").is_file():
                expected = entry / lab / f"{lab}.ipynb"          # nbgrader's submitted/<student>/<lab>/ layout
            others = sorted(p.name for p in entry.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
            if expected.is_file():
                submission.notebook = expected
            elif others:
                submission.problem = f"no {lab}.ipynb in the folder, but {', '.join(others)}: a renamed notebook? It must be named {lab}.ipynb"
            else:
                submission.problem = f"no {lab}.ipynb in the folder"
    return found


def inspect(submission: Submission, lab: str, release_nb, other_labs: dict[str, set[str]]) -> None:
    """Parse and check the notebook; restore deleted test cells; note tampering and suspicious code."""
    raw = submission.notebook.read_bytes()
    submission.digest = hashlib.sha256(raw).hexdigest()
    if not raw.strip():
        submission.problem = "the notebook file is empty"
        return
    try:
        json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        submission.problem = "the notebook file is not text (UTF-8): was a different file saved under this name?"
        return
    except json.JSONDecodeError as error:
        submission.problem = f"not valid notebook JSON (line {error.lineno}, column {error.colno}: {error.msg}); the file is damaged"
        return
    try:
        nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
    except Exception as error:  # nbformat raises several types for JSON that is not a notebook
        submission.problem = f"valid JSON but not a notebook ({type(error).__name__}: {str(error).splitlines()[0][:120]})"
        return
    expected = graded_ids(release_nb)
    present = graded_ids(nb)
    if not set(present) & set(expected):
        owner = [name for name, ids in other_labs.items() if set(present) & ids]
        submission.problem = (f"this is the {owner[0]} lab's notebook, not the {lab} lab's" if owner
                              else f"no graded cells of the {lab} lab: is this the right notebook?")
        return
    # Restore deleted test cells at their place in the release, and note every change to a test cell.
    release_order = [c.get("id") for c in release_nb.cells]
    for grade_id, original in expected.items():
        if not is_test_cell(original):
            if grade_id not in present:
                submission.notes.append(f"answer cell {grade_id} was deleted (scores 0)")
            continue
        if grade_id not in present:
            restored = nbformat.from_dict(dict(original))
            position = len(nb.cells)
            previous = release_order[:release_order.index(original.get("id"))]
            ids = [c.get("id") for c in nb.cells]
            for earlier in reversed(previous):
                if earlier in ids:
                    position = ids.index(earlier) + 1
                    break
            nb.cells.insert(position, restored)
            submission.notes.append(f"test cell {grade_id} was deleted (restored and run)")
        elif present[grade_id].source != original.source or not is_test_cell(present[grade_id]):
            submission.notes.append(f"test cell {grade_id} was edited (the original was run)")
    release_sources = {c.source for c in release_nb.cells}
    for cell in nb.cells:
        if cell.cell_type != "code" or cell.source in release_sources:
            continue
        for pattern, what in SUSPICIOUS.items():
            if re.search(pattern, cell.source):
                where = cell.metadata.get("nbgrader", {}).get("grade_id") or cell.get("id", "?")
                submission.notes.append(f"review: cell {where} {what}")
    submission.prepared = nb


# ---------------------------------------------------------------- grading one submission

def run_limited(command: list[str], cwd: Path, timeout: float, memory_bytes: int, threads: int) -> tuple[int, str]:
    """Run `command` with `threads` compute threads; kill its process tree past `timeout` s or `memory_bytes` RSS."""
    env = dict(os.environ)
    # Parallel workers share the cores: without a cap each kernel's PyTorch starts one thread per
    # core, and the oversubscribed threads make every submission several times slower.
    for variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env[variable] = str(threads)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), env.get("PYTHONPATH", "")])
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.pop("NBGRADER_EXECUTION", None)
    log = cwd / "grading.log"
    with open(log, "w") as sink:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=sink, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        start, reason = time.monotonic(), ""
        while process.poll() is None:
            time.sleep(0.25)
            try:
                tree = [psutil.Process(process.pid)] + psutil.Process(process.pid).children(recursive=True)
                rss = sum(p.memory_info().rss for p in tree if p.is_running())
            except psutil.Error:
                continue
            if time.monotonic() - start > timeout:
                reason = f"grading took longer than {timeout:.0f} s and was stopped"
            elif rss > memory_bytes:
                reason = f"grading used more than {memory_bytes / 2**30:.1f} GiB of memory and was stopped"
            if reason:
                for p in reversed(tree):
                    try:
                        p.kill()
                    except psutil.Error:
                        pass
                process.wait()
                return -9, reason
    return process.returncode, log.read_text(errors="replace")


def grade_one(submission: Submission, lab: str, master: Path, work: Path, args) -> Result:
    start = time.monotonic()
    scratch = work / submission.student
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    shutil.copy(master / "nbgrader_config.py", scratch)
    shutil.copy(master / "gradebook.db", scratch)
    target = scratch / "submitted" / submission.student / lab / f"{lab}.ipynb"
    target.parent.mkdir(parents=True)
    nbformat.write(submission.prepared, target)
    notes = list(submission.notes)
    memory = int(args.memory_gb * 2**30)
    threads = max(1, (os.cpu_count() or 1) // args.workers)
    code, log = run_limited([sys.executable, "-m", "nbgrader", "autograde", lab, "--student", submission.student, "--force"],
                            scratch, args.notebook_timeout, memory, threads)
    graded = scratch / "autograded" / submission.student / lab / f"{lab}.ipynb"
    if code != 0 or not graded.exists():
        if code == -9:
            reason = log
        elif "DeadKernelError" in log or "Kernel died" in log:
            reason = ("the kernel died while the notebook ran (os._exit, a crash, or running out of memory), "
                      "so nbgrader could not grade it; it scores 0 until resubmitted")
        else:
            reason = "nbgrader could not grade it: " + " | ".join(log.strip().splitlines()[-3:])[-400:]
        return Result(submission.student, "error", {}, notes + [reason], submission.digest, time.monotonic() - start)
    for cell in nbformat.read(graded, as_version=4).cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error" and output.get("ename") in {"CellTimeoutError", "DeadKernelError"}:
                what = "timed out" if output["ename"] == "CellTimeoutError" else "killed the kernel"
                notes.append(f"cell {cell.metadata.get('nbgrader', {}).get('grade_id') or cell.get('id')} {what}")
    run_limited([sys.executable, "-m", "nbgrader", "generate_feedback", lab, "--student", submission.student, "--force"],
                scratch, 300, memory, threads)
    with Gradebook(f"sqlite:///{scratch / 'gradebook.db'}") as gradebook:
        notebook = gradebook.find_submission_notebook(lab, lab, submission.student)
        scores = {grade.name: float(grade.score or 0.0) for grade in notebook.grades}
    return Result(submission.student, "graded", scores, notes, submission.digest, time.monotonic() - start)


# ---------------------------------------------------------------- protecting files

def snapshot(folders: list[Path], skip: set[Path]) -> dict[Path, str]:
    hashes = {}
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file() and not any(s in path.parents for s in skip):
                hashes[path] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def repair(before: dict[Path, str], backup: dict[Path, Path], folders: list[Path], skip: set[Path]) -> list[str]:
    """Restore files that changed or vanished since `before`, remove new ones; return what was repaired."""
    after = snapshot(folders, skip)
    repaired = []
    for path, digest in before.items():
        if after.get(path) != digest:
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(backup[path], path)
            repaired.append(str(path))
    for path in set(after) - set(before):
        path.unlink()
        repaired.append(str(path))
    return repaired


# ---------------------------------------------------------------- the batch

def load_manifest(out: Path) -> dict:
    path = out / "manifest.json"
    return json.loads(path.read_text()) if path.exists() else {}


def grade_batch(lab: str, submissions_dir: Path, out: Path, args) -> list[Result]:
    out.mkdir(parents=True, exist_ok=True)
    run_id = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    work = out / "work"
    shutil.rmtree(work, ignore_errors=True)
    master = make_course_copy(work / "_course", [lab])
    with open(master / "nbgrader_config.py", "a") as config:
        config.write(
            "\n# added by tools/autograde.py\n"
            f"import sys\nsys.path.insert(0, {str(REPO_ROOT)!r})\n"
            "from nbgrader.preprocessors import CheckCellMetadata, ClearOutput, DeduplicateIds, OverwriteCells, OverwriteKernelspec\n"
            "from tools.grading_preprocessors import GuardGradeCells\n"
            "c.Autograde.sanitize_preprocessors = [ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells,\n"
            "                                      GuardGradeCells, CheckCellMetadata]\n"
            f"c.Execute.timeout = {int(args.cell_timeout)}\n")
    release(master, lab)
    release_nb = nbformat.read(master / "labs" / lab / f"{lab}.ipynb", as_version=4)
    other_labs = {}
    for other in set(lab_names()) - {lab}:
        other_nb = nbformat.read(REPO_ROOT / "labs" / other / f"{other}.ipynb", as_version=4)
        other_labs[other] = set(graded_ids(other_nb))
    points = {grade_id: float(cell.metadata["nbgrader"]["points"]) for grade_id, cell in graded_ids(release_nb).items()
              if cell.metadata["nbgrader"].get("grade")}

    submissions = find_submissions(submissions_dir, lab)
    for submission in submissions:
        if submission.problem is None:
            inspect(submission, lab, release_nb, other_labs)
    previous = load_manifest(out)
    results, to_grade = {}, []
    for submission in submissions:
        old = previous.get("students", {}).get(submission.student)
        if submission.problem is not None:
            results[submission.student] = Result(submission.student, "error", {}, [submission.problem] + submission.notes,
                                                 submission.digest)
        elif old and old["digest"] == submission.digest and old["status"] == "graded" and not args.force \
                and old.get("lab") == lab:
            results[submission.student] = Result(submission.student, "unchanged", old["scores"], old["notes"], old["digest"])
        else:
            to_grade.append(submission)

    # Everything outside the scratch folders is protected: originals, earlier results.
    protected = [submissions_dir.resolve(), out.resolve()]
    skip = {work.resolve()}
    backup_root = Path(tempfile.mkdtemp(prefix="autograde-backup-"))
    before = snapshot(protected, skip)
    backup = {}
    for index, path in enumerate(before):
        backup[path] = backup_root / str(index)
        shutil.copy2(path, backup[path])
    lock, running = threading.Lock(), set()
    incidents: dict[str, list[str]] = {}     # notes for every submission that was running when files changed

    def job(submission):
        with lock:
            running.add(submission.student)
        try:
            return grade_one(submission, lab, master, work.resolve(), args)
        finally:
            with lock:
                running.discard(submission.student)

    print(f"grading {len(to_grade)} submission(s) of {lab} with {args.workers} worker(s); "
          f"{sum(r.status == 'unchanged' for r in results.values())} unchanged, "
          f"{sum(r.status == 'error' for r in results.values())} not gradable", flush=True)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        futures = {pool.submit(job, s): s for s in to_grade}
        for future in as_completed(futures):
            submission = futures[future]
            try:
                result = future.result()
            except Exception as error:  # the batch goes on, whatever one submission does
                result = Result(submission.student, "error", {}, submission.notes + [f"grading failed: {error}"], submission.digest)
            with lock:
                suspects = sorted(running | {submission.student})
                repaired = repair(before, backup, protected, skip)
            if repaired:
                message = f"files outside its folder changed while grading {', '.join(suspects)} (restored): {', '.join(repaired[:5])}"
                for suspect in suspects:
                    incidents.setdefault(suspect, []).append(message)
            results[result.student] = result
            total = sum(result.scores.values())
            print(f"  {result.student:<24} {result.status:<9} {total:5.1f} / {sum(points.values()):g}  "
                  f"{result.seconds:5.1f} s  {'; '.join(result.notes)}", flush=True)
    elapsed = time.monotonic() - started
    shutil.rmtree(backup_root, ignore_errors=True)
    for student, messages in incidents.items():
        results[student].notes.extend(messages)

    write_outputs(lab, out, run_id, results, points, previous, work)
    summary = summarise(lab, results, points, len(to_grade), elapsed, args.workers)
    (out / "report.txt").write_text(summary)
    print(summary)
    shutil.rmtree(work, ignore_errors=True)
    return list(results.values())


def write_outputs(lab, out: Path, run_id: str, results: dict[str, Result], points: dict[str, float], previous: dict, work: Path):
    history = out / "history" / run_id
    regraded = [r for r in results.values() if r.status in {"graded", "error"}]
    # Keep what this run replaces.
    if (out / "grades.csv").exists():
        history.mkdir(parents=True, exist_ok=True)
        shutil.copy2(out / "grades.csv", history / "grades.csv")
    for result in regraded:
        for kind, name in (("feedback", f"{lab}.html"), ("autograded", f"{lab}.ipynb")):
            old = out / kind / result.student / name
            if old.exists():
                keep = history / kind / result.student / name
                keep.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(old), keep)
        if result.status == "graded":
            sources = {"feedback": work / result.student / "feedback" / result.student / lab / f"{lab}.html",
                       "autograded": work / result.student / "autograded" / result.student / lab / f"{lab}.ipynb"}
            for kind, source in sources.items():
                if source.exists():
                    target = out / kind / result.student / source.name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, target)
    columns = list(points)
    with open(out / "grades.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "status", *columns, "total", "max", "notes"])
        for student in sorted(results):
            r = results[student]
            writer.writerow([student, r.status, *[f"{r.scores.get(c, 0.0):g}" for c in columns],
                             f"{sum(r.scores.get(c, 0.0) for c in columns):g}", f"{sum(points.values()):g}", "; ".join(r.notes)])
    manifest = {"lab": lab, "run": run_id, "students": {
        s: {"lab": lab, "digest": r.digest, "status": "graded" if r.status == "unchanged" else r.status,
            "scores": r.scores, "notes": r.notes} for s, r in results.items()}}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    changes = []
    for student, r in results.items():
        old = previous.get("students", {}).get(student)
        if old and r.status != "unchanged" and old.get("scores") != r.scores:
            changes.append(f"{student}: {sum(old['scores'].values()):g} -> {sum(r.scores.values()):g}")
    if changes:
        history.mkdir(parents=True, exist_ok=True)
        (history / "changes.txt").write_text("\n".join(changes) + "\n")


def summarise(lab, results: dict[str, Result], points: dict[str, float], graded_now: int, elapsed: float, workers: int) -> str:
    maximum = sum(points.values())
    totals = [sum(r.scores.values()) for r in results.values() if r.status != "error"]
    lines = [f"{lab}: {len(results)} submission(s): "
             f"{sum(r.status == 'graded' for r in results.values())} graded now, "
             f"{sum(r.status == 'unchanged' for r in results.values())} unchanged since the last run, "
             f"{sum(r.status == 'error' for r in results.values())} could not be graded."]
    if graded_now:
        lines.append(f"ran nbgrader on {graded_now} submission(s) in {elapsed:.0f} s with {workers} worker(s): "
                     f"{60 * graded_now / elapsed:.1f} submissions per minute")
    if totals:
        lines.append(f"mean total {sum(totals) / len(totals):.2f} / {maximum:g}; full marks: {sum(t == maximum for t in totals)}")
    for name, p in points.items():
        scored = [r.scores.get(name, 0.0) for r in results.values() if r.status != "error"]
        if scored:
            lines.append(f"  {name:<28} mean {sum(scored) / len(scored):.2f} / {p:g}")
    flagged = [f"  {s}: {'; '.join(r.notes)}" for s, r in sorted(results.items()) if r.notes]
    if flagged:
        lines.append("needs attention:")
        lines += flagged
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("lab")
    parser.add_argument("submissions", type=Path)
    parser.add_argument("--out", type=Path, default=None, help="results folder (default: grading/<lab>)")
    parser.add_argument("--workers", type=int, default=max(1, min(4, os.cpu_count() or 1)))
    parser.add_argument("--cell-timeout", type=float, default=120, help="seconds per cell before it is interrupted")
    parser.add_argument("--notebook-timeout", type=float, default=900, help="seconds per submission in all")
    parser.add_argument("--memory-gb", type=float, default=6.0, help="memory per submission before it is stopped")
    parser.add_argument("--force", action="store_true", help="regrade unchanged submissions too")
    args = parser.parse_args(argv)
    if args.lab not in lab_names():
        parser.error(f"unknown lab {args.lab!r}; the labs are {', '.join(lab_names())}")
    if not args.submissions.is_dir():
        parser.error(f"{args.submissions} is not a folder; it should hold one folder per student with {args.lab}.ipynb inside")
    out = args.out or REPO_ROOT / "grading" / args.lab
    results = grade_batch(args.lab, args.submissions, out, args)
    return 0 if results else 1


if __name__ == "__main__":
    sys.exit(main())
