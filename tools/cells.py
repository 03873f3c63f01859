"""What a notebook cell is to nbgrader: its grade id, answer cells, test cells, points, written answers.

Built on `nbgrader.utils` (is_grade, is_solution, is_locked), and tolerant of what a student's
notebook may carry: a cell whose nbgrader metadata is missing or not a mapping is an ordinary cell.

    answer cell      a cell the student writes in (nbgrader "solution"); code or markdown
    test cell        an autograded code cell with points (nbgrader "grade", not "solution")
    written answer   a markdown answer cell with points, graded by a person ("manually graded answer")
    locked cell      a cell nbgrader restores from the release (tests, read-only cells, tasks)
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

import nbformat
from nbgrader import utils


def nbgrader_metadata(cell: Mapping) -> dict:
    """The cell's nbgrader metadata, or {} when it has none (or a damaged one)."""
    metadata = cell.get("metadata")
    found = metadata.get("nbgrader") if isinstance(metadata, Mapping) else None
    return found if isinstance(found, Mapping) else {}


def _usable(cell: Mapping) -> bool:
    """Whether nbgrader.utils can read the cell (a notebook cell with nbgrader metadata that is a mapping)."""
    return isinstance(cell, nbformat.NotebookNode) and bool(nbgrader_metadata(cell))


def grade_id(cell: Mapping) -> str | None:
    """The cell's nbgrader grade id, or None."""
    value = nbgrader_metadata(cell).get("grade_id")
    return value if isinstance(value, str) and value else None


def is_graded(cell: Mapping) -> bool:
    """A cell that carries points (a test cell or a written answer)."""
    return _usable(cell) and bool(utils.is_grade(cell))


def is_answer(cell: Mapping) -> bool:
    """A cell the student writes in (nbgrader's solution cell)."""
    return _usable(cell) and bool(utils.is_solution(cell))


def is_locked(cell: Mapping) -> bool:
    """A cell nbgrader restores from the release before grading (tests, read-only cells)."""
    return _usable(cell) and bool(utils.is_locked(cell))


def is_test_cell(cell: Mapping) -> bool:
    """An autograded test cell: a graded code cell that is not also an answer cell."""
    return cell.get("cell_type") == "code" and is_graded(cell) and not is_answer(cell)


def is_written_answer(cell: Mapping) -> bool:
    """A graded answer cell a person grades (a markdown answer with points)."""
    return is_graded(cell) and is_answer(cell)


def is_release_owned(cell: Mapping) -> bool:
    """A cell whose content comes from the release whatever the student did: any cell with a grade id but an answer."""
    return grade_id(cell) is not None and not is_answer(cell)


def points(cell: Mapping) -> float:
    """The points a graded cell carries (0 for any other cell)."""
    try:
        return float(nbgrader_metadata(cell).get("points") or 0.0) if is_graded(cell) else 0.0
    except (TypeError, ValueError):
        return 0.0


def label(cell: Mapping, index: int) -> str:
    """How a note names a cell: its grade id, else its cell id, else its position (#1 is the first)."""
    return grade_id(cell) or cell.get("id") or f"#{index + 1}"


def by_grade_id(cells: Iterable[Mapping]) -> dict[str, Mapping]:
    """Cells carrying a grade id, by grade id (the first cell of each id)."""
    found: dict[str, Mapping] = {}
    for cell in cells:
        key = grade_id(cell)
        if key is not None and key not in found:
            found[key] = cell
    return found


def answer_cells(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    """The cells a student writes in, by cell id."""
    return {cell.id: cell for cell in nb.cells if is_answer(cell)}


def test_points(nb: nbformat.NotebookNode) -> dict[str, float]:
    """Autograded test cells, by grade id, with their points, in notebook order."""
    return {grade_id(cell): points(cell) for cell in nb.cells if is_test_cell(cell)}


test_points.__test__ = False   # a helper, not a test: pytest would collect it wherever a test module imports it


def graded_points(nb: nbformat.NotebookNode) -> dict[str, float]:
    """Every graded cell (tests and written answers), by grade id, with its points, in notebook order."""
    return {grade_id(cell): points(cell) for cell in nb.cells if is_graded(cell) and grade_id(cell)}


def written_answers(nb: nbformat.NotebookNode) -> tuple[str, ...]:
    """Grade ids of the written answers a person grades, in notebook order."""
    return tuple(grade_id(cell) for cell in nb.cells if is_written_answer(cell) and grade_id(cell))
