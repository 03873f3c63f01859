"""The grader's nbgrader preprocessors, on hand-made cells (no kernel)."""
import nbformat
from nbformat.v4 import new_code_cell, new_output

from tools.grading.inside.grading_kernel.protocol import TOKEN_MIME
from tools.cells import is_test_cell
from tools.grading.notes import INTEGRITY_ERROR
from tools.grading.preprocessors import GuardTestCells, VerifyChecks, guard_lines, token_for

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


def test_the_kernels_own_key_comes_through_the_resources():
    cell = graded_test_cell(outputs=[token(key="ef" * 32)])
    cell, _ = VerifyChecks().preprocess_cell(cell, {"grading_token_key": "ef" * 32}, 0)
    assert not [o for o in cell.outputs if o.output_type == "error"]


def test_release_notebooks_mark_their_test_cells():
    nb = nbformat.v4.new_notebook(cells=[graded_test_cell(), new_code_cell("x = 1")])
    assert [is_test_cell(c) for c in nb.cells] == [True, False]
