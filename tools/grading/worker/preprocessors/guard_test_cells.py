"""GuardTestCells: wrap each autograded test cell in the kernel guard's calls, before nbgrader executes it."""
from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Dict

from tools import cells
from tools.grading.in_sandbox.grading_kernel import GUARD_NAME
from tools.grading.worker.notes import GUARD_MARK


def guard_lines(cell_id: str, aliases: dict[str, str]) -> tuple[str, str]:
    """The first and last line GuardTestCells adds to test cell `cell_id`."""
    return (f"{GUARD_NAME}.begin({cell_id!r}, {aliases!r}){GUARD_MARK}",
            f"{GUARD_NAME}.end({cell_id!r}){GUARD_MARK}")


class GuardTestCells(NbGraderPreprocessor):
    """Wrap each autograded test cell (restored from the release by OverwriteCells) in the guard calls."""

    aliases = Dict(help="names the checks use for modules, e.g. {'F': 'torch.nn.functional'}").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cells.is_test_cell(cell):
            begin, end = guard_lines(cells.grade_id(cell), dict(self.aliases))
            cell.source = f"{begin}\n{cell.source.rstrip()}\n{end}"
        return cell, resources
