"""Publishing results into a course's gradebook, where formgrader and nbgrader's feedback commands look."""
import hashlib

import pytest
from nbgrader.api import Gradebook

from tools import course
from tools.grading.client.gradebook import CourseGradebook
from tools.grading.records import ERROR, GRADED, GradingResult

pytestmark = pytest.mark.slow         # nbgrader releases the lab (generate_assignment) into the gradebook


@pytest.fixture(scope="module")
def course_dir(tmp_path_factory):
    root = course.make_course_copy(tmp_path_factory.mktemp("course"), ["pixel_loss"])
    return root


def scores_in(course_dir, student):
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}", "generative-models") as gradebook:
        notebook = gradebook.find_submission_notebook("pixel_loss", "pixel_loss", student)
        return {g.name: (g.auto_score, g.manual_score, g.needs_manual_grade) for g in notebook.grades}


def files_of(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_graded_result_is_published_and_a_written_answer_waits(course_dir):
    published = CourseGradebook(course_dir, "pixel_loss", "generative-models", ("q-why-blur",))
    before = files_of(course_dir)
    assert published.ensure_assignment() is True
    assert set(files_of(course_dir)) - set(before) == {"gradebook.db"}, "only the gradebook is written"
    assert {k: v for k, v in files_of(course_dir).items() if k != "gradebook.db"} == before
    assert not (course_dir / "labs").exists(), "the lab was released into the course directory"
    assert published.ensure_assignment() is False, "an assignment already recorded is not released again"
    scores = {"dissimilarity-check": 2.0, "shift-check": 0.0, "rank-check": 1.0, "q-why-blur": None}
    published.publish(GradingResult("ada", GRADED, scores, [], "d", autograded='{"cells": []}'))
    assert (course_dir / "autograded" / "ada" / "pixel_loss" / "pixel_loss.ipynb").read_text() == '{"cells": []}'
    assert (course_dir / "autograded" / "ada" / "pixel_loss" / "timestamp.txt").exists()
    found = scores_in(course_dir, "ada")
    assert found["dissimilarity-check"][0] == 2.0 and found["shift-check"][0] == 0.0
    assert found["q-why-blur"][2] is True, "a written answer without a score needs manual grading"
    assert published.manual_scores() == {}


def test_a_manual_score_is_read_back_and_survives_a_regrade(course_dir):
    published = CourseGradebook(course_dir, "pixel_loss", "generative-models", ("q-why-blur",))
    published.publish(GradingResult("bo", GRADED, {"q-why-blur": None}, [], "d", autograded="{}"))
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}", "generative-models") as gradebook:
        grade = gradebook.find_grade("q-why-blur", "pixel_loss", "pixel_loss", "bo")
        grade.manual_score = 1.5
        gradebook.db.commit()
    published.publish(GradingResult("bo", GRADED, {"q-why-blur": None}, [], "d2", autograded="{}"))
    assert published.manual_scores()["bo"] == {"q-why-blur": 1.5}


def test_an_ungraded_submission_is_not_published(course_dir):
    published = CourseGradebook(course_dir, "pixel_loss", "generative-models", ())
    published.publish(GradingResult("cy", ERROR, {}, ["The notebook file is empty."], "d"))
    assert not (course_dir / "autograded" / "cy").exists()
