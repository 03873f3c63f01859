"""The grading settings: one dataclass from which the command line, the kernel manager and the kernel plan take their values.

    GradingSettings   limits and switches for every submission of a batch (what `--cell-timeout` etc. set)
    KernelPlan        what decides how a grading kernel is started, derived from the settings

Nothing here imports the kernel machinery: the client builds settings, the workers turn them
into kernels.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

from tools import course

GIB = 2**30


@dataclass(frozen=True)
class GradingSettings:
    """Limits and switches that apply to every submission of a batch."""

    cell_timeout: float = 120.0         # seconds per cell before it is interrupted
    notebook_timeout: float = 900.0     # seconds per submission in all
    memory_gb: float = 6.0              # memory of a submission's kernel and its processes
    disk_gb: float = 1.0                # files a submission's kernel may write
    sandboxed: bool = True              # run kernels in bubblewrap
    prestart: bool = True               # fork kernels from a server started ahead (libraries imported once)
    threads: int = 1                    # compute threads per kernel (set from cores per worker)
    data_root: str = ""                 # datasets folder, read-only inside the sandbox ("" = the course's default)
    kernel_user: str = ""               # without the sandbox: run kernels as this user, without the grader's rights
                                        # (the grader must run as root; the Gradescope autograder's fallback)

    def __post_init__(self) -> None:
        positive = {"cell_timeout": self.cell_timeout, "notebook_timeout": self.notebook_timeout,
                    "memory_gb": self.memory_gb, "disk_gb": self.disk_gb, "threads": self.threads}
        wrong = [name for name, value in positive.items() if not value > 0]
        if wrong:
            raise ValueError(f"grading settings must be positive: {', '.join(f'{n}={positive[n]!r}' for n in wrong)}")
        if self.kernel_user and self.sandboxed:
            raise ValueError("kernel_user is for grading without the sandbox (sandboxed=False): a sandboxed kernel "
                             "already runs without the grader's rights")

    @property
    def memory_bytes(self) -> int:
        return int(self.memory_gb * GIB)

    @property
    def disk_bytes(self) -> int:
        return int(self.disk_gb * GIB)

    @property
    def datasets(self) -> str:
        """The datasets folder the kernels read: the one given, else the course's default."""
        return self.data_root or course.data_root()


DEFAULTS = GradingSettings()
"""The defaults every entry point shows and uses (command line, kernel manager, benchmarks)."""


def describe(name: str) -> str:
    """The default of one setting, for help texts: `describe("cell_timeout")` -> "120"."""
    value = getattr(DEFAULTS, name)
    return f"{value:g}" if isinstance(value, float) else str(value)


SETTING_NAMES = tuple(f.name for f in fields(GradingSettings))


@dataclass(frozen=True)
class KernelPlan:
    """Everything that decides how a grading kernel is started (two kernels with one plan are alike)."""

    sandboxed: bool
    threads: int
    data_root: str
    disk_bytes: int
    kernel_user: str = ""

    @classmethod
    def from_settings(cls, settings: GradingSettings) -> "KernelPlan":
        """The plan of the kernels graded under `settings`: the one place a plan is built."""
        return cls(sandboxed=settings.sandboxed, threads=settings.threads, data_root=settings.datasets,
                   disk_bytes=settings.disk_bytes, kernel_user=settings.kernel_user)
