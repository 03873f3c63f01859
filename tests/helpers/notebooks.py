"""Helpers for the release and autograde tests: building submissions and reading grades."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from tools import cells
from tools.grading.exploration import definitions_only, exploration_cells, source_to_run
from tools.labcode import answer_cells, filled_in


solution_cells = answer_cells


def graded_cells(nb: nbformat.NotebookNode) -> dict[str, float]:
    """Autograded test cells, by id, with their points."""
    return {c.id: cells.points(c) for c in nb.cells if cells.is_test_cell(c)}


complete_submission = filled_in


def write_submission(course: Path, student: str, lab: str, nb: nbformat.NotebookNode) -> Path:
    path = course / "submitted" / student / lab / f"{lab}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def read_grades(course: Path, lab: str, students: list[str]) -> dict[str, dict[str, tuple[float, float]]]:
    """{student: {graded cell id: (score, max score)}} from the course's gradebook."""
    grades = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in students:
            notebook = gradebook.find_submission_notebook(lab, lab, student)
            grades[student] = {g.name: (g.score, g.max_score) for g in notebook.grades}
    return grades


def code_checks_rely_on(cell, after_first_answer: bool) -> str:
    """The part of `cell` the in-process runner runs: what the grader runs of it (tools/grading/exploration.py).

    Everything before the first exercise runs, and so do answer cells and check cells; of a given
    cell after the first exercise only the definitions run, as when grading.
    """
    if not after_first_answer or cells.is_answer(cell) or cells.is_graded(cell):
        return cell.source
    return definitions_only(cell.source)


def as_graded(nb: nbformat.NotebookNode, lab: str) -> nbformat.NotebookNode:
    """`nb` as the grader runs it: the lab's unchanged exploration cells cut to their definitions (no training)."""
    from tools import course
    exploration = exploration_cells(nbformat.read(course.student_notebook(lab), as_version=4))
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = source_to_run(cell, exploration)
    return nb


_runs: dict[tuple, dict[str, BaseException]] = {}


def check_failures(nb: nbformat.NotebookNode, stop_after: str | None = None) -> dict[str, BaseException]:
    """The graded cells that raise when the notebook runs top to bottom in this process, with what each raised.

    This is what autograde scores, without a kernel per run: the code cells run in order in one
    fresh namespace, an error in one cell does not stop the next (autograde allows errors too),
    and a graded cell that raises loses its points. Cells after the last graded one (or after
    `stop_after`) cannot change the scores asked for, and of the others only what a check relies
    on runs (`code_checks_rely_on`). Pass the instructor notebook (hidden tests included) with the
    student's answers in its solution cells, which is what autograde executes; pass the released
    notebook to run the visible checks only. A notebook already run this session is not run again.
    """
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    graded = set(graded_cells(nb))
    last = max(index for index, cell in enumerate(code) if cell.id in graded)
    if stop_after is not None:
        last = next(index for index, cell in enumerate(code) if cell.id == stop_after)
    first_answer = next(index for index, cell in enumerate(code) if cells.is_answer(cell))
    parts = [(cell.id, code_checks_rely_on(cell, index > first_answer)) for index, cell in enumerate(code[:last + 1])]
    key = tuple(parts)
    if key not in _runs:
        _runs[key] = run_in_process(parts, graded)
    return dict(_runs[key])


def run_in_process(parts: list[tuple[str, str]], graded: set[str]) -> dict[str, BaseException]:
    """Run (cell id, source) pairs in one fresh namespace; the graded cells that raised, with their errors."""
    namespace: dict = {"__name__": "__main__"}
    failures: dict[str, BaseException] = {}
    try:
        for cell_id, source in parts:
            if not source:
                continue
            try:
                exec(compile(source, f"<cell {cell_id}>", "exec"), namespace)
            except Exception as error:  # noqa: BLE001 -- any error costs a graded cell its points, as in autograde
                if cell_id in graded:
                    failures[cell_id] = error.with_traceback(None)   # the frames would keep every run's models alive
    finally:
        import matplotlib.pyplot as plt
        plt.close("all")
    return failures


def failing_graded_cells(nb: nbformat.NotebookNode) -> set[str]:
    """Ids of the graded cells that raise when the notebook runs as autograde runs it (see check_failures)."""
    return set(check_failures(nb))


def visible_version(lab: str, nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The released notebook (visible checks only) with the answers of `nb` in its answer cells."""
    from tools import course
    return filled_in(nbformat.read(course.student_notebook(lab), as_version=4), nb)


def split_lines(solution_nb) -> tuple[set[str], set[str]]:
    """(lines inside solution regions and hidden tests, lines outside them) of the instructor notebook."""
    inside, secret, given = False, set(), set()
    for cell in solution_nb.cells:
        for line in cell.source.splitlines():
            if re.search(r"### BEGIN (SOLUTION|HIDDEN TESTS)", line):
                inside = True
            elif re.search(r"### END (SOLUTION|HIDDEN TESTS)", line):
                inside = False
            else:
                (secret if inside else given).add(line.strip())
    return secret, given


def region_lines(nb: nbformat.NotebookNode, region: str) -> set[str]:
    """The stripped lines inside `### BEGIN <region>` ... `### END <region>` (SOLUTION or HIDDEN TESTS)."""
    found, inside = set(), False
    for cell in nb.cells:
        for line in cell.source.splitlines():
            if f"### BEGIN {region}" in line:
                inside = True
            elif f"### END {region}" in line:
                inside = False
            elif inside:
                found.add(line.strip())
    return found


def hidden_test_lines(lab: str) -> set[str]:
    """Lines of the lab's hidden tests that a student never sees: in no cell of the released notebook, and not
    in a solution region either (a correct answer may contain them); short lines (`)`, `else:`) are left out."""
    from tools import course
    solution = nbformat.read(course.solution_notebook(lab), as_version=4)
    released = nbformat.read(course.student_notebook(lab), as_version=4)
    visible = "\n".join([cell.source for cell in released.cells] + sorted(region_lines(solution, "SOLUTION")))
    return {line for line in region_lines(solution, "HIDDEN TESTS") if len(line) > 12 and line not in visible}


def page_text(html_page: str) -> str:
    """What a reader of an HTML page sees (syntax highlighting splits code into many elements)."""
    from bs4 import BeautifulSoup
    return BeautifulSoup(html_page, "html.parser").get_text()
