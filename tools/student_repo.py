"""Write the repository students get: the labs and what runs them, nothing of the solutions or grading.

    python -m tools.student_repo ../generative-models-labs     # or: make student-repo OUT=...

It holds labs/ (the student notebooks nbgrader generated), course_utils/ (with the judge
classifiers' weights), the student README and Makefile from student/, the pinned requirements and
environment.yml without the instructor's tools, and a pyproject.toml that installs course_utils.
It holds no solutions/, tests/, tools/, gradebook or notes for instructors. Run it again after
`make release` to update the folder; commit and push it as the students' repository.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

from tools import course
from tools.course import LABS, REPO_ROOT

STUDENT_FILES = REPO_ROOT / "student"
# Packages only the instructor's side needs (grading, testing); students do not install them.
INSTRUCTOR_ONLY = {"copydetect", "dask", "distributed", "nbval", "pytest", "pytest-xdist"}
CACHES = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "outputs", "*.egg-info")
INSTRUCTOR_ONLY_TABLES = ("tool.pytest",)         # pyproject.toml's tables the student repository leaves out


def _package(line: str) -> str:
    return line.split("==")[0].split(">=")[0].strip().lower()


def _pins(path: Path) -> list[str]:
    """The `name==version` lines of a requirements file or an environment.yml's pip list (comments dropped)."""
    pins = []
    for line in path.read_text().splitlines():
        item = line.strip().removeprefix("- ").strip()
        if "==" in item and not item.startswith("#"):
            pins.append(item)
    return pins


def student_requirements() -> str:
    """requirements.txt without the instructor-only packages (the same pins for the rest)."""
    pins = [p for p in _pins(REPO_ROOT / "requirements.txt") if _package(p) not in INSTRUCTOR_ONLY]
    return ("# The packages the labs need, pinned (environment.yml holds the same list for conda).\n"
            + "\n".join(pins) + "\n")


def student_environment() -> str:
    """environment.yml with the same pins as the student requirements, installing course_utils from here."""
    pins = [p for p in _pins(REPO_ROOT / "environment.yml") if _package(p) not in INSTRUCTOR_ONLY]
    lines = ["# Conda environment for the labs:",
             "#   conda env create -f environment.yml && conda activate generative-models-labs",
             "# The packages come from PyPI at the versions pinned in requirements.txt; torch's wheels run on a CPU too.",
             "name: generative-models-labs", "channels:", "  - conda-forge", "dependencies:", "  - python=3.11",
             "  - pip", "  - pip:", *[f"      - {pin}" for pin in pins], "      - -e ."]
    return "\n".join(lines) + "\n"


def student_pyproject() -> str:
    """This repository's pyproject.toml (the course_utils package: name, version, dependencies, data files), without
    the instructor's test settings."""
    kept, keep = [], True
    for line in (REPO_ROOT / "pyproject.toml").read_text().splitlines():
        header = line.strip()
        if header.startswith("[") and not header.startswith("[["):
            keep = not header.strip("[]").startswith(INSTRUCTOR_ONLY_TABLES)
        if keep:
            kept.append(line)
    return "\n".join(kept).rstrip() + "\n"


def write_student_repo(out: Path) -> Path:
    """Create or refresh `out` as the student repository; return it. Files students added there are kept."""
    out.mkdir(parents=True, exist_ok=True)
    if (out / "solutions").exists() or (out / "tools").exists():
        raise course.CourseError(f"{out} looks like the instructor's repository (it has solutions/ or tools/); "
                         f"choose a new folder for the students' repository")
    for folder in (LABS, "course_utils"):
        if (out / folder).exists():
            shutil.rmtree(out / folder)
        shutil.copytree(REPO_ROOT / folder, out / folder, ignore=CACHES)
    shutil.copy(STUDENT_FILES / "README.md", out / "README.md")
    shutil.copy(STUDENT_FILES / "Makefile", out / "Makefile")
    shutil.copy(STUDENT_FILES / "gitignore", out / ".gitignore")
    (out / "requirements.txt").write_text(student_requirements())
    (out / "environment.yml").write_text(student_environment())
    (out / "pyproject.toml").write_text(student_pyproject())
    return out


@course.command("student-repo")
def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    out = write_student_repo(Path(argv[0]).resolve())
    print(f"wrote the student repository to {out}: labs/, course_utils/, README.md, Makefile, requirements.txt, "
          f"environment.yml, pyproject.toml")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
