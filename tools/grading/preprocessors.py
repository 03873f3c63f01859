"""nbgrader preprocessors of the grading pipeline (listed in grading_config.py).

Sanitize stage (before execution):
    GuardTestCells   wraps every autograded test cell in the kernel guard's begin/end calls.
Autograde stage:
    GradingExecute   nbgrader's Execute with the sandboxed kernel (kernel.py); stops after the last
                     graded cell; a kernel that dies costs only the cells it did not run.
    VerifyChecks     a test cell keeps its points only with the kernel guard's signed token; the guard
                     lines, tokens and stderr (warnings) are taken out of what nbgrader scores and shows.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import time
from pathlib import Path

from nbclient.exceptions import DeadKernelError
from nbclient.client import NotebookClient
from nbformat.v4 import new_markdown_cell, new_output
from nbgrader import utils
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Dict, Unicode

from tools.grading.kernel import GradingKernelManager
from tools.grading.kernel_boot import GUARD_NAME, TAMPER_ERROR, TOKEN_MIME

GUARD_MARK = "  # added by the grader"
INTEGRITY_ERROR = "GradingIntegrityError"
STOPPED_ERROR = "KernelStopped"
NOT_RUN_NOTE = ("*The grader stopped after the last graded cell: the cells below were not run and are "
                "not graded.*")


def is_test_cell(cell) -> bool:
    """An autograded test cell: a graded code cell that is not also an answer cell."""
    return cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)


def token_for(key_hex: str, cell_id: str) -> str:
    """The token the kernel guard publishes when check `cell_id` ran to its end (see kernel_boot.py)."""
    return hmac.new(bytes.fromhex(key_hex), cell_id.encode(), hashlib.sha256).hexdigest()


def guard_lines(cell_id: str, aliases: dict[str, str]) -> tuple[str, str]:
    """The first and last line GuardTestCells adds to test cell `cell_id`."""
    return (f"{GUARD_NAME}.begin({cell_id!r}, {aliases!r}){GUARD_MARK}",
            f"{GUARD_NAME}.end({cell_id!r}){GUARD_MARK}")


class GuardTestCells(NbGraderPreprocessor):
    """Wrap each autograded test cell (restored from the release by OverwriteCells) in the guard calls."""

    aliases = Dict(help="names the checks use for modules, e.g. {'F': 'torch.nn.functional'}").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if is_test_cell(cell):
            begin, end = guard_lines(cell.metadata.nbgrader["grade_id"], dict(self.aliases))
            cell.source = f"{begin}\n{cell.source.rstrip()}\n{end}"
        return cell, resources


class GradingExecute(Execute):
    """Execute the notebook in a guarded, sandboxed kernel, up to its last graded cell."""

    timings_file = Unicode("", help="where to write seconds per stage and per cell (JSON)").tag(config=True)

    def __init__(self, **kwargs):
        kwargs.setdefault("kernel_manager_class", GradingKernelManager)
        super().__init__(**kwargs)

    def preprocess(self, nb, resources=None, km=None):
        # written answers (markdown) need no kernel: stop after the last graded or answer *code* cell
        graded = [i for i, cell in enumerate(nb.cells)
                  if cell.cell_type == "code" and (utils.is_grade(cell) or utils.is_solution(cell))]
        last = max(graded) if graded else len(nb.cells) - 1
        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        timings: dict = {"cells": {}}
        stopped_at, manager = None, None
        start = cells_done = time.monotonic()
        try:
            with self.setup_kernel():
                manager = self.km
                timings["kernel start"] = time.monotonic() - start
                self.resources["grading_token_key"] = getattr(manager, "token_key", "")
                self._give_working_copy(manager)
                info = self.wait_for_reply(self.kc.kernel_info())
                self.nb.metadata["language_info"] = info["content"]["language_info"]
                for index, cell in enumerate(self.nb.cells[:last + 1]):
                    began = time.monotonic()
                    try:
                        self.preprocess_cell(cell, resources, index)
                    except DeadKernelError:
                        stopped_at = index
                        break
                    finally:
                        timings["cells"][cell.get("id", str(index))] = time.monotonic() - began
                cells_done = time.monotonic()
            timings["kernel shutdown"] = time.monotonic() - cells_done
        except DeadKernelError:
            if stopped_at is None:
                stopped_at = next((i for i, c in enumerate(self.nb.cells[:last + 1])
                                   if c.cell_type == "code" and not c.get("outputs")), 0)
        if stopped_at is not None:
            reason = getattr(manager, "stop_reason", "") or \
                "the kernel died (os._exit, a crash, or running out of memory)"
            self._mark_not_run(stopped_at, last, reason)
            timings["stopped"] = {"cell": self.nb.cells[stopped_at].get("id"), "reason": reason}
        if last < len(self.nb.cells) - 1:
            self.nb.cells.insert(last + 1, new_markdown_cell(NOT_RUN_NOTE, id="grader-stopped-here"))
        timings["execute"] = time.monotonic() - start
        if self.timings_file:
            Path(self.timings_file).write_text(json.dumps(timings))
        return self.nb, self.resources

    def _give_working_copy(self, manager) -> None:
        """Copy the submission's files (its notebook) into the kernel's own writable folder."""
        source = Path(self.resources.get("metadata", {}).get("path") or ".")
        workdir = getattr(manager, "workdir", None)
        if workdir is None or not source.is_dir():
            return
        for path in source.iterdir():
            if path.is_file():
                shutil.copy(path, workdir / path.name)

    def _mark_not_run(self, first: int, last: int, reason: str) -> None:
        """Give the cell where the kernel stopped, and every code cell after it, an error saying why."""
        for index in range(first, last + 1):
            cell = self.nb.cells[index]
            if cell.cell_type != "code":
                continue
            message = reason if index == first else f"not run: {reason} in an earlier cell"
            cell.outputs = [o for o in cell.get("outputs", []) if o.get("output_type") != "error"]
            cell.outputs.append(new_output("error", ename=STOPPED_ERROR, evalue=message,
                                           traceback=[f"{STOPPED_ERROR}: {message}"]))


class VerifyChecks(NbGraderPreprocessor):
    """Score a test cell only if the kernel guard signed it; tidy what the feedback shows."""

    token_key = Unicode("", help="the hex key the kernel guard signs with (by default the kernel's own)").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if not is_test_cell(cell):
            return cell, resources
        cell_id = cell.metadata.nbgrader["grade_id"]
        tokens, kept = [], []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "display_data" and TOKEN_MIME in output.get("data", {}):
                tokens.append(output["data"][TOKEN_MIME])
                continue
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                output["name"] = "stdout"   # a warning printed by a check must not cost its points
            kept.append(output)
        cell.outputs = kept
        cell.source = "\n".join(line for line in cell.source.splitlines() if not line.endswith(GUARD_MARK))
        if any(o.get("output_type") == "error" for o in kept):
            return cell, resources
        key = resources.get("grading_token_key") or self.token_key
        expected = token_for(key, cell_id) if key else None
        if not any(isinstance(t, dict) and t.get("cell") == cell_id and expected
                   and hmac.compare_digest(str(t.get("token", "")), expected) for t in tokens):
            message = (f"check {cell_id} did not run to its end under the grader's guard (its code was skipped "
                       f"or stopped, or its errors were hidden), so it scores 0")
            cell.outputs.append(new_output("error", ename=INTEGRITY_ERROR, evalue=message,
                                           traceback=[f"{INTEGRITY_ERROR}: {message}"]))
        return cell, resources


__all__ = ["GuardTestCells", "GradingExecute", "VerifyChecks", "is_test_cell", "token_for", "guard_lines",
           "TAMPER_ERROR", "INTEGRITY_ERROR", "STOPPED_ERROR"]
