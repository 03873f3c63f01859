"""The grader's layers, read from its folders: each place imports inwards through one door, and the walk is true.

tools/grading/__init__.py states the rules: a module imports the modules every place shares, its
own place, and a package of the next place inwards (never a module inside it); the code in the
sandbox imports nothing of the course's tools. The places are the subpackages named in PLACES.
"""
import ast
import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT
from tools import readme
from tools.grading import PLACES
from tools.grading.walk import WALK

GRADER = REPO_ROOT / "tools" / "grading"
MODULES = sorted(GRADER.rglob("*.py"))


def dotted(path: Path) -> str:
    """The module name of a file under the repository (a package's __init__ is the package)."""
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def place_of(name: str) -> str:
    """The place a module of the grader belongs to, or "shared" for the modules beside the places."""
    parts = name.split(".")[2:]
    return parts[0] if parts and parts[0] in PLACES else "shared"


def is_package(name: str) -> bool:
    return (REPO_ROOT.joinpath(*name.split(".")) / "__init__.py").is_file()


def imports_of(path: Path, relative: bool = True) -> set[str]:
    """Every module `path` imports, at its top or inside a function (relative imports resolved, unless not asked for)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (relative or not node.level):
            base = node.module or ""
            if node.level:
                package = (dotted(path) if path.name == "__init__.py" else dotted(path).rpartition(".")[0]).split(".")
                base = ".".join(package[:len(package) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names if is_module(f"{base}.{alias.name}")}
    return found


def is_module(name: str) -> bool:
    """Whether `name` is a module or package of this repository (not a name defined in one)."""
    return is_package(name) or REPO_ROOT.joinpath(*name.split(".")).with_suffix(".py").is_file()


def allowed(importer: str, imported: str) -> bool:
    """Whether module `importer` may import module `imported` of the grader (the rules of tools/grading/__init__.py)."""
    source, target = place_of(importer), place_of(imported)
    if importer == "tools.grading.__main__":            # `python -m tools.grading`: the client's command
        return target in ("shared", "client")
    if source == target or target == "shared":
        return True
    if source == "shared":
        return False
    return PLACES.index(target) == PLACES.index(source) + 1 and is_package(imported)


def test_the_places_are_the_grader_subpackages():
    folders = sorted(p.name for p in GRADER.iterdir() if (p / "__init__.py").is_file())
    assert folders == sorted(PLACES)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(GRADER)))
def test_each_module_imports_inwards_through_a_door(path):
    importer = dotted(path)
    grader = sorted(name for name in imports_of(path) if name.startswith("tools.grading"))
    wrong = [name for name in grader if not allowed(importer, name)]
    assert not wrong, f"{importer} ({place_of(importer)}) may not import {wrong}"
    if place_of(importer) == "in_sandbox":
        assert not [name for name in imports_of(path, relative=False) if name.split(".")[0] == "tools"], \
            f"{importer} runs in the sandbox, which holds none of the course's tools"


def test_a_module_imported_from_its_package_is_seen(tmp_path):
    source = tmp_path / "probe.py"
    source.write_text("from tools.grading import worker, records\nfrom tools.grading.worker import bubblewrap, warm_up\n")
    assert {"tools.grading.worker", "tools.grading.records", "tools.grading.worker.bubblewrap"} <= imports_of(source)
    assert "tools.grading.worker.warm_up" not in imports_of(source)


def test_the_rules_catch_a_module_that_imports_outwards_or_past_a_door():
    assert allowed("tools.grading.client.batch", "tools.grading.worker")
    assert allowed("tools.grading.worker.notes", "tools.grading.in_sandbox.grading_kernel")
    assert not allowed("tools.grading.client.batch", "tools.grading.worker.bubblewrap")
    assert not allowed("tools.grading.client.batch", "tools.grading.in_sandbox.grading_kernel")
    assert not allowed("tools.grading.worker.autograde", "tools.grading.client.outputs")
    assert not allowed("tools.grading.worker.notes", "tools.grading.in_sandbox.grading_kernel.protocol")
    assert not allowed("tools.grading.records", "tools.grading.client.outputs")


def test_client_modules_load_no_worker_machinery_and_start_no_thread():
    client = [dotted(path) for path in sorted((GRADER / "client").glob("*.py"))]
    assert len(client) > 10, "the client's modules were not found"
    code = (
        "import sys, threading\n"
        f"for name in {client!r}:\n"
        "    __import__(name)\n"
        "inner = ('tools.grading.worker.', 'tools.grading.in_sandbox')\n"
        "print(sorted(m for m in sys.modules if m.startswith(inner) or m.split('.')[0] == 'torch'), "
        "threading.active_count())\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[] 1", result.stdout


def test_every_module_of_the_grader_says_what_it_is():
    missing = [str(path.relative_to(GRADER)) for path in MODULES if not readme.summary(path)]
    assert not missing, f"modules without a docstring: {missing}"


@pytest.mark.parametrize("package", sorted(init.parent for init in GRADER.rglob("__init__.py")),
                         ids=lambda folder: str(folder.relative_to(GRADER)) or "grading")
def test_each_package_names_every_module_it_holds(package):
    docstring = ast.get_docstring(ast.parse((package / "__init__.py").read_text())) or ""
    held = [p.stem for p in package.glob("*.py") if not p.stem.startswith("__")]
    held += [p.name for p in package.iterdir() if (p / "__init__.py").is_file()]
    assert held, f"{package} holds nothing"
    missing = [name for name in held if not re.search(rf"\b{name}\b", docstring)]
    assert not missing, f"{package.relative_to(REPO_ROOT)}/__init__.py does not say what {missing} are"


def resolve(code: str):
    module, _, qualified = code.partition(":")
    found = importlib.import_module(module)
    for name in qualified.split("."):
        found = getattr(found, name)
    return found


@pytest.mark.parametrize("step", WALK, ids=lambda step: step.name)
def test_each_step_of_the_walk_is_done_by_code_of_its_place(step):
    assert callable(resolve(step.code)), f"{step.code} is not a function or a class"
    module = step.code.partition(":")[0]
    assert place_of(module) in (step.place, "shared"), f"{step.name}: {module} is not code of the {step.place}"


def test_the_walk_visits_every_place_and_ends_where_it_began():
    assert {step.place for step in WALK} == set(PLACES)
    assert WALK[0].place == WALK[-1].place == "client"
    assert len({step.name for step in WALK}) == len(WALK), "two steps with one name"
