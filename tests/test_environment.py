"""environment.yml (conda) and requirements.txt (pip) install the same packages at the same versions, the grader's included."""
import re

import yaml

from tests.helpers import REPO_ROOT


def parse_requirement(line: str) -> tuple[str, str] | None:
    line = line.split("#", 1)[0].strip()
    if not line or line.startswith("-"):
        return None
    match = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*==?\s*([^\s;]+)", line)
    assert match, f"unpinned or unparsable requirement {line!r}: pin it as name==version"
    return match.group(1).lower().replace("_", "-"), match.group(2)


def pip_requirements() -> dict[str, str]:
    lines = (REPO_ROOT / "requirements.txt").read_text().splitlines()
    return dict(filter(None, map(parse_requirement, lines)))


def conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    found = {}
    for entry in env["dependencies"]:
        entries = entry["pip"] if isinstance(entry, dict) else [entry]
        for item in entries:
            if item.split("=")[0] in {"python", "pip"}:
                continue
            parsed = parse_requirement(item)
            if parsed:
                found[parsed[0]] = parsed[1]
    return found


def test_conda_and_pip_name_the_same_pinned_packages():
    pip, conda = pip_requirements(), conda_requirements()
    assert pip == conda, (
        f"only in requirements.txt: {sorted(set(pip) - set(conda))}; only in environment.yml: "
        f"{sorted(set(conda) - set(pip))}; different versions: "
        f"{sorted(k for k in set(pip) & set(conda) if pip[k] != conda[k])}"
    )


def test_required_packages_are_listed():
    needed = {"torch", "torchvision", "jupyterlab", "nbgrader", "nbval", "matplotlib", "scikit-learn", "tqdm"}
    assert needed <= set(pip_requirements())


def test_installed_torch_pair_matches_the_pins_and_imports_together():
    import torch
    import torchvision

    pins = pip_requirements()
    assert torch.__version__.split("+")[0] == pins["torch"]
    assert torchvision.__version__.split("+")[0] == pins["torchvision"]
    # the C++ operators load only when the two builds match
    boxes = torch.tensor([[0.0, 0.0, 1.0, 1.0], [0.0, 0.0, 1.0, 1.0]])
    assert torchvision.ops.nms(boxes, torch.tensor([0.9, 0.8]), 0.5).tolist() == [0]


def libraries_the_grader_relies_on() -> set[str]:
    """The distributions whose modules the grader imports (tools/grading, any depth), and those the grading kernel
    imports by name or watches (in_sandbox/grading_kernel): found in the code, not listed."""
    import ast
    import sys
    from importlib.metadata import packages_distributions

    from tools.grading.in_sandbox.grading_kernel.libraries import LIBRARIES
    from tools.grading.in_sandbox.grading_kernel.namespaces import WATCHED_PACKAGES

    modules = {name.split(".")[0] for name in (*LIBRARIES, *WATCHED_PACKAGES)}
    for path in (REPO_ROOT / "tools" / "grading").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules.add(node.module.split(".")[0])
    ours = {"tools", "course_utils", "grading_kernel"}
    distributions = packages_distributions()
    found = set()
    for module in modules - ours - set(sys.stdlib_module_names):
        assert module in distributions, f"the grader imports {module}, which no installed distribution provides"
        found |= {name.lower().replace("_", "-") for name in distributions[module]}
    return found


def test_every_library_the_grader_relies_on_is_pinned_and_installed_at_its_pin():
    from importlib.metadata import version

    pins, needed = pip_requirements(), libraries_the_grader_relies_on()
    assert {"nbgrader", "nbconvert", "jupyter-client", "ipython", "alembic", "pyzmq", "dask"} <= needed
    unpinned = sorted(needed - set(pins))
    assert not unpinned, f"the grader relies on {unpinned}, not pinned in requirements.txt (nor environment.yml)"
    drifted = {name: (version(name), pins[name]) for name in sorted(needed) if version(name) != pins[name]}
    assert not drifted, f"installed and pinned versions differ: {drifted}"


def test_reading_a_notebook_does_not_build_an_iri_grammar():
    """`make install` removes jsonschema's optional IRI checker, which costs 2.4 s in every process that imports nbformat."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", "import sys, nbformat; print('rfc3987_syntax' in sys.modules)"],
                            capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "False", result.stdout + result.stderr
