"""GuardTestCells: wrap each autograded test cell in the kernel guard's calls, before nbgrader executes it.

A check with hidden tests is guarded as two parts: its visible part ends with the guard's signed end
and the hidden part starts with a new begin, so the grader knows whether the visible part (what the
student saw in the notebook) passed when a hidden test failed (VerifyChecks records it).
"""
from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Dict

from tools import cells
from tools.grading.in_sandbox.grading_kernel import GUARD_NAME
from tools.grading.worker.notes import GUARD_MARK

HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"     # nbgrader's delimiter of hidden tests in a test cell
HIDDEN_PART = " (hidden tests)"             # the guard's name for the hidden part of check `cell_id`


def hidden_part(cell_id: str) -> str:
    """What the guard calls the hidden part of check `cell_id`."""
    return f"{cell_id}{HIDDEN_PART}"


def hidden_start(source: str) -> int | None:
    """The index of the line that opens the hidden tests, if they are at the top level of the cell."""
    for index, line in enumerate(source.splitlines()):
        if line.rstrip() == HIDDEN_BEGIN:
            return index
    return None


def guard_lines(cell_id: str, aliases: dict[str, str]) -> tuple[str, str]:
    """The first and last line GuardTestCells adds to test cell `cell_id`."""
    return (f"{GUARD_NAME}.begin({cell_id!r}, {aliases!r}){GUARD_MARK}",
            f"{GUARD_NAME}.end({cell_id!r}){GUARD_MARK}")


def boundary_line(cell_id: str, aliases: dict[str, str]) -> str:
    """The line GuardTestCells puts between the visible part of check `cell_id` and its hidden tests."""
    return (f"{GUARD_NAME}.end({cell_id!r}); {GUARD_NAME}.begin({hidden_part(cell_id)!r}, {aliases!r})"
            f"{GUARD_MARK}")


def guarded(source: str, cell_id: str, aliases: dict[str, str]) -> str:
    """The source of test cell `cell_id` with the guard's calls (the hidden tests guarded as a part of their own)."""
    begin, end = guard_lines(cell_id, aliases)
    lines = source.rstrip().splitlines()
    start = hidden_start(source)
    if start is not None:
        lines.insert(start, boundary_line(cell_id, aliases))
        end = guard_lines(hidden_part(cell_id), aliases)[1]
    return "\n".join([begin, *lines, end])


class GuardTestCells(NbGraderPreprocessor):
    """Wrap each autograded test cell (restored from the release by OverwriteCells) in the guard calls."""

    aliases = Dict(help="names the checks use for modules, e.g. {'F': 'torch.nn.functional'}").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cells.is_test_cell(cell):
            cell.source = guarded(cell.source, cells.grade_id(cell), dict(self.aliases))
        return cell, resources
