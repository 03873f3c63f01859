"""Reuse a lab's own code: run chosen cells of a solution notebook, or fill a student notebook in."""
from __future__ import annotations

import copy

import nbformat

from tools.cells import answer_cells
from tools.course import solution_notebook, student_notebook


def lab_namespace(lab: str, cell_ids: list[str], preset: dict | None = None,
                  replace: dict[str, tuple[str, str]] | None = None) -> dict:
    """Execute the given cells of solutions/<lab>/<lab>.ipynb (in that order) and return their globals.

    `replace` edits a cell's source before it runs: {cell id: (old text, new text)}, e.g. to turn
    the configuration's PRETRAINED switch on.
    """
    path = solution_notebook(lab)
    by_id = {cell.get("id"): cell for cell in nbformat.read(path, as_version=4).cells}
    missing = [cell_id for cell_id in cell_ids if cell_id not in by_id]
    if missing:
        raise KeyError(f"{path.name} has no cell(s) {missing}")
    namespace: dict = dict(preset or {})
    for cell_id in cell_ids:
        source = by_id[cell_id].source
        if replace and cell_id in replace:
            old, new = replace[cell_id]
            if old not in source:
                raise KeyError(f"{path.name} cell {cell_id} has no {old!r} to replace")
            source = source.replace(old, new)
        exec(compile(source, f"{lab}.ipynb#{cell_id}", "exec"), namespace)
    return namespace


def filled_in(student_nb: nbformat.NotebookNode, solution_nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The student notebook with every answer cell holding the instructor's code."""
    filled = copy.deepcopy(student_nb)
    answers = answer_cells(solution_nb)
    for cell in filled.cells:
        if cell.id in answers:
            cell.source = answers[cell.id].source
    return filled


def complete_submission(lab: str) -> tuple[nbformat.NotebookNode, nbformat.NotebookNode]:
    """(the untouched student notebook, the same notebook completed with the instructor's code)."""
    student = nbformat.read(student_notebook(lab), as_version=4)
    return student, filled_in(student, nbformat.read(solution_notebook(lab), as_version=4))
