"""One edit of a solution cell: a plausible mistake (`Mutant`) or a correct rewrite (`Alternative`).

A mutant takes the complete (correct) submission and edits one solution cell with a single
text replacement. The autograde test checks that it loses the points of that exercise, whose
check cell is `<cell>-check`, and no others. Mutants run one after another in the test process
(see `nbgrading.failing_graded_cells`), so a mutant must be an honest mistake in the student's own
code, never a change to a library's state; cheating is tested through the real grader in
`batch_fixtures.py`.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import nbformat


@dataclass(frozen=True)
class Mutant:
    name: str   # the mistake, in a few words (also the fake student's id)
    cell: str   # id of the solution cell it edits
    old: str    # text in the solution that the mistake replaces (must occur exactly once)
    new: str

    @property
    def breaks(self) -> str:
        """The graded check cell whose points this mistake must cost."""
        return f"{self.cell}-check"

    def apply(self, nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
        mutated = copy.deepcopy(nb)
        [cell] = [c for c in mutated.cells if c.get("id") == self.cell]
        count = cell.source.count(self.old)
        if count != 1:
            raise ValueError(f"mutant {self.name}: {self.old!r} occurs {count} times in cell {self.cell!r}, expected once")
        cell.source = cell.source.replace(self.old, self.new)
        return mutated


class Alternative(Mutant):
    """A correct rewrite of one solution cell (the same text replacement as a mutant): it must earn full marks."""
