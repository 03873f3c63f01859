"""Helpers for the release and autograde tests: building submissions and reading grades."""
from __future__ import annotations

import copy
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook


def solution_cells(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    """The cells a student writes in, by id."""
    return {c.id: c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")}


def graded_cells(nb: nbformat.NotebookNode) -> dict[str, int]:
    """Autograded test cells, by id, with their points."""
    return {c.id: c.metadata["nbgrader"]["points"] for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"}


def complete_submission(student_nb: nbformat.NotebookNode, solution_nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The student notebook with every stub filled in with the instructor's code."""
    filled = copy.deepcopy(student_nb)
    answers = solution_cells(solution_nb)
    for cell in filled.cells:
        if cell.id in answers:
            cell.source = answers[cell.id].source
    return filled


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
