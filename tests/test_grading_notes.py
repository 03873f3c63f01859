"""The grader's notes: one sentence per stopped, interrupted or tampered cell, shown on top of the feedback."""
from nbformat.v4 import new_code_cell, new_notebook, new_output

from tools.grading.in_sandbox.grading_kernel import TAMPER_ERROR
from tools.grading.records import sentence
from tools.grading.worker.notes import INTEGRITY_ERROR, STOPPED_ERROR, feedback_with_notes, notes_from


def errored(cell_id, name, value):
    cell = new_code_cell("", id=cell_id)
    cell.outputs = [new_output("error", ename=name, evalue=value, traceback=[])]
    return cell


def test_each_mark_becomes_one_sentence_and_only_the_first_stop_counts():
    nb = new_notebook(cells=[
        errored("a", TAMPER_ERROR, "the notebook changed what the checks rely on before check a ran (x). Scores 0."),
        errored("b", INTEGRITY_ERROR, "check b did not run to its end under the grader's guard"),
        errored("c", STOPPED_ERROR, "the notebook used more than 6.0 GiB of memory and was stopped"),
        errored("d", STOPPED_ERROR, "not run: the kernel died in an earlier cell"),
        errored("e", "CellTimeoutError", "timed out"),
        errored("f", "NameError", "name 'x' is not defined"),
    ])
    assert notes_from(nb) == [
        "The notebook changed what the checks rely on before check a ran (x). Scores 0.",
        "Check b did not run to its end under the grader's guard.",
        "In cell c, the notebook used more than 6.0 GiB of memory and was stopped; the cells after it were not run.",
        "Cell e ran longer than the time allowed per cell and was interrupted.",
    ]


def test_notes_go_at_the_top_of_the_body_escaped():
    page = "<html><head></head><body class='x'><h1>Feedback</h1></body></html>"
    shown = feedback_with_notes(page, ["A <script> note."])
    assert shown.index("Notes from the grader") < shown.index("<h1>") and "&lt;script&gt;" in shown
    assert feedback_with_notes(page, []) == page
    assert feedback_with_notes("no body here", ["n."]).endswith("no body here")


def test_a_sentence_has_a_capital_and_one_full_stop():
    assert sentence("  the file is empty.. ") == "The file is empty."
