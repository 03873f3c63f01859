"""GradingExecute: nbgrader's Execute in the grader's kernel, up to the last graded cell, through public hooks only.

nbgrader's Execute runs every code cell through nbconvert's `preprocess`, which this keeps; it
changes what a cell run does through nbconvert's per-cell hook (`preprocess_cell`) and times the
kernel's start with nbclient's `on_notebook_start`:

* the kernel is the grader's (GradingKernelManager: sandboxed, guarded, forked, with limits);
* cells after the last graded or answer code cell are not run (written answers need no kernel),
  and a note in the notebook says so;
* of the lab's exploration cells the student left unchanged, only the definitions run
  (exploration.py); the cell keeps its source, with one line saying so;
* a kernel that dies (a limit, os._exit, a crash) costs only the cells it did not run: the cell
  where it stopped and every code cell after it get an error naming the reason.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from nbclient.exceptions import DeadKernelError
from nbformat.v4 import new_markdown_cell, new_output
from nbgrader.preprocessors import Execute
from traitlets import Dict, Unicode, default

from tools import cells
from tools.grading.exploration import SHORTENED_NOTE, source_to_run
from tools.grading.worker.kernel_manager import GradingKernelManager
from tools.grading.worker.notes import NOT_RUN_NOTE, STOPPED_ERROR

DIED = "the kernel died (os._exit, a crash, or running out of memory)"


def last_cell_to_run(nb) -> int:
    """The index of the last graded or answer code cell (written answers need no kernel), else the last cell."""
    graded = [i for i, cell in enumerate(nb.cells)
              if cell.cell_type == "code" and (cells.is_graded(cell) or cells.is_answer(cell))]
    return max(graded) if graded else len(nb.cells) - 1


class GradingExecute(Execute):
    """Execute the notebook in a guarded, sandboxed kernel, up to its last graded cell."""

    timings_file = Unicode("", help="where to write seconds per stage and per cell (JSON)").tag(config=True)
    exploration = Dict(help="{cell id: released source} of the given cells whose definitions alone run "
                            "(see exploration.py)").tag(config=True)

    def __init__(self, **kwargs):
        kwargs["kernel_manager_class"] = GradingKernelManager    # nbgrader's Execute sets its own otherwise
        super().__init__(**kwargs)
        self._manager: GradingKernelManager | None = None

    @default("shutdown_kernel")
    def _stopped_not_asked(self) -> str:
        return "immediate"          # a grading kernel is stopped, never asked to stop

    def create_kernel_manager(self):
        """nbclient's kernel manager, remembered: nbclient drops it when the notebook ends, and the reason the
        kernel stopped is asked afterwards."""
        self._manager = super().create_kernel_manager()
        return self._manager

    def preprocess(self, nb, resources=None, km=None):
        """nbconvert's own run of the notebook, then the marks of a kernel that stopped, the note, the timings."""
        self._last = last_cell_to_run(nb)
        self._manager = None
        self._stopped_at: int | None = None
        self._timings: dict = {"cells": {}}
        self._started = time.monotonic()
        try:
            nb, resources = super().preprocess(nb, resources, km)
        except DeadKernelError:             # before its first cell: the kernel died while it started
            self._stopped_at = next((i for i, cell in enumerate(nb.cells[:self._last + 1])
                                     if cell.cell_type == "code" and not cell.get("outputs")), 0)
            self.nb, self.resources = nb, resources
        if self._stopped_at is not None:
            self._mark_not_run(self._stopped_at)
        if self._last < len(self.nb.cells) - 1:
            self.nb.cells.insert(self._last + 1, new_markdown_cell(NOT_RUN_NOTE, id="grader-stopped-here"))
        self._timings["execute"] = time.monotonic() - self._started
        if self.timings_file:
            Path(self.timings_file).write_text(json.dumps(self._timings))
        return self.nb, self.resources

    def on_notebook_start(self, notebook):
        """nbclient's hook: the kernel has started and its client is ready."""
        self._timings["kernel start"] = time.monotonic() - self._started

    def preprocess_cell(self, cell, resources, index):
        """nbconvert's hook for each cell: run it (or its definitions), unless it comes after the last check or
        the kernel stopped."""
        if index > self._last or self._stopped_at is not None:
            return cell, self.resources
        began = time.monotonic()
        try:
            self._run(cell, resources, index)
        except DeadKernelError:
            self._stopped_at = index
        finally:
            self._timings["cells"][cell.get("id", str(index))] = time.monotonic() - began
        return cell, self.resources

    def _run(self, cell, resources, index) -> None:
        """Execute `cell`, or only its definitions if it is an unchanged exploration cell (its source stays as it was)."""
        source = source_to_run(cell, dict(self.exploration)) if cell.cell_type == "code" else cell.source
        if source == cell.source:
            super().preprocess_cell(cell, resources, index)
            return
        original = cell.source
        cell.source = source
        try:
            super().preprocess_cell(cell, resources, index)
        finally:
            cell.source = original
            cell.outputs = [new_output("stream", name="stdout", text=SHORTENED_NOTE), *cell.get("outputs", [])]

    def _mark_not_run(self, first: int) -> None:
        """Give the cell where the kernel stopped, and every code cell after it, an error saying why."""
        reason = (self._manager.stop_reason if self._manager is not None else "") or DIED
        for index in range(first, self._last + 1):
            cell = self.nb.cells[index]
            if cell.cell_type != "code":
                continue
            message = reason if index == first else f"not run: {reason} in an earlier cell"
            cell.outputs = [o for o in cell.get("outputs", []) if o.get("output_type") != "error"]
            cell.outputs.append(new_output("error", ename=STOPPED_ERROR, evalue=message,
                                           traceback=[f"{STOPPED_ERROR}: {message}"]))
        self._timings["stopped"] = {"cell": self.nb.cells[first].get("id"), "reason": reason}
