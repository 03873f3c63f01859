"""The cells every lab carries for students who work outside JupyterLab: Colab's set-up first, the checklist last.

    python -m tools.student_cells apply     # (make student-cells) insert or update them in every solutions/<lab>/<lab>.ipynb
    python -m tools.student_cells check     # exit 1 if a lab lacks them or holds an old version

* `colab-setup`, the lab's first code cell: in Colab it installs course_utils from the students'
  repository at the course's release (`make student-repo` writes the repository's URL and release
  into it) and keeps the datasets on Colab's disk; anywhere else it does nothing.
* `checklist`, the lab's last cell (after a short heading, `checklist-md`): `cu.checklist` with the
  digests of the lab's check cells as released, so that it can tell which checks passed, failed or
  have not run yet in the kernel (what nbgrader's Validate button tells a student in JupyterLab).

The Colab cell is a read-only nbgrader cell, so grading takes it from the release whatever a
student's copy says (the students' repository writes its address and release into it). The
checklist is an ordinary given cell: it only prints, and grading, which never trains or plots,
runs only its definitions (none). Run `apply` after any change to a check cell (the digests
change), then `make release`.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell

from course_utils.standing import released_form, source_digest
from tools import cells, course

COLAB_ID, CHECKLIST_MD_ID, CHECKLIST_ID = "colab-setup", "checklist-md", "checklist"
CELL_IDS = (COLAB_ID, CHECKLIST_MD_ID, CHECKLIST_ID)
# What the instructor's notebooks hold; `make student-repo` writes the students' repository and release instead.
REPOSITORY_PLACEHOLDER = "https://github.com/OWNER/REPOSITORY"
RELEASE_PLACEHOLDER = "RELEASE"

COLAB_SOURCE = '''# Colab only: install the course's helper package (course_utils, as released for this course) and keep
# the datasets on Colab's disk. Anywhere else this cell does nothing: your installation has everything.
COURSE_REPOSITORY = "{repository}"
COURSE_RELEASE = "{release}"
try:
    import google.colab  # noqa: F401  (only Colab has this module)
except ImportError:
    pass
else:
    import importlib, os, subprocess, sys
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                    f"course-utils @ git+{{COURSE_REPOSITORY}}@{{COURSE_RELEASE}}"], check=True)
    os.environ.setdefault("COURSE_DATA_ROOT", "/content/data")   # torchvision downloads MNIST there
    importlib.invalidate_caches()'''

CHECKLIST_MD_SOURCE = '''## Where you stand

The cell below lists every check of this lab as it last ran in this kernel: passed, failed (with the
first line of its message) or not run yet. It reads what ran, not what was printed, and a check
cell you changed does not count. It is what the Validate button tells you in JupyterLab, and it works
in Colab and VS Code too. Grading runs every cell again from the top, so before you hand in,
restart the kernel, run all cells, and read this list once more.'''

CHECKLIST_SOURCE = '''# Which checks of this lab passed, failed or have not run yet in this kernel.
cu.checklist([
{rows}
])'''

_TEMPLATE_VALUE = re.compile(r'^(COURSE_(?:REPOSITORY|RELEASE)) = "[^"]*"$', re.MULTILINE)


def colab_source(repository: str = REPOSITORY_PLACEHOLDER, release: str = RELEASE_PLACEHOLDER) -> str:
    """The Colab set-up cell, installing course_utils from `repository` at `release`."""
    return COLAB_SOURCE.format(repository=repository, release=release)


def with_release(source: str, repository: str, release: str) -> str:
    """A Colab set-up cell's source with the students' repository and release written in."""
    values = {"COURSE_REPOSITORY": repository, "COURSE_RELEASE": release}
    return _TEMPLATE_VALUE.sub(lambda match: f'{match.group(1)} = "{values[match.group(1)]}"', source)


def exercise_label(heading: str) -> str:
    """'## Exercise 1 — The recognition model (2 points)' -> 'Exercise 1 — The recognition model'."""
    return re.sub(r"\s*\([^()]*points?[^()]*\)\s*$", "", heading.lstrip("#").strip())


def check_rows(nb: nbformat.NotebookNode) -> list[tuple[str, str, str, str]]:
    """(label, grade id, digest as released, digest with the hidden tests) for each check cell, in order."""
    rows, heading = [], ""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            headings = [line for line in cell.source.splitlines() if re.match(r"#+ +Exercise\b", line)]
            heading = headings[-1] if headings else heading
        elif cells.is_test_cell(cell):
            rows.append((exercise_label(heading) or cells.grade_id(cell), cells.grade_id(cell),
                         source_digest(released_form(cell.source)), source_digest(cell.source)))
    return rows


def checklist_source(nb: nbformat.NotebookNode) -> str:
    """The checklist cell of `nb`, naming its check cells and their digests."""
    rows = ",\n".join(f"    ({label!r}, {grade_id!r}, {released!r}, {full!r})"
                      for label, grade_id, released, full in check_rows(nb))
    return CHECKLIST_SOURCE.format(rows=rows)


def _read_only(cell: nbformat.NotebookNode, grade_id: str) -> nbformat.NotebookNode:
    cell.metadata["nbgrader"] = {"grade": False, "grade_id": grade_id, "locked": True, "schema_version": 3,
                                 "solution": False, "task": False}
    return cell


def colab_grade_id(lab: str) -> str:
    """The Colab cell's nbgrader id: the lab's name in it, since the grader tells labs apart by their grade ids."""
    return f"{lab}-colab-setup"


def expected_cells(nb: nbformat.NotebookNode, lab: str) -> dict[str, nbformat.NotebookNode]:
    """The three cells as the lab's notebook `nb` should carry them, by id."""
    colab = _read_only(new_code_cell(colab_source()), colab_grade_id(lab))
    heading = new_markdown_cell(CHECKLIST_MD_SOURCE)
    checklist = new_code_cell(checklist_source(nb))
    for cell_id, cell in zip(CELL_IDS, (colab, heading, checklist)):
        cell.id = cell_id
    return {COLAB_ID: colab, CHECKLIST_MD_ID: heading, CHECKLIST_ID: checklist}


