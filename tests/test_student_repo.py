"""The students' repository: everything to do the labs, nothing of the solutions, grading or tests."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.helpers import REPO_ROOT
from tests.helpers.notebooks import split_lines
from tools import course
from tools.student_repo import INSTRUCTOR_ONLY, write_student_repo


@pytest.fixture(scope="module")
def student_repo(tmp_path_factory):
    return write_student_repo(tmp_path_factory.mktemp("student") / "generative-models-labs")


def text_files(root: Path):
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix not in {".pt", ".png", ".xz"}:
            yield path, path.read_text()


def test_it_holds_what_students_need_and_nothing_else(student_repo):
    top = {p.name for p in student_repo.iterdir()}
    assert top == {"labs", "course_utils", "README.md", "Makefile", "requirements.txt", "environment.yml",
                   "pyproject.toml", ".gitignore"}
    assert sorted(p.name for p in (student_repo / "labs").iterdir()) == course.lab_names()
    assert list((student_repo / "course_utils" / "weights").glob("*.pt")), "the judge weights are missing"
    assert list((student_repo / "course_utils" / "pretrained").glob("*/*.pt.xz")), "the pretrained models are missing"
    for path, _ in text_files(student_repo):
        assert not {"solutions", "tests", "tools", "__pycache__"} & set(path.relative_to(student_repo).parts), path
        assert path.name not in {"gradebook.db", "mutants.py", "hostile.py", "DESIGN.md"}, path


def test_no_line_of_a_solution_or_hidden_test_appears_anywhere(student_repo):
    secret = set()
    for lab in course.lab_names():
        hidden, given = split_lines(nbformat.read(course.solution_notebook(lab), as_version=4))
        secret |= {line for line in hidden - given if len(line) >= 12}
    assert secret
    for path, text in text_files(student_repo):
        lines = {line.strip() for line in text.splitlines()}
        leaked = sorted(secret & lines)
        assert not leaked, f"{path.relative_to(student_repo)} holds solution or hidden-test lines: {leaked[:3]}"
        for marker in ("BEGIN SOLUTION", "HIDDEN TESTS", "Rubric (instructors only"):
            assert marker not in text, f"{path.relative_to(student_repo)} holds {marker!r}"


def test_requirements_keep_the_pins_and_drop_the_instructors_tools(student_repo):
    pins = dict(line.split("==") for line in (REPO_ROOT / "requirements.txt").read_text().splitlines()
                if "==" in line and not line.startswith("#"))
    student = dict(line.split("==") for line in (student_repo / "requirements.txt").read_text().splitlines()
                   if "==" in line and not line.startswith("#"))
    assert student == {name: version for name, version in pins.items() if name not in INSTRUCTOR_ONLY}
    environment = (student_repo / "environment.yml").read_text()
    assert all(f"{name}=={version}" in environment for name, version in student.items())
    assert not any(name in environment for name in INSTRUCTOR_ONLY)
    makefile = (student_repo / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z-]+):", makefile, re.MULTILINE))
    assert targets == {"install", "lab", "validate"}


def test_refusing_to_overwrite_the_instructors_repository():
    with pytest.raises(course.CourseError, match="looks like the instructor's repository"):
        write_student_repo(REPO_ROOT)


def clone_environment(target: Path, drop: set[str]) -> Path:
    """A fresh virtual environment holding this one's installed packages (hard links, no download), minus `drop`."""
    base = Path(sys.base_prefix) / "bin" / "python3"
    subprocess.run([str(base), "-m", "venv", "--without-pip", str(target)], check=True)
    source_site = Path(sys.prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    target_site = target / "lib" / source_site.parent.name / "site-packages"
    skipped = set()                                  # top-level names in site-packages of the dropped packages
    for dist in source_site.glob("*.dist-info"):
        name = dist.name.split("-")[0].lower().replace("_", "-")
        if name in drop:
            record = (dist / "RECORD").read_text().splitlines() if (dist / "RECORD").exists() else []
            skipped |= {line.split(",")[0].split("/")[0] for line in record if line and not line.startswith("..")}
            skipped.add(dist.name)
    for entry in source_site.iterdir():
        if entry.name in skipped or entry.name.startswith("__editable__"):
            continue
        destination = target_site / entry.name
        if entry.is_dir():
            shutil.copytree(entry, destination, copy_function=_link, dirs_exist_ok=True)
        else:
            _link(entry, destination)
    for folder in ("share", "etc"):
        if (Path(sys.prefix) / folder).exists():
            shutil.copytree(Path(sys.prefix) / folder, target / folder, copy_function=_link, dirs_exist_ok=True)
    for script in (Path(sys.prefix) / "bin").iterdir():
        destination = target / "bin" / script.name
        if destination.exists() or not script.is_file():
            continue
        content = script.read_bytes()
        if content.startswith(b"#!") and b"python" in content.split(b"\n", 1)[0]:
            destination.write_bytes(b"#!" + str(target / "bin" / "python").encode() + b"\n" + content.split(b"\n", 1)[1])
            destination.chmod(0o755)
    return target


def _link(source, destination):
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


@pytest.mark.slow
def test_it_installs_into_a_fresh_environment_and_an_untouched_lab_stops_at_exercise_one(student_repo, tmp_path):
    venv = clone_environment(tmp_path / "venv", {"course-utils", *INSTRUCTOR_ONLY})
    env = dict(course.child_env(), PATH=f"{venv / 'bin'}:{os.environ['PATH']}", COURSE_BUDGET="smoke")
    result = subprocess.run(["make", "install", f"VENV={venv}", f"PYTHON={venv / 'bin' / 'python'}"], cwd=student_repo,
                            env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    python = venv / "bin" / "python"
    where = subprocess.run([str(python), "-c", "import course_utils; print(course_utils.__file__)"],
                           capture_output=True, text=True, env=env, cwd=tmp_path)
    assert where.stdout.strip().startswith(str(student_repo)), where.stdout + where.stderr
    for missing in INSTRUCTOR_ONLY:
        probe = subprocess.run([str(python), "-c", f"import {missing}"], capture_output=True, env=env, cwd=tmp_path)
        assert probe.returncode != 0, f"{missing} is installed in the students' environment"

    lab_extensions = subprocess.run([str(venv / "bin" / "jupyter"), "labextension", "list"], capture_output=True,
                                    text=True, env=env)
    listing = lab_extensions.stdout + lab_extensions.stderr
    disabled = listing.split("Disabled extensions:")[1] if "Disabled extensions:" in listing else ""
    assert "@jupyter/nbgrader" in listing
    for plugin in ("formgrader", "create-assignment", "course-list"):
        assert f"@jupyter/nbgrader:{plugin}" in disabled, listing
    for plugin in ("assignment-list", "validate-assignment"):
        assert f"@jupyter/nbgrader:{plugin}" not in disabled, listing
    server = subprocess.run([str(venv / "bin" / "jupyter"), "server", "extension", "list"], capture_output=True,
                            text=True, env=env)
    states = dict(re.findall(r"(nbgrader\.server_extensions\.\w+)\s+\S*?(enabled|disabled)",
                             re.sub(r"\x1b\[[0-9;]*m", "", server.stdout + server.stderr)))
    assert states.get("nbgrader.server_extensions.formgrader") == "disabled", states
    assert states.get("nbgrader.server_extensions.assignment_list") == "enabled", states
    assert states.get("nbgrader.server_extensions.validate_assignment") == "enabled", states

    notebook = student_repo / "labs" / "vae" / "vae.ipynb"
    run = subprocess.run([str(python), "-c", RUN_UNTOUCHED, str(notebook)], capture_output=True, text=True, env=env,
                         cwd=tmp_path, timeout=600)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    first_error_cell, error_name = run.stdout.split()[-2:]
    assert (first_error_cell, error_name) == ("encoder-try", "NotImplementedError"), run.stdout


RUN_UNTOUCHED = """
import sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(nb, timeout=600, allow_errors=True, kernel_name="python3").execute()
errors = [(c.id, o.ename) for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
print(*errors[0])
"""
