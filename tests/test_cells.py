"""tools.cells: what a cell is to nbgrader, read the same way by the grader, the release tools and the tests."""
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from tools import cells, course


def marked(cell, **nbgrader):
    cell.metadata["nbgrader"] = {"schema_version": 3, "grade": False, "solution": False, "locked": False,
                                 "task": False, **nbgrader}
    return cell


def example():
    return new_notebook(cells=[
        new_markdown_cell("# intro"),
        marked(new_code_cell("def f(): ...", id="answer"), grade_id="answer", solution=True),
        marked(new_code_cell("assert f() is None", id="answer-check"), grade_id="answer-check", grade=True,
               locked=True, points=2),
        marked(new_code_cell("GIVEN = 1", id="given"), grade_id="given", locked=True),
        marked(new_markdown_cell("YOUR ANSWER HERE", id="q-why"), grade_id="q-why", grade=True, solution=True,
               points=3),
    ])


def test_each_kind_of_cell_is_told_apart():
    nb = example()
    intro, answer, check, given, written = nb.cells
    assert [cells.grade_id(c) for c in nb.cells] == [None, "answer", "answer-check", "given", "q-why"]
    assert [cells.is_answer(c) for c in nb.cells] == [False, True, False, False, True]
    assert [cells.is_test_cell(c) for c in nb.cells] == [False, False, True, False, False]
    assert [cells.is_written_answer(c) for c in nb.cells] == [False, False, False, False, True]
    assert [cells.is_locked(c) for c in nb.cells] == [False, False, True, True, False]
    assert [cells.is_release_owned(c) for c in nb.cells] == [False, False, True, True, False]
    assert cells.points(check) == 2.0 and cells.points(written) == 3.0 and cells.points(answer) == 0.0


def test_notebook_summaries_keep_the_notebook_order():
    nb = example()
    assert cells.test_points(nb) == {"answer-check": 2.0}
    assert cells.graded_points(nb) == {"answer-check": 2.0, "q-why": 3.0}
    assert cells.written_answers(nb) == ("q-why",)
    assert list(cells.answer_cells(nb)) == ["answer", "q-why"]
    assert list(cells.by_grade_id(nb.cells)) == ["answer", "answer-check", "given", "q-why"]


@pytest.mark.parametrize("damage", [["not", "a", "mapping"], "text", None, {"grade_id": 7, "points": "many"}])
def test_damaged_metadata_makes_an_ordinary_cell_not_an_error(damage):
    cell = new_code_cell("x = 1", id="x")
    cell.metadata["nbgrader"] = damage
    assert cells.grade_id(cell) is None
    assert not (cells.is_answer(cell) or cells.is_graded(cell) or cells.is_test_cell(cell) or cells.is_locked(cell))
    assert cells.points(cell) == 0.0
    assert cells.label(cell, 4) == "x"


def test_a_cell_without_ids_is_named_by_its_position():
    cell = {"cell_type": "code", "source": "", "metadata": {}}
    assert cells.label(cell, 0) == "#1"


def test_the_release_notebooks_read_as_nbgrader_reads_them():
    """Every lab: the points nbgrader's own utilities find are the points tools.cells reports."""
    from nbgrader import utils
    for lab in course.lab_names():
        nb = nbformat.read(course.student_notebook(lab), as_version=4)
        expected = {c.metadata.nbgrader["grade_id"]: float(c.metadata.nbgrader["points"])
                    for c in nb.cells if utils.is_grade(c)}
        assert cells.graded_points(nb) == expected
        assert set(cells.test_points(nb)) | set(cells.written_answers(nb)) == set(expected)
