"""nbgrader preprocessors of the grading pipeline (listed in grading_config.py).

Sanitize stage (before execution):
    GuardTestCells   wraps every autograded test cell in the kernel guard's begin/end calls.
Autograde stage:
    GradingExecute   nbgrader's Execute with the sandboxed kernel (kernel.py); stops after the last
                     graded cell; runs only the definitions of the lab's unchanged exploration cells
                     (exploration.py); a kernel that dies costs only the cells it did not run.
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
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Dict, Unicode

from tools import cells
from tools.grading.exploration import SHORTENED_NOTE, source_to_run
from tools.grading.inside.grading_kernel.protocol import GUARD_NAME, TOKEN_MIME
from tools.grading.kernel import GradingKernelManager
from tools.grading.notes import GUARD_MARK, INTEGRITY_ERROR, NOT_RUN_NOTE, STOPPED_ERROR


def token_for(key_hex: str, cell_id: str) -> str:
    """The token the kernel guard publishes when check `cell_id` ran to its end (see inside/grading_kernel/guard.py)."""
    return hmac.new(bytes.fromhex(key_hex), cell_id.encode(), hashlib.sha256).hexdigest()


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


class GradingExecute(Execute):
    """Execute the notebook in a guarded, sandboxed kernel, up to its last graded cell.

    Before the first cell runs, the files handed in beside the notebook are copied into the
    kernel's working folder, where the notebook's own relative paths find them. Of the lab's
    exploration cells (training, plots) that the student left unchanged, only the definitions run.
    """

    timings_file = Unicode("", help="where to write seconds per stage and per cell (JSON)").tag(config=True)
    exploration = Dict(help="{cell id: released source} of the given cells whose definitions alone run "
                            "(see exploration.py)").tag(config=True)

    def __init__(self, **kwargs):
        kwargs["kernel_manager_class"] = GradingKernelManager
        super().__init__(**kwargs)

    def preprocess(self, nb, resources=None, km=None):
        # written answers (markdown) need no kernel: stop after the last graded or answer *code* cell
        graded = [i for i, cell in enumerate(nb.cells)
                  if cell.cell_type == "code" and (cells.is_graded(cell) or cells.is_answer(cell))]
        last = max(graded) if graded else len(nb.cells) - 1
        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        timings: dict = {"cells": {}}
        stopped_at, manager = None, None
        start = cells_done = time.monotonic()
        try:
            with self.setup_kernel():
                manager: GradingKernelManager = self.km
                timings["kernel start"] = time.monotonic() - start
                self.resources["grading_token_key"] = manager.token_key
                self._give_working_copy(manager)
                info = self.wait_for_reply(self.kc.kernel_info())
                self.nb.metadata["language_info"] = info["content"]["language_info"]
                for index, cell in enumerate(self.nb.cells[:last + 1]):
                    began = time.monotonic()
                    try:
                        self._run_cell(cell, resources, index)
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
            reason = (manager.stop_reason if manager is not None else "") or \
                "the kernel died (os._exit, a crash, or running out of memory)"
            self._mark_not_run(stopped_at, last, reason)
            timings["stopped"] = {"cell": self.nb.cells[stopped_at].get("id"), "reason": reason}
        if last < len(self.nb.cells) - 1:
            self.nb.cells.insert(last + 1, new_markdown_cell(NOT_RUN_NOTE, id="grader-stopped-here"))
        timings["execute"] = time.monotonic() - start
        if self.timings_file:
            Path(self.timings_file).write_text(json.dumps(timings))
        return self.nb, self.resources

    def _run_cell(self, cell, resources, index) -> None:
        """Execute `cell`, or only its definitions if it is an unchanged exploration cell (its source stays as it was)."""
        source = source_to_run(cell, dict(self.exploration)) if cell.cell_type == "code" else cell.source
        if source == cell.source:
            self.preprocess_cell(cell, resources, index)
            return
        original = cell.source
        cell.source = source
        try:
            self.preprocess_cell(cell, resources, index)
        finally:
            cell.source = original
            cell.outputs = [new_output("stream", name="stdout", text=SHORTENED_NOTE), *cell.get("outputs", [])]

    def _give_working_copy(self, manager: GradingKernelManager) -> None:
        """Copy the submission's folder (its notebook and the files handed in with it) into the kernel's working folder."""
        source = Path(self.resources.get("metadata", {}).get("path") or ".")
        if manager.kernel is None or not source.is_dir():
            return
        for path in sorted(source.rglob("*")):
            if path.is_file() and not path.is_symlink():
                target = manager.kernel.workdir / path.relative_to(source)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)

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
        if not cells.is_test_cell(cell):
            return cell, resources
        cell_id = cells.grade_id(cell)
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


__all__ = ["GuardTestCells", "GradingExecute", "VerifyChecks", "token_for", "guard_lines"]
