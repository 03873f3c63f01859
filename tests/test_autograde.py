"""The autograder, both ways: correct code earns the points, wrong code loses them.

Through nbgrader's own autograde, in a scratch course directory, per lab:

* the instructor's code, submitted as a student's work, earns full marks;
* the untouched student notebook earns zero, and grading goes on;
* one plausible mistake loses the points of its exercise and no others;
* a mistake in every exercise earns zero.

Then every plausible wrong implementation in `mutants.py` is run the way autograde runs it (all
cells in order, hidden tests included) but in this process, to show that it fails its own check
and no other: a check that leans on another exercise would punish a student twice for one mistake.
"""
import nbformat
import pytest

from conftest import REPO_ROOT
from mutants import MUTANTS
from nbgrading import complete_submission, failing_graded_cells, graded_cells, read_grades, write_submission
from tools import release

pytestmark = pytest.mark.slow
LABS = release.lab_names()


def solution_notebook(lab: str) -> nbformat.NotebookNode:
    return nbformat.read(REPO_ROOT / "solutions" / lab / f"{lab}.ipynb", as_version=4)


def one_mistake_per_exercise(lab: str) -> list:
    """The first mutant of each graded exercise."""
    first = {}
    for mutant in MUTANTS.get(lab, []):
        first.setdefault(mutant.cell, mutant)
    return list(first.values())


@pytest.fixture(scope="module", params=LABS)
def graded(request, tmp_path_factory):
    lab = request.param
    course = release.make_course_copy(tmp_path_factory.mktemp(f"course-{lab}"), [lab])
    release.release(course, lab)
    solution_nb = solution_notebook(lab)
    student_nb = nbformat.read(course / "labs" / lab / f"{lab}.ipynb", as_version=4)
    complete = complete_submission(student_nb, solution_nb)
    all_wrong = complete
    for mutant in one_mistake_per_exercise(lab):
        all_wrong = mutant.apply(all_wrong)
    submissions = {"complete": complete, "untouched": student_nb,
                   "one-mistake": MUTANTS[lab][0].apply(complete), "all-wrong": all_wrong}
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


def test_one_mistake_loses_only_its_exercise(graded):
    lab, points, grades = graded
    broken = MUTANTS[lab][0].breaks
    assert grades["one-mistake"] == {cell: (0 if cell == broken else p, p) for cell, p in points.items()}


def test_a_mistake_in_every_exercise_earns_zero(graded):
    lab, points, grades = graded
    assert grades["all-wrong"] == {cell: (0, p) for cell, p in points.items()}


@pytest.mark.parametrize("lab", LABS)
def test_every_graded_exercise_has_a_mutant(lab):
    points = graded_cells(solution_notebook(lab))
    covered = {mutant.breaks for mutant in MUTANTS.get(lab, [])}
    assert set(points) <= covered, f"no wrong implementation tries {sorted(set(points) - covered)}"


@pytest.fixture(scope="module")
def like_autograde(tmp_path_factory):
    """What autograde sets up: the grading budget, and a scratch folder to write in."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NBGRADER_EXECUTION", "autograde")
        patch.chdir(tmp_path_factory.mktemp("in-process"))
        patch.setenv("COURSE_METRICS_DIR", str(tmp_path_factory.mktemp("metrics")))
        yield


@pytest.mark.parametrize("lab", LABS)
def test_the_instructor_code_passes_every_check_in_process(lab, like_autograde):
    assert failing_graded_cells(solution_notebook(lab)) == set()


@pytest.mark.parametrize("mutant", [pytest.param((lab, m), id=f"{lab}-{m.name}") for lab in LABS for m in MUTANTS.get(lab, [])])
def test_each_mutant_fails_exactly_its_own_check(mutant, like_autograde):
    lab, mutant = mutant
    failing = failing_graded_cells(mutant.apply(solution_notebook(lab)))
    assert failing == {mutant.breaks}, f"{mutant.name} should fail only {mutant.breaks}, but fails {sorted(failing)}"
