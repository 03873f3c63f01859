"""Which given cells grading runs only in part (tools/grading/exploration.py): their definitions, never their training."""
import nbformat
import pytest
from nbformat.v4 import new_code_cell

from tools import course
from tools.grading.exploration import definitions_only, exploration_cells, source_to_run

CELL = '''import math
from torch import nn
STEPS = 200
RATE = 2e-3 * 2
model = nn.Linear(2, 2)
def train(model):
    return [step for step in range(STEPS)]
class Wrapper(nn.Module):
    pass
history = train(model)
print(history[-1])
'''


def test_definitions_only_keeps_imports_functions_classes_and_literal_settings():
    kept = definitions_only(CELL)
    assert "import math" in kept and "from torch import nn" in kept and "STEPS = 200" in kept
    assert "def train(model):" in kept and "class Wrapper(nn.Module):" in kept
    assert "model = " not in kept and "history" not in kept and "print" not in kept
    assert "RATE" not in kept            # an expression, not a literal: it could be a computation


def test_a_cell_without_definitions_becomes_empty_and_a_broken_one_is_left_alone():
    assert definitions_only("history = train(model)\nplot(history)") == ""
    assert definitions_only("def broken(:\n    pass") == "def broken(:\n    pass"


@pytest.mark.parametrize("lab", course.lab_names())
def test_exploration_cells_are_the_given_code_cells_after_the_first_exercise(lab):
    release = nbformat.read(course.student_notebook(lab), as_version=4)
    found = exploration_cells(release)
    code = [cell for cell in release.cells if cell.cell_type == "code"]
    first_answer = next(i for i, cell in enumerate(code) if cell.metadata.get("nbgrader", {}).get("solution"))
    assert found, f"{lab} has no exploration cell"
    for index, cell in enumerate(code):
        nbgrader = cell.metadata.get("nbgrader", {})
        expected = index > first_answer and not nbgrader.get("solution") and not nbgrader.get("grade")
        assert (cell.id in found) == expected, f"{lab}: {cell.id}"
    assert "config" not in found and "setup-imports" not in found


def test_only_an_unchanged_exploration_cell_is_cut():
    exploration = {"train": CELL}
    unchanged = new_code_cell(CELL, id="train")
    assert source_to_run(unchanged, exploration) == definitions_only(CELL)
    edited = new_code_cell(CELL + "helper = 3 * STEPS\n", id="train")
    assert source_to_run(edited, exploration) == edited.source
    added = new_code_cell(CELL, id="my-own-cell")
    assert source_to_run(added, exploration) == CELL
