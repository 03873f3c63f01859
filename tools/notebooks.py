"""Keep committed notebooks reviewable: no outputs, no execution counts, stable ids, minimal metadata.

    python -m tools.notebooks check     # list problems, exit 1 if any
    python -m tools.notebooks clean     # fix them in place
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat

from tools import course
from tools.course import LABS, REPO_ROOT, SOLUTIONS

NOTEBOOK_DIRS = (SOLUTIONS, LABS)
ALLOWED_NOTEBOOK_METADATA = {"kernelspec", "language_info"}
ALLOWED_CELL_METADATA = {"nbgrader", "deletable", "editable"}  # the last two: nbgrader locks graded cells


def committed_notebooks(root: Path = REPO_ROOT) -> list[Path]:
    """Every notebook under solutions/ and labs/, checkpoints excluded."""
    found = []
    for folder in NOTEBOOK_DIRS:
        found += [p for p in sorted((root / folder).rglob("*.ipynb")) if ".ipynb_checkpoints" not in p.parts]
    return found


def problems(nb: nbformat.NotebookNode) -> list[str]:
    """What keeps `nb` from being clean, one line per problem (empty when clean)."""
    found = []
    extra = set(nb.metadata) - ALLOWED_NOTEBOOK_METADATA
    if extra:
        found.append(f"notebook metadata has extra keys {sorted(extra)}")
    seen = set()
    for index, cell in enumerate(nb.cells):
        where = f"cell {index} ({cell.get('id', 'no id')})"
        if "id" not in cell:
            found.append(f"{where}: no cell id")
        elif cell.id in seen:
            found.append(f"{where}: duplicate cell id")
        seen.add(cell.get("id"))
        extra = set(cell.metadata) - ALLOWED_CELL_METADATA
        if extra:
            found.append(f"{where}: extra metadata {sorted(extra)}")
        if cell.cell_type == "code":
            if cell.outputs:
                found.append(f"{where}: stored outputs")
            if cell.execution_count is not None:
                found.append(f"{where}: execution count {cell.execution_count}")
    return found


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Strip outputs, execution counts and extra metadata from `nb` (in place) and return it."""
    nb.metadata = {k: v for k, v in nb.metadata.items() if k in ALLOWED_NOTEBOOK_METADATA}
    for cell in nb.cells:
        cell.metadata = {k: v for k, v in cell.metadata.items() if k in ALLOWED_CELL_METADATA}
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


@course.command("notebooks")
def main(argv: list[str]) -> int:
    if argv not in (["check"], ["clean"]):
        print(__doc__)
        return 2
    dirty = 0
    for path in committed_notebooks():
        nb = nbformat.read(path, as_version=4)
        found = problems(nb)
        if not found:
            continue
        dirty += 1
        if argv == ["clean"]:
            nbformat.write(clean(nb), path)
            print(f"cleaned {path.relative_to(REPO_ROOT)}")
        else:
            print(f"{path.relative_to(REPO_ROOT)}:\n  " + "\n  ".join(found))
    if argv == ["check"] and dirty:
        print(f"{dirty} notebook(s) need `make clean-notebooks` (or `python -m tools.notebooks clean`).")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
