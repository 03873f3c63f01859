"""The worker's side of the fork server: grading kernels forked from a server that imported the libraries once.

Each grading worker keeps one fork server (in_sandbox/grading_kernel/fork_server.py) in a bubblewrap sandbox built
like a kernel's: the system, Python, the course package and the data read-only, a private /tmp,
no network, its own PID namespace. Its only writable folder holds the folders of its kernels. For
each submission the worker asks it for a kernel; the server forks one, already past its imports
(torch takes seconds to import).

A server serves one kernel at a time, so kernels of different submissions never share it: when
a kernel is discarded every process left in the sandbox but the server is killed; the next
kernel empties /tmp and /dev/shm before it starts; the server is non-dumpable, so a kernel cannot
change it for the next one. A server that died, stopped answering or still runs a kernel is not
used: the worker starts a kernel the ordinary way (kernel_launch.launch) and a new server.
"""
from __future__ import annotations

import atexit
import json
import logging
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import psutil

from tools.grading.settings import KernelPlan
from tools.grading.worker import bubblewrap
from tools.grading.worker.kernel_launch import (IN_SANDBOX_DIR, MOUNTED_DIR, LaunchedKernel, die_with_parent,
                                                in_sandbox_dir, kernel_environment, new_kernel_folder, read_only_paths,
                                                remove_tree)

SERVER_SCRIPT = "start_fork_server.py"
SERVER_DIR_INSIDE = Path("/grading")    # where the server's folder appears inside its sandbox
START_TIMEOUT = 180.0                   # seconds for the server's imports
FORK_TIMEOUT = 20.0                     # seconds for one fork

log = logging.getLogger(__name__)


class ForkServerError(RuntimeError):
    """The fork server could not be started or did not fork a kernel."""


