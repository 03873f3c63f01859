"""Where things are in the course repository, which labs exist, and how tools start child programs.

Every tool (release, report, grading, the student distribution) takes its paths and its
child-process environment from here, so that they agree.
"""
from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable

from tools.grading import compat

REPO_ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = "solutions"          # nbgrader's source directory: instructor notebooks
LABS = "labs"                    # nbgrader's release directory: student notebooks (generated)
# What nbgrader neither releases nor collects (nbgrader_config.py), and the grader never hands to a kernel:
# nbgrader's own defaults, and the images a lab saves in outputs/. Shell patterns.
IGNORED = (".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "outputs")


class CourseError(RuntimeError):
    """A failure a command reports as its message and an exit code, never as a traceback.

    Each subclass names a cause the user can fix (a missing program, missing data, a bad
    argument); the message says what was wrong and what to do.
    """

    exit_code = 2


class UnknownLabError(CourseError, ValueError):
    """A lab name that is not one of the course's labs."""


def command(what: str, known: tuple[type[Exception], ...] = ()) -> Callable[[Callable[..., int]], Callable[..., int]]:
    """Wrap a tool's `main`: a CourseError (or one of `known`) becomes "<what> stopped: <message>" and its exit code.

    Ctrl-C exits with 130 and one line. Any other exception is a bug and keeps its traceback.
    """
    def decorate(main: Callable[..., int]) -> Callable[..., int]:
        @functools.wraps(main)
        def run(*args, **kwargs) -> int:
            try:
                return main(*args, **kwargs)
            except (CourseError, *known) as error:
                print(f"{what} stopped: {error}", file=sys.stderr)
                return getattr(error, "exit_code", 2)
            except KeyboardInterrupt:
                print(f"{what} interrupted", file=sys.stderr)
                return 130
        return run
    return decorate


def lab_names(root: Path = REPO_ROOT) -> list[str]:
    """The labs: folders of solutions/ that hold at least one notebook."""
    return sorted(p.name for p in (root / SOLUTIONS).iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def check_labs(labs: list[str], root: Path = REPO_ROOT) -> None:
    """Raise UnknownLabError naming every unknown lab and the real ones."""
    unknown = sorted(set(labs) - set(lab_names(root)))
    if unknown:
        raise UnknownLabError(f"unknown lab(s) {', '.join(unknown)}; the labs are {', '.join(lab_names(root))}")


def solution_notebook(lab: str, root: Path = REPO_ROOT) -> Path:
    """solutions/<lab>/<lab>.ipynb: the instructor's notebook."""
    return root / SOLUTIONS / lab / f"{lab}.ipynb"


def student_notebook(lab: str, root: Path = REPO_ROOT) -> Path:
    """labs/<lab>/<lab>.ipynb: the student version generated from the solution."""
    return root / LABS / lab / f"{lab}.ipynb"


def course_package_dir() -> Path:
    """The folder of the installed course_utils package (found without importing it: torch takes seconds)."""
    spec = importlib.util.find_spec("course_utils")
    if spec is None or not spec.submodule_search_locations:
        raise CourseError("the course_utils package is not installed in this environment: run `make install`")
    return Path(list(spec.submodule_search_locations)[0]).resolve()


def data_root() -> str:
    """The datasets folder, by the rule of course_utils/locations.py, read without importing course_utils
    (its import loads torch, seconds on a CPU)."""
    spec = importlib.util.spec_from_file_location("course_utils_locations", course_package_dir() / "locations.py")
    locations = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(locations)
    return str(locations.data_root())


def course_id(course_root: Path = REPO_ROOT) -> str:
    """The nbgrader course id of a course directory, read with traitlets' config loader from its nbgrader_config.py."""
    from traitlets.config import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course_root)).load_config()
    value = config.CourseDirectory.get("course_id")
    if not isinstance(value, str) or not value:
        raise CourseError(f"{course_root / 'nbgrader_config.py'} sets no c.CourseDirectory.course_id")
    return value


def child_env(**overrides: str) -> dict[str, str]:
    """The environment for a child program run by a tool.

    It finds helper programs (jupyter, alembic) next to this interpreter and the course's tools
    (on PYTHONPATH, for nbgrader_config.py in a copied course), and never inherits
    $NBGRADER_EXECUTION, which would switch every notebook to the grading budget.
    """
    env = dict(os.environ)
    env.pop("NBGRADER_EXECUTION", None)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH", "")]))
    env.update(overrides)
    return env


def nbgrader(course_root: Path, *args: str, timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run `nbgrader ARGS` in `course_root` (which holds an nbgrader_config.py); raise with its log on failure."""
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course_root, env=child_env(),
                            capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"`nbgrader {' '.join(args)}` failed in {course_root} "
                           f"(exit {result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result




def make_course_copy(destination: Path, labs: list[str] | None = None, source: Path = REPO_ROOT) -> Path:
    """A scratch course directory with the nbgrader config and solutions of the course at `source` (this repository)."""
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy(source / "nbgrader_config.py", destination / "nbgrader_config.py")
    for lab in labs or lab_names(source):
        shutil.copytree(source / SOLUTIONS / lab, destination / SOLUTIONS / lab,
                        ignore=shutil.ignore_patterns(*IGNORED), dirs_exist_ok=True)
    return destination


def release(course_root: Path, lab: str, gradebook: Path | None = None) -> Path:
    """Generate `labs/<lab>` from `solutions/<lab>` in `course_root` with nbgrader; return the release folder.

    This also records the lab's graded cells in the course's gradebook (`gradebook`, by default
    `course_root/gradebook.db`), which autograding uses to restore the original tests. It is
    `nbgrader generate_assignment LAB --force` run in this process with the course's
    nbgrader_config.py, which spares starting nbgrader (and, for a new gradebook, alembic) as
    programs: a few seconds per grading run. nbgrader changes the process's working folder while
    it converts, so call it before starting threads that start processes.
    """
    import warnings

    from nbgrader.apps import NbGraderAPI
    from traitlets.config import PyFileConfigLoader

    gradebook = gradebook or course_root / "gradebook.db"
    if not gradebook.exists():
        compat.create_gradebook(gradebook)
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course_root)).load_config()
    config.CourseDirectory.root = str(course_root)
    config.CourseDirectory.db_url = f"sqlite:///{gradebook}"
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module="nbgrader")      # sqlalchemy's notes on nbgrader's sessions
        result = NbGraderAPI(config=config).generate_assignment(lab, force=True)
    if not result["success"]:
        raise RuntimeError(f"`nbgrader generate_assignment {lab}` failed in {course_root}:\n"
                           f"{result.get('log', '')}\n{result.get('error', '')}")
    return course_root / LABS / lab
