"""VerifyChecks: a test cell keeps its points only if the kernel guard signed its end; tidy what the feedback shows."""
from __future__ import annotations

import hashlib
import hmac

from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

from tools import cells
from tools.grading.in_sandbox.grading_kernel import TOKEN_MIME
from tools.grading.worker.notes import GUARD_MARK, INTEGRITY_ERROR


def token_for(key_hex: str, cell_id: str) -> str:
    """The token the kernel guard publishes when check `cell_id` ran to its end (see in_sandbox/grading_kernel/guard.py)."""
    return hmac.new(bytes.fromhex(key_hex), cell_id.encode(), hashlib.sha256).hexdigest()


class VerifyChecks(NbGraderPreprocessor):
    """Score a test cell only if the kernel guard signed it; tidy what the feedback shows."""

    token_key = Unicode("", help="the key (hex) the kernel's guard signed with (GradingKernelManager.token_key)"
                        ).tag(config=True)

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
        expected = token_for(self.token_key, cell_id) if self.token_key else None
        if not any(isinstance(t, dict) and t.get("cell") == cell_id and expected
                   and hmac.compare_digest(str(t.get("token", "")), expected) for t in tokens):
            message = (f"check {cell_id} did not run to its end under the grader's guard (its code was skipped "
                       f"or stopped, or its errors were hidden), so it scores 0")
            cell.outputs.append(new_output("error", ename=INTEGRITY_ERROR, evalue=message,
                                           traceback=[f"{INTEGRITY_ERROR}: {message}"]))
        return cell, resources
