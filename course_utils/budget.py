"""The run budget: how long the notebooks train.

Every notebook runs the same code under every budget; only sizes change (epochs, batches,
points in a plot). `full` is what students and GPU CI run (at most 20 minutes of a laptop CPU per
lab); `smoke` finishes in seconds on a CPU and is what CPU CI and the autograder run; `course` is
what `make pretrained` trains the course's pretrained models with: the full budget, except where a
lab gives a longer `course=` size (at most two hours of a 2-core CPU per lab).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TypeVar

BUDGET_ENV_VAR = "COURSE_BUDGET"
BUDGETS = ("full", "smoke", "course")
T = TypeVar("T")


@dataclass(frozen=True)
class Budget:
    """A named run budget; `choose` picks the value that belongs to it."""

    name: str
    reason: str = ""

    def __post_init__(self) -> None:
        if self.name not in BUDGETS:
            raise ValueError(f"Unknown run budget {self.name!r}; choose one of {', '.join(BUDGETS)}.")

    @property
    def is_smoke(self) -> bool:
        return self.name == "smoke"

    def choose(self, *, full: T, smoke: T, course: T | None = None) -> T:
        """The size that belongs to this budget, e.g. `budget.choose(full=10, smoke=1, course=40)`.

        `course` is optional: without it the course's pretrained models train as long as the full budget.
        """
        if self.is_smoke:
            return smoke
        if self.name == "course" and course is not None:
            return course
        return full

    def __str__(self) -> str:
        return f"{self.name} ({self.reason})" if self.reason else self.name


def get_budget(name: str | None = None) -> Budget:
    """The run budget: `name`, else $COURSE_BUDGET, else `full`.

    While nbgrader executes a notebook (it sets $NBGRADER_EXECUTION for autograde and validate)
    the budget is always `smoke`, so that grading never waits on a long training run.
    """
    grading = os.environ.get("NBGRADER_EXECUTION")
    if grading:
        return Budget("smoke", reason=f"nbgrader {grading}")
    if name is not None:
        return Budget(name.strip().lower(), reason="set in the notebook")
    from_env = os.environ.get(BUDGET_ENV_VAR, "").strip().lower()
    if from_env:
        if from_env not in BUDGETS:
            raise ValueError(
                f"${BUDGET_ENV_VAR} is {from_env!r}; set it to one of {', '.join(BUDGETS)} or unset it."
            )
        return Budget(from_env, reason=f"${BUDGET_ENV_VAR}")
    return Budget("full", reason="default")
