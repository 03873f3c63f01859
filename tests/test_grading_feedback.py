"""The feedback page: a check's visible part and its message, never a line of a hidden test."""
from nbformat.v4 import new_code_cell, new_notebook, new_output

from tools.grading.worker.feedback import FeedbackExporter, HideHiddenTests

CHECK = '''"""Check f."""
cu.check(f(1) == 2, "f(1) should be 2")
### BEGIN HIDDEN TESTS
secret_reference = 2 * 21
cu.check(f(21) == secret_reference, "f(21) differs from the reference")
### END HIDDEN TESTS
cu.passed("f doubles")'''


def marked(cell, **nbgrader):
    cell.metadata["nbgrader"] = {"schema_version": 3, "grade": False, "solution": False, "locked": False, **nbgrader}
    return cell


def failed_check():
    cell = marked(new_code_cell(CHECK, id="f-check"), grade=True, grade_id="f-check", points=1, locked=True)
    cell.outputs = [new_output("error", ename="CheckError", evalue="f(21) differs from the reference",
                               traceback=["\x1b[0;31mCheckError\x1b[0m  Traceback", "----> 5 cu.check(f(21) == secret_reference, ...)",
                                          "CheckError: f(21) differs from the reference"])]
    return cell


def test_hidden_lines_and_tracebacks_leave_test_cells_only():
    answer = marked(new_code_cell("def f(x):\n    return x + x + 1 / 0", id="f"), grade_id="f", solution=True)
    answer.outputs = [new_output("error", ename="ZeroDivisionError", evalue="division by zero",
                                 traceback=["----> 2 return x + x + 1 / 0", "ZeroDivisionError: division by zero"])]
    nb = new_notebook(cells=[answer, failed_check()])
    nb, _ = HideHiddenTests().preprocess(nb, {})
    answer, check = nb.cells
    assert "secret_reference" not in check.source and "BEGIN HIDDEN" not in check.source
    assert 'cu.check(f(1) == 2, "f(1) should be 2")' in check.source and 'cu.passed("f doubles")' in check.source
    assert check.outputs[0].traceback == ["CheckError: f(21) differs from the reference"]
    assert len(answer.outputs[0].traceback) == 2, "a student's own errors keep their traceback"


def test_the_page_shows_highlighted_code_and_describes_its_images():
    nb = new_notebook(cells=[new_code_cell("x = 1", id="a", outputs=[
        new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})])])
    page, _ = FeedbackExporter().from_notebook_node(nb)
    assert '<span class="n">x</span>' in page, "the code is highlighted"
    assert '<img alt="A figure the notebook drew" src="data:image/png' in page
