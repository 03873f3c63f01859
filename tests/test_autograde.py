"""The autograder, both ways: correct code earns the points, wrong code loses them, each exercise on its own.

Through the batch grader (nbgrader's autograde in sandboxed kernels), per lab, on a shared local
Dask cluster reached by its address:

* the instructor's code, submitted as a student's work, earns full marks (written answers wait);
* the untouched student notebook earns zero;
* one plausible mistake loses the points of its exercise and no others;
* a mistake in every exercise earns zero;
* a copied test cell (JupyterLab's copy and paste) changes nothing.

Then in this process, the way autograde runs a notebook (all cells in order, hidden tests included):
every plausible wrong implementation in `mutants.py` fails its own check and no other, and for
every exercise, a notebook with only that exercise done earns exactly its check, and one with only
that exercise left undone loses exactly its check.
"""
import csv

import nbformat
import pytest

from tests.helpers.mutants import MUTANTS
from tests.helpers.notebooks import failing_graded_cells, hidden_test_lines, instructor_notebook, page_text
from tests.helpers.slips import copy_test_cell
from tools import course
from tools.cells import test_points
from tools.grading.client.batch import BatchOptions, grade_batch
from tools.grading.records import NEEDS_MANUAL
from tools.grading.settings import GradingSettings
from tools.labcode import answer_cells, complete_submission

pytestmark = [pytest.mark.slow, pytest.mark.data]
LABS = course.lab_names()


def one_mistake_per_exercise(lab: str) -> list:
    """The first mutant of each graded exercise."""
    first = {}
    for mutant in MUTANTS.get(lab, []):
        first.setdefault(mutant.cell, mutant)
    return list(first.values())


@pytest.fixture(scope="module", params=LABS)
def graded(request, tmp_path_factory, grading_cluster):
    lab = request.param
    root = tmp_path_factory.mktemp(f"grade-{lab}")
    untouched, complete = complete_submission(lab)
    all_wrong = complete
    for mutant in one_mistake_per_exercise(lab):
        all_wrong = mutant.apply(all_wrong)
    first_test = next(cell.id for cell in untouched.cells if cell.id in test_points(instructor_notebook(lab)))
    submissions = {"complete": complete, "untouched": untouched, "one-mistake": MUTANTS[lab][0].apply(complete),
                   "all-wrong": all_wrong, "copied-test-cell": copy_test_cell(complete, first_test)}
    for student, nb in submissions.items():
        path = root / "submissions" / student / f"{lab}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(nb, path)
    outcome = grade_batch(lab, root / "submissions", root / "out", GradingSettings(cell_timeout=60),
                          BatchOptions(scheduler=grading_cluster, show_progress=False))
    with open(root / "out" / "grades.csv") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    return lab, test_points(instructor_notebook(lab)), rows, outcome


def scores(row, points):
    return {cell: float(row[cell]) for cell in points}


@pytest.mark.sandbox
@pytest.mark.kernel
def test_complete_submission_earns_full_marks_and_its_written_answers_wait(graded):
    lab, points, rows, _ = graded
    assert rows["complete"]["status"] == "graded"
    assert scores(rows["complete"], points) == {cell: float(p) for cell, p in points.items()}
    written = [name for name in rows["complete"] if name.startswith("q-")]
    assert written, f"{lab} has no written question"
    assert all(rows["complete"][name] == NEEDS_MANUAL for name in written)


@pytest.mark.sandbox
@pytest.mark.kernel
def test_untouched_notebook_earns_zero(graded):
    lab, points, rows, _ = graded
    assert scores(rows["untouched"], points) == {cell: 0.0 for cell in points}
    assert all(rows["untouched"][name] == "0" for name in rows["untouched"] if name.startswith("q-"))


@pytest.mark.sandbox
@pytest.mark.kernel
def test_one_mistake_loses_only_its_exercise(graded):
    lab, points, rows, _ = graded
    broken = MUTANTS[lab][0].breaks
    assert scores(rows["one-mistake"], points) == {cell: 0.0 if cell == broken else float(p) for cell, p in points.items()}


