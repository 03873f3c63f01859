"""The kernel manager nbgrader uses while grading: a guarded kernel in a sandbox, with limits.

nbgrader's Execute preprocessor starts one kernel per notebook through a jupyter_client kernel
manager; preprocessors.GradingExecute makes it use this one, which

* launches `kernel_boot.py` (the guard) instead of ipykernel's launcher, handing it a secret key
  through a file that the kernel deletes;
* wraps that command in bubblewrap (sandbox.py) unless sandboxing is off; the kernel's only
  writable folder is a fresh `work/` folder of its own;
* talks to the kernel over Unix sockets (the `ipc` transport) in a folder shared with the sandbox,
  since the sandbox has no network, not even the host's loopback;
* interrupts a runaway cell with an interrupt message (a signal would stop bwrap, not the cell);
* watches the kernel's process tree and stops it past the time, memory or disk limit, keeping the
  reason for the grader's note;
* with `prestart`, adopts a kernel that was started ahead of need (its imports done while the
  previous submission was graded) and starts the next one.
"""
from __future__ import annotations

import atexit
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psutil
from jupyter_client.connect import write_connection_file
from jupyter_client.manager import AsyncKernelManager, KernelManager
from traitlets import Bool, Float, Integer, List, Unicode

from tools.grading import sandbox

BOOT_FILE = Path(__file__).resolve().parent / "kernel_boot.py"
SANDBOX_BOOT_DIR = Path("/opt/course-grading")       # where kernel_boot.py appears inside the sandbox


def course_package_dir() -> Path:
    """The folder of the installed course_utils package (bound read-only into the sandbox); not imported here."""
    spec = importlib.util.find_spec("course_utils")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the course_utils package is not installed in this environment: run `make install`")
    return Path(list(spec.submodule_search_locations)[0]).resolve()


def default_data_root() -> str:
    """The datasets folder as course_utils.data_root() would find it on this machine (without importing it)."""
    return os.environ.get("COURSE_DATA_ROOT", "").strip() or str(course_package_dir().parent / "data")


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


@dataclass(frozen=True)
class KernelPlan:
    """Everything that decides how a grading kernel is started (two kernels with one plan are alike)."""

    sandboxed: bool
    threads: int
    data_root: str
    extra_read_only: tuple[str, ...]
    preload: tuple[str, ...]
    disk_bytes: int


@dataclass
class LaunchedKernel:
    """A kernel process with its folder: connection file, sockets, `work/` and its output log."""

    process: subprocess.Popen
    folder: Path
    connection_file: Path
    token_key: str
    output: object


def _environment(plan: KernelPlan, home: Path) -> dict[str, str]:
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


def launch(plan: KernelPlan) -> LaunchedKernel:
    """Start a grading kernel in a new folder; it imports its libraries and waits for a client."""
    folder = Path(tempfile.mkdtemp(prefix="grading-kernel-"))
    work = folder / "work"
    work.mkdir()
    key = os.urandom(32)
    key_file = folder / "token.key"
    key_file.write_bytes(key)
    key_file.chmod(0o600)
    connection_file, _ = write_connection_file(str(folder / "kernel.json"), transport="ipc", ip=str(folder / "kernel"),
                                               key=os.urandom(32).hex().encode())
    boot = (SANDBOX_BOOT_DIR if plan.sandboxed else BOOT_FILE.parent) / BOOT_FILE.name
    argv = [sys.executable, str(boot), "--token-key-file", str(key_file),
            *[arg for module in plan.preload for arg in ("--preload", module)],
            "-f", connection_file, "--HistoryManager.enabled=False"]
    if plan.sandboxed:
        spec = sandbox.SandboxSpec(
            read_only=tuple(Path(p) for p in [course_package_dir(), *([plan.data_root] if plan.data_root else []),
                                               *plan.extra_read_only] if Path(p).exists()),
            writable=(folder,), workdir=work, env=_environment(plan, Path("/tmp/home")), tmp_bytes=plan.disk_bytes,
            mounted_files=((BOOT_FILE, boot),), empty_dirs=("/tmp/home",))
        command, env = sandbox.command(spec, argv), {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    else:
        home = folder / "home"
        home.mkdir()
        command, env = argv, _environment(plan, home)
    output = open(folder / "kernel.log", "wb")
    process = subprocess.Popen(command, cwd=work, env=env, stdin=subprocess.DEVNULL, stdout=output,
                               stderr=subprocess.STDOUT, start_new_session=True,
                               preexec_fn=None if plan.sandboxed else _die_with_parent)
    return LaunchedKernel(process, folder, Path(connection_file), key.hex(), output)


def _die_with_parent() -> None:
    """In the child, before exec: be killed when the thread that started us ends (what bwrap's --die-with-parent does)."""
    import ctypes
    import signal
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)    # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class SparePool:
    """One kernel started ahead of need per worker process, launched from one long-lived thread.

    (bubblewrap's --die-with-parent ties a sandbox to the thread that started it, so the thread
    that starts spares must live as long as the process.)
    """

    def __init__(self) -> None:
        self._launcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="spare-kernel")
        self._lock = threading.Lock()
        self._spare: tuple[KernelPlan, Future] | None = None
        atexit.register(self.close)

    def take(self, plan: KernelPlan) -> LaunchedKernel | None:
        """The spare kernel if it was started with `plan` and is still running; else None."""
        with self._lock:
            spare, self._spare = self._spare, None
        if spare is None:
            return None
        spare_plan, future = spare
        try:
            kernel = future.result(timeout=120)
        except Exception:  # noqa: BLE001 -- a spare that failed to start is replaced by a normal start
            return None
        if spare_plan != plan or kernel.process.poll() is not None:
            discard(kernel)
            return None
        return kernel

    def close(self) -> None:
        """Stop the spare kernel, if any (when the worker process ends)."""
        with self._lock:
            spare, self._spare = self._spare, None
        if spare is not None:
            try:
                discard(spare[1].result(timeout=60))
            except Exception:  # noqa: BLE001 -- nothing to stop
                pass

    def refill(self, plan: KernelPlan) -> None:
        with self._lock:
            if self._spare is None:
                self._spare = (plan, self._launcher.submit(launch, plan))


