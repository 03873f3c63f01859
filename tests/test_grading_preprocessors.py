"""The grader's nbgrader preprocessors, on hand-made cells and notebooks (no kernel)."""
import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_output

from tools.cells import is_test_cell
from tools.grading.in_sandbox.grading_kernel import TOKEN_MIME
from tools.grading.worker.notes import INTEGRITY_ERROR
from tools.grading.worker.preprocessors.grading_execute import last_cell_to_run
from tools.grading.worker.preprocessors.guard_test_cells import GuardTestCells, guard_lines
from tools.grading.worker.preprocessors.verify_checks import VerifyChecks, token_for

KEY = "ab" * 32


def graded_test_cell(source="cu.check(True, 'fine')", outputs=()):
    cell = new_code_cell(source, id="t")
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "x-check", "points": 2, "solution": False,
                                 "locked": True, "schema_version": 3, "task": False}
    cell.outputs = list(outputs)
    return cell


def token(cell_id="x-check", key=KEY):
    return new_output("display_data", data={TOKEN_MIME: {"cell": cell_id, "token": token_for(key, cell_id)}})


def verify(cell, key=KEY):
    cell, _ = VerifyChecks(token_key=key).preprocess_cell(cell, {}, 0)
    return [o for o in cell.outputs if o.output_type == "error"]


def test_test_cells_are_wrapped_in_the_guard_and_answers_are_not():
    guard = GuardTestCells(aliases={"F": "torch.nn.functional"})
    cell, _ = guard.preprocess_cell(graded_test_cell("line one\nline two\n"), {}, 0)
    begin, end = guard_lines("x-check", {"F": "torch.nn.functional"})
    assert cell.source == f"{begin}\nline one\nline two\n{end}"
    answer = new_code_cell("x = 1")
    answer.metadata["nbgrader"] = {"grade": False, "grade_id": "x", "solution": True, "locked": False}
    assert not is_test_cell(answer) and guard.preprocess_cell(answer, {}, 0)[0].source == "x = 1"


def test_a_check_with_its_token_keeps_its_points_and_the_token_is_removed():
    cell = graded_test_cell(outputs=[new_output("stream", name="stdout", text="✔ fine\n"), token()])
    assert verify(cell) == []
    assert [o.output_type for o in cell.outputs] == ["stream"]


def test_a_check_without_a_valid_token_scores_zero():
    for outputs in ([], [token(key="cd" * 32)], [token(cell_id="other-check")]):
        errors = verify(graded_test_cell(outputs=list(outputs)))
        assert [e.ename for e in errors] == [INTEGRITY_ERROR]
        assert "did not run to its end" in errors[0].evalue


def test_a_failing_check_stays_failed_without_a_second_error():
    error = new_output("error", ename="CheckError", evalue="mu has shape (8, 784)", traceback=[])
    assert [e.ename for e in verify(graded_test_cell(outputs=[error]))] == ["CheckError"]


def test_warnings_on_stderr_do_not_cost_points_and_guard_lines_are_removed():
    begin, end = guard_lines("x-check", {})
    cell = graded_test_cell(f"{begin}\ncu.check(True, 'fine')\n{end}",
                     outputs=[new_output("stream", name="stderr", text="UserWarning: ...\n"), token()])
    assert verify(cell) == []
    assert cell.outputs[0].name == "stdout" and cell.source == "cu.check(True, 'fine')"


def test_without_a_key_no_check_keeps_its_points():
    assert [e.ename for e in verify(graded_test_cell(outputs=[token()]), key="")] == [INTEGRITY_ERROR]


def answer(cell_type="code"):
    cell = new_code_cell("x = 1") if cell_type == "code" else new_markdown_cell("A written answer.")
    cell.metadata["nbgrader"] = {"grade": cell_type != "code", "grade_id": f"{cell_type}-answer", "solution": True,
                                 "locked": False, "schema_version": 3, "task": False, "points": 1}
    return cell


def test_execution_stops_after_the_last_graded_or_answer_code_cell():
    nb = nbformat.v4.new_notebook(cells=[new_code_cell("import torch"), answer(), graded_test_cell(),
                                         new_code_cell("train()"), answer("markdown"), new_code_cell("plot()")])
    assert last_cell_to_run(nb) == 2, "written answers need no kernel, and training after the last check is not run"
    nb.cells.insert(4, answer())
    assert last_cell_to_run(nb) == 4
    assert last_cell_to_run(nbformat.v4.new_notebook(cells=[new_code_cell("a"), new_code_cell("b")])) == 1