@pytest.mark.sandbox
@pytest.mark.kernel
def test_a_mistake_in_every_exercise_earns_zero(graded):
    lab, points, rows, _ = graded
    assert scores(rows["all-wrong"], points) == {cell: 0.0 for cell in points}


@pytest.mark.sandbox
@pytest.mark.kernel
def test_a_copied_test_cell_changes_nothing(graded):
    lab, points, rows, _ = graded
    assert scores(rows["copied-test-cell"], points) == scores(rows["complete"], points)
    assert "appeared more than once" in rows["copied-test-cell"]["notes"]


@pytest.mark.sandbox
@pytest.mark.kernel
def test_feedback_shows_no_hidden_test_and_says_why_each_check_failed(graded):
    lab, points, rows, outcome = graded
    hidden = hidden_test_lines(lab)
    assert hidden, f"{lab} has no hidden test lines to look for"
    assert sorted(outcome.results) == sorted(rows) and len(rows) == 5, "every student's page is read"
    for student, result in outcome.results.items():
        shown = page_text(result.feedback)
        leaked = sorted(line for line in hidden if line in shown)
        assert not leaked, f"{student}'s feedback shows hidden test lines: {leaked[:3]}"
    executed = nbformat.reads(outcome.results["all-wrong"].autograded, as_version=4)
    shown = page_text(outcome.results["all-wrong"].feedback)
    failures = [output for cell in executed.cells if cell.get("id") in points for output in cell.get("outputs", [])
                if output.output_type == "error"]
    assert len(failures) == len(points) > 0
    for output in failures:
        first_line = f"{output.ename}: {output.evalue}".splitlines()[0]
        assert first_line in shown, f"the feedback does not say why a check failed: {first_line}"


@pytest.mark.parametrize("lab", LABS)
def test_every_graded_exercise_has_a_mutant(lab):
    points = test_points(instructor_notebook(lab))
    covered = {mutant.breaks for mutant in MUTANTS.get(lab, [])}
    assert set(points) <= covered, f"no wrong implementation tries {sorted(set(points) - covered)}"


@pytest.mark.parametrize("lab", LABS)
def test_the_instructor_code_passes_every_check_in_process(lab, like_autograde):
    assert failing_graded_cells(instructor_notebook(lab)) == set()


@pytest.mark.parametrize("mutant", [pytest.param((lab, m), id=f"{lab}-{m.name}") for lab in LABS for m in MUTANTS.get(lab, [])])
def test_each_mutant_fails_exactly_its_own_check(mutant, like_autograde):
    lab, mutant = mutant
    failing = failing_graded_cells(mutant.apply(instructor_notebook(lab)))
    assert failing == {mutant.breaks}, f"{mutant.name} should fail only {mutant.breaks}, but fails {sorted(failing)}"


def with_answers(lab: str, done: set[str]) -> nbformat.NotebookNode:
    """The instructor notebook with the answer cells outside `done` put back to the student's stub."""
    nb = instructor_notebook(lab)
    stubs = answer_cells(nbformat.read(course.student_notebook(lab), as_version=4))
    for cell in nb.cells:
        if cell.id in stubs and cell.id not in done and cell.cell_type == "code":
            cell.source = stubs[cell.id].source
    return nb


def exercises(lab: str) -> list[str]:
    """The code answer cells whose checks carry points (exercise k's check is `<k>-check`)."""
    points = test_points(instructor_notebook(lab))
    return [cell_id for cell_id, cell in answer_cells(instructor_notebook(lab)).items()
            if cell.cell_type == "code" and f"{cell_id}-check" in points]


@pytest.mark.parametrize("case", [pytest.param((lab, ex), id=f"{lab}-{ex}") for lab in LABS for ex in exercises(lab)])
def test_each_exercise_is_graded_on_its_own(case, like_autograde):
    lab, exercise = case
    checks = set(test_points(instructor_notebook(lab)))
    only_done = failing_graded_cells(with_answers(lab, {exercise}))
    assert only_done == checks - {f"{exercise}-check"}, f"only {exercise} done: failing {sorted(only_done)}"
    only_undone = failing_graded_cells(with_answers(lab, set(exercises(lab)) - {exercise}))
    assert only_undone == {f"{exercise}-check"}, f"only {exercise} undone: failing {sorted(only_undone)}"
