"""Starting one grading kernel: its folder, its environment, what it may read (no kernel is started here)."""
import json
import os
import stat

from tools import course
from tools.grading.settings import GradingSettings, KernelPlan
from tools.grading.worker.kernel_launch import (IN_SANDBOX_DIR, MOUNTED_DIR, LaunchedKernel, give_working_copy,
                                                in_sandbox_dir, kernel_environment, new_kernel_folder, read_only_paths,
                                                remove_tree)

KEY = "5e" * 32


def test_a_kernel_folder_has_its_work_folder_a_private_key_and_an_ipc_connection_file(tmp_path):
    folder, connection_file = new_kernel_folder(KEY, str(tmp_path))
    assert (folder / "work").is_dir() and folder.parent == tmp_path
    key_file = folder / "token.key"
    assert key_file.read_bytes().hex() == KEY and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    connection = json.loads(connection_file.read_text())
    assert connection["transport"] == "ipc" and connection["ip"] == str(folder / "kernel")
    kernel = LaunchedKernel(process=None, folder=folder, connection_file=connection_file)
    assert kernel.workdir == folder / "work" and kernel.disk_folder == folder


def test_the_working_copy_holds_the_notebooks_folder_without_its_links(tmp_path):
    (tmp_path / "kernels").mkdir()
    folder, connection_file = new_kernel_folder(KEY, str(tmp_path / "kernels"))
    kernel = LaunchedKernel(process=None, folder=folder, connection_file=connection_file)
    submitted = tmp_path / "submitted"
    (submitted / "data").mkdir(parents=True)
    (submitted / "vae.ipynb").write_text("{}")
    (submitted / "data" / "offset.txt").write_text("0.5")
    (submitted / "secrets").symlink_to(tmp_path / "kernels")
    give_working_copy(kernel, submitted)
    copied = sorted(str(p.relative_to(kernel.workdir)) for p in kernel.workdir.rglob("*"))
    assert copied == ["data", "data/offset.txt", "vae.ipynb"]
    assert (kernel.workdir / "data" / "offset.txt").read_text() == "0.5"


def test_the_environment_is_complete_and_inherits_nothing(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_TOKEN", "do-not-leak")
    plan = KernelPlan.from_settings(GradingSettings(threads=3, data_root="/datasets"))
    env = kernel_environment(plan, tmp_path)
    assert "SECRET_TOKEN" not in env and env["NBGRADER_EXECUTION"] == "autograde"
    assert env["OMP_NUM_THREADS"] == env["MKL_NUM_THREADS"] == "3" and env["COURSE_DEVICE"] == "cpu"
    assert env["COURSE_DATA_ROOT"] == "/datasets" and env["HOME"] == str(tmp_path)


def test_a_kernel_reads_the_course_package_and_the_data_only(tmp_path):
    plan = KernelPlan.from_settings(GradingSettings(data_root=str(tmp_path)))
    assert read_only_paths(plan) == (course.course_package_dir(), tmp_path)
    missing = KernelPlan.from_settings(GradingSettings(data_root=str(tmp_path / "absent")))
    assert read_only_paths(missing) == (course.course_package_dir(),)


def test_the_kernels_code_is_mounted_in_the_sandbox_and_used_in_place_without_one():
    assert in_sandbox_dir(KernelPlan.from_settings(GradingSettings())) == MOUNTED_DIR
    assert in_sandbox_dir(KernelPlan.from_settings(GradingSettings(sandboxed=False))) == IN_SANDBOX_DIR
    assert (IN_SANDBOX_DIR / "start_kernel.py").is_file() and (IN_SANDBOX_DIR / "grading_kernel" / "guard.py").is_file()


def test_a_folder_made_read_only_is_still_removed(tmp_path):
    folder = tmp_path / "kernel"
    (folder / "locked").mkdir(parents=True)
    (folder / "locked" / "file").write_text("x")
    os.chmod(folder / "locked", 0o500)
    remove_tree(folder)
    assert not folder.exists()
