"""nbgrader's configuration for grading one submission: the pipeline, in order, and this submission's values.

The pipeline is nbgrader's own, with the grader's preprocessors in three places: test cells are
wrapped in the kernel guard before execution, the notebook runs in the grader's kernel, and a
test cell is scored only when the guard signed it. The feedback page is made by the pipeline the
course's nbgrader_config.py uses too (feedback.configure_feedback).
"""
from __future__ import annotations

from pathlib import Path

from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, ClearOutput, DeduplicateIds, IgnorePattern,
                                    LimitOutput, OverwriteCells, OverwriteKernelspec, SaveAutoGrades)
from traitlets.config import Config

from tools.grading.records import CourseBundle, GradingTask
from tools.grading.worker.feedback import configure_feedback
from tools.grading.worker.preprocessors.grading_execute import GradingExecute
from tools.grading.worker.preprocessors.guard_test_cells import GuardTestCells
from tools.grading.worker.preprocessors.verify_checks import VerifyChecks

SANITIZE = [ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, GuardTestCells, CheckCellMetadata]
AUTOGRADE = [GradingExecute, VerifyChecks, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
             AssignLatePenalties, CheckCellMetadata]


def grading_config(bundle: CourseBundle, task: GradingTask, scratch: Path, token_key: str) -> Config:
    """nbgrader's configuration for grading `task` in the scratch course `scratch`.

    `token_key` (hex) is this submission's signing key: the kernel's guard signs with it, VerifyChecks checks with it.
    """
    config = Config()
    config.CourseDirectory.root = str(scratch)
    config.CourseDirectory.course_id = bundle.course_id
    config.Autograde.sanitize_preprocessors = SANITIZE
    config.Autograde.autograde_preprocessors = AUTOGRADE
    config.Execute.timeout = int(task.settings.cell_timeout)     # runaway code is interrupted, the rest still graded
    config.Execute.interrupt_on_timeout = True
    config.GuardTestCells.aliases = dict(bundle.aliases)
    config.GradingExecute.exploration = dict(bundle.exploration)
    config.GradingExecute.timings_file = str(scratch / "timings.json")
    config.GradingKernelManager.settings = task.settings
    config.GradingKernelManager.token_key = token_key
    config.VerifyChecks.token_key = token_key
    configure_feedback(config)
    return config
