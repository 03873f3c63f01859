"""A term on one machine: nbgrader's exchange end to end, the batch grader in the middle, written answers graded by hand.

The instructor releases the lab to a temporary exchange; the student fetches it, fills it in and
submits; the instructor collects, runs the batch grader on the collected folder (which publishes
into the course's gradebook), generates and releases feedback; the student fetches the feedback.
Then the written answer is graded the way formgrader does it, through nbgrader's gradebook API,
and the exported grades include it.
"""
import csv
import io
import os
import subprocess
import sys

import nbformat
import pytest
from nbgrader.api import Gradebook

from tools import course
from tests.helpers.batch_fixtures import AUTOGRADED, WRITTEN
from tests.helpers.notebooks import hidden_test_lines, page_text
from tools.grading.client import cli
from tools.labcode import complete_submission

pytestmark = [pytest.mark.slow, pytest.mark.sandbox, pytest.mark.kernel, pytest.mark.data]
LAB, COURSE_ID = "vae", "deep-generative-2027"


def nbgrader(where, *args):
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=where, env=course.child_env(),
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def term(tmp_path_factory, grading_cluster):
    root = tmp_path_factory.mktemp("term")
    exchange, student_home = root / "exchange", root / "student"
    exchange.mkdir()
    exchange.chmod(0o777)
    student_home.mkdir()
    instructor = course.make_course_copy(root / "course", [LAB])
    shared = [f"--Exchange.root={exchange}", f"--CourseDirectory.course_id={COURSE_ID}"]
    student_flags = [f"--Exchange.root={exchange}", f"--course={COURSE_ID}"]

    nbgrader(instructor, "generate_assignment", LAB, "--force", *shared)
    nbgrader(instructor, "release_assignment", LAB, *shared)

    nbgrader(student_home, "fetch_assignment", LAB, *student_flags)
    [fetched] = list(student_home.rglob(f"{LAB}.ipynb"))
    _, complete = complete_submission(LAB)
    answers = {cell.id: cell.source for cell in complete.cells if cell.metadata.get("nbgrader", {}).get("solution")}
    work = nbformat.read(fetched, as_version=4)
    for cell in work.cells:
        if cell.get("id") in answers:
            cell.source = answers[cell.id] if cell.cell_type == "code" else "A larger beta pulls the codes to the prior."
    nbformat.write(work, fetched)
    nbgrader(fetched.parent.parent, "submit", LAB, *student_flags)

    nbgrader(instructor, "collect", LAB, *shared)
    collected = instructor / "submitted"
    [student] = [p.name for p in collected.iterdir()]
    assert cli.main([LAB, str(collected), "--course-dir", str(instructor), "--out", str(root / "results"),
                     "--scheduler", grading_cluster, "--no-progress"]) == 0

    nbgrader(instructor, "generate_feedback", LAB, *shared)
    nbgrader(instructor, "release_feedback", LAB, *shared)
    nbgrader(fetched.parent.parent, "fetch_feedback", LAB, *student_flags)
    return {"root": root, "instructor": instructor, "student": student, "student_home": student_home,
            "results": root / "results", "shared": shared, "collected": collected}


def table(results):
    with open(results / "grades.csv") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def test_the_student_finds_feedback_with_the_scores(term):
    pages = list(term["student_home"].rglob(f"feedback/*/{LAB}.html"))
    assert pages, "fetch_feedback brought no feedback"
    page = pages[0].read_text()
    assert "encoder-check" in page and f"{AUTOGRADED:.1f}" in page
    shown = page_text(page)
    leaked = sorted(line for line in hidden_test_lines(LAB) if line in shown)
    assert not leaked, f"nbgrader's feedback shows hidden test lines: {leaked[:3]}"


def test_collect_keeps_the_timestamp_and_the_gradebook_has_the_submission(term):
    assert (term["collected"] / term["student"] / LAB / "timestamp.txt").exists()
    with Gradebook(f"sqlite:///{term['instructor'] / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(LAB, term["student"])
        assert submission.timestamp is not None
        assert submission.score == AUTOGRADED and submission.max_score == AUTOGRADED + WRITTEN
        assert submission.needs_manual_grade


def test_the_written_answer_waits_for_manual_grading(term):
    row = table(term["results"])[term["student"]]
    assert row["q-beta"] == "needs manual grading" and row["total"] == f"{AUTOGRADED:g}"
    assert row["max"] == f"{AUTOGRADED + WRITTEN:g}"
    assert "need manual grading" in row["notes"]


def test_a_manual_score_given_as_formgrader_does_reaches_the_exported_grades(term, grading_cluster):
    with Gradebook(f"sqlite:///{term['instructor'] / 'gradebook.db'}") as gradebook:
        grade = gradebook.find_grade("q-beta", LAB, LAB, term["student"])
        grade.manual_score = 1.5                      # what formgrader's score box writes
        grade.needs_manual_grade = False
        gradebook.db.commit()
    assert cli.main([LAB, str(term["collected"]), "--course-dir", str(term["instructor"]), "--out",
                     str(term["results"]), "--scheduler", grading_cluster, "--no-progress"]) == 0
    row = table(term["results"])[term["student"]]
    assert row["status"] == "unchanged" and row["q-beta"] == "1.5" and row["total"] == f"{AUTOGRADED + 1.5:g}"
    nbgrader(term["instructor"], "export", f"--to={term['root'] / 'export.csv'}", *term["shared"])
    exported = list(csv.DictReader(io.StringIO((term["root"] / "export.csv").read_text())))
    [line] = [r for r in exported if r["student_id"] == term["student"] and r["assignment"] == LAB]
    assert float(line["raw_score"]) == AUTOGRADED + 1.5 and float(line["max_score"]) == AUTOGRADED + WRITTEN


def test_the_exchange_holds_nothing_of_the_solutions(term):
    released = term["root"] / "exchange" / COURSE_ID / "outbound" / LAB / f"{LAB}.ipynb"
    text = released.read_text()
    assert "BEGIN SOLUTION" not in text and "Rubric" not in text and "HIDDEN TESTS" not in text
    assert os.path.getsize(released) > 1000
