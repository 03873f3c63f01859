"""Gradescope's folders, under one root: /autograder in Gradescope's container, any folder in a test.

    source/                     the autograder zip's contents (setup.sh, run_autograder, course_utils, grader/, lab/)
    source/grader/              the course's tools, grading code included (what run_autograder runs)
    source/lab/                 the lab's release, gradebook and deadline (lab_pack.py): hidden tests, root only
    submission/                 what the student uploaded
    submission_metadata.json    when it was handed in, the due dates, who handed it in (metadata.py)
    results/results.json        what Gradescope shows (results.py)
    environment/                the Python environment setup.sh installs; data/: the datasets it downloads
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

GRADESCOPE_ROOT = Path("/autograder")


@dataclass(frozen=True)
class Layout:
    """Every path the autograder reads or writes, under `root`."""

    root: Path = GRADESCOPE_ROOT

    @property
    def source(self) -> Path:
        return self.root / "source"

    @property
    def lab(self) -> Path:
        return self.source / "lab"

    @property
    def submission(self) -> Path:
        return self.root / "submission"

    @property
    def metadata(self) -> Path:
        return self.root / "submission_metadata.json"

    @property
    def results(self) -> Path:
        return self.root / "results" / "results.json"

    @property
    def data(self) -> Path:
        return self.root / "data"
