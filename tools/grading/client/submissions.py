"""Finding submissions in a folder and reading each one into a notebook (and the files beside it), or a clear problem."""
from __future__ import annotations

import fnmatch
import hashlib
import json
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from tools import cells, course

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# Files a student may hand in beside the notebook (data it reads, a helper module), as the kernel gets them.
MAX_FILES, MAX_FILE_BYTES = 200, 20 * 2**20
NBGRADER_FILES = frozenset({"timestamp.txt", "submission_secret.txt"})    # nbgrader's own, never the kernel's


@dataclass
class Submission:
    """One student's entry in the submissions folder, as found and checked before grading."""

    student: str
    path: Path | None = None
    problem: str | None = None          # why it cannot be graded (then it scores zero)
    notes: list[str] = field(default_factory=list)
    digest: str = ""
    notebook: nbformat.NotebookNode | None = None   # normalised against the release, ready to grade
    files: tuple[tuple[str, bytes], ...] = ()       # files handed in beside the notebook: (relative path, content)


def find_submissions(folder: Path, lab: str) -> list[Submission]:
    """One Submission per entry of `folder` (a folder per student), with a problem when it cannot be graded.

    A student folder holds `<lab>.ipynb`, or `<lab>/<lab>.ipynb` as nbgrader's `collect` leaves it.
    """
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
                expected = entry / lab / f"{lab}.ipynb"
            others = sorted(p.name for p in entry.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
            if expected.is_file():
                submission.path = expected
            elif others:
                submission.problem = (f"no {lab}.ipynb in the folder, but {', '.join(others)}: a renamed notebook? "
                                      f"It must be named {lab}.ipynb")
            else:
                submission.problem = f"no {lab}.ipynb in the folder"
    return found


def read_notebook(submission: Submission) -> nbformat.NotebookNode | None:
    """Read the submission's file; on failure set `submission.problem` and return None."""
    raw = submission.path.read_bytes()
    submission.digest = hashlib.sha256(raw).hexdigest()
    if not raw.strip():
        submission.problem = "the notebook file is empty"
        return None
    try:
        text = raw.decode("utf-8")
        json.loads(text)
    except UnicodeDecodeError:
        submission.problem = "the notebook file is not text (UTF-8): was a different file saved under this name?"
        return None
    except json.JSONDecodeError as error:
        submission.problem = (f"not valid notebook JSON (line {error.lineno}, column {error.colno}: {error.msg}); "
                              f"the file is damaged")
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")          # nbformat's notes on ids it repairs (normalise reports those)
            return nbformat.reads(text, as_version=4)
    except Exception as error:  # nbformat raises several types for JSON that is not a notebook
        submission.problem = f"valid JSON but not a notebook ({type(error).__name__}: {str(error).splitlines()[0][:120]})"
        return None


def which_lab(nb: nbformat.NotebookNode, lab: str, release_nb: nbformat.NotebookNode,
              other_labs: dict[str, set[str]]) -> str | None:
    """None if `nb` is this lab's notebook, else a sentence saying what it is instead."""
    present = set(cells.by_grade_id(nb.cells))
    if present & set(cells.by_grade_id(release_nb.cells)) or _same_text(nb, release_nb):
        return None
    owners = [name for name, ids in sorted(other_labs.items()) if present & ids]
    if owners:
        return f"this is the {owners[0]} lab's notebook, not the {lab} lab's"
    return f"no graded cells of the {lab} lab: is this the right notebook?"


def _same_text(nb: nbformat.NotebookNode, release_nb: nbformat.NotebookNode) -> bool:
    """Whether most of the release's explanations appear in `nb` (a notebook whose grading marks were lost)."""
    texts = {cell.source.strip() for cell in release_nb.cells if cell.cell_type == "markdown" and cell.source.strip()}
    found = {cell.source.strip() for cell in nb.cells}
    return bool(texts) and len(texts & found) >= 0.5 * len(texts)


def _ignored(name: str) -> bool:
    """Whether a file or folder name is one nbgrader neither releases nor collects (course.IGNORED)."""
    return any(fnmatch.fnmatch(name, pattern) for pattern in course.IGNORED)


def handed_in_files(submission: Submission) -> None:
    """Read the files beside the submission's notebook into `submission.files`, and fold them into its digest.

    Hidden files, nbgrader's own files, the lab's outputs folder and checkpoints stay out, and so
    does everything past MAX_FILES files or MAX_FILE_BYTES bytes in all (with a note). A submission
    without such files keeps the digest of its notebook alone.
    """
    folder = submission.path.parent
    found, total, skipped = [], 0, []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if (path == submission.path or not path.is_file() or path.is_symlink()
                or any(part.startswith(".") or _ignored(part) for part in relative.parts)
                or str(relative) in NBGRADER_FILES):
            continue
        size = path.stat().st_size
        if len(found) >= MAX_FILES or total + size > MAX_FILE_BYTES:
            skipped.append(str(relative))
            continue
        found.append((relative.as_posix(), path.read_bytes()))
        total += size
    submission.files = tuple(found)
    if skipped:
        submission.notes.append(f"{len(skipped)} file(s) beside the notebook ({', '.join(skipped[:3])}"
                                f"{', ...' if len(skipped) > 3 else ''}) were not given to the kernel: at most "
                                f"{MAX_FILES} files and {MAX_FILE_BYTES // 2**20} MB are.")
    if found:
        digest = hashlib.sha256(submission.digest.encode())
        for name, content in found:
            digest.update(name.encode() + b"\0" + hashlib.sha256(content).digest())
        submission.digest = digest.hexdigest()
