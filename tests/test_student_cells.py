"""Every lab carries the Colab set-up cell first and the checklist last, exactly as tools/student_cells.py writes them."""
import copy
import os
import sys
import types

import nbformat
import pytest

from course_utils import standing
from tools import cells, course, student_cells
from tools.student_cells import CHECKLIST_ID, COLAB_ID

LABS = course.lab_names()


@pytest.mark.parametrize("lab", LABS)
def test_each_solution_carries_the_cells_as_the_tool_writes_them(lab):
    nb = nbformat.read(course.solution_notebook(lab), as_version=4)
    assert student_cells.problems(nb, lab) == [], "run `python -m tools.student_cells apply`, then `make release`"
    assert nb.cells[1].id == COLAB_ID and nb.cells[-1].id == CHECKLIST_ID
    assert not any(cell.cell_type == "code" for cell in nb.cells[:1])


@pytest.mark.parametrize("lab", LABS)
def test_the_released_checklist_names_every_check_as_students_get_it(lab):
    """The digests match the check cells of labs/ (nbgrader's release), so a check run there is recognised."""
    released = nbformat.read(course.student_notebook(lab), as_version=4)
    by_id = {cell.id: cell for cell in released.cells}
    assert by_id[COLAB_ID].source == student_cells.colab_source()
    namespace = {"cu": types.SimpleNamespace(checklist=lambda rows: namespace.setdefault("rows", rows))}
    exec(by_id[CHECKLIST_ID].source, namespace)
    rows = namespace["rows"]
    checks = [cell for cell in released.cells if cells.is_test_cell(cell)]
    assert [grade_id for _, grade_id, _, _ in rows] == [cells.grade_id(cell) for cell in checks]
    for (label, _, digest, _), cell in zip(rows, checks):
        assert label.startswith("Exercise "), label
        assert digest == standing.source_digest(cell.source)
    assert cells.is_locked(by_id[COLAB_ID]) and not cells.is_graded(by_id[COLAB_ID]), "grading takes it from the release"
    assert cells.grade_id(by_id[COLAB_ID]) == f"{lab}-colab-setup", "the grader tells labs apart by their grade ids"
    assert cells.grade_id(by_id[CHECKLIST_ID]) is None, "an ordinary given cell: grading may run only its definitions"


def test_apply_touches_nothing_else_and_twice_is_once():
    original = nbformat.read(course.solution_notebook("vae"), as_version=4)
    bare = copy.deepcopy(original)
    bare.cells = [cell for cell in bare.cells if cell.id not in student_cells.CELL_IDS]
    applied = student_cells.with_student_cells(copy.deepcopy(bare), "vae")
    others = [cell for cell in applied.cells if cell.id not in student_cells.CELL_IDS]
    assert others == bare.cells
    assert student_cells.problems(applied, "vae") == []
    assert student_cells.with_student_cells(copy.deepcopy(applied), "vae") == applied


def test_a_changed_check_makes_the_checklist_stale():
    nb = nbformat.read(course.solution_notebook("vae"), as_version=4)
    check = next(cell for cell in nb.cells if cells.is_test_cell(cell))
    check.source += "\nassert True"
    assert any(CHECKLIST_ID in problem for problem in student_cells.problems(nb, "vae"))


def run_colab_cell(monkeypatch, in_colab: bool, source: str | None = None) -> list:
    calls = []
    monkeypatch.setattr("subprocess.run", lambda args, **kwargs: calls.append(args))
    monkeypatch.delenv("COURSE_DATA_ROOT", raising=False)
    if in_colab:
        google = types.ModuleType("google")
        google.__path__ = []
        monkeypatch.setitem(sys.modules, "google", google)
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    else:
        monkeypatch.setitem(sys.modules, "google.colab", None)         # import google.colab raises ImportError
    exec(source or student_cells.colab_source(), {})
    return calls


def test_the_colab_cell_does_nothing_elsewhere(monkeypatch):
    assert run_colab_cell(monkeypatch, in_colab=False) == []
    assert "COURSE_DATA_ROOT" not in os.environ


def test_in_colab_it_installs_the_release_and_keeps_the_data_on_colabs_disk(monkeypatch):
    source = student_cells.with_release(student_cells.colab_source(), "https://github.com/a-course/labs", "2027.1")
    assert source.count("a-course") == 1 and source.count("2027.1") == 1
    assert source.replace("https://github.com/a-course/labs", student_cells.REPOSITORY_PLACEHOLDER).replace(
        '"2027.1"', f'"{student_cells.RELEASE_PLACEHOLDER}"') == student_cells.colab_source()
    calls = run_colab_cell(monkeypatch, in_colab=True, source=source)
    assert calls == [[sys.executable, "-m", "pip", "install", "--quiet",
                      "course-utils @ git+https://github.com/a-course/labs@2027.1"]]
    assert os.environ["COURSE_DATA_ROOT"] == "/content/data"


def test_the_colab_cells_grade_id_belongs_to_its_lab_alone():
    """The grader tells a lab's notebook from another lab's by its grade ids: the cell added to every lab must not blur that."""
    grade_ids = {lab: set(cells.by_grade_id(nbformat.read(course.solution_notebook(lab), as_version=4).cells))
                 for lab in LABS}
    for lab in LABS:
        colab = student_cells.colab_grade_id(lab)
        assert colab in grade_ids[lab]
        assert not any(colab in ids for other, ids in grade_ids.items() if other != lab)
