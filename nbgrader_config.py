"""nbgrader settings for the course: the repository root is the course directory.

Instructors edit `solutions/<lab>/` (nbgrader's source directory); `make release` writes the
student versions to `labs/<lab>/` (its release directory). Feedback pages (`nbgrader
generate_feedback`) show each check's visible part and its message, never a hidden test: see
tools/grading/feedback.py.
"""
import os
import sys

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

# The feedback settings live with this repository's grading tools; a copy of this file in another
# course folder finds them through $COURSE_TOOLS_ROOT (set by the course's tools).
sys.path.insert(0, os.environ.get("COURSE_TOOLS_ROOT") or os.path.dirname(os.path.abspath(__file__)))
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import GetGrades  # noqa: E402

from tools.grading.feedback import FeedbackExporter, HideHiddenTests  # noqa: E402

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "generative-models"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "labs"
# What running a lab leaves in its folder (saved images) is neither released nor collected.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "outputs"]

# Per-cell time limit while validating and autograding. nbgrader executes notebooks with
# $NBGRADER_EXECUTION set, which makes course_utils.get_budget() choose the smoke budget, so a
# correct cell finishes in seconds; the limit only stops runaway code (an endless loop) without
# stalling the rest of a batch.
c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# Feedback: nbgrader's own steps, with the hidden tests and the checks' tracebacks taken out.
c.GenerateFeedback.preprocessors = [GetGrades, HideHiddenTests, CSSHTMLHeaderPreprocessor]
c.GenerateFeedback.exporter_class = FeedbackExporter
