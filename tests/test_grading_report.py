"""The class report and similar submissions, on a results folder of six students written by hand.

ada hands in the instructor's answers, bo the same with every variable renamed, cy answers written
independently (tests/helpers/independent.py), di and fa leave the stubs and fail the same check
with different numbers, ed's notebook could not be graded.
"""
import copy
import json
import re

import nbformat
import pytest

from tests.helpers.independent import INDEPENDENT_VAE
from tools import cells, course
from tools.grading.client import class_report, similarity

LAB = "vae"
SOLUTION = nbformat.read(course.solution_notebook(LAB), as_version=4)
RELEASE = nbformat.read(course.student_notebook(LAB), as_version=4)
COLUMNS = class_report.columns_of(RELEASE)
KL_MESSAGE = "CheckError: gaussian_kl(mu=1, logvar=0) should be 0.5 per dimension; got {}.\n  Hint: check the sign."


def with_regions(nb, bodies: dict) -> nbformat.NotebookNode:
    """A copy of the instructor notebook with each solution region replaced by the given code."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.id in bodies:
            replacements = iter(bodies[cell.id] if isinstance(bodies[cell.id], list) else [bodies[cell.id]])
            cell.source = re.sub(r" *### BEGIN SOLUTION\n.*?### END SOLUTION", lambda _: next(replacements),
                                 cell.source, flags=re.S)
    return nb


def renamed(nb) -> nbformat.NotebookNode:
    """The same answers with the variables they assign renamed (a light disguise)."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code" and cells.is_answer(cell):
            for index, name in enumerate(["features", "eps", "sigma", "logits", "per_pixel", "per_image",
                                          "kl_per_dimension"]):
                cell.source = re.sub(rf"\b{name}\b", f"value_{index}", cell.source)
    return nb


def failing(nb, check: str, message: str) -> nbformat.NotebookNode:
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cells.grade_id(cell) == check:
            ename, evalue = message.split(": ", 1)
            cell.outputs = [nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[])]
    return nb


INDEPENDENT = with_regions(SOLUTION, INDEPENDENT_VAE)
CLASS = {"ada": SOLUTION, "bo": renamed(SOLUTION), "cy": INDEPENDENT,
         "di": failing(RELEASE, "loss-check", KL_MESSAGE.format("-0.5")),
         "fa": failing(RELEASE, "loss-check", KL_MESSAGE.format("-0.25"))}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    out = tmp_path_factory.mktemp("grading") / LAB
    full = {name: points for name, points in COLUMNS.points.items() if name not in COLUMNS.manual}
    students = {}
    for student, nb in CLASS.items():
        scores = dict(full) if student in ("ada", "bo", "cy") else {name: 0.0 for name in full}
        if student in ("di", "fa"):
            scores = {**scores, **{name: 0.0 for name in COLUMNS.manual}}
        path = out / "autograded" / student / f"{LAB}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(nb, path)
        students[student] = {"lab": LAB, "status": "graded", "scores": scores, "notes": [], "seconds": 3.5, "digest": "x"}
    students["ed"] = {"lab": LAB, "status": "error", "scores": {}, "notes": ["The notebook file is empty."],
                      "seconds": 0, "digest": "y"}
    (out / "manifest.json").write_text(json.dumps({"lab": LAB, "run": "r", "students": students}))
    path = class_report.write_class_report(out, RELEASE)
    return {"out": out, "page": path.read_text()}


def own_code(nb) -> str:
    return similarity.answer_code(nb, RELEASE)


def test_a_student_own_code_leaves_out_the_stub_and_the_given_code():
    code = own_code(SOLUTION)
    assert "raise NotImplementedError" not in code and "class Encoder" not in code and "def reparametrize" not in code
    assert "torch.randn_like(mu)" in code
    assert own_code(RELEASE) == "", "an untouched notebook wrote nothing"


def test_a_copy_and_a_renamed_copy_are_found_and_independent_answers_are_not():
    answers = {student: own_code(nb) for student, nb in CLASS.items()}
    pairs = similarity.similar_pairs(answers, RELEASE)
    assert [(p.first, p.second) for p in pairs] == [("ada", "bo")]
    assert min(pairs[0].shares) >= similarity.THRESHOLD and "<mark>" in pairs[0].highlighted[0]
    exact = similarity.similar_pairs({"ada": answers["ada"], "twin": answers["ada"], "cy": answers["cy"]}, RELEASE)
    assert [(p.first, p.second, p.shares) for p in exact] == [("ada", "twin", (1.0, 1.0))]


def test_answers_many_students_wrote_alike_are_not_flagged():
    """A large class where everyone wrote the instructor's lines: the usual way to write them is not copying."""
    answers = {f"student{i:02d}": own_code(SOLUTION) for i in range(similarity.COMMON_IN + 1)}
    assert similarity.similar_pairs(answers, RELEASE) == []


@pytest.mark.data
@pytest.mark.slow
def test_the_independent_answers_are_correct(like_autograde):
    from tests.helpers.notebooks import check_failures
    assert check_failures(INDEPENDENT) == {}, "the independent answers must earn full marks to mean anything"


def test_the_report_shows_plots_common_failures_attention_and_similar_pairs(results):
    page = results["page"]
    assert page.count("data:image/png;base64,") == 1 and "<script" not in page
    assert "6 submission(s): 5 graded, 1 could not be graded" in page
    row = re.search(r"<tr><td>loss-check</td><td>(\d+)</td><td><pre>(.*?)</pre>", page, flags=re.S)
    assert row and row.group(1) == "2", "two students failed loss-check with one message, numbers aside"
    assert "got -0.5" in row.group(2) and "Hint: check the sign" in row.group(2)
    attention = page[page.index("need attention"):page.index("Similar submissions")]
    assert "ed" in attention and "could not be graded" in attention and "The notebook file is empty." in attention
    assert "<td>di</td>" in attention and "written answers left blank" in attention
    assert "<td>ada</td>" not in attention and "<td>cy</td>" not in attention
    similar = page[page.index("Similar submissions"):]
    assert re.search(r"ada and bo: \d+% and \d+% shared", similar) and "<mark>" in similar and " cy " not in similar
    assert "Grading time" in page


def test_the_report_is_written_again_by_its_command(results, capsys):
    (results["out"] / "report.html").unlink()
    assert class_report.main([str(results["out"])]) == 0
    assert (results["out"] / "report.html").read_text() == results["page"]


@pytest.mark.parametrize("case", ["missing", "empty", "garbled", "unknown-lab"])
def test_a_folder_without_results_gets_a_clear_message(case, tmp_path, capsys):
    folder = tmp_path / "grading"
    if case != "missing":
        folder.mkdir()
    if case == "garbled":
        (folder / "manifest.json").write_text("{not json")
    if case == "unknown-lab":
        (folder / "manifest.json").write_text(json.dumps({"lab": "vea", "students": {}}))
    assert class_report.main([str(folder)]) == 2
    message = capsys.readouterr().err
    assert message.startswith("class report stopped: ") and "Traceback" not in message
    expected = {"missing": "no folder", "empty": "no manifest.json", "garbled": "grade the lab again",
                "unknown-lab": "vea"}[case]
    assert expected in message
