"""The course directory's gradebook, where formgrader and nbgrader's feedback commands look.

The batch grader grades each submission in a scratch course of its own; this module publishes each
result into the course directory (by default the instructor's repository, whose nbgrader_config.py
makes it nbgrader's course): the executed notebook in `autograded/<student>/<lab>/` and the scores
in `gradebook.db`. Formgrader then shows the written answers for manual grading, and
`nbgrader generate_feedback` / `release_feedback` work as in nbgrader's own workflow. Manual scores
given there are read back into grades.csv.
"""
from __future__ import annotations

import datetime as dt
import shutil
import warnings
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from tools import course
from tools.grading.records import GRADED, GradingResult


class CourseGradebook:
    """Publish results into a course directory's gradebook and autograded/ folder; read manual scores."""

    def __init__(self, course_dir: Path, lab: str, course_id: str, manual: tuple[str, ...]) -> None:
        self.course_dir, self.lab, self.course_id, self.manual = course_dir, lab, course_id, set(manual)
        self.url = f"sqlite:///{course_dir / 'gradebook.db'}"

    def _open(self) -> Gradebook:
        warnings.filterwarnings("ignore", module="nbgrader")      # sqlalchemy's notes on nbgrader's sessions
        return Gradebook(self.url, self.course_id)

    def ensure_assignment(self) -> bool:
        """Record the lab in the gradebook (nbgrader generate_assignment) unless it is there; True if it was added."""
        if (self.course_dir / "gradebook.db").exists():
            with self._open() as gradebook:
                try:
                    gradebook.find_assignment(self.lab)
                    return False
                except MissingEntry:
                    pass
        course.release(self.course_dir, self.lab)
        return True

    def publish(self, result: GradingResult, submitted: Path | None = None) -> None:
        """Store a graded submission: its files, its executed notebook and its scores (manual scores are kept).

        As nbgrader's autograde does, the files that came with the notebook (nbgrader's
        timestamp.txt and submission_secret.txt, which release_feedback needs) are copied along.
        """
        if result.status != GRADED or result.autograded is None:
            return
        folder = self.course_dir / "autograded" / result.student / self.lab
        folder.mkdir(parents=True, exist_ok=True)
        if submitted is not None and submitted.is_dir():
            for path in submitted.iterdir():
                if path.is_file() and path.suffix != ".ipynb":
                    shutil.copy2(path, folder / path.name)
        (folder / f"{self.lab}.ipynb").write_text(result.autograded)
        stamp_file = folder / "timestamp.txt"
        timestamp = stamp_file.read_text().strip() if stamp_file.exists() else None
        when = _parse_timestamp(timestamp)
        if when is None:
            stamp_file.write_text(dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f %Z"))
        with self._open() as gradebook:
            gradebook.update_or_create_student(result.student)
            gradebook.update_or_create_submission(self.lab, result.student, **({"timestamp": when} if when else {}))
            notebook = gradebook.find_submission_notebook(self.lab, self.lab, result.student)
            for grade in notebook.grades:
                value = result.scores.get(grade.name, 0.0)
                grade.auto_score = value
                if grade.name in self.manual:
                    grade.needs_manual_grade = value is None or grade.manual_score is not None
                else:
                    grade.needs_manual_grade = grade.manual_score is not None   # an override to look at again
            gradebook.db.commit()

    def manual_scores(self) -> dict[str, dict[str, float]]:
        """{student: {written-answer cell: score}} for the answers someone has graded."""
        if not (self.course_dir / "gradebook.db").exists() or not self.manual:
            return {}
        found: dict[str, dict[str, float]] = {}
        with self._open() as gradebook:
            try:
                assignment = gradebook.find_assignment(self.lab)
            except MissingEntry:
                return {}
            for submission in assignment.submissions:
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        if grade.name in self.manual and grade.manual_score is not None:
                            found.setdefault(submission.student.id, {})[grade.name] = float(grade.manual_score)
        return found


def _parse_timestamp(text: str | None) -> dt.datetime | None:
    """nbgrader's timestamp.txt (written by `nbgrader submit`), or None."""
    if not text:
        return None
    try:
        from nbgrader.utils import parse_utc
        return parse_utc(text.strip())
    except Exception:  # noqa: BLE001 -- a damaged timestamp only loses the late-submission check
        return None
