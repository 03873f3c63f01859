"""The grading worker's own steps, without a kernel: the submission as nbgrader finds it, and its configuration."""
from nbgrader.preprocessors import CheckCellMetadata, SaveAutoGrades

from tools.grading.records import CourseBundle, GradingTask
from tools.grading.settings import GradingSettings
from tools.grading.worker import autograde as worker
from tools.grading.worker import pipeline
from tools.grading.worker.feedback import FeedbackExporter, HideHiddenTests
from tools.grading.worker.kernel_manager import GradingKernelManager
from tools.grading.worker.preprocessors.grading_execute import GradingExecute
from tools.grading.worker.preprocessors.guard_test_cells import GuardTestCells
from tools.grading.worker.preprocessors.verify_checks import VerifyChecks

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


def test_the_pipeline_guards_before_running_and_verifies_before_saving_the_scores(tmp_path):
    settings = GradingSettings(cell_timeout=7, memory_gb=2, prestart=False)
    task = GradingTask("ada", "{}", "digest", (), settings)
    bundle = CourseBundle("vae", "course", b"", {}, (), {"F": "torch.nn.functional"}, {"train": "train()"})
    config = pipeline.grading_config(bundle, task, tmp_path, token_key="ab" * 32)
    sanitize, autograde = config.Autograde.sanitize_preprocessors, config.Autograde.autograde_preprocessors
    assert sanitize[-2:] == [GuardTestCells, CheckCellMetadata]
    assert autograde.index(GradingExecute) < autograde.index(VerifyChecks) < autograde.index(SaveAutoGrades)
    assert config.GenerateFeedback.preprocessors[1] is HideHiddenTests
    assert config.GenerateFeedback.exporter_class is FeedbackExporter
    assert config.GradingKernelManager.settings is settings and config.Execute.timeout == 7
    assert config.GradingKernelManager.token_key == config.VerifyChecks.token_key == "ab" * 32
    assert config.GuardTestCells.aliases == {"F": "torch.nn.functional"}
    assert config.GradingExecute.exploration == {"train": "train()"}


def test_the_kernel_manager_takes_its_settings_and_key_from_the_configuration(tmp_path):
    settings = GradingSettings(cell_timeout=7, sandboxed=False, threads=3)
    task = GradingTask("ada", "{}", "digest", (), settings)
    config = pipeline.grading_config(BUNDLE, task, tmp_path, token_key="cd" * 32)
    manager = GradingKernelManager(kernel_name="python3", config=config)
    assert manager.settings == settings and manager.plan.threads == 3 and manager.token_key == "cd" * 32
    assert manager.kernel_spec.interrupt_mode == "message", "a signal would stop bwrap, not the cell"
    assert len(GradingKernelManager(kernel_name="python3").token_key) == 64, "a fresh key when none is given"