SPARES = SparePool()


def discard(kernel: LaunchedKernel) -> None:
    """Stop a kernel's processes and remove its folder."""
    try:
        kernel.process.kill()
        kernel.process.wait(timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        pass
    kernel.output.close()
    shutil.rmtree(kernel.folder, ignore_errors=True)


class GradingKernelManager(AsyncKernelManager):
    """A kernel manager for one graded notebook; configured by the grading worker per submission."""

    sandboxed = Bool(True, help="run the kernel inside bubblewrap").tag(config=True)
    prestart = Bool(False, help="adopt a kernel started ahead of need, and start the next one").tag(config=True)
    memory_bytes = Integer(6 << 30, help="stop the kernel when its processes use more memory").tag(config=True)
    time_limit = Float(900.0, help="stop the kernel after this many seconds").tag(config=True)
    disk_bytes = Integer(1 << 30, help="stop the kernel when its folder and /tmp hold more").tag(config=True)
    threads = Integer(1, help="compute threads of the kernel's numerical libraries").tag(config=True)
    data_root = Unicode("", help="the datasets folder, visible read-only").tag(config=True)
    extra_read_only = List(Unicode(), help="more host paths the kernel may read").tag(config=True)
    preload = List(Unicode(), help="modules imported before the first cell").tag(config=True)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.stop_reason = ""
        self.token_key = ""
        self.kernel: LaunchedKernel | None = None
        self._stop = threading.Event()
        if self.kernel_spec is not None:
            self.kernel_spec.interrupt_mode = "message"

    @property
    def plan(self) -> KernelPlan:
        return KernelPlan(self.sandboxed, self.threads, self.data_root, tuple(self.extra_read_only),
                          tuple(self.preload), self.disk_bytes)

    @property
    def workdir(self) -> Path | None:
        """The kernel's writable folder (its working directory)."""
        return self.kernel.folder / "work" if self.kernel else None

    async def start_kernel(self, **kw) -> None:
        """Adopt the spare kernel or launch one; connect to it; start the next spare and the watchdog."""
        self._attempted_start = True
        self.shutting_down = False
        kernel = SPARES.take(self.plan) if self.prestart else None
        self.kernel = kernel or launch(self.plan)
        if self.prestart:
            SPARES.refill(self.plan)
        self.token_key = self.kernel.token_key
        self.load_connection_file(str(self.kernel.connection_file))
        self.connection_file = str(self.kernel.connection_file)
        self._connection_file_written = False              # the kernel's folder is removed at shutdown
        self.kernel_id = self.kernel_id or os.path.basename(self.kernel.folder)
        self.provisioner = _AdoptedProvisioner(self.kernel.process)
        self._launch_args = {}
        self._connect_control_socket()
        self._watchdog = threading.Thread(target=self._watch, args=(self.kernel.process.pid,), daemon=True)
        self._watchdog.start()

    def _watch(self, pid: int) -> None:
        start, last_disk = time.monotonic(), 0.0
        try:
            root = psutil.Process(pid)
        except psutil.Error:
            return
        while not self._stop.wait(0.25):
            try:
                tree = [root, *root.children(recursive=True)]
                rss = sum(p.memory_info().rss for p in tree)
            except psutil.Error:
                if not root.is_running():
                    return
                continue
            reason = ""
            if time.monotonic() - start > self.time_limit:
                reason = f"the notebook ran longer than {self.time_limit:.0f} s in all and was stopped"
            elif rss > self.memory_bytes:
                reason = f"the notebook used more than {self.memory_bytes / 2**30:.1f} GiB of memory and was stopped"
            elif time.monotonic() - last_disk > 1.0:
                last_disk = time.monotonic()
                if self.workdir and folder_bytes(self.workdir, self.disk_bytes) > self.disk_bytes:
                    reason = f"the notebook wrote more than {self.disk_bytes / 2**30:.1f} GiB of files and was stopped"
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

    def __init__(self, process: subprocess.Popen) -> None:
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
        self.process.terminate()

    async def cleanup(self, restart: bool = False) -> None:
        pass

    def get_shutdown_wait_time(self, recommended: float = 5.0) -> float:
        return recommended

    def get_stable_start_time(self, recommended: float = 10.0) -> float:
        return recommended
