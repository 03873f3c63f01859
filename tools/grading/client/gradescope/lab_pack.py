"""What the autograder zip carries of its lab, in source/lab/: everything grading needs, nothing of the solutions.

    bundle.json      the CourseBundle's fields (points, written answers, aliases, ...), each check's title,
                     the other labs' grade ids (to tell a wrong lab's notebook) and the lab's deadline
    gradebook.db     the gradebook of the release: the test cells, hidden tests included, that autograde restores
    release.ipynb    the released (student) notebook, which every submission is rebuilt against

`make gradescope` writes it (package.py); run_autograder reads it (run.py). Only root may read the
folder in Gradescope's container: kernels that run as another user never see the hidden tests.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import nbformat

from tools import cells
from tools.grading.deadlines import LabDeadline
from tools.grading.records import CourseBundle


@dataclass(frozen=True)
class LabPack:
    """A lab as the autograder grades it."""

    bundle: CourseBundle
    release: nbformat.NotebookNode
    other_labs: dict[str, set[str]]         # other lab -> its grade ids
    deadline: LabDeadline

    @property
    def titles(self) -> dict[str, str]:
        """Each graded cell's title for Gradescope: the first line of its check, or of the question before it."""
        found, previous = {}, None
        for cell in self.release.cells:
            if cells.is_graded(cell) and cells.grade_id(cell):
                found[cells.grade_id(cell)] = title_of(previous if cells.is_written_answer(cell) and previous else cell)
            previous = cell
        return found

    def write(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        fields = {"lab": self.bundle.lab, "course_id": self.bundle.course_id, "points": self.bundle.points,
                  "manual": list(self.bundle.manual), "aliases": self.bundle.aliases,
                  "exploration": self.bundle.exploration,
                  "other_labs": {lab: sorted(ids) for lab, ids in self.other_labs.items()},
                  "deadline": self.deadline.to_json()}
        (folder / "bundle.json").write_text(json.dumps(fields, indent=1) + "\n")
        (folder / "gradebook.db").write_bytes(self.bundle.gradebook)
        nbformat.write(self.release, folder / "release.ipynb")

    @classmethod
    def read(cls, folder: Path) -> "LabPack":
        fields = json.loads((folder / "bundle.json").read_text())
        bundle = CourseBundle(lab=fields["lab"], course_id=fields["course_id"],
                              gradebook=(folder / "gradebook.db").read_bytes(), points=fields["points"],
                              manual=tuple(fields["manual"]), aliases=fields["aliases"],
                              exploration=fields["exploration"])
        return cls(bundle, nbformat.read(folder / "release.ipynb", as_version=4),
                   {lab: set(ids) for lab, ids in fields["other_labs"].items()},
                   LabDeadline.from_json(fields["deadline"]))


def title_of(cell) -> str:
    """The first line of a graded cell, without its quotes or comment mark (a check says what it checks there)."""
    first = next((line.strip() for line in cell.source.splitlines() if line.strip()), "")
    first = first.lstrip("#").strip().strip('"').strip("'").strip()
    return first[:160]
