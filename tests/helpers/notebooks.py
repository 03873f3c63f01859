"""Helpers for the release and autograde tests: the lab's notebooks, running one as graded, reading grades.

One helper per notion, and the course's own where it has one: a lab's notebooks and a complete
submission come from tools.course and tools.labcode, a cell's role and points from tools.cells,
and what grading runs of a cell from tools/grading/exploration.py.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from tools import cells
from tools.grading.exploration import exploration_cells, source_to_run
from tools.labcode import answer_cells, filled_in


def instructor_notebook(lab: str) -> nbformat.NotebookNode:
    """solutions/<lab>/<lab>.ipynb, read: the instructor's notebook with its solutions and hidden tests."""
    from tools import course
    return nbformat.read(course.solution_notebook(lab), as_version=4)


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
    `stop_after`) cannot change the scores asked for, and of the lab's given cells after the first
    exercise only the definitions run, by the grader's own rule (exploration.source_to_run). Pass
    the instructor notebook (hidden tests included) with the student's answers in its solution
    cells, which is what autograde executes; pass the released notebook to run the visible checks
    only. A notebook already run this session is not run again.
    """
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    graded = set(cells.test_points(nb))
    last = max(index for index, cell in enumerate(code) if cell.id in graded)
    if stop_after is not None:
        last = next(index for index, cell in enumerate(code) if cell.id == stop_after)
    exploration = exploration_cells(nb)
    parts = [(cell.id, source_to_run(cell, exploration)) for cell in code[:last + 1]]
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


def _lines_by_region(nb: nbformat.NotebookNode, regions: tuple[str, ...]) -> tuple[set[str], set[str]]:
    """(stripped lines inside `### BEGIN <region>` ... `### END <region>` of any of `regions`, the lines outside)."""
    inside, found, outside = False, set(), set()
    for cell in nb.cells:
        for line in cell.source.splitlines():
            if any(f"### BEGIN {region}" in line for region in regions):
                inside = True
            elif any(f"### END {region}" in line for region in regions):
                inside = False
            else:
                (found if inside else outside).add(line.strip())
    return found, outside


def split_lines(solution_nb) -> tuple[set[str], set[str]]:
    """(lines inside solution regions and hidden tests, lines outside them) of the instructor notebook."""
    return _lines_by_region(solution_nb, ("SOLUTION", "HIDDEN TESTS"))


def region_lines(nb: nbformat.NotebookNode, region: str) -> set[str]:
    """The stripped lines inside `### BEGIN <region>` ... `### END <region>` (SOLUTION or HIDDEN TESTS)."""
    return _lines_by_region(nb, (region,))[0]


def hidden_test_lines(lab: str) -> set[str]:
    """Lines of the lab's hidden tests that a student never sees: in no cell of the released notebook, and not
    in a solution region either (a correct answer may contain them); short lines (`)`, `else:`) are left out."""
    from tools import course
    solution = instructor_notebook(lab)
    released = nbformat.read(course.student_notebook(lab), as_version=4)
    visible = "\n".join([cell.source for cell in released.cells] + sorted(region_lines(solution, "SOLUTION")))
    return {line for line in region_lines(solution, "HIDDEN TESTS") if len(line) > 12 and line not in visible}


def page_text(html_page: str) -> str:
    """What a reader of an HTML page sees (syntax highlighting splits code into many elements)."""
    from bs4 import BeautifulSoup
    return BeautifulSoup(html_page, "html.parser").get_text()
