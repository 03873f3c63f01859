"""One source of truth for each grading setting: the command line, nbgrader's configuration, the kernel manager
and the plan agree."""
import dataclasses
import os
from pathlib import Path

import pytest
from traitlets.config import PyFileConfigLoader

from tools import course
from tools.grading.client import cli
from tools.grading.client.batch import BatchOptions, default_workers
from tools.grading.settings import DEFAULTS, GradingSettings, KernelPlan


def test_the_command_line_defaults_are_the_settings_defaults(tmp_path):
    args = cli.build_parser().parse_args(["vae", str(tmp_path)])
    assert (args.cell_timeout, args.notebook_timeout, args.memory_gb, args.disk_gb) == \
        (DEFAULTS.cell_timeout, DEFAULTS.notebook_timeout, DEFAULTS.memory_gb, DEFAULTS.disk_gb)
    assert not args.no_sandbox and DEFAULTS.sandboxed
    assert (args.workers, args.retries) == (BatchOptions().workers, BatchOptions().retries) == \
        (default_workers(), BatchOptions.retries)
    assert default_workers() == max(1, min(4, os.cpu_count() or 1))


def test_the_courses_nbgrader_configuration_takes_the_graders_values():
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course.REPO_ROOT)).load_config()
    assert config.Execute.timeout == DEFAULTS.cell_timeout
    assert config.CourseDirectory.ignore == list(course.IGNORED)
    assert (config.CourseDirectory.source_directory, config.CourseDirectory.release_directory) == \
        (course.SOLUTIONS, course.LABS)


def test_every_flag_has_help():
    actions = cli.build_parser()._actions
    assert len(actions) > 10
    for action in actions:
        assert action.help, f"{action.dest} has no help text"


def test_the_kernel_manager_takes_its_defaults_and_plan_from_the_settings():
    from tools.grading.worker.kernel_manager import GradingKernelManager
    manager = GradingKernelManager(kernel_name="python3")
    assert manager.settings == DEFAULTS
    custom = GradingSettings(sandboxed=False, threads=3, disk_gb=0.5, data_root="/data")
    assert GradingKernelManager(kernel_name="python3", settings=custom).plan == KernelPlan.from_settings(custom)


def test_the_plan_follows_the_settings_and_the_default_data_root():
    plan = KernelPlan.from_settings(GradingSettings(threads=2, disk_gb=2))
    assert (plan.sandboxed, plan.threads, plan.disk_bytes) == (True, 2, 2 * 2**30)
    assert plan.data_root == course.data_root()
    assert KernelPlan.from_settings(GradingSettings(data_root="/elsewhere")).data_root == "/elsewhere"


@pytest.mark.parametrize("value", [None, "", "  ", "~/datasets", "/srv/data ", "relative/data"])
def test_the_grader_finds_the_datasets_where_course_utils_does(monkeypatch, value):
    import course_utils
    if value is None:
        monkeypatch.delenv("COURSE_DATA_ROOT", raising=False)
    else:
        monkeypatch.setenv("COURSE_DATA_ROOT", value)
    assert Path(course.data_root()) == course_utils.data_root()


@pytest.mark.parametrize("field", ["cell_timeout", "notebook_timeout", "memory_gb", "disk_gb", "threads"])
def test_settings_refuse_a_limit_that_is_not_positive(field):
    with pytest.raises(ValueError, match=field):
        dataclasses.replace(DEFAULTS, **{field: 0})


def test_the_course_id_is_read_with_the_config_loader(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\nc.CourseDirectory.course_id = 'spring-term'\n")
    assert course.course_id(tmp_path) == "spring-term"
    assert course.course_id() == "generative-models"
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
    with pytest.raises(course.CourseError, match="course_id"):
        course.course_id(tmp_path)
