"""The autograder round trip, in a scratch course directory, through nbgrader's own autograde:

* the instructor's code, submitted as a student's work, earns full marks;
* the untouched student notebook earns zero, and grading goes on;
* each plausible wrong implementation loses the points of its exercise and no others.
"""
import nbformat
import pytest

from conftest import REPO_ROOT
from mutants import MUTANTS
from nbgrading import complete_submission, graded_cells, read_grades, write_submission
from tools import release

pytestmark = pytest.mark.slow
LABS = release.lab_names()


@pytest.fixture(scope="module", params=LABS)
def graded(request, tmp_path_factory):
    lab = request.param
    course = release.make_course_copy(tmp_path_factory.mktemp(f"course-{lab}"), [lab])
    release.release(course, lab)
    solution_nb = nbformat.read(REPO_ROOT / "solutions" / lab / f"{lab}.ipynb", as_version=4)
    student_nb = nbformat.read(course / "labs" / lab / f"{lab}.ipynb", as_version=4)
    complete = complete_submission(student_nb, solution_nb)
    submissions = {"complete": complete, "untouched": student_nb}
    submissions.update({mutant.name: mutant.apply(complete) for mutant in MUTANTS.get(lab, [])})
    for student, nb in submissions.items():
        write_submission(course, student, lab, nb)
    release.nbgrader(course, "autograde", lab, "--force", timeout=1800)
    return lab, graded_cells(solution_nb), read_grades(course, lab, list(submissions))


def test_complete_submission_earns_full_marks(graded):
    lab, points, grades = graded
    assert grades["complete"] == {cell: (p, p) for cell, p in points.items()}


def test_untouched_notebook_earns_zero(graded):
    lab, points, grades = graded
    assert grades["untouched"] == {cell: (0, p) for cell, p in points.items()}


def test_every_graded_exercise_has_a_mutant(graded):
    lab, points, _ = graded
    covered = {mutant.breaks for mutant in MUTANTS.get(lab, [])}
    assert set(points) <= covered, f"no wrong implementation tries {sorted(set(points) - covered)}"


def test_each_mutant_loses_exactly_its_exercise(graded):
    lab, points, grades = graded
    wrong = []
    for mutant in MUTANTS.get(lab, []):
        expected = {cell: (0 if cell == mutant.breaks else p, p) for cell, p in points.items()}
        if grades[mutant.name] != expected:
            wrong.append(f"{mutant.name}: got {grades[mutant.name]}, expected {expected}")
    assert not wrong, "\n".join(wrong)
