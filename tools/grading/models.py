"""The typed values passed between the grading stages (and, pickled, to cluster workers)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import nbformat

# Statuses of a row in grades.csv
GRADED, ERROR, UNCHANGED = "graded", "error", "unchanged"
NEEDS_MANUAL = "needs manual grading"


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
    data_root: str = ""                 # datasets folder, read-only inside the sandbox


@dataclass(frozen=True)
class CourseBundle:
    """What any worker needs to grade one lab, and nothing of any submission.

    gradebook: the bytes of the gradebook.db that `nbgrader generate_assignment` wrote for the
    release (graded cells, their sources and checksums, which autograde uses to restore tests).
    """

    lab: str
    course_id: str
    gradebook: bytes
    points: dict[str, float]            # graded cell id -> points
    manual: tuple[str, ...]             # graded cells a person grades (written answers)
    aliases: dict[str, str]             # module names the checks use, e.g. {"F": "torch.nn.functional"}


@dataclass
class Submission:
    """One student's entry in the submissions folder, as found and checked before grading."""

    student: str
    path: Path | None = None
    problem: str | None = None          # why it cannot be graded (then it scores zero)
    notes: list[str] = field(default_factory=list)
    digest: str = ""
    notebook: nbformat.NotebookNode | None = None   # normalised against the release, ready to grade


@dataclass(frozen=True)
class GradingTask:
    """One submission to grade, as sent to a worker."""

    student: str
    notebook: str                       # the normalised notebook, as JSON text
    digest: str
    notes: tuple[str, ...]
    settings: GradingSettings


@dataclass
class GradingResult:
    """What grading one submission produced; the client alone writes it to the results folder."""

    student: str
    status: str
    scores: dict[str, float | None]     # None: a written answer that waits for a person
    notes: list[str]
    digest: str
    seconds: float = 0.0
    autograded: str | None = None       # the executed notebook, JSON text
    feedback: str | None = None         # nbgrader's feedback page, HTML
    log: str = ""                       # nbgrader's log, for the instructor
    timings: dict[str, float] = field(default_factory=dict)
    worker: str = ""
