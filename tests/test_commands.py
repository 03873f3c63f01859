"""Every command turns a known failure into its message and an exit code, never a traceback."""
import subprocess
import sys

import pytest

from tests.helpers import REPO_ROOT
from tools import course


def run_main(main, argv, capsys) -> tuple[int, str]:
    """(exit code, what it printed) of a command's main, argparse's usage errors included."""
    try:
        code = main(argv)
    except SystemExit as stop:
        code = stop.code
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def commands():
    from tools import bench_grading, pretrained, release, report, student_repo
    from tools.grading.client import cli
    return {"grading": cli.main, "release": release.main, "report": report.main, "pretrained": pretrained.main,
            "bench_grading": bench_grading.main, "student_repo": student_repo.main}


@pytest.mark.parametrize("command, argv, expected", [
    ("grading", ["no-such-lab", "."], "unknown lab(s) no-such-lab"),
    ("grading", ["vae", "no-such-folder"], "no-such-folder is not a folder"),
    ("grading", ["vae", ".", "--memory-gb", "0"], "must be positive"),
    ("grading", ["vae", ".", "--workers", "0"], "--workers must be at least 1"),
    ("release", ["no-such-lab"], "unknown lab(s) no-such-lab"),
    ("report", ["no-such-lab"], "unknown lab(s) no-such-lab"),
    ("pretrained", ["no-such-lab"], "unknown lab(s) no-such-lab"),
    ("bench_grading", ["--lab", "no-such-lab"], "unknown lab(s) no-such-lab"),
    ("student_repo", [str(REPO_ROOT)], "looks like the instructor's repository"),
])
def test_bad_arguments_get_a_message_and_an_exit_code(command, argv, expected, capsys):
    code, output = run_main(commands()[command], argv, capsys)
    assert code == 2 and expected in output, output
    assert "Traceback" not in output


def test_a_known_failure_deep_inside_a_command_is_its_message(capsys, monkeypatch):
    from tools import release

    def fails(*args):
        raise course.CourseError("nbgrader_config.py sets no c.CourseDirectory.course_id")
    monkeypatch.setattr(release, "release", fails)
    code, output = run_main(release.main, ["vae"], capsys)
    assert (code, output.strip()) == (2, "release stopped: nbgrader_config.py sets no c.CourseDirectory.course_id")


def run(*args, env=None):
    result = subprocess.run([sys.executable, "-m", *args], cwd=REPO_ROOT, capture_output=True, text=True,
                            env=course.child_env(**(env or {})), timeout=300)
    return result.returncode, result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("args", [("tools.grading", "vae", ".", "--no-sandbox", "--no-gradebook"),
                                  ("tools.bench_grading", "--count", "1", "--workers", "1")])
def test_missing_data_stops_grading_and_its_benchmark_with_the_fix(args, tmp_path):
    code, output = run(*args, env={"COURSE_DATA_ROOT": str(tmp_path)})
    assert code == 2, output
    assert "the datasets are not under" in output and "make data" in output and "Traceback" not in output


@pytest.mark.slow
def test_missing_data_stops_the_data_benchmark_with_the_fix(tmp_path):
    code, output = run("tools.bench", env={"COURSE_DATA_ROOT": str(tmp_path)})
    assert code == 2 and "Could not load MNIST" in output and "Traceback" not in output, output


def test_make_alone_lists_every_target_with_what_it_does():
    import re

    makefile = (REPO_ROOT / "Makefile").read_text()
    phony = re.search(r"^\.PHONY:(.*?)\n(?!\s)", makefile, re.MULTILINE | re.DOTALL).group(1).replace("\\", " ").split()
    result = subprocess.run(["make", "--no-print-directory"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    listed = dict(re.findall(r"^  (\S+) +(\S.*)$", result.stdout, re.MULTILINE))
    assert len(phony) > 20 and sorted(listed) == sorted(phony), "every target, and only targets, with its help"
    assert "pip install" not in result.stdout, "make alone installs nothing"
