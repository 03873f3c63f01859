"""The kernel manager nbgrader uses while grading: a guarded kernel in a sandbox, with limits.

nbgrader's Execute preprocessor starts one kernel per notebook through a jupyter_client kernel
manager; GradingExecute makes it use this one, which

* starts the kernel through the grading provisioner (kernel_provisioner.py): forked from this
  worker's fork server or launched, in bubblewrap unless sandboxing is off, with the notebook's
  folder as its working copy and nbclient's extra arguments;
* talks to the kernel over Unix sockets (the `ipc` transport) in a folder shared with the sandbox,
  since the sandbox has no network, not even the host's loopback;
* interrupts a runaway cell with an interrupt message (a signal would stop bwrap, not the cell);
* watches the kernel's process tree and stops it past the time, memory or disk limit, keeping the
  reason (`stop_reason`) for the grader's note.

Its settings are a GradingSettings (tools/grading/settings.py) and the key the kernel's guard signs clean checks
with, both set per submission by the grading worker through nbgrader's configuration.
"""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import psutil
from jupyter_client.manager import AsyncKernelManager
from traitlets import Instance, Unicode, default

from tools.grading.settings import GradingSettings, KernelPlan
from tools.grading.worker.fork_server_client import ForkedProcess
from tools.grading.worker.kernel_launch import LaunchedKernel
from tools.grading.worker.kernel_provisioner import GradingProvisioner


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
    token_key = Unicode(help="the key (hex) the kernel's guard signs clean checks with; VerifyChecks checks them "
                             "with the same key").tag(config=True)

    @default("token_key")
    def _new_token_key(self) -> str:
        return os.urandom(32).hex()

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.stop_reason: str = ""          # why the watchdog stopped the kernel, for the grader's note
        self._stop = threading.Event()
        if self.kernel_spec is not None:
            self.kernel_spec.interrupt_mode = "message"

    @property
    def plan(self) -> KernelPlan:
        return KernelPlan.from_settings(self.settings)

    async def start_kernel(self, **kw) -> None:
        """Start the kernel through the grading provisioner (nbclient's `extra_arguments` and `cwd` included),
        then watch its limits."""
        self.provisioner = GradingProvisioner(self.settings, self.token_key, parent=self)
        await super().start_kernel(**kw)
        self._watchdog = threading.Thread(target=self._watch, args=(self.provisioner.kernel,), daemon=True)
        self._watchdog.start()

    async def cleanup_resources(self, restart: bool = False) -> None:
        """Stop watching, then let jupyter_client and the provisioner remove what the kernel left."""
        self._stop.set()
        await super().cleanup_resources(restart=restart)

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
