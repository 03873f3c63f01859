"""Rebuilding a submission against the release: every slip is repaired, and only a lost answer costs points."""
import copy
import json

import nbformat
import pytest

from tests.helpers.colab import colab_download
from tests.helpers.slips import SLIPS, deleted_answer_cell
from tools import course
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


def from_colab(nb, seed: int = 0):
    """`nb` downloaded from Colab, as the grader reads the file (Colab's JSON, not nbformat's)."""
    return nbformat.reads(json.dumps(colab_download(nb, seed)), as_version=4)


@pytest.mark.parametrize("name", course.lab_names())
def test_a_colab_download_rebuilds_into_the_notebook_the_same_answers_give_from_jupyterlab(name):
    release = nbformat.read(student_notebook(name), as_version=4)
    for written in complete_submission(name):
        colab = from_colab(written, seed=len(name))
        assert colab.nbformat_minor == 0 and "colab" in colab.metadata and not any("id" in c for c in colab.cells)
        rebuilt, notes = normalise(colab, release)
        reference, reference_notes = normalise(written, release)
        assert notes == reference_notes == [], notes
        assert nbformat.writes(rebuilt) == nbformat.writes(reference), f"{name}: the Colab download grades differently"


def test_colab_s_own_cells_stay_the_student_s_and_nothing_of_colab_is_kept(lab):
    release, complete, _ = lab
    colab = colab_download(complete)
    index = next(i for i, c in enumerate(complete.cells) if c.get("id") == "encoder") + 1
    colab["cells"].insert(index, {"cell_type": "code", "execution_count": 3, "outputs": [],
                                  "metadata": {"id": "Xk3_pQ7rT2aB", "colab": {"base_uri": "https://localhost:8080/"}},
                                  "source": ["print('my own try in Colab')\n"]})
    rebuilt, notes = normalise(nbformat.reads(json.dumps(colab), as_version=4), release)
    own = [c for c in rebuilt.cells if "my own try in Colab" in c.source]
    assert len(own) == 1 and own[0].id.startswith("student-") and notes == []
    text = nbformat.writes(rebuilt)
    assert all(word not in text for word in ("outputId", "executionInfo", "Ada Student", "accelerator", "base_uri"))
    assert rebuilt.nbformat_minor == release.nbformat_minor and rebuilt.metadata == release.metadata


def test_cells_without_ids_match_the_lab_s_cells_of_the_same_text_in_order(lab):
    release, complete, _ = lab
    twice = copy.deepcopy(release)
    text = nbformat.v4.new_markdown_cell("---", id="rule-1"), nbformat.v4.new_markdown_cell("---", id="rule-2")
    twice.cells[2:2] = list(text)
    student = copy.deepcopy(twice)
    for cell in student.cells:
        del cell["id"]
    student.nbformat_minor = 4
    rebuilt, notes = normalise(student, twice)
    assert [c.id for c in rebuilt.cells] == [c.id for c in twice.cells]
    assert not any("were put back" in note for note in notes), notes
