"""Helpers for the release and autograde tests: building submissions and reading grades."""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from tools.labcode import answer_cells, filled_in


solution_cells = answer_cells


def graded_cells(nb: nbformat.NotebookNode) -> dict[str, int]:
    """Autograded test cells, by id, with their points."""
    return {c.id: c.metadata["nbgrader"]["points"] for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"}


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


def failing_graded_cells(nb: nbformat.NotebookNode) -> set[str]:
    """Ids of the graded cells that raise when the notebook runs top to bottom in this process.

    This is what autograde scores, without a kernel per run: every code cell runs in order in one
    fresh namespace, an error in one cell does not stop the next (autograde allows errors too),
    and a graded cell that raises loses its points. Cells after the last graded one cannot change
    a score, so they are skipped. Pass the instructor notebook (hidden tests included) with the
    student's answers in its solution cells, which is what autograde executes.
    """
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    graded = set(graded_cells(nb))
    last = max(index for index, cell in enumerate(code) if cell.id in graded)
    namespace: dict = {"__name__": "__main__"}
    failing = set()
    try:
        for cell in code[:last + 1]:
            try:
                exec(compile(cell.source, f"<cell {cell.id}>", "exec"), namespace)
            except Exception:  # noqa: BLE001 -- any error costs a graded cell its points, as in autograde
                if cell.id in graded:
                    failing.add(cell.id)
    finally:
        import matplotlib.pyplot as plt
        plt.close("all")
    return failing
