"""Grades an LMS imports: the Canvas and Gradescope exports, through nbgrader export and make export's command.

A course gradebook holds pixel_loss for four students: ada (everything graded), bo (a written answer
waiting for a person), cy (graded, missing from the roster) and dee (in the roster, no submission).
"""
import contextlib
import csv
import io
import subprocess
import sys

import pytest
from nbgrader.api import Gradebook

from tools import course
from tools.grading.client import export
from tools.grading.client.gradebook import CourseGradebook
from tools.grading.records import GRADED, GradingResult

pytestmark = pytest.mark.slow         # nbgrader releases the lab, and `nbgrader export` runs as a program
LAB = "pixel_loss"
ROSTER = "student,lms_id,name,email\nada,101,Ada Lovelace,ada@uni.edu\nbo,102,Bo Chen,bo@uni.edu\ndee,104,Dee Ray,\n"


@pytest.fixture(scope="module")
def course_dir(tmp_path_factory):
    root = course.make_course_copy(tmp_path_factory.mktemp("course"), [LAB])
    published = CourseGradebook(root, LAB, course.course_id(root), ("q-why-blur",))
    published.ensure_assignment()
    checks = {"dissimilarity-check": 2.0, "shift-check": 2.0, "rank-check": 2.0}
    for student, written in (("ada", None), ("bo", None), ("cy", None)):
        published.publish(GradingResult(student, GRADED, {**checks, "q-why-blur": written}, [], "d", autograded="{}"))
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course.course_id(root)) as gradebook:
        for student in ("ada", "cy"):
            grade = gradebook.find_grade("q-why-blur", LAB, LAB, student)
            grade.manual_score = 1.5
            grade.needs_manual_grade = False
        gradebook.add_student("dee")
        gradebook.db.commit()
    (root / "roster.csv").write_text(ROSTER)
    return root


def maximum(course_dir) -> float:
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}", course.course_id(course_dir)) as gradebook:
        return gradebook.find_assignment(LAB).max_score


def rows(path):
    return list(csv.reader(io.StringIO(path.read_text())))


def test_canvas_gets_graded_labs_and_blanks_where_a_person_has_yet_to_grade(course_dir, tmp_path, capsys):
    target = tmp_path / "canvas.csv"
    assert export.main(["canvas", "--roster", str(course_dir / "roster.csv"), "--to", str(target),
                        "--course-dir", str(course_dir)]) == 0
    table = rows(target)
    assert table[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", LAB]
    assert table[1][0] == "Points Possible" and float(table[1][5]) == maximum(course_dir)
    by_id = {row[1]: row for row in table[2:]}
    assert float(by_id["101"][5]) == 7.5 and by_id["101"][0] == "Ada Lovelace" and by_id["101"][3] == "ada@uni.edu"
    assert by_id["102"][5] == "", "a written answer not graded yet is never exported as a zero"
    assert by_id["104"][5] == "" and "103" not in by_id
    printed = capsys.readouterr().out
    assert "graded but not in the roster" in printed and "cy" in printed
    assert "written answers not graded yet" in printed and "bo" in printed
    assert "without a graded submission" in printed and "dee" in printed


def test_gradescope_gets_one_file_per_lab_through_nbgrader_export(course_dir, tmp_path):
    target = tmp_path / "gradescope.csv"
    done = subprocess.run([sys.executable, "-m", "nbgrader", "export", "--exporter=tools.grading.client.export.GradescopeExporter",
                           f"--GradescopeExporter.roster={course_dir / 'roster.csv'}", f"--to={target}"],
                          cwd=course_dir, env=course.child_env(PYTHONPATH=str(course.REPO_ROOT)), capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    table = rows(target)
    assert table[0] == ["Name", "SID", "Email", "Score"]
    assert {row[1]: row[3] for row in table[1:]} == {"101": "7.5", "102": "", "104": ""}
    assert "written answers not graded yet" in done.stdout + done.stderr


@pytest.mark.parametrize("case, expected", [
    ("no-roster", "no roster at"),
    ("roster-without-lms-id", "missing lms_id"),
    ("duplicate-student", "appears twice"),
    ("unknown-lab", "has no lab vea"),
    ("unknown-format", "unknown format"),
    ("not-an-export", "is not an earlier canvas export"),
    ("no-gradebook", "no gradebook at"),
])
def test_bad_input_gets_a_clear_message_and_writes_nothing(case, expected, course_dir, tmp_path, capsys):
    roster, target = tmp_path / "roster.csv", tmp_path / "out.csv"
    roster.write_text({"roster-without-lms-id": "student,name\nada,Ada\n",
                       "duplicate-student": "student,lms_id\nada,1\nada,2\n"}.get(case, ROSTER))
    if case == "no-roster":
        roster.unlink()
    if case == "not-an-export":
        target.write_text("student,status,total\nada,graded,7\n")
    argv = ["vea" if case == "unknown-format" else "canvas", "--roster", str(roster), "--to", str(target),
            "--course-dir", str(tmp_path if case == "no-gradebook" else course_dir)]
    if case == "unknown-lab":
        argv += ["--lab", "vea"]
    before = target.read_text() if target.exists() else None
    with pytest.raises(SystemExit) if case == "unknown-format" else contextlib.nullcontext():
        assert export.main(argv) == 2
    message = capsys.readouterr().err
    assert expected in message and "Traceback" not in message
    assert (target.read_text() if target.exists() else None) == before, "nothing written over"

