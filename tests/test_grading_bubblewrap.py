"""The bubblewrap sandbox: what a kernel can see and do, and a stop that names the cause where it cannot start."""
import subprocess
import sys
from pathlib import Path

import pytest

from tools.grading.worker import bubblewrap as sandbox
from tools.grading.worker.bubblewrap import SandboxSpec, SandboxUnavailable


def needs_bwrap(test):
    """A test that starts a sandbox: in the sandbox tier, skipped where bubblewrap is missing."""
    return pytest.mark.sandbox(pytest.mark.skipif(sandbox.bwrap_path() is None,
                                                  reason="bubblewrap is not installed")(test))


def run_inside(spec, code):
    return subprocess.run(sandbox.command(spec, [sys.executable, "-c", code]), capture_output=True, text=True,
                          timeout=60)


def fake_bwrap(tmp_path, monkeypatch, script: str) -> None:
    """Stand in for bwrap with a shell script (its arguments in "$@")."""
    fake = tmp_path / "bwrap"
    fake.write_text(f"#!/bin/sh\n{script}\n")
    fake.chmod(0o755)
    monkeypatch.setattr(sandbox, "bwrap_path", lambda: str(fake))


def linked_interpreter(tmp_path) -> Path:
    """An interpreter reached through a link to a folder elsewhere, as in a worktree whose .venv is a link."""
    real = tmp_path / "elsewhere" / "venv" / "bin"
    real.mkdir(parents=True)
    (real / "python").symlink_to(sys.executable)
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    (checkout / ".venv").symlink_to(real.parent)
    return checkout / ".venv" / "bin" / "python"


@pytest.fixture
def spec(tmp_path):
    (tmp_path / "work").mkdir()
    (tmp_path / "readable").mkdir()
    (tmp_path / "readable" / "data.txt").write_text("data")
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "solutions.ipynb").write_text("answers")
    return SandboxSpec(read_only=(tmp_path / "readable",), writable=(tmp_path / "work",), workdir=tmp_path / "work",
                       env={"PATH": "/usr/bin:/bin", "HOME": "/tmp"})


@needs_bwrap
def test_only_the_given_folders_are_visible_and_only_one_is_writable(spec, tmp_path, monkeypatch):
    monkeypatch.setenv("GRADERS_OWN_SECRET", "do not leak")
    code = f"""
import os, pathlib
print(pathlib.Path({str(tmp_path / 'readable' / 'data.txt')!r}).read_text())
print(os.path.exists({str(tmp_path / 'secret')!r}))
pathlib.Path('out.txt').write_text('written')
try:
    pathlib.Path({str(tmp_path / 'readable' / 'new.txt')!r}).write_text('x')
    print('wrote read-only')
except OSError:
    print('read-only')
pathlib.Path('/tmp/private.txt').write_text('x')
print(sorted(os.environ))
"""
    result = run_inside(spec, code)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:3] == ["data", "False", "read-only"]
    assert set(eval(lines[3])) <= {"HOME", "PATH", "PWD", "LC_CTYPE"}, "nothing of the grader's environment leaks in"
    assert (tmp_path / "work" / "out.txt").read_text() == "written"
    assert not Path("/tmp/private.txt").exists(), "the sandbox's /tmp is private"