def with_student_cells(nb: nbformat.NotebookNode, lab: str) -> nbformat.NotebookNode:
    """The lab's notebook `nb` with the Colab cell after the title and the checklist at the end; the rest untouched."""
    others = [cell for cell in nb.cells if cell.get("id") not in CELL_IDS]
    wanted = expected_cells(nbformat.from_dict({**nb, "cells": others}), lab)
    nb.cells = [others[0], wanted[COLAB_ID], *others[1:], wanted[CHECKLIST_MD_ID], wanted[CHECKLIST_ID]]
    return nb


def _comparable(cell: nbformat.NotebookNode) -> tuple:
    return cell.get("id"), cell.cell_type, cell.source, cell.metadata.get("nbgrader")


def problems(nb: nbformat.NotebookNode, lab: str) -> list[str]:
    """How the lab's notebook `nb` differs from what `apply` would make of it (empty when it is as it should be)."""
    import copy
    wanted = with_student_cells(copy.deepcopy(nb), lab)
    if [c.get("id") for c in nb.cells] != [c.get("id") for c in wanted.cells]:
        return ["the Colab set-up cell is not the first code cell after the title, or the checklist is not last"]
    return [f"cell {cell.get('id')} differs from tools/student_cells.py's" for cell, want in zip(nb.cells, wanted.cells)
            if _comparable(cell) != _comparable(want)]


@course.command("student-cells")
def main(argv: list[str]) -> int:
    if argv not in (["apply"], ["check"]):
        print(__doc__)
        return 2
    stale = 0
    for lab in course.lab_names():
        path = course.solution_notebook(lab)
        nb = nbformat.read(path, as_version=4)
        found = problems(nb, lab)
        if not found:
            continue
        stale += 1
        if argv == ["apply"]:
            nbformat.write(with_student_cells(nb, lab), path)
            print(f"updated {path.relative_to(course.REPO_ROOT)}; run `make release LAB={lab}`")
        else:
            print(f"{Path(path).relative_to(course.REPO_ROOT)}:\n  " + "\n  ".join(found))
    if argv == ["check"] and stale:
        print(f"{stale} lab(s) need `python -m tools.student_cells apply` (then `make release`).")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
