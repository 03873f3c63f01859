"""A lab in Colab, without Colab: the set-up cell installs course_utils from the students' repository, then a check runs.

The stand-ins: a fresh virtual environment that sees this one's packages (torch and the rest) but
not course_utils, a `google.colab` module, and git told to fetch the students' repository's GitHub
address from a local copy. The lab's own set-up cell then runs unchanged, installs course_utils (as
pip builds it from the repository at its release tag, pretrained models included) and the lab's
first exercise is checked with the instructor's code in its answer cell.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tools import cells, course, labcode, student_cells
from tools.student_repo import Release, write_student_repo

RELEASE = Release("https://github.com/a-course/generative-models-labs", "2027.1")
LAB = "vae"
pytestmark = [pytest.mark.slow, pytest.mark.data]

RUN_IN_COLAB = r'''
import json, sys
from IPython.core.interactiveshell import InteractiveShell

cells = json.load(open(sys.argv[1]))
shell = InteractiveShell.instance()
report = {}
try:
    import course_utils
    report["before"] = course_utils.__file__
except ImportError:
    report["before"] = None
for cell_id, source in cells:
    result = shell.run_cell(source, store_history=True)
    error = result.error_before_exec or result.error_in_exec
    report[cell_id] = None if error is None else f"{type(error).__name__}: {error}"
    if cell_id == "colab-setup":
        import course_utils as cu
        report["installed at"] = cu.__file__
        report["pretrained"] = sorted(p.name for p in cu.pretrained_path(sys.argv[2], "x").parent.glob("*.pt.xz"))
        report["data root"] = str(cu.data_root())
print("REPORT " + json.dumps(report))
'''


def git(*args, cwd):
    subprocess.run(["git", "-c", "user.name=course", "-c", "user.email=course@example.org", *args], cwd=cwd,
                   check=True, capture_output=True)


@pytest.fixture(scope="module")
def students_repository(tmp_path_factory) -> Path:
    """The students' repository, committed and tagged with its release, as it would be pushed."""
    repo = write_student_repo(tmp_path_factory.mktemp("github") / "generative-models-labs", RELEASE)
    git("init", "-q", "-b", "main", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "release", cwd=repo)
    git("tag", RELEASE.ref, cwd=repo)
    return repo


def colab_like_environment(root: Path, students_repository: Path) -> tuple[Path, dict]:
    """A fresh venv that reuses this one's packages except course_utils, a google.colab stand-in, git redirected."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "venv")], check=True)
    site = Path(sys.prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    shared = root / "shared-packages"                 # links to this venv's packages, course_utils left out
    shared.mkdir()
    for entry in site.iterdir():
        if "course_utils" not in entry.name and not entry.name.endswith(".pth"):
            (shared / entry.name).symlink_to(entry)
    venv_site = next((root / "venv" / "lib").glob("python3*/site-packages"))
    (venv_site / "shared-packages.pth").write_text(f"{shared}\n")
    (root / "standin" / "google" / "colab").mkdir(parents=True)
    (root / "standin" / "google" / "colab" / "__init__.py").write_text('"""Stands in for Colab\'s module."""\n')
    (root / "gitconfig").write_text(f'[url "{students_repository.as_uri()}"]\n\tinsteadOf = {RELEASE.url}\n')
    env = dict(course.child_env(), PATH=f"{root / 'venv' / 'bin'}:{os.environ['PATH']}",
               PYTHONPATH=str(root / "standin"), GIT_CONFIG_GLOBAL=str(root / "gitconfig"), GIT_CONFIG_NOSYSTEM="1",
               PIP_NO_INDEX="1", PIP_NO_BUILD_ISOLATION="0", PIP_DISABLE_PIP_VERSION_CHECK="1", MPLBACKEND="Agg",
               COURSE_BUDGET="smoke", HOME=str(root))
    env.pop("VIRTUAL_ENV", None)
    return root / "venv" / "bin" / "python", env


def first_exercise_cells(lab: str, notebook: Path) -> list[tuple[str, str]]:
    """(id, source) of the lab's code cells up to its first check, the answers holding the instructor's code."""
    released = nbformat.read(notebook, as_version=4)
    filled = labcode.filled_in(released, nbformat.read(course.solution_notebook(lab), as_version=4))
    chosen = []
    for cell in filled.cells:
        if cell.cell_type == "code":
            chosen.append((cell.id, cell.source))
            if cells.is_test_cell(cell):
                return chosen
    raise AssertionError(f"{lab} has no check cell")


def test_the_set_up_cell_installs_the_release_and_the_first_check_passes(students_repository, tmp_path):
    python, env = colab_like_environment(tmp_path, students_repository)
    notebook = students_repository / "labs" / LAB / f"{LAB}.ipynb"
    to_run = first_exercise_cells(LAB, notebook)
    assert to_run[0][0] == student_cells.COLAB_ID and RELEASE.url in to_run[0][1]
    (tmp_path / "cells.json").write_text(json.dumps(to_run))
    (tmp_path / "colab.py").write_text(RUN_IN_COLAB)
    result = subprocess.run([str(python), str(tmp_path / "colab.py"), str(tmp_path / "cells.json"), LAB],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert "REPORT " in result.stdout, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(result.stdout.split("REPORT ", 1)[1])
    assert report["before"] is None, "course_utils was importable before the set-up cell ran"
    assert report["installed at"].startswith(str(tmp_path / "venv")), report["installed at"]
    assert all(report[cell_id] is None for cell_id, _ in to_run), report
    check_id = to_run[-1][0]
    assert check_id == "encoder-check" and "✔" in result.stdout
    assert "vae.pt.xz" in report["pretrained"], "PRETRAINED = True needs the course's models in the package"
    assert report["data root"] == os.environ.get("COURSE_DATA_ROOT", "/content/data")
