"""The kernel manager nbgrader uses while grading: a guarded kernel in a sandbox, with limits.

nbgrader's Execute preprocessor starts one kernel per notebook through a jupyter_client kernel
manager; preprocessors.GradingExecute makes it use this one, which

* launches the guarded kernel of `inside/` instead of ipykernel's launcher, handing it a secret key
  through a file that the kernel deletes (kernel_process.py);
* wraps that command in bubblewrap (sandbox.py) unless sandboxing is off; the kernel's only
  writable folder is a fresh `work/` folder of its own;
* talks to the kernel over Unix sockets (the `ipc` transport) in a folder shared with the sandbox,
  since the sandbox has no network, not even the host's loopback;
* interrupts a runaway cell with an interrupt message (a signal would stop bwrap, not the cell);
* watches the kernel's process tree and stops it past the time, memory or disk limit, keeping the
  reason for the grader's note;
* with `prestart`, takes the kernel from this worker's fork server (fork_server.py), whose
  libraries were imported once, instead of starting an interpreter that imports them again.

Its one setting is a GradingSettings (settings.py), which the grading worker sets per submission
through nbgrader's configuration; the kernel's plan is derived from it.
"""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import psutil
from jupyter_client.manager import AsyncKernelManager, KernelManager
from traitlets import Instance

from tools.grading.fork_server import ForkedProcess, worker_fork_server
from tools.grading.kernel_process import KernelProcess, LaunchedKernel, discard, launch
from tools.grading.settings import GradingSettings, KernelPlan


def folder_bytes(folder: Path, cap: int) -> int:
    """Bytes in the files under `folder`, counting no further than `cap`."""
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                continue
            if total > cap:
                return total
    return total


def process_tree(kernel: LaunchedKernel) -> list[psutil.Process]:
    """The kernel's process and every process it started (for a forked kernel: all in its server's sandbox)."""
    if isinstance(kernel.process, ForkedProcess):
        return kernel.process.tree()
    try:
        root = psutil.Process(kernel.process.pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


class GradingKernelManager(AsyncKernelManager):
    """A kernel manager for one graded notebook; configured by the grading worker per submission."""

    settings = Instance(GradingSettings, kw={},
                        help="limits and switches of the batch (sandbox, fork server, time, memory, disk, threads, data)"
                        ).tag(config=True)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.stop_reason: str = ""          # why the watchdog stopped the kernel, for the grader's note
        self.token_key: str = ""            # the key the kernel's guard signs clean checks with (hex)
        self.kernel: LaunchedKernel | None = None
        self._stop = threading.Event()
        if self.kernel_spec is not None:
            self.kernel_spec.interrupt_mode = "message"

    @property
    def plan(self) -> KernelPlan:
        return KernelPlan.from_settings(self.settings)

    async def start_kernel(self, **kw) -> None:
        """Fork the kernel from the fork server or launch one; connect to it; start the watchdog."""
        self._attempted_start = True
        self.shutting_down = False
        kernel = worker_fork_server().kernel(self.plan) if self.settings.prestart else None
        self.kernel = kernel or launch(self.plan)
        self.token_key = self.kernel.token_key
        self.load_connection_file(str(self.kernel.connection_file))
        self.connection_file = str(self.kernel.connection_file)
        self._connection_file_written = False              # the kernel's folder is removed at shutdown
        self.kernel_id = self.kernel_id or os.path.basename(self.kernel.folder)
        self.provisioner = _AdoptedProvisioner(self.kernel.process)
        self._launch_args = {}
        self._connect_control_socket()
        self._watchdog = threading.Thread(target=self._watch, args=(self.kernel,), daemon=True)
        self._watchdog.start()

    def _watch(self, kernel: LaunchedKernel) -> None:
        start, last_disk = time.monotonic(), 0.0
        time_limit, memory_bytes, disk_bytes = (self.settings.notebook_timeout, self.settings.memory_bytes,
                                                self.settings.disk_bytes)
        while not self._stop.wait(0.25):
            if kernel.process.poll() is not None:
                return
            tree = process_tree(kernel)
            rss = 0
            for process in tree:
                try:
                    rss += process.memory_info().rss
                except psutil.Error:
                    continue
            reason = ""
            if time.monotonic() - start > time_limit:
                reason = f"the notebook ran longer than {time_limit:.0f} s in all and was stopped"
            elif rss > memory_bytes:
                reason = f"the notebook used more than {memory_bytes / 2**30:.1f} GiB of memory and was stopped"
            elif time.monotonic() - last_disk > 1.0:
                last_disk = time.monotonic()
                if folder_bytes(kernel.disk_folder, disk_bytes) > disk_bytes:
                    reason = f"the notebook wrote more than {disk_bytes / 2**30:.1f} GiB of files and was stopped"
            if reason:
                self.stop_reason = reason
                for process in reversed(tree):
                    try:
                        process.kill()
                    except psutil.Error:
                        pass
                return

    async def shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
        """Grading kernels are not shut down politely: stop the process tree and remove its folder."""
        self.shutting_down = True
        self.stop_restarter()
        self._stop.set()
        self._close_control_socket()
        if self.kernel is not None:
            text = (self.kernel.folder / "kernel.log").read_text(errors="replace").strip()
            if "Traceback" in text:
                self.log.warning("the grading kernel printed:\n%s", text[-3000:])
            discard(self.kernel)
        self.provisioner = None

    async def is_alive(self) -> bool:
        return self.kernel is not None and self.kernel.process.poll() is None

    async def interrupt_kernel(self) -> None:
        if self.kernel is not None and self.kernel.process.poll() is None:
            await KernelManager._async_interrupt_kernel(self)

    async def cleanup_resources(self, restart: bool = False) -> None:
        """Nothing left: shutdown_kernel removed the kernel's folder."""

    @property
    def has_kernel(self) -> bool:
        return self.kernel is not None and self.provisioner is not None


class _AdoptedProvisioner:
    """The little of jupyter_client's provisioner interface a manager uses for a process it did not start."""

    def __init__(self, process: KernelProcess) -> None:
        self.process = process
        self.pid = process.pid
        self.has_process = True

    async def poll(self):
        return self.process.poll()

    async def wait(self):
        return self.process.wait()

    async def send_signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    async def kill(self, restart: bool = False) -> None:
        self.process.kill()

    async def terminate(self, restart: bool = False) -> None:
        self.process.kill()

    async def cleanup(self, restart: bool = False) -> None:
        pass

    def get_shutdown_wait_time(self, recommended: float = 5.0) -> float:
        return recommended

    def get_stable_start_time(self, recommended: float = 10.0) -> float:
        return recommended
