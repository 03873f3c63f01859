"""The course directory's gradebook, where formgrader and nbgrader's feedback commands look.

The batch grader grades each submission in a scratch course of its own; this module publishes each
result into the course directory (by default the instructor's repository, whose nbgrader_config.py
makes it nbgrader's course): the executed notebook in `autograded/<student>/<lab>/` and the scores
in `gradebook.db` (how scores flow: tools/grading/scores.py). Formgrader then shows the written
answers for manual grading, and `nbgrader generate_feedback` / `release_feedback` work as in
nbgrader's own workflow. Manual scores given there are read back into grades.csv. Nothing else in
the course directory is written: a lab the gradebook does not know yet is released in a scratch
copy of the course, and only its record reaches the course's gradebook.
"""
from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from tools import course
from tools.grading import scores
from tools.grading.records import GRADED, GradingResult


class CourseGradebook:
    """Publish results into a course directory's gradebook and autograded/ folder; read manual scores."""

    def __init__(self, course_dir: Path, lab: str, course_id: str, manual: tuple[str, ...]) -> None:
        self.course_dir, self.lab, self.course_id, self.manual = course_dir, lab, course_id, set(manual)
        self.path = course_dir / "gradebook.db"

    def _open(self) -> Gradebook:
        return scores.open_gradebook(self.path, self.course_id)

    def ensure_assignment(self) -> bool:
        """Record the lab in the gradebook unless it is there; True if it was added.

        The lab is released (nbgrader generate_assignment) in a scratch copy of the course whose
        gradebook is this one: the course directory's own release folder is never written.
        """
        if self.path.exists():
            with self._open() as gradebook:
                try:
                    gradebook.find_assignment(self.lab)
                    return False
                except MissingEntry:
                    pass
        with tempfile.TemporaryDirectory(prefix="grading-release-") as scratch:
            copy = course.make_course_copy(Path(scratch) / "course", [self.lab], source=self.course_dir)
            course.release(copy, self.lab, gradebook=self.path)
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
            scores.record_scores(gradebook, self.lab, result.student, result.scores, self.manual, when)

    def manual_scores(self) -> dict[str, dict[str, float]]:
        """{student: {written-answer cell: score}} for the answers someone has graded."""
        if not self.path.exists() or not self.manual:
            return {}
        with self._open() as gradebook:
            return scores.manual_scores(gradebook, self.lab, self.manual)


def _parse_timestamp(text: str | None) -> dt.datetime | None:
    """nbgrader's timestamp.txt (written by `nbgrader submit`), or None."""
    if not text:
        return None
    try:
        from nbgrader.utils import parse_utc
        return parse_utc(text.strip())
    except Exception:  # noqa: BLE001 -- a damaged timestamp only loses the late-submission check
        return None
