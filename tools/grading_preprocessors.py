"""An nbgrader preprocessor used by the batch autograder (tools/autograde.py)."""
from __future__ import annotations

from pathlib import Path

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

GUARD_FILE = Path(__file__).resolve().parent / "grading_guard.py"
GUARD_LINE = (
    "import importlib.util as _g; _s = _g.spec_from_file_location('_grading_guard', {path!r}); "
    "_m = _g.module_from_spec(_s); _s.loader.exec_module(_m); _m.restore(globals()); del _g, _s, _m"
    "  # added by the autograder"
).format(path=str(GUARD_FILE))


def is_test_cell(cell) -> bool:
    """An autograded test cell: a graded code cell that is not also an answer cell."""
    return cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)


class GuardGradeCells(NbGraderPreprocessor):
    """Prefix every autograded test cell with the guard line (after nbgrader restored the original tests)."""

    def preprocess_cell(self, cell, resources, index):
        if is_test_cell(cell):
            cell.source = GUARD_LINE + "\n" + cell.source
        return cell, resources
