"""Plausible wrong implementations of each graded exercise, for the autograder round trip.

A mutant takes the complete (correct) submission and edits one solution cell with a single
text replacement (tests/helpers/edits.py); each lab's are in tests/helpers/lab_cases/<lab>.py.
The autograde test checks that it loses the points of that exercise, whose check cell is
`<cell>-check`, and no others. Mutants run one after another in the test process
(see `nbgrading.failing_graded_cells`), so a mutant must be an honest mistake in the student's own
code, never a change to a library's state; cheating is tested through the real grader in
`batch_fixtures.py`.
"""
from __future__ import annotations

from tests.helpers.edits import Mutant
from tests.helpers.lab_cases import lab_modules

# Mistakes that only a hidden test can see, with the reason: (lab, mutant name) -> why.
HIDDEN_ONLY: dict[tuple[str, str], str] = {}

MUTANTS: dict[str, list[Mutant]] = {lab: module.MUTANTS for lab, module in lab_modules().items()}
