"""The checklist of a lab's last cell: what ran in the kernel decides, never what a cell printed or an edited check."""
import pytest
from IPython.core.interactiveshell import InteractiveShell

from course_utils import standing as cl

PASSING_CHECK = "# checks that 2 + 2 is 4\nassert 2 + 2 == 4"
FAILING_CHECK = "# checks that the answer is 5\nif answer != 5:\n    raise ValueError('answer is 4; expected 5.\\nHint: add one')"
COURSE_CHECK = "# checks with the course's helper\nimport course_utils as cu\ncu.check(answer == 5, 'answer is 4; expected 5.', hint='add one')"
STUB_CHECK = "# checks the stub\nraise NotImplementedError()"
HIDDEN = "\n### BEGIN HIDDEN TESTS\nassert 3 + 3 == 6\n### END HIDDEN TESTS\n"


@pytest.fixture
def shell(monkeypatch):
    """A fresh IPython shell recording its cell runs, with the recorder's memory emptied."""
    monkeypatch.setattr(cl, "_runs_by_digest", {})
    monkeypatch.setattr(cl, "_runs_by_cell_id", {})
    shell = InteractiveShell()
    assert cl.track(shell)
    assert cl.track(shell), "a second call (a reload) must keep a single recorder"
    recorders = [c for c in shell.events.callbacks["post_run_cell"] if c is cl.record_cell_run]
    assert len(recorders) == 1
    yield shell
    shell.events.unregister("post_run_cell", cl.record_cell_run)


def row(label, grade_id, source):
    return (label, grade_id, cl.source_digest(cl.released_form(source)), cl.source_digest(source))


def statuses(checks):
    return {item.grade_id: (item.status, item.detail) for item in cl.standing(checks)}


def test_pass_fail_and_not_run_come_from_what_ran(shell):
    checks = [row("Exercise 1", "one", PASSING_CHECK), row("Exercise 2", "two", FAILING_CHECK),
              row("Exercise 3", "three", STUB_CHECK), row("Exercise 4", "four", "# never run\nassert True"),
              row("Exercise 5", "five", COURSE_CHECK)]
    shell.run_cell(PASSING_CHECK)                   # passes and prints nothing
    shell.run_cell("answer = 4")
    shell.run_cell(FAILING_CHECK)
    shell.run_cell(STUB_CHECK)
    shell.run_cell(COURSE_CHECK)
    found = statuses(checks)
    assert found["one"] == (cl.PASSED, "")
    assert found["two"] == (cl.FAILED, "ValueError: answer is 4; expected 5.")
    assert found["three"] == (cl.FAILED, "NotImplementedError: the exercise's code is not written yet")
    assert found["four"] == (cl.NOT_RUN, "")
    assert found["five"] == (cl.FAILED, "answer is 4; expected 5."), "a check's failure reads as its message"
    shell.run_cell("answer = 5")
    shell.run_cell(FAILING_CHECK + "\n\n   ")      # trailing blank lines and spaces are the same cell
    assert statuses(checks)["two"] == (cl.PASSED, "")


def test_the_last_run_of_a_check_counts(shell):
    checks = [row("Exercise 1", "one", FAILING_CHECK)]
    shell.run_cell("answer = 5")
    shell.run_cell(FAILING_CHECK)
    shell.run_cell("answer = 3")
    shell.run_cell(FAILING_CHECK)
    assert statuses(checks)["one"][0] == cl.FAILED


def test_an_edited_check_never_passes(shell):
    checks = [row("Exercise 2", "two", FAILING_CHECK)]
    shell.run_cell("answer = 4")
    shell.run_cell(FAILING_CHECK.replace("if answer != 5:", "if False:"))        # edited: it passes now
    shell.run_cell("# checks that the answer is 5\npass")
    assert statuses(checks)["two"][0] == cl.NOT_RUN
    shell.run_cell(FAILING_CHECK)
    assert statuses(checks)["two"][0] == cl.FAILED


def test_an_edited_check_run_in_its_own_cell_is_named(shell):
    checks = [row("Exercise 1", "one", PASSING_CHECK)]
    shell.run_cell(PASSING_CHECK, cell_id="one")
    assert statuses(checks)["one"][0] == cl.PASSED
    shell.run_cell("# checks that 2 + 2 is 4\npass", cell_id="one")        # the same cell, edited, run later
    status, detail = statuses(checks)["one"]
    assert status == cl.EDITED and "grading runs the original" in detail


def test_the_instructors_check_with_hidden_tests_counts_as_the_released_one(shell):
    full = PASSING_CHECK + HIDDEN
    checks = [row("Exercise 1", "one", full)]
    assert cl.released_form(full).strip() == PASSING_CHECK
    shell.run_cell(full)
    assert statuses(checks)["one"][0] == cl.PASSED


def test_the_printed_list(shell, capsys):
    checks = [row("Exercise 1 — Sum", "one", PASSING_CHECK), row("Exercise 2 — Five", "two", FAILING_CHECK)]
    shell.run_cell(PASSING_CHECK)
    assert cl.checklist(checks) is None
    printed = capsys.readouterr().out
    assert printed.splitlines()[0] == "Checks of this lab, as they last ran in this kernel: 1 of 2 passed."
    assert "✔ Exercise 1 — Sum (one): passed" in printed
    assert "· Exercise 2 — Five (two): not run yet" in printed
    assert "restart the kernel and run all cells" in printed


def test_outside_ipython_nothing_is_recorded(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "IPython", None)
    assert cl.track() is False
