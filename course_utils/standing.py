"""Where a student stands: which check cells of a lab passed, failed or have not run yet in this kernel.

nbgrader's Validate button exists only in JupyterLab with nbgrader's extension. The last cell of
every lab calls `checklist` instead, which works wherever the notebook runs (Colab, VS Code,
JupyterLab): it lists each check of the lab with what happened when it last ran in this kernel.

It cannot be fooled by the checks' output or by an edited check cell. Importing course_utils in
IPython registers `record_cell_run` on the shell's `post_run_cell` event, which keeps, for every
cell that runs, a digest of its source and whether it raised. A check counts as run only when a
cell whose source digest is that of the check as released ran; it passed when that run raised
nothing, whatever it printed. The digests are written into the last cell by the course's tools
from the released check cells.
"""
from __future__ import annotations

import hashlib
import itertools
import re
import sys
from dataclasses import dataclass

from .checks import CheckError

PASSED, FAILED, NOT_RUN, EDITED = "passed", "failed", "not run yet", "edited"
# nbgrader's hidden-test region; "[ ]" keeps the marker's literal text out of the students' repository.
_HIDDEN_TESTS = re.compile(r"^[ \t]*### BEGIN HIDDEN[ ]TESTS.*?### END HIDDEN[ ]TESTS[^\n]*\n?", re.DOTALL | re.MULTILINE)
_MARKS = {PASSED: "✔", FAILED: "✘", NOT_RUN: "·", EDITED: "!"}


@dataclass(frozen=True)
class CellRun:
    """One run of a cell: the digest of its source, its cell id when the front end sent one, how it ended."""

    digest: str
    cell_id: str | None
    failure: str | None          # None when the cell raised nothing; else "ErrorName: first line of the message"
    order: int                   # 1 for the first cell run since course_utils was imported, then 2, 3, ...


@dataclass(frozen=True)
class CheckStanding:
    """What is known of one check cell: its label, its grade id, its status, and the failure's first line."""

    label: str
    grade_id: str
    status: str
    detail: str = ""


_runs_by_digest: dict[str, CellRun] = {}
_runs_by_cell_id: dict[str, CellRun] = {}
_run_numbers = itertools.count(1)


def source_digest(source: str) -> str:
    """A short digest of a cell's source, blind to trailing spaces and blank lines at either end."""
    normalised = "\n".join(line.rstrip() for line in source.strip().splitlines())
    return hashlib.sha256(normalised.encode()).hexdigest()[:16]


def released_form(source: str) -> str:
    """A check cell's source as students get it: nbgrader's hidden-test regions removed."""
    return _HIDDEN_TESTS.sub("", source)


def _failure(error: BaseException | None) -> str | None:
    """How a failed run is listed: a check's own message (its first line), else the error's name and message."""
    if error is None:
        return None
    lines = [line for line in str(error).strip().splitlines() if line.strip()]
    if isinstance(error, CheckError) and lines:
        return lines[0].strip()
    if isinstance(error, NotImplementedError) and not lines:
        return "NotImplementedError: the exercise's code is not written yet"
    return f"{type(error).__name__}: {lines[0].strip() if lines else '(no message)'}"


def record_cell_run(result) -> None:
    """IPython's post_run_cell callback: remember how the cell just run ended, by digest and cell id."""
    info = result.info
    run = CellRun(digest=source_digest(info.raw_cell or ""), cell_id=getattr(info, "cell_id", None) or None,
                  failure=_failure(result.error_before_exec or result.error_in_exec),
                  order=next(_run_numbers))
    _runs_by_digest[run.digest] = run
    if run.cell_id:
        _runs_by_cell_id[run.cell_id] = run


def track(shell=None) -> bool:
    """Record every cell run of `shell` (the running IPython shell by default); False outside IPython.

    Called once when course_utils is imported; calling it again (a reload) keeps one recorder.
    """
    if shell is None:
        ipython = sys.modules.get("IPython")
        shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return False
    callbacks = shell.events.callbacks["post_run_cell"]
    callbacks[:] = [c for c in callbacks if getattr(c, "__qualname__", "") != record_cell_run.__qualname__
                    or getattr(c, "__module__", "") != __name__]
    shell.events.register("post_run_cell", record_cell_run)
    return True


def standing(checks: list[tuple[str, str, str, str]]) -> list[CheckStanding]:
    """The status of each check: `checks` lists (label, grade id, digest as released, digest with hidden tests)."""
    found = []
    for label, grade_id, *digests in checks:
        runs = [_runs_by_digest[d] for d in digests if d in _runs_by_digest]
        last = max(runs, key=lambda run: run.order) if runs else None
        by_id = _runs_by_cell_id.get(grade_id)
        if by_id is not None and by_id.digest not in digests and (last is None or by_id.order > last.order):
            found.append(CheckStanding(label, grade_id, EDITED,
                                       "this check cell was changed and then run; grading runs the original, "
                                       "so undo the change (Edit > Undo, or copy the cell from a fresh copy of the lab)"))
        elif last is None:
            found.append(CheckStanding(label, grade_id, NOT_RUN))
        elif last.failure is None:
            found.append(CheckStanding(label, grade_id, PASSED))
        else:
            found.append(CheckStanding(label, grade_id, FAILED, last.failure))
    return found


def format_standing(found: list[CheckStanding]) -> str:
    """The checklist as a student reads it: a count, then one line per check."""
    passed = sum(item.status == PASSED for item in found)
    lines = [f"Checks of this lab, as they last ran in this kernel: {passed} of {len(found)} passed."]
    for item in found:
        line = f"  {_MARKS[item.status]} {item.label} ({item.grade_id}): {item.status}"
        lines.append(line + (f": {item.detail}" if item.detail else ""))
    lines += ["A check that has not run yet has not run in this kernel since it started (or ran only in an "
              "edited form).",
              "Grading runs every cell again from the top: before handing in, restart the kernel and run all "
              "cells, then run this cell again."]
    return "\n".join(lines)


def checklist(checks: list[tuple[str, str, str, str]]) -> None:
    """Print which of `checks` passed, failed or have not run in this kernel (the lab's last cell)."""
    print(format_standing(standing(checks)))


track()