@needs_bwrap
def test_no_network_and_no_view_of_other_processes(spec):
    code = """
import os, socket
sock = socket.socket()
sock.settimeout(2)
print(sock.connect_ex(("1.1.1.1", 80)) != 0)
print(len([p for p in os.listdir('/proc') if p.isdigit()]) <= 3, os.getpid() <= 3)
"""
    result = run_inside(spec, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True"]


@needs_bwrap
def test_processes_started_inside_die_with_the_sandbox(spec, tmp_path):
    marker = tmp_path / "work" / "alive.txt"
    code = f"""
import subprocess, sys
subprocess.Popen([sys.executable, "-c", "import time, pathlib; time.sleep(3); pathlib.Path({str(marker)!r}).write_text('x')"],
                 start_new_session=True)
"""
    assert run_inside(spec, code).returncode == 0
    import time
    time.sleep(4)
    assert not marker.exists(), "a process started in the sandbox outlived it"


def test_a_missing_bwrap_stops_grading_with_the_fix(monkeypatch):
    monkeypatch.setattr(sandbox, "bwrap_path", lambda: None)
    with pytest.raises(SandboxUnavailable) as info:
        sandbox.check_available()
    message = str(info.value)
    assert "apt-get install bubblewrap" in message and "--no-sandbox" in message


def test_a_bwrap_that_cannot_start_names_user_namespaces(monkeypatch, tmp_path):
    fake_bwrap(tmp_path, monkeypatch, "echo 'bwrap: No permissions to creating new namespace' >&2\nexit 1")
    with pytest.raises(SandboxUnavailable) as info:
        sandbox.check_available()
    message = str(info.value)
    assert "No permissions to creating new namespace" in message and "unprivileged user namespaces" in message
    assert "sysctl" in message and "--no-sandbox" in message and "not visible" not in message


def test_an_interpreter_the_sandbox_cannot_see_is_named_with_the_link_that_hides_it(monkeypatch, tmp_path):
    python = linked_interpreter(tmp_path)
    fake_bwrap(tmp_path, monkeypatch, 'for last in "$@"; do :; done\n'     # the probe runs `python -c pass` or /bin/true
                                      'case "$last" in pass) echo "bwrap: execvp: No such file or directory" >&2; '
                                      'exit 1;; esac\nexit 0')
    with pytest.raises(SandboxUnavailable) as info:
        sandbox.check_available(python)
    message = str(info.value)
    assert f"the interpreter {python} is not visible in it (a link to a folder outside it?)" in message
    assert f"{tmp_path / 'checkout' / '.venv'} is a symbolic link to {tmp_path / 'elsewhere' / 'venv'}" in message
    assert f"rm {tmp_path / 'checkout' / '.venv'} && make install" in message and "--no-sandbox" in message
    assert "user namespaces" not in message


@needs_bwrap
def test_a_linked_environment_is_told_from_user_namespaces_by_the_real_bwrap(tmp_path):
    with pytest.raises(SandboxUnavailable, match="is not visible in it .a link to a folder outside it") as info:
        sandbox.check_available(linked_interpreter(tmp_path))
    assert "execvp" in str(info.value) and "user namespaces" not in str(info.value)
    sandbox.check_available()                       # this process's own interpreter is visible


def test_the_command_binds_python_and_the_given_folders(spec):
    options = sandbox.arguments(spec)
    assert "--unshare-all" in options and "--die-with-parent" in options and "--clearenv" in options
    assert options[-2:] == ["--chdir", str(spec.workdir)]
    binds = {options[i + 1] for i, arg in enumerate(options) if arg == "--ro-bind"}
    assert str(Path(sys.prefix).resolve()) in binds or any(Path(sys.prefix).resolve().is_relative_to(b) for b in binds)
    assert str(spec.read_only[0]) in binds
    assert [options[i + 1] for i, arg in enumerate(options) if arg == "--bind"] == [str(spec.writable[0])]


def test_the_command_line_is_bwrap_its_options_and_the_program(spec, monkeypatch):
    monkeypatch.setattr(sandbox, "bwrap_path", lambda: "/opt/bin/bwrap")
    assert sandbox.command(spec, ["python", "-V"]) == ["/opt/bin/bwrap", *sandbox.arguments(spec), "--", "python", "-V"]
    monkeypatch.setattr(sandbox, "bwrap_path", lambda: None)
    with pytest.raises(SandboxUnavailable, match="apt-get install bubblewrap"):
        sandbox.command(spec, ["python", "-V"])


@needs_bwrap
def test_a_mounted_folder_is_writable_at_its_path_inside(spec, tmp_path):
    (tmp_path / "kernels").mkdir()
    mounted = SandboxSpec(read_only=(), writable=(), workdir=Path("/grading"), env=spec.env,
                          mounted_dirs=((tmp_path / "kernels", Path("/grading")),))
    result = run_inside(mounted, f"import os, pathlib\npathlib.Path('/grading/k.txt').write_text('x')\n"
                                 f"print(os.getcwd(), os.path.exists({str(tmp_path / 'kernels')!r}))")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["/grading", "False"]
    assert (tmp_path / "kernels" / "k.txt").read_text() == "x"
