"""What crosses between the client and a worker (pickled, to cluster workers and back).

    CourseBundle    what every worker needs to grade one lab
    GradingTask     one submission to grade, as sent to a worker
    GradingResult   what grading one submission produced, as the client stores it
    sentence        the form of every note the grader writes: one sentence
"""
from __future__ import annotations

from dataclasses import dataclass, field

from tools.grading.settings import GradingSettings

# Statuses of a row in grades.csv
GRADED, ERROR, UNCHANGED = "graded", "error", "unchanged"
NEEDS_MANUAL = "needs manual grading"


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
    exploration: dict[str, str] = field(default_factory=dict)   # given cells grading runs only the definitions of (exploration.py)


@dataclass(frozen=True)
class GradingTask:
    """One submission to grade, as sent to a worker."""

    student: str
    notebook: str                       # the normalised notebook, as JSON text
    digest: str
    notes: tuple[str, ...]
    settings: GradingSettings
    files: tuple[tuple[str, bytes], ...] = ()   # files handed in beside the notebook, put beside it for the kernel


@dataclass
class GradingResult:
    """What grading one submission produced; the client alone writes it to the results folder."""

    student: str
    status: str
    scores: dict[str, float | None]     # None: a written answer that waits for a person
    notes: list[str]                    # each one sentence (see `sentence`)
    digest: str
    seconds: float = 0.0
    autograded: str | None = None       # the executed notebook, JSON text
    feedback: str | None = None         # nbgrader's feedback page, HTML
    log: str = ""                       # nbgrader's log, for the instructor
    timings: dict[str, float] = field(default_factory=dict)
    worker: str = ""


def sentence(text: str) -> str:
    """`text` as one sentence: a capital first letter and one full stop."""
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."
