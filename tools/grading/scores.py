"""How scores flow, one way: from nbgrader's gradebooks to grades.csv and the course's gradebook.

    1. worker   nbgrader's autograde scores the checks in the submission's scratch gradebook;
                `autograded_scores` reads them: {graded cell: points, or None for a written answer}.
    2.          The scores travel to the client in the GradingResult; nothing else carries them.
    3. client   The results folder keeps them in manifest.json (outputs.ResultStore), from which
                grades.csv is written; an unchanged submission keeps its row there.
    4. client   The course's gradebook.db gets them as nbgrader's autograde would have written them
                (`record_scores`, through gradebook.CourseGradebook), for formgrader and nbgrader's
                feedback and export commands; a score a person gave there is never overwritten.
    5. client   A person grades the written answers in formgrader, in the course's gradebook;
                `manual_scores` reads those, and grades.csv shows them beside the autograded ones.
    6. client   The exports for an LMS (export.py, `nbgrader export`) read the course's gradebook.

So each score has one writer: nbgrader writes an autograded score once, and it is copied outwards;
a person writes a manual score in the course's gradebook, where the grader reads it. grades.csv is
made afresh from the manifest and those manual scores every time, never edited.
"""
from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry


def open_gradebook(path: Path, course_id: str = "") -> Gradebook:
    """nbgrader's gradebook at `path` (close it, or use it in a `with` block)."""
    warnings.filterwarnings("ignore", module="nbgrader")      # sqlalchemy's notes on nbgrader's sessions
    return Gradebook(f"sqlite:///{path}", course_id)


def autograded_scores(gradebook: Gradebook, lab: str, student: str) -> dict[str, float | None]:
    """{graded cell: the points autograde gave it}; None for a written answer, which waits for a person."""
    notebook = gradebook.find_submission_notebook(lab, lab, student)
    return {grade.name: None if grade.auto_score is None else float(grade.auto_score) for grade in notebook.grades}


def record_scores(gradebook: Gradebook, lab: str, student: str, scores: dict[str, float | None],
                  manual: set[str], timestamp: dt.datetime | None = None) -> None:
    """Write a submission's autograded scores into a course's gradebook, as nbgrader's autograde would.

    A written answer (in `manual`) is marked for manual grading until a person scores it; any
    manual score already given is kept, and a check a person had overridden is marked to look at again.
    """
    gradebook.update_or_create_student(student)
    gradebook.update_or_create_submission(lab, student, **({"timestamp": timestamp} if timestamp else {}))
    notebook = gradebook.find_submission_notebook(lab, lab, student)
    for grade in notebook.grades:
        value = scores.get(grade.name, 0.0)
        grade.auto_score = value
        if grade.name in manual:
            grade.needs_manual_grade = value is None or grade.manual_score is not None
        else:
            grade.needs_manual_grade = grade.manual_score is not None   # an override to look at again
    gradebook.db.commit()


def manual_scores(gradebook: Gradebook, lab: str, manual: set[str]) -> dict[str, dict[str, float]]:
    """{student: {written answer: score}} for the written answers of `lab` a person has graded."""
    try:
        assignment = gradebook.find_assignment(lab)
    except MissingEntry:
        return {}
    found: dict[str, dict[str, float]] = {}
    for submission in assignment.submissions:
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                if grade.name in manual and grade.manual_score is not None:
                    found.setdefault(submission.student.id, {})[grade.name] = float(grade.manual_score)
    return found
