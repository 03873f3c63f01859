"""Where a submission's kernel runs inside Gradescope's container, the best the container allows.

    bubblewrap   the grader's own sandbox, as `make autograde` runs it (it needs user namespaces, which
                 Docker's default settings usually refuse)
    user         a separate user without the grader's rights, as Gradescope recommends: it cannot read
                 the lab's hidden tests (source/lab/ is root's alone), the metadata or the results
    none         the grader's own rights: only when neither is possible (the results say so)

The choice, and why a better one was not possible, is written into the results (extra_data) and
the instructor's log.
"""
from __future__ import annotations

import os
import pwd
from dataclasses import dataclass, replace

from tools.course import CourseError
from tools.grading import worker
from tools.grading.settings import GradingSettings

BUBBLEWRAP, SEPARATE_USER, NONE = "bubblewrap", "user", "none"
CHOICES = ("auto", BUBBLEWRAP, SEPARATE_USER, NONE)
KERNEL_USER = "course-kernel"           # the user setup.sh makes for kernels


@dataclass(frozen=True)
class Isolation:
    """The isolation that ran, and a sentence for the instructor."""

    kind: str
    description: str

    def settings(self, base: GradingSettings, kernel_user: str) -> GradingSettings:
        """`base` with the sandbox or the kernel user this isolation needs."""
        if self.kind == BUBBLEWRAP:
            return replace(base, sandboxed=True, kernel_user="")
        return replace(base, sandboxed=False, kernel_user=kernel_user if self.kind == SEPARATE_USER else "")


def choose(asked: str = "auto", kernel_user: str = KERNEL_USER) -> Isolation:
    """The isolation to grade with: the one asked for, or with "auto" the best that works here."""
    reasons = []
    if asked in ("auto", BUBBLEWRAP):
        try:
            worker.check_sandbox()
            return Isolation(BUBBLEWRAP, "each kernel ran in the grader's bubblewrap sandbox")
        except CourseError as error:
            reasons.append(f"bubblewrap cannot run here ({error})")
    if asked in ("auto", SEPARATE_USER):
        problem = _user_problem(kernel_user)
        if problem is None:
            return Isolation(SEPARATE_USER, f"the kernel ran as the user {kernel_user}, without the grader's rights "
                                            f"(it could not read the hidden tests or write the results)"
                                            + (f"; {reasons[0]}" if reasons else ""))
        reasons.append(problem)
    return Isolation(NONE, "the kernel ran with the grader's own rights, isolated only by Gradescope's container"
                           + (f" ({'; '.join(reasons)})" if reasons else ""))


def _user_problem(kernel_user: str) -> str | None:
    """Why kernels cannot run as `kernel_user` here, or None."""
    if os.geteuid() != 0:
        return "the autograder does not run as root, so it cannot start a kernel as another user"
    try:
        pwd.getpwnam(kernel_user)
    except KeyError:
        return f"there is no user {kernel_user} (setup.sh makes it)"
    return None
