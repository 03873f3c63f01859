"""nbgrader configuration for grading (loaded by the grading worker, on top of the course's own).

The pipeline is nbgrader's, with the grader's preprocessors in three places: test cells are
wrapped in the kernel guard before execution, the notebook runs in the sandboxed kernel, and a
test cell is scored only when the guard signed it. Per-submission values (the grading settings, the
cell timeout, the lab's module aliases) are set by the worker on top of this file.
"""
from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, ClearOutput, DeduplicateIds, GetGrades,
                                    IgnorePattern, LimitOutput, OverwriteCells, OverwriteKernelspec,
                                    SaveAutoGrades)

from tools.grading.feedback import FeedbackExporter, HideHiddenTests
from tools.grading.preprocessors import GradingExecute, GuardTestCells, VerifyChecks

c = get_config()  # noqa: F821 (provided by the config loader)

c.Autograde.sanitize_preprocessors = [ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells,
                                      GuardTestCells, CheckCellMetadata]
c.Autograde.autograde_preprocessors = [GradingExecute, VerifyChecks, IgnorePattern, ClearMetadataPreprocessor,
                                       LimitOutput, SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]
c.Execute.timeout = 120                 # seconds per cell; runaway code is interrupted, the rest still graded
c.Execute.interrupt_on_timeout = True
# The feedback page shows each check's visible part and message, never a hidden test (feedback.py).
c.GenerateFeedback.preprocessors = [GetGrades, HideHiddenTests, CSSHTMLHeaderPreprocessor]
c.GenerateFeedback.exporter_class = FeedbackExporter
