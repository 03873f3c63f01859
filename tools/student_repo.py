"""Write the repository students get: the labs and what runs them, nothing of the solutions or grading.

    python -m tools.student_repo ../generative-models-labs --repository https://github.com/OWNER/NAME --release 2027.1
    make student-repo OUT=../generative-models-labs REPOSITORY=https://github.com/OWNER/NAME RELEASE=2027.1

It holds labs/ (the student notebooks nbgrader generated), course_utils/ (with the judge
classifiers' weights and the pretrained models), the student README and Makefile from student/,
the pinned requirements and environment.yml without the instructor's tools, a pyproject.toml that
installs course_utils, and website/ (the course's pages, `make site`) with a GitHub Pages workflow.
It holds no solutions/, tests/, tools/, gradebook or notes for instructors.

The repository's GitHub address and the release (the tag or branch you will push it as) are set
here, once: each lab's Colab set-up cell installs course_utils from them, and the README and the
pages link every lab to Colab at that release. Run it again after `make release` to update the
folder (the address and release it recorded are kept unless given again); commit and push it as
the students' repository, and tag the release.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from tools import course, readme, student_cells
from tools.course import LABS, REPO_ROOT

STUDENT_FILES = REPO_ROOT / "student"
# Packages only the instructor's side needs (grading, testing); students do not install them.
INSTRUCTOR_ONLY = {"copydetect", "dask", "distributed", "nbval", "playwright", "pytest", "pytest-xdist"}
# Packages only the course's pages need (`make site` installs them from website/requirements.txt).
SITE_ONLY = {"sphinx", "myst-nb", "django-static-mathjax"}
RELEASE_FILE = Path("website") / "release.json"
GITHUB_REPOSITORY = re.compile(r"^https://github\.com/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+?)(\.git)?/?$")
GIT_REF = re.compile(r"^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]+(?<![./])$")


@dataclass(frozen=True)
class Release:
    """Where students' copies come from: the repository's GitHub address and the release (tag or branch)."""

    repository: str
    ref: str

    def __post_init__(self) -> None:
        if not GITHUB_REPOSITORY.match(self.repository):
            raise course.CourseError(f"--repository {self.repository!r} is not a GitHub repository's address "
                                     f"(https://github.com/OWNER/NAME): Colab opens notebooks from GitHub")
        if not GIT_REF.match(self.ref):
            raise course.CourseError(f"--release {self.ref!r} is not a git tag or branch name (e.g. 2027.1 or main)")

    @property
    def url(self) -> str:
        """The repository's address without a trailing .git or slash."""
        owner, name = GITHUB_REPOSITORY.match(self.repository).group(1, 2)
        return f"https://github.com/{owner}/{name}"

    def colab(self, lab: str) -> str:
        """The address that opens the lab's notebook, at this release, in Colab."""
        return f"https://colab.research.google.com/github/{self.url.removeprefix('https://github.com/')}/blob/" \
               f"{self.ref}/{LABS}/{lab}/{lab}.ipynb"
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
    """requirements.txt without the instructor-only and site-only packages (the same pins for the rest)."""
    pins = [p for p in _pins(REPO_ROOT / "requirements.txt") if _package(p) not in INSTRUCTOR_ONLY | SITE_ONLY]
    return ("# The packages the labs need, pinned (environment.yml holds the same list for conda).\n"
            + "\n".join(pins) + "\n")


def site_requirements() -> str:
    """The pinned packages `make site` adds to the labs' environment."""
    pins = [p for p in _pins(REPO_ROOT / "requirements.txt") if _package(p) in SITE_ONLY]
    return "# The packages the course's pages need (`make site`), pinned, on top of requirements.txt.\n" + \
        "\n".join(pins) + "\n"


def student_environment() -> str:
    """environment.yml with the same pins as the student requirements, installing course_utils from here."""
    pins = [p for p in _pins(REPO_ROOT / "environment.yml") if _package(p) not in INSTRUCTOR_ONLY | SITE_ONLY]
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


def recorded_release(out: Path) -> Release | None:
    """The release an earlier run recorded in `out` (None when there is none)."""
    path = out / RELEASE_FILE
    if not path.exists():
        return None
    recorded = json.loads(path.read_text())
    return Release(recorded["repository"], recorded["release"])


