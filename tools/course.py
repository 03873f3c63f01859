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

REPO_ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = "solutions"          # nbgrader's source directory: instructor notebooks
LABS = "labs"                    # nbgrader's release directory: student notebooks (generated)
# What running a notebook leaves beside it; never released, collected or graded (see nbgrader_config.py).
IGNORED = (".ipynb_checkpoints", "__pycache__", "outputs")


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
    """The datasets folder as course_utils.data_root() finds it: $COURSE_DATA_ROOT, else data/ beside the package."""
    return os.environ.get("COURSE_DATA_ROOT", "").strip() or str(course_package_dir().parent / "data")


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
    ($COURSE_TOOLS_ROOT, which nbgrader_config.py reads in a copied course), and never inherits
    $NBGRADER_EXECUTION, which would switch every notebook to the grading budget.
    """
    env = dict(os.environ)
    env.pop("NBGRADER_EXECUTION", None)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["COURSE_TOOLS_ROOT"] = str(REPO_ROOT)
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


def nbgrader_schema_version() -> str:
    """The newest revision of nbgrader's gradebook schema, read from the migrations it ships.

    nbgrader writes it into every gradebook it creates, and finds it by running the `alembic heads`
    command, which takes about two seconds; reading the same migrations here takes a fraction.
    """
    import nbgrader
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(Path(nbgrader.__file__).parent / "alembic")).get_current_head()


def make_course_copy(destination: Path, labs: list[str] | None = None) -> Path:
    """A scratch course directory with this repository's nbgrader config and solutions."""
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO_ROOT / "nbgrader_config.py", destination / "nbgrader_config.py")
    for lab in labs or lab_names():
        shutil.copytree(REPO_ROOT / SOLUTIONS / lab, destination / SOLUTIONS / lab,
                        ignore=shutil.ignore_patterns(*IGNORED), dirs_exist_ok=True)
    return destination


def release(course_root: Path, lab: str) -> Path:
    """Generate `labs/<lab>` from `solutions/<lab>` in `course_root` with nbgrader; return the release folder.

    This also records the lab's graded cells in the course's gradebook.db, which autograding
    uses to restore the original tests. It is `nbgrader generate_assignment LAB --force` run in
    this process with the course's nbgrader_config.py, which spares starting nbgrader (and, for a
    new gradebook, alembic) as programs: a few seconds per grading run. nbgrader changes the
    process's working folder while it converts, so call it before starting threads that start
    processes.
    """
    import warnings
    from unittest import mock

    from nbgrader.apps import NbGraderAPI
    from traitlets.config import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course_root)).load_config()
    config.CourseDirectory.root = str(course_root)
    with warnings.catch_warnings(), mock.patch("nbgrader.api.get_alembic_version", nbgrader_schema_version):
        warnings.filterwarnings("ignore", module="nbgrader")      # sqlalchemy's notes on nbgrader's sessions
        result = NbGraderAPI(config=config).generate_assignment(lab, force=True)
    if not result["success"]:
        raise RuntimeError(f"`nbgrader generate_assignment {lab}` failed in {course_root}:\n"
                           f"{result.get('log', '')}\n{result.get('error', '')}")
    return course_root / LABS / lab
