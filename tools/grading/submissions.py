"""Finding submissions in a folder and reading each one into a notebook, or a clear problem."""
from __future__ import annotations

import hashlib
import json
import re
import warnings
from pathlib import Path

import nbformat

from tools.grading.models import Submission

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def graded_ids(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    """Cells carrying nbgrader metadata, by grade_id (the first cell of each id)."""
    found = {}
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if isinstance(grade_id, str) and grade_id not in found:
            found[grade_id] = cell
    return found


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
    present = set(graded_ids(nb))
    if present & set(graded_ids(release_nb)) or _same_text(nb, release_nb):
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
