"""The progress bar: on for a student, off while nbgrader autogrades, the same loop either way."""
import pytest

from course_utils.progress import progress


@pytest.mark.parametrize("execution, shown", [(None, True), ("validate", True), ("autograde", False)])
def test_the_bar_is_off_only_while_autograding(monkeypatch, execution, shown):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    if execution:
        monkeypatch.setenv("NBGRADER_EXECUTION", execution)
    bar = progress(range(3), desc="steps")
    assert bar.disable == (not shown)
    seen = []
    for step in bar:
        bar.set_postfix(loss=f"{step:.1f}")
        seen.append(step)
    bar.close()
    assert seen == [0, 1, 2]
