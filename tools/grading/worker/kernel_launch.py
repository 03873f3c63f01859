"""Starting and stopping one grading kernel process, in its sandbox, in a folder of its own.

A kernel's folder holds its connection file and sockets (jupyter_client's `ipc` transport: the
sandbox has no network, not even the host's loopback), its signing key (which the kernel deletes),
its output log and `work/`, the only folder it may write and where it starts. `launch` starts a
fresh interpreter for one kernel; fork_server_client.py forks kernels from one that has already
imported the libraries. Both run the code of `in_sandbox/`, mounted read-only into the sandbox.
"""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from jupyter_client.connect import write_connection_file

from tools import course
from tools.grading.settings import KernelPlan
from tools.grading.worker import bubblewrap

IN_SANDBOX_DIR = Path(__file__).resolve().parent.parent / "in_sandbox"   # the code that runs in the sandbox
MOUNTED_DIR = Path("/opt/course-grading")                               # where that folder appears inside it
KERNEL_SCRIPT = "start_kernel.py"


class KernelProcess(Protocol):
    """What the grader needs of a kernel's process: a subprocess.Popen, or a forked kernel's handle."""

    pid: int

    def poll(self) -> int | None: ...

    def kill(self) -> None: ...

    def wait(self, timeout: float | None = None) -> int | None: ...

    def send_signal(self, signum: int) -> None: ...


@dataclass
class LaunchedKernel:
    """A kernel process with its folder: connection file, sockets, `work/` and its output log."""

    process: KernelProcess
    folder: Path
    connection_file: Path
    output: object | None = None        # the log file the grader opened for it, closed when it is discarded
    writable: Path | None = None        # all it may write, counted against the disk limit (default: its folder)

    @property
    def disk_folder(self) -> Path:
        return self.writable or self.folder

    @property
    def workdir(self) -> Path:
        """Where the kernel starts and may write: the notebook's working copy and the files handed in with it go here."""
        return self.folder / "work"


def give_working_copy(kernel: LaunchedKernel, folder: Path) -> None:
    """Copy `folder` (the notebook's own, with the files handed in beside it) into the kernel's working folder,
    where the notebook's relative paths find them. Links are not followed: a kernel gets files, never a way out."""
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            target = kernel.workdir / path.relative_to(folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


def in_sandbox_dir(plan: KernelPlan) -> Path:
    """Where a kernel of `plan` finds the code of `in_sandbox/`: mounted in the sandbox, or in place without one."""
    return MOUNTED_DIR if plan.sandboxed else IN_SANDBOX_DIR


def kernel_environment(plan: KernelPlan, home: Path) -> dict[str, str]:
    """The whole environment of a grading kernel (nothing is inherited from the grader)."""
    threads = str(max(1, plan.threads))
    env = {
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": str(home), "TMPDIR": "/tmp" if plan.sandboxed else str(home),
        "IPYTHONDIR": str(home / ".ipython"), "MPLCONFIGDIR": str(home / ".matplotlib"), "MPLBACKEND": "agg",
        "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0",
        "OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads, "OPENBLAS_NUM_THREADS": threads,
        "COURSE_DEVICE": "cpu", "COURSE_METRICS_DIR": str(home / "metrics"),
        "NBGRADER_EXECUTION": "autograde",
    }
    if plan.data_root:
        env["COURSE_DATA_ROOT"] = plan.data_root
    return env


def read_only_paths(plan: KernelPlan) -> tuple[Path, ...]:
    """Host paths a sandboxed kernel may read: the course package, the data, and any extra ones asked for."""
    paths = [course.course_package_dir(), *([plan.data_root] if plan.data_root else [])]
    return tuple(Path(p) for p in paths if Path(p).exists())


def new_kernel_folder(token_key: str, parent: str | None = None) -> tuple[Path, Path]:
    """A fresh kernel folder with `work/`, the signing key's file and a connection file: (folder, connection file)."""
    folder = Path(tempfile.mkdtemp(prefix="grading-kernel-", dir=parent))
    (folder / "work").mkdir()
    key_file = folder / "token.key"
    key_file.write_bytes(bytes.fromhex(token_key))
    key_file.chmod(0o600)
    connection_file, _ = write_connection_file(str(folder / "kernel.json"), transport="ipc", ip=str(folder / "kernel"),
                                               key=os.urandom(32).hex().encode())
    return folder, Path(connection_file)


def kernel_arguments(folder: Path, connection_file: Path, extra: list[str]) -> list[str]:
    """What a grading kernel is started with after its script: its key file, its connection file, ipykernel's options."""
    return ["--token-key-file", str(folder / "token.key"), "-f", str(connection_file), "--HistoryManager.enabled=False",
            *extra]


def launch(plan: KernelPlan, token_key: str, extra_arguments: list[str] = ()) -> LaunchedKernel:
    """Start a grading kernel in a new folder and a new interpreter; it imports its libraries and waits for a client.

    `token_key` (hex) is the key its guard signs clean checks with; `extra_arguments` go to ipykernel.
    """
    folder, connection_file = new_kernel_folder(token_key)
    work = folder / "work"
    argv = [sys.executable, str(in_sandbox_dir(plan) / KERNEL_SCRIPT),
            *kernel_arguments(folder, connection_file, list(extra_arguments))]
    if plan.sandboxed:
        spec = bubblewrap.SandboxSpec(
            read_only=read_only_paths(plan), writable=(folder,), workdir=work,
            env=kernel_environment(plan, Path("/tmp/home")), tmp_bytes=plan.disk_bytes,
            mounted_read_only=((IN_SANDBOX_DIR, MOUNTED_DIR),), empty_dirs=("/tmp/home",))
        command, env = bubblewrap.command(spec, argv), {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    else:
        home = folder / "home"
        home.mkdir()
        command, env = argv, kernel_environment(plan, home)
    output = open(folder / "kernel.log", "wb")
    process = subprocess.Popen(command, cwd=work, env=env, stdin=subprocess.DEVNULL, stdout=output,
                               stderr=subprocess.STDOUT, start_new_session=True,
                               preexec_fn=None if plan.sandboxed else die_with_parent)
    return LaunchedKernel(process, folder, connection_file, output)


def die_with_parent() -> None:
    """In the child, before exec: be killed when the thread that started us ends (what bwrap's --die-with-parent does)."""
    import ctypes
    import signal
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)    # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def discard(kernel: LaunchedKernel) -> None:
    """Stop a kernel's processes and remove its folder."""
    try:
        kernel.process.kill()
        kernel.process.wait(timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        pass
    if kernel.output is not None:
        kernel.output.close()
    remove_tree(kernel.folder)


def remove_tree(path: Path) -> None:
    """Delete a folder even where its files or folders were made read-only."""
    def make_writable_and_retry(function, target, _):
        try:
            os.chmod(target, stat.S_IRWXU)
            os.chmod(os.path.dirname(target), stat.S_IRWXU)
            function(target)
        except OSError:
            pass
    shutil.rmtree(path, onerror=make_writable_and_retry)