def lab_table(release: Release) -> str:
    """The student README's table of labs, each with its Colab link."""
    lines = ["| lab | what you build | in Colab |", "| --- | --- | --- |"]
    for lab in sorted(course.lab_names(), key=readme.course_order):
        title, _ = readme.lab_summary(lab)
        lines.append(f"| [`{lab}`]({LABS}/{lab}/{lab}.ipynb) | {title} | [Open in Colab]({release.colab(lab)}) |")
    return "\n".join(lines)


def set_release(notebook: Path, release: Release) -> None:
    """Write the repository and release into the lab's Colab set-up cell (and its read-only checksum)."""
    from nbgrader.utils import compute_checksum

    nb = nbformat.read(notebook, as_version=4)
    cell = next((cell for cell in nb.cells if cell.get("id") == student_cells.COLAB_ID), None)
    if cell is None:
        raise course.CourseError(f"{notebook.name} has no Colab set-up cell: run `python -m tools.student_cells "
                                 f"apply` and `make release`")
    cell.source = student_cells.with_release(cell.source, release.url, release.ref)
    if "checksum" in cell.metadata.get("nbgrader", {}):
        cell.metadata.nbgrader["checksum"] = compute_checksum(cell)
    nbformat.write(nb, notebook)


def write_student_repo(out: Path, release: Release | None = None) -> Path:
    """Create or refresh `out` as the student repository; return it. Files students added there are kept.

    `release` may be left out when `out` already records one (an earlier run wrote it).
    """
    if (out / "solutions").exists() or (out / "tools").exists():
        raise course.CourseError(f"{out} looks like the instructor's repository (it has solutions/ or tools/); "
                         f"choose a new folder for the students' repository")
    release = release or recorded_release(out)
    if release is None:
        raise course.CourseError("give the students' repository address and release: --repository "
                                 "https://github.com/OWNER/NAME --release TAG (make student-repo REPOSITORY=... RELEASE=...)")
    out.mkdir(parents=True, exist_ok=True)
    for folder in (LABS, "course_utils", "website"):
        if (out / folder).exists():
            shutil.rmtree(out / folder)
    shutil.copytree(REPO_ROOT / LABS, out / LABS, ignore=CACHES)
    shutil.copytree(REPO_ROOT / "course_utils", out / "course_utils", ignore=CACHES)
    shutil.copytree(STUDENT_FILES / "website", out / "website", ignore=CACHES)
    for notebook in sorted((out / LABS).glob("*/*.ipynb")):
        set_release(notebook, release)
    student_readme = readme.rendered((STUDENT_FILES / "README.md").read_text(), {"labs": lambda: lab_table(release)},
                                     where="student/README.md")
    (out / "README.md").write_text(student_readme)
    shutil.copy(STUDENT_FILES / "Makefile", out / "Makefile")
    shutil.copy(STUDENT_FILES / "gitignore", out / ".gitignore")
    (out / ".github" / "workflows").mkdir(parents=True, exist_ok=True)
    shutil.copy(STUDENT_FILES / "pages.yml", out / ".github" / "workflows" / "pages.yml")
    (out / "requirements.txt").write_text(student_requirements())
    (out / "website" / "requirements.txt").write_text(site_requirements())
    (out / RELEASE_FILE).write_text(json.dumps(
        {"repository": release.url, "release": release.ref,
         "colab": {lab: release.colab(lab) for lab in course.lab_names()}}, indent=1) + "\n")
    (out / "environment.yml").write_text(student_environment())
    (out / "pyproject.toml").write_text(student_pyproject())
    return out


@course.command("student-repo")
def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.student_repo", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="the folder to write the students' repository into (created or refreshed)")
    parser.add_argument("--repository", help="its GitHub address, https://github.com/OWNER/NAME (Colab opens the "
                                             "labs from there); default: the one OUT recorded")
    parser.add_argument("--release", help="the tag or branch you will push it as (each lab's Colab cell installs "
                                          "course_utils at it); default: the one OUT recorded")
    args = parser.parse_args(argv)
    if bool(args.repository) != bool(args.release):
        parser.error("give --repository and --release together (or neither, to keep the ones OUT recorded)")
    release = Release(args.repository, args.release) if args.repository else None
    out = write_student_repo(args.out.resolve(), release)
    kept = recorded_release(out)
    print(f"wrote the student repository to {out}: labs/, course_utils/, website/, README.md, Makefile, "
          f"requirements.txt, environment.yml, pyproject.toml, .github/workflows/pages.yml; Colab installs "
          f"course_utils from {kept.url} at {kept.ref}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
