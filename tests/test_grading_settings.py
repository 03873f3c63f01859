"""One source of truth for the grading settings: the command line, the kernel manager and the plan agree."""
import dataclasses

import pytest

from tools import course
from tools.grading import cli
from tools.grading.settings import DEFAULTS, GradingSettings, KernelPlan


def test_the_command_line_defaults_are_the_settings_defaults(tmp_path):
    args = cli.build_parser().parse_args(["vae", str(tmp_path)])
    assert (args.cell_timeout, args.notebook_timeout, args.memory_gb, args.disk_gb) == \
        (DEFAULTS.cell_timeout, DEFAULTS.notebook_timeout, DEFAULTS.memory_gb, DEFAULTS.disk_gb)
    assert not args.no_sandbox and DEFAULTS.sandboxed


def test_every_flag_has_help():
    for action in cli.build_parser()._actions:
        assert action.help, f"{action.dest} has no help text"


@pytest.mark.kernel
def test_the_kernel_manager_takes_its_defaults_and_plan_from_the_settings():
    from tools.grading.kernel import GradingKernelManager
    manager = GradingKernelManager(kernel_name="python3")
    assert manager.settings == DEFAULTS
    custom = GradingSettings(sandboxed=False, threads=3, disk_gb=0.5, data_root="/data")
    assert GradingKernelManager(kernel_name="python3", settings=custom).plan == KernelPlan.from_settings(custom)


def test_the_plan_follows_the_settings_and_the_default_data_root():
    plan = KernelPlan.from_settings(GradingSettings(threads=2, disk_gb=2))
    assert (plan.sandboxed, plan.threads, plan.disk_bytes) == (True, 2, 2 * 2**30)
    assert plan.data_root == course.data_root()
    assert KernelPlan.from_settings(GradingSettings(data_root="/elsewhere")).data_root == "/elsewhere"


def test_the_worker_configures_the_kernel_manager_with_the_task_settings(tmp_path):
    from tools.grading import worker
    from tools.grading.records import CourseBundle, GradingTask
    settings = GradingSettings(cell_timeout=7, memory_gb=2, prestart=False)
    task = GradingTask("ada", "{}", "digest", (), settings)
    bundle = CourseBundle("vae", "course", b"", {}, (), {"F": "torch.nn.functional"})
    config = worker.grading_config(bundle, task, tmp_path)
    assert config.GradingKernelManager.settings is settings
    assert config.Execute.timeout == 7
    assert config.GuardTestCells.aliases == {"F": "torch.nn.functional"}


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
