"""The grading worker's own steps, without a kernel: the submission as nbgrader finds it, and its configuration."""
from tools.grading import worker
from tools.grading.records import CourseBundle, GradingTask
from tools.grading.settings import GradingSettings

BUNDLE = CourseBundle("vae", "course", b"", {}, (), {})


def test_the_submission_and_the_files_handed_in_with_it_are_laid_out_for_nbgrader(tmp_path):
    task = GradingTask("ada", '{"cells": []}', "digest", (), GradingSettings(),
                       files=(("scale.txt", b"2.0"), ("data/points.csv", b"1,2")))
    notebook = worker.write_submission(tmp_path, BUNDLE, task)
    folder = tmp_path / "submitted" / "ada" / "vae"
    assert notebook == folder / "vae.ipynb" and notebook.read_text() == '{"cells": []}'
    assert (folder / "scale.txt").read_bytes() == b"2.0" and (folder / "data" / "points.csv").read_bytes() == b"1,2"


def test_a_file_path_that_would_leave_the_submission_is_not_written(tmp_path):
    task = GradingTask("ada", "{}", "digest", (), GradingSettings(),
                       files=(("../../escaped.txt", b"x"), ("/tmp/absolute.txt", b"y")))
    worker.write_submission(tmp_path / "scratch", BUNDLE, task)
    assert not (tmp_path / "scratch" / "escaped.txt").exists() and not (tmp_path / "escaped.txt").exists()
    assert sorted(p.name for p in (tmp_path / "scratch" / "submitted" / "ada" / "vae").iterdir()) == ["vae.ipynb"]


def test_a_failed_grading_is_one_sentence_that_points_to_the_log():
    assert "metadata" in worker._failure_sentence("... SchemaTooOld ...")
    assert "kernel could not be started" in worker._failure_sentence("DeadKernelError: ...")
    assert worker._failure_sentence("anything else").endswith("(see the log).")
