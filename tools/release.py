"""Generate the student notebooks (labs/) from the instructor notebooks (solutions/) with nbgrader.

    python -m tools.release            # every lab
    python -m tools.release vae cvae   # some labs

labs/ is generated, never edited by hand: tests/test_release.py fails when it is out of date.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = "solutions"
LABS = "labs"
# What running a notebook leaves beside it; never part of a release (see nbgrader_config.py).
IGNORED = (".ipynb_checkpoints", "__pycache__", "outputs")


def lab_names(root: Path = REPO_ROOT) -> list[str]:
    """The labs: folders of solutions/ that hold at least one notebook."""
    return sorted(p.name for p in (root / SOLUTIONS).iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def nbgrader(course_root: Path, *args: str, timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run `nbgrader ARGS` in `course_root` (which holds an nbgrader_config.py); raise with its log on failure."""
    env = dict(os.environ)
    env.pop("NBGRADER_EXECUTION", None)
    # nbgrader runs helper programs (alembic) by name: find them next to this interpreter
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course_root, env=env,
                            capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"`nbgrader {' '.join(args)}` failed in {course_root} "
                           f"(exit {result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def make_course_copy(destination: Path, labs: list[str] | None = None) -> Path:
    """A scratch course directory with this repo's nbgrader config and solutions (for tests)."""
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO_ROOT / "nbgrader_config.py", destination / "nbgrader_config.py")
    for lab in labs or lab_names():
        shutil.copytree(REPO_ROOT / SOLUTIONS / lab, destination / SOLUTIONS / lab,
                        ignore=shutil.ignore_patterns(*IGNORED))
    return destination


def release(course_root: Path, lab: str) -> Path:
    """Generate `labs/<lab>` from `solutions/<lab>` in `course_root`; return the release folder.

    This also records the lab's graded cells in the course's gradebook.db, which autograding
    uses to restore the original tests.
    """
    nbgrader(course_root, "generate_assignment", lab, "--force")
    return course_root / LABS / lab


def main(argv: list[str]) -> int:
    labs = argv or lab_names()
    unknown = sorted(set(labs) - set(lab_names()))
    if unknown:
        print(f"unknown lab(s) {unknown}; the labs are {lab_names()}")
        return 2
    for lab in labs:
        folder = release(REPO_ROOT, lab)
        print(f"released {SOLUTIONS}/{lab} -> {folder.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
