"""labs/ is exactly what nbgrader generates from solutions/, leaks nothing, and `nbgrader validate` agrees."""
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.helpers import REPO_ROOT
from tests.helpers.notebooks import as_graded, split_lines
from tools import course
from tools.grading import compat
from tools.labcode import answer_cells

pytestmark = [pytest.mark.slow, pytest.mark.kernel, pytest.mark.data]
LABS = course.lab_names()
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    scratch = course.make_course_copy(tmp_path_factory.mktemp("course"))
    for lab in LABS:
        course.release(scratch, lab)
    return scratch


def files_under(folder):
    """The released files under `folder`, without what running the notebooks leaves behind."""
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not set(p.relative_to(folder).parts) & set(course.IGNORED)}


@pytest.mark.parametrize("lab", LABS)
def test_committed_lab_is_exactly_the_regenerated_one(regenerated, lab):
    committed = files_under(REPO_ROOT / "labs" / lab)
    fresh = files_under(regenerated / "labs" / lab)
    assert committed.keys() == fresh.keys(), "labs/ and a fresh release hold different files: run `make release`"
    stale = [str(name) for name in fresh if committed[name] != fresh[name]]
    assert not stale, f"out of date with solutions/: {stale}; run `make release` and commit labs/"


@pytest.mark.parametrize("lab", LABS)
def test_student_version_leaks_no_solution_and_no_hidden_test(lab):
    solution_nb = nbformat.read(REPO_ROOT / "solutions" / lab / f"{lab}.ipynb", as_version=4)
    student_nb = nbformat.read(REPO_ROOT / "labs" / lab / f"{lab}.ipynb", as_version=4)
    student_text = "\n".join(cell.source for cell in student_nb.cells)
    for marker in MARKERS:
        assert marker not in student_text
    secret, given = split_lines(solution_nb)
    assert secret, "the solution notebook has no solution regions or hidden tests"
    # a secret line may also appear in given code (a visible check, an ungraded cell): only
    # non-trivial lines found nowhere but in the hidden parts count as leaks
    unique_secrets = {line for line in secret - given if len(line) >= 12}
    leaked = sorted(unique_secrets & {line.strip() for line in student_text.splitlines()})
    assert not leaked, f"lines from solutions or hidden tests appear in labs/{lab}: {leaked}"
    for cell_id, cell in answer_cells(student_nb).items():
        if cell.cell_type == "code":
            assert "raise NotImplementedError()" in cell.source, f"stub {cell_id} does not raise NotImplementedError"
        else:
            assert cell.source == "YOUR ANSWER HERE", f"written answer {cell_id} is not the empty prompt"


def validate(path, *flags):
    result = subprocess.run([sys.executable, "-m", "nbgrader", "validate", *flags, str(path)],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=900)
    return result.stdout + result.stderr


# `make validate` runs nbgrader validate on every lab; here one lab shows that the command works
# both ways, on the notebook as the grader runs it (its exploration cells cut to their definitions:
# no training). What it checks for every lab (solutions pass every test, untouched stubs pass none)
# the autograde tests check through autograde itself.
VALIDATED_LAB = "pixel_loss"


def graded_copy(notebook: Path, folder: Path) -> Path:
    """A copy of `notebook` in `folder`, as the grader runs it."""
    copy = folder / notebook.name
    nbformat.write(as_graded(nbformat.read(notebook, as_version=4), VALIDATED_LAB), copy)
    return copy


def test_solution_passes_nbgrader_validate(tmp_path):
    output = validate(graded_copy(REPO_ROOT / "solutions" / VALIDATED_LAB / f"{VALIDATED_LAB}.ipynb", tmp_path))
    assert "Success! Your notebook passes all the tests." in output, output


def test_student_version_fails_every_test(tmp_path):
    output = validate(graded_copy(REPO_ROOT / "labs" / VALIDATED_LAB / f"{VALIDATED_LAB}.ipynb", tmp_path), "--invert")
    assert "Success! The notebook does not pass any tests." in output, output


def test_the_in_process_release_writes_nbgraders_own_schema_version(regenerated, monkeypatch):
    import sqlite3
    from nbgrader.api import get_alembic_version

    monkeypatch.setenv("PATH", course.child_env()["PATH"])     # nbgrader runs the `alembic` program
    expected = get_alembic_version()                            # what nbgrader's command line would write
    with sqlite3.connect(regenerated / "gradebook.db") as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [(expected,)]
    assert compat.nbgrader_schema_head() == expected
