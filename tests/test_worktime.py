"""The working-time estimate: what it counts in a notebook, and how it reads in the README's lab table."""
import nbformat
import pytest

from tools import course, worktime


def test_it_counts_answer_lines_written_answers_and_words():
    nb = nbformat.v4.new_notebook()
    answer = nbformat.v4.new_code_cell("def f(x):\n    ### BEGIN SOLUTION\n    # a comment\n    y = x + 1\n\n    return y\n"
                                       "    ### END SOLUTION\nprint('given')")
    answer.metadata["nbgrader"] = {"solution": True, "grade": False, "locked": False, "grade_id": "f"}
    text = nbformat.v4.new_markdown_cell("Three words here, and $x^2$.")
    nb.cells = [text, answer]
    assert worktime.answer_lines(nb) == 2 and worktime.words(nb) == 5


@pytest.mark.parametrize("minutes, shown", [(5, "about 15 min"), (50, "about 45 min"), (95, "about 1 h 30 min"),
                                            (121, "about 2 h"), (200, "about 3 h 15 min")])
def test_the_total_is_rounded_to_the_quarter_hour(minutes, shown):
    assert str(worktime.WorkTime(reading=minutes, writing=0, running=None)) == shown


def test_every_lab_has_an_estimate_that_counts_its_text_and_answers():
    for lab in course.lab_names():
        time = worktime.estimate(lab)
        assert time.reading > 5 and time.writing > 20, (lab, time)