class ForkedProcess:
    """A forked kernel's process, with the little of subprocess.Popen's interface the grader uses."""

    def __init__(self, process: psutil.Process, server: "ForkServer") -> None:
        self._process, self._server = process, server
        self.pid = process.pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                ended = not self._process.is_running() or self._process.status() == psutil.STATUS_ZOMBIE
            except psutil.Error:
                ended = True
            if ended:
                self.returncode = -9        # reaped by the server; the real status is not known here
        return self.returncode

    def tree(self) -> list[psutil.Process]:
        """The kernel and every other process in the server's sandbox but the server (what it started)."""
        return self._server.strays()

    def kill(self) -> None:
        """Kill the kernel and everything it started, however it left its process tree."""
        self._server.clear()

    def wait(self, timeout: float | None = None) -> int | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired("forked kernel", timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        try:
            self._process.send_signal(signum)
        except psutil.Error:
            pass


class ForkServer:
    """One fork server process (in its sandbox unless the plan says otherwise) and its folder."""

    def __init__(self, plan: KernelPlan) -> None:
        self.plan = plan
        self.folder = Path(tempfile.mkdtemp(prefix="grading-fork-server-"))
        self.kernels = self.folder / "kernels"        # the only folder the server and its kernels may write
        self.kernels.mkdir()
        self.inside = SERVER_DIR_INSIDE if plan.sandboxed else self.kernels
        self.current: ForkedProcess | None = None
        self._lock = threading.Lock()
        self._log = open(self.folder / "server.log", "wb")
        argv = [sys.executable, str(in_sandbox_dir(plan) / SERVER_SCRIPT)]
        if plan.sandboxed:
            spec = bubblewrap.SandboxSpec(
                read_only=read_only_paths(plan), writable=(), workdir=SERVER_DIR_INSIDE,
                env=kernel_environment(plan, Path("/tmp/home")), tmp_bytes=plan.disk_bytes,
                mounted_read_only=((IN_SANDBOX_DIR, MOUNTED_DIR),),
                mounted_dirs=((self.kernels, SERVER_DIR_INSIDE),), empty_dirs=("/tmp/home",))
            argv += ["--empty", "/tmp", "--empty", "/dev/shm"]
            command, env = bubblewrap.command(spec, argv), {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        else:
            command, env = argv, kernel_environment(plan, self.folder / "home")
        self.process = subprocess.Popen(command, cwd=self.kernels, env=env, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=self._log, start_new_session=True,
                                        preexec_fn=None if plan.sandboxed else die_with_parent)
        try:
            self._expect("ready", START_TIMEOUT)
            self.server_pid = self._find_server()
        except Exception:
            self.close()
            raise

    def _expect(self, word: str, timeout: float) -> str:
        """The server's next line, which must start with `word`."""
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline().decode(errors="replace").strip() if ready else ""
        if not line.startswith(word):
            self._log.flush()
            printed = (self.folder / "server.log").read_text(errors="replace").strip()[-2000:]
            state = "exited" if self.process.poll() is not None else "did not answer"
            raise ForkServerError(f"the grading fork server {state} (expected {word!r}, got {line!r}): {printed}")
        return line

    def _find_server(self) -> int:
        """The host PID of the server's Python process (bwrap runs it two processes down)."""
        if not self.plan.sandboxed:
            return self.process.pid
        for child in psutil.Process(self.process.pid).children(recursive=True):
            try:
                if child.cmdline()[1:2] == [str(MOUNTED_DIR / SERVER_SCRIPT)]:
                    return child.pid
            except psutil.Error:
                continue
        raise ForkServerError("the grading fork server's process was not found in its sandbox")

    def _kept(self) -> set[int]:
        """The processes a kernel may not kill or leave behind: the sandbox's own and the server."""
        kept = {self.process.pid, self.server_pid}
        if self.plan.sandboxed:
            kept |= {child.pid for child in psutil.Process(self.process.pid).children()}    # bwrap's init
        return kept

    def alive(self) -> bool:
        return self.process.poll() is None and psutil.pid_exists(self.server_pid)

    def busy(self) -> bool:
        """Whether the last kernel it forked still runs (then it may not fork another)."""
        return self.current is not None and self.current.poll() is None

    def strays(self) -> list[psutil.Process]:
        """Every process in the sandbox but the server and bwrap's own: the kernel and what it started."""
        root = self.process.pid if self.plan.sandboxed else self.server_pid
        try:
            found = psutil.Process(root).children(recursive=True)
            kept = self._kept()
        except psutil.Error:            # the sandbox has ended: nothing is left in it
            return []
        return [p for p in found if p.pid not in kept]

    def clear(self) -> None:
        """Kill every process and remove every file a kernel left; close the server if a process cannot be killed."""
        with self._lock:
            for _ in range(20):
                strays = self.strays()
                if not strays:
                    self._remove_files()
                    return
                for process in strays:
                    try:
                        process.kill()
                    except psutil.Error:
                        pass
                psutil.wait_procs(strays, timeout=1)
            log.warning("processes left by a grading kernel could not be stopped; starting a new fork server")
            self.close()

    def _remove_files(self) -> None:
        self.kernels.chmod(0o700)            # a kernel may have taken its own write permission away
        for entry in self.kernels.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                remove_tree(entry)
            else:
                entry.unlink(missing_ok=True)

    def fork(self, token_key: str, extra_arguments: list[str] = ()) -> LaunchedKernel:
        """A new kernel in a new folder, signing with `token_key`; nothing of the previous kernel is left."""
        if self.busy():
            raise ForkServerError("the fork server's last kernel is still running")
        self.clear()
        folder, connection_file = new_kernel_folder(token_key, str(self.kernels))
        inside_folder = self.inside / folder.name
        connection = json.loads(connection_file.read_text())
        connection["ip"] = str(inside_folder / "kernel")
        (folder / "kernel-inside.json").write_text(json.dumps(connection))
        request = {"folder": str(inside_folder), "arguments": list(extra_arguments)}
        try:
            self.process.stdin.write(f"{json.dumps(request)}\n".encode())
            self.process.stdin.flush()
            self._expect("forked", FORK_TIMEOUT)
            children = psutil.Process(self.server_pid).children()
        except (OSError, psutil.Error, ForkServerError) as error:
            shutil.rmtree(folder, ignore_errors=True)
            raise ForkServerError(f"the grading fork server did not fork a kernel ({error})") from error
        if len(children) != 1:
            shutil.rmtree(folder, ignore_errors=True)
            raise ForkServerError(f"the grading fork server has {len(children)} children, expected 1")
        self.current = ForkedProcess(children[0], self)
        return LaunchedKernel(self.current, folder, connection_file, writable=self.kernels)

    def close(self) -> None:
        """Stop the server, its sandbox and anything in it; remove its folder."""
        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.kill()
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self._log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


class WorkerForkServer:
    """This worker process's one fork server, started ahead of need from one long-lived thread.

    It keeps the server of the last plan asked for; a server that fails is closed and a new one
    started. (bubblewrap's --die-with-parent ties a sandbox to the thread that started it, so the
    thread that starts servers must live as long as the process.)
    """

    def __init__(self) -> None:
        self._launcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fork-server")
        self._lock = threading.Lock()
        self._server: tuple[KernelPlan, Future] | None = None
        atexit.register(self.close)

    def warm(self, plan: KernelPlan) -> None:
        """Start a server for `plan` in the background unless one is running or starting."""
        with self._lock:
            if self._server is not None and self._server[0] == plan:
                return
            old, self._server = self._server, (plan, self._launcher.submit(ForkServer, plan))
        _close_when_started(old)

    def kernel(self, plan: KernelPlan, token_key: str, extra_arguments: list[str] = ()) -> LaunchedKernel | None:
        """A kernel forked for `plan`, or None (then start one the ordinary way) if no server can fork one now."""
        self.warm(plan)
        with self._lock:
            _, future = self._server
        try:
            server = future.result(timeout=START_TIMEOUT)
            if server.busy():
                return None
            if not server.alive():
                raise ForkServerError("the grading fork server has stopped")
            return server.fork(token_key, extra_arguments)
        except Exception as error:  # noqa: BLE001 -- any failure: a fresh server next time, a plain kernel now
            log.warning("grading fork server unavailable (%s); starting this kernel on its own", error)
            with self._lock:
                old = self._server if self._server is not None and self._server[1] is future else None
                if old is not None:
                    self._server = None
            _close_when_started(old)
            self.warm(plan)
            return None

    def close(self) -> None:
        """Stop the server (when the worker process ends)."""
        with self._lock:
            old, self._server = self._server, None
        _close_when_started(old)


def _close_when_started(entry: tuple[KernelPlan, Future] | None) -> None:
    if entry is None:
        return
    try:
        entry[1].result(timeout=START_TIMEOUT).close()
    except Exception:  # noqa: BLE001 -- a server that never started has nothing to close
        pass


_worker_server: WorkerForkServer | None = None
_worker_server_lock = threading.Lock()


def worker_fork_server() -> WorkerForkServer:
    """This process's fork server keeper, made on first use (importing this module starts nothing)."""
    global _worker_server
    with _worker_server_lock:
        if _worker_server is None:
            _worker_server = WorkerForkServer()
        return _worker_server
