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
from tools import student_cells
from tools.student_repo import INSTRUCTOR_ONLY, SITE_ONLY, Release, write_student_repo

RELEASE = Release("https://github.com/a-course/generative-models-labs", "2027.1")


@pytest.fixture(scope="module")
def student_repo(tmp_path_factory):
    return write_student_repo(tmp_path_factory.mktemp("student") / "generative-models-labs", RELEASE)


def text_files(root: Path):
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix not in {".pt", ".png", ".xz"}:
            yield path, path.read_text()


def test_it_holds_what_students_need_and_nothing_else(student_repo):
    top = {p.name for p in student_repo.iterdir()}
    assert top == {"labs", "course_utils", "website", "README.md", "Makefile", "requirements.txt", "environment.yml",
                   "pyproject.toml", ".gitignore", ".github"}
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
    assert student == {name: version for name, version in pins.items() if name not in INSTRUCTOR_ONLY | SITE_ONLY}
    site = dict(line.split("==") for line in (student_repo / "website" / "requirements.txt").read_text().splitlines()
                if "==" in line and not line.startswith("#"))
    assert site == {name: version for name, version in pins.items() if name in SITE_ONLY} and len(site) == len(SITE_ONLY)
    environment = (student_repo / "environment.yml").read_text()
    assert all(f"{name}=={version}" in environment for name, version in student.items())
    assert not any(name in environment for name in INSTRUCTOR_ONLY | SITE_ONLY)
    assert makefile_targets(student_repo) == {"install", "lab", "validate", "site", "exchange"}


def makefile_targets(repo: Path) -> set[str]:
    return set(re.findall(r"^([a-z-]+):", (repo / "Makefile").read_text(), re.MULTILINE))


def test_every_lab_opens_in_colab_at_the_release_and_installs_from_it(student_repo):
    from nbgrader.utils import compute_checksum

    readme = (student_repo / "README.md").read_text()
    for lab in course.lab_names():
        colab = f"https://colab.research.google.com/github/a-course/generative-models-labs/blob/2027.1/labs/{lab}/{lab}.ipynb"
        assert f"[Open in Colab]({colab})" in readme, lab
        nb = nbformat.read(student_repo / "labs" / lab / f"{lab}.ipynb", as_version=4)
        cell = next(cell for cell in nb.cells if cell.id == student_cells.COLAB_ID)
        assert cell.source == student_cells.colab_source(RELEASE.url, RELEASE.ref)
        assert cell.metadata.nbgrader["checksum"] == compute_checksum(cell), "Validate would call the cell changed"
        released = nbformat.read(course.student_notebook(lab), as_version=4)
        assert [c for c in nb.cells if c.id != student_cells.COLAB_ID] == \
            [c for c in released.cells if c.id != student_cells.COLAB_ID], "only the Colab cell differs from labs/"


def test_the_release_is_set_once_and_kept(student_repo, tmp_path):
    out = write_student_repo(tmp_path / "repo", RELEASE)
    assert write_student_repo(out) == out, "a refresh keeps the recorded release"
    assert "a-course/generative-models-labs/blob/2027.1" in (out / "README.md").read_text()
    with pytest.raises(course.CourseError, match="give the students' repository address and release"):
        write_student_repo(tmp_path / "new")
    assert not (tmp_path / "new").exists(), "a refused run leaves nothing behind"
    for repository, ref, message in (("https://gitlab.com/a/b", "v1", "not a GitHub repository"),
                                     ("https://github.com/a-course/labs", "bad ref", "not a git tag or branch")):
        with pytest.raises(course.CourseError, match=message):
            Release(repository, ref)
    assert Release("https://github.com/a/b.git/", "v1").url == "https://github.com/a/b"


def test_texts_describe_only_what_the_repository_has(student_repo):
    readme = (student_repo / "README.md").read_text()
    makefile = (student_repo / "Makefile").read_text()
    for absent in ("Nbgrader menu", "Nbgrader →", "Assignment List", "make report", "RESULTS.md", "solutions/",
                   "make test", "formgrader"):
        assert absent not in readme, f"the student README mentions {absent!r}"
        assert absent == "formgrader" or absent not in makefile, f"the student Makefile mentions {absent!r}"
    for target in re.findall(r"`make ([a-z-]+)", readme):
        assert target in makefile_targets(student_repo), f"the README names `make {target}`, which its Makefile lacks"
    layout = readme.split("## What is in this repository")[1]
    for path in re.findall(r"^([.\w/<>-]+/|[\w.]+\.(?:txt|yml|toml)|Makefile)\s", layout, re.MULTILINE):
        path = path.replace("<lab>", "vae")
        assert (student_repo / path).exists(), f"the README lists {path}, which the repository lacks"


def test_the_pages_workflow_builds_what_make_site_writes(student_repo):
    import yaml

    workflow = yaml.safe_load((student_repo / ".github" / "workflows" / "pages.yml").read_text())
    steps = workflow["jobs"]["build"]["steps"]
    assert {"run": "make site"} in steps and "site" in makefile_targets(student_repo)
    upload = next(step for step in steps if "upload-pages-artifact" in step.get("uses", ""))
    assert upload["with"]["path"] == "_site"
    assert re.search(r"^site:.*\n\t.*website/build\.py _site$", (student_repo / "Makefile").read_text(), re.MULTILINE)
    assert "_site/" in (student_repo / ".gitignore").read_text().splitlines()


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
    env.pop("PYTHONPATH")            # a student's shell has no path to the instructor's checkout
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
    for plugin in ("formgrader", "create-assignment", "course-list", "assignment-list", "menu"):
        assert f"@jupyter/nbgrader:{plugin}" in disabled, listing
    assert "@jupyter/nbgrader:validate-assignment" not in disabled, listing
    assert "@jupyterlab/apputils-extension:announcements" in disabled, "JupyterLab would ask about news at first start"
    server = subprocess.run([str(venv / "bin" / "jupyter"), "server", "extension", "list"], capture_output=True,
                            text=True, env=env)
    states = dict(re.findall(r"(nbgrader\.server_extensions\.\w+)\s+\S*?(enabled|disabled)",
                             re.sub(r"\x1b\[[0-9;]*m", "", server.stdout + server.stderr)))
    assert states.get("nbgrader.server_extensions.formgrader") == "disabled", states
    assert states.get("nbgrader.server_extensions.assignment_list") == "disabled", states
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
