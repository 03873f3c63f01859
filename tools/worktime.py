"""How long a lab takes a student: an estimate from the student notebook and its timed full-budget run.

    python -m tools.worktime           # print each lab's estimate and what it is made of

A student reads the lab's text, writes the answers until the checks pass, and runs the notebook
under the full budget. The first two are counted in the student notebook; the third is measured by
`make report` (results/labs-full.json). The rates are assumptions, kept here in one place:

* reading: 100 words a minute, a careful pace for text with mathematics (an ordinary reader manages
  200 to 250 words a minute of prose);
* writing: 4 minutes per line of the instructor's answer (the student's lines are found, written,
  checked against the hint and fixed), and 10 minutes per written answer;
* running: the notebook's measured seconds under the full budget on the course's reference CPU, once.

The README's lab table shows the total, rounded to the quarter hour.
"""
from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass

import nbformat

from tools import cells, course
from tools.course import REPO_ROOT

WORDS_PER_MINUTE = 100
MINUTES_PER_ANSWER_LINE = 4
MINUTES_PER_WRITTEN_ANSWER = 10
FULL_RUNS = REPO_ROOT / "results" / "labs-full.json"


@dataclass(frozen=True)
class WorkTime:
    """The parts of a lab's working time, in minutes."""

    reading: float
    writing: float
    running: float | None        # None: the lab has no full-budget run in results/ yet

    @property
    def total(self) -> float:
        return self.reading + self.writing + (self.running or 0.0)

    def __str__(self) -> str:
        quarters = max(1, round(self.total / 15))
        hours, rest = divmod(quarters, 4)
        text = f"{hours} h" + (f" {rest * 15} min" if rest else "") if hours else f"{rest * 15} min"
        return f"about {text}"


def answer_lines(nb: nbformat.NotebookNode) -> int:
    """Lines of code inside the solution regions of the instructor's answer cells (comments and blanks aside)."""
    count = 0
    for cell in nb.cells:
        if cell.cell_type != "code" or not cells.is_answer(cell):
            continue
        inside = False
        for line in cell.source.splitlines():
            if "### BEGIN SOLUTION" in line:
                inside = True
            elif "### END SOLUTION" in line:
                inside = False
            elif inside and line.strip() and not line.strip().startswith("#"):
                count += 1
    return count


def words(nb: nbformat.NotebookNode) -> int:
    """Words of the markdown a student reads (formulas count by their symbols' words)."""
    text = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown" and not cells.is_answer(cell))
    return len(re.findall(r"[A-Za-z]+", text))


def estimate(lab: str) -> WorkTime:
    """The lab's working time from its student notebook, its solutions and its measured full-budget run."""
    student = nbformat.read(course.student_notebook(lab), as_version=4)
    solution = nbformat.read(course.solution_notebook(lab), as_version=4)
    runs = json.loads(FULL_RUNS.read_text())["labs"] if FULL_RUNS.exists() else {}
    seconds = runs.get(lab, {}).get("notebook seconds")
    return WorkTime(reading=words(student) / WORDS_PER_MINUTE,
                    writing=answer_lines(solution) * MINUTES_PER_ANSWER_LINE
                    + len(cells.written_answers(solution)) * MINUTES_PER_WRITTEN_ANSWER,
                    running=seconds / 60 if seconds else None)


def main(argv: list[str] | None = None) -> int:
    for lab in course.lab_names():
        time = estimate(lab)
        running = f"{time.running:.0f} min" if time.running is not None else "not measured yet (make report)"
        print(f"{lab:12} {time}: reading {time.reading:.0f} min, writing {time.writing:.0f} min, running {running}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
