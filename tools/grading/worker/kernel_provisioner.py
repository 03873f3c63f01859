"""How a grading kernel is started and ended for the kernel manager: jupyter_client's provisioner interface.

jupyter_client starts every kernel through a *provisioner* (its public way to start kernels
differently). This one

* forks the kernel from this worker's fork server (fork_server_client.py), whose libraries are
  imported once, or, without one, launches a fresh interpreter (kernel_launch.py), in the sandbox
  unless the settings say otherwise;
* passes nbclient's options on: ipykernel's extra arguments go to the kernel, and the notebook's
  folder (`cwd`), with the files handed in beside the notebook, is copied into the kernel's
  working folder, where it starts;
* gives the kernel the key its guard signs clean checks with (`token_key`);
* ends a kernel by stopping its whole process tree and removing its folder, keeping the end of its
  log when it printed a traceback.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from jupyter_client.provisioning import KernelProvisionerBase

from tools.grading.settings import GradingSettings, KernelPlan
from tools.grading.worker.fork_server_client import worker_fork_server
from tools.grading.worker.kernel_launch import LaunchedKernel, discard, give_working_copy, launch


class GradingProvisioner(KernelProvisionerBase):
    """Starts one grading kernel (forked or launched) for a GradingKernelManager, and ends it."""

    def __init__(self, settings: GradingSettings, token_key: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.settings, self.token_key = settings, token_key
        self.kernel: LaunchedKernel | None = None
        self.extra_arguments: list[str] = []
        self.notebook_folder: Path | None = None
        self._log_kept = False

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        """Take nbclient's options; the kernel's command is chosen at launch (a fork needs none)."""
        self.extra_arguments = list(kwargs.pop("extra_arguments", None) or [])
        cwd = kwargs.pop("cwd", None)
        self.notebook_folder = Path(cwd) if cwd else None
        return {**kwargs, "cmd": []}

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> dict:
        """Fork or launch the kernel, give it its working copy, and hand its connection to the manager."""
        plan = KernelPlan.from_settings(self.settings)
        forked = (worker_fork_server().kernel(plan, self.token_key, self.extra_arguments)
                  if self.settings.prestart else None)
        self.kernel = forked or launch(plan, self.token_key, self.extra_arguments)
        if self.notebook_folder is not None:
            give_working_copy(self.kernel, self.notebook_folder)
        manager = self.parent
        manager.connection_file = str(self.kernel.connection_file)
        manager.load_connection_file()
        self.connection_info = manager.get_connection_info()
        return self.connection_info

    @property
    def has_process(self) -> bool:
        return self.kernel is not None

    async def poll(self) -> int | None:
        return self.kernel.process.poll() if self.kernel is not None else 0

    async def wait(self) -> int | None:
        return self.kernel.process.wait() if self.kernel is not None else 0

    async def send_signal(self, signum: int) -> None:
        if self.kernel is not None:
            self.kernel.process.send_signal(signum)

    async def kill(self, restart: bool = False) -> None:
        """Stop the kernel and every process it started (grading kernels are never asked politely)."""
        if self.kernel is not None:
            self._keep_log()
            self.kernel.process.kill()

    async def terminate(self, restart: bool = False) -> None:
        await self.kill(restart)

    async def cleanup(self, restart: bool = False) -> None:
        """Stop what is left of the kernel and remove its folder."""
        if self.kernel is None:
            return
        self._keep_log()
        discard(self.kernel)
        self.kernel = None

    def _keep_log(self) -> None:
        """The end of the kernel's own log, in the worker's log, when it printed a traceback (before its folder goes)."""
        if self._log_kept:
            return
        self._log_kept = True
        log = self.kernel.folder / "kernel.log"
        text = log.read_text(errors="replace").strip() if log.exists() else ""
        if "Traceback" in text:
            self.log.warning("the grading kernel printed:\n%s", text[-3000:])
