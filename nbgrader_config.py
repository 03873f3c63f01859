"""nbgrader settings for the course: the repository root is the course directory.

Instructors edit `solutions/<lab>/` (nbgrader's source directory); `make release` writes the
student versions to `labs/<lab>/` (its release directory). Feedback pages (`nbgrader
generate_feedback`) show each check's visible part and its message, never a hidden test: they are
made by the grader's own feedback pipeline (tools/grading/worker/feedback.py). Every value below
that the grader also uses is defined once, in the course's tools, and read from there.

nbgrader finds the course's tools because it puts its working folder (this repository) on the
import path; the course's own commands, which run nbgrader in copies of this folder, put the
repository on PYTHONPATH (tools/course.py).
"""
import os

try:
    from tools import course
    from tools.grading.settings import DEFAULTS
    from tools.grading.worker.feedback import configure_feedback
except ImportError as missing:
    raise ImportError(f"nbgrader_config.py needs the course's tools ({missing}): run nbgrader in the course "
                      f"repository's root, or put that folder on PYTHONPATH") from missing

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "generative-models"
c.CourseDirectory.source_directory = course.SOLUTIONS
c.CourseDirectory.release_directory = course.LABS
c.CourseDirectory.ignore = list(course.IGNORED)

# Per-cell time limit while validating and autograding: the grader's own default. nbgrader executes
# notebooks with $NBGRADER_EXECUTION set, which makes course_utils.get_budget() choose the smoke
# budget, so a correct cell finishes in seconds; the limit only stops runaway code (an endless loop).
c.Execute.timeout = int(DEFAULTS.cell_timeout)
c.Execute.interrupt_on_timeout = True

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

configure_feedback(c)
