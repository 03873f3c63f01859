"""Rebuilding a submission against the release: every slip is repaired, and only a lost answer costs points."""
import nbformat
import pytest

from tests.helpers.slips import SLIPS, deleted_answer_cell
from tools.course import student_notebook
from tools.grading.client.normalise import normalise
from tools.cells import is_test_cell
from tools.labcode import answer_cells, complete_submission

LAB = "vae"


@pytest.fixture(scope="module")
def lab():
    release = nbformat.read(student_notebook(LAB), as_version=4)
    untouched, complete = complete_submission(LAB)
    reference, notes = normalise(complete, release)
    assert notes == []
    return release, complete, reference


def roundtrip(nb):
    """The notebook as the grader reads it from disk."""
    return nbformat.reads(nbformat.writes(nb), as_version=4)


def answers(nb):
    return {cell_id: cell.source.strip() for cell_id, cell in answer_cells(nb).items()}


@pytest.mark.parametrize("name", sorted(SLIPS))
def test_each_slip_is_repaired_with_a_note(lab, name):
    release, complete, reference = lab
    slip, lost, phrase = SLIPS[name]
    rebuilt, notes = normalise(roundtrip(slip(complete)), release)
    release_tests = {c.metadata["nbgrader"]["grade_id"]: c.source for c in release.cells if is_test_cell(c)}
    rebuilt_tests = {c.metadata["nbgrader"]["grade_id"]: c.source for c in rebuilt.cells if is_test_cell(c)}
    assert rebuilt_tests == release_tests, "every test cell comes from the release, once"
    ids = [cell.id for cell in rebuilt.cells]
    assert len(ids) == len(set(ids)), "cell ids are unique"
    assert rebuilt.metadata["kernelspec"] == release.metadata["kernelspec"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in rebuilt.cells if c.cell_type == "code")
    assert all(set(c.metadata) <= {"nbgrader", "editable", "deletable"} for c in rebuilt.cells)
    lost_answers = {check.removesuffix("-check") for check in lost}
    assert answers(reference), "the lab has answers to compare"
    for cell_id, source in answers(reference).items():
        if cell_id in lost_answers:
            assert "raise NotImplementedError" in answers(rebuilt)[cell_id]
        elif name == "split-answer":
            assert answers(rebuilt)[cell_id].split() == source.split()
        elif name != "helper-cell":
            assert answers(rebuilt)[cell_id] == source, f"{name}: answer {cell_id} changed"
    if phrase:
        assert any(phrase in note for note in notes), notes
    assert all(note.endswith(".") and len(note) < 300 for note in notes)


def test_the_students_own_cells_stay_where_they_were(lab):
    release, complete, _ = lab
    rebuilt, _ = normalise(roundtrip(SLIPS["helper-cell"][0](complete)), release)
    order = [cell.id for cell in rebuilt.cells]
    helper = next(i for i, c in enumerate(rebuilt.cells) if "def flat(x)" in c.source)
    assert order.index("encoder") < helper < order.index("encoder-try")
    assert rebuilt.cells[helper].id.startswith("student-") and not rebuilt.cells[helper].metadata


def test_a_copy_with_different_code_stays_as_an_own_cell_after_its_check(lab):
    release, complete, _ = lab
    rebuilt, _ = normalise(roundtrip(SLIPS["copied-answer-broken-copy"][0](complete)), release)
    order = [cell.id for cell in rebuilt.cells]
    broken = next(i for i, c in enumerate(rebuilt.cells) if "half-finished experiment" in c.source)
    assert broken > order.index("decoder-check")
    assert "half-finished" not in answers(rebuilt)["decoder"]


def test_a_deleted_answer_names_the_cell_and_how_to_fix_it(lab):
    release, complete, _ = lab
    _, notes = normalise(roundtrip(deleted_answer_cell(complete)), release)
    assert any("Answer cell decoder was deleted" in n and "put your code back" in n for n in notes)


def test_an_untouched_notebook_is_left_as_it_is(lab):
    release, _, _ = lab
    untouched, _ = complete_submission(LAB)
    rebuilt, notes = normalise(untouched, release)
    assert notes == [] and [c.source for c in rebuilt.cells] == [c.source for c in release.cells]
