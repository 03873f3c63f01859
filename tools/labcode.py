"""Run chosen code cells of a solution notebook, so tools can reuse a lab's own definitions."""
from __future__ import annotations

import nbformat

from tools.release import REPO_ROOT


def lab_namespace(lab: str, cell_ids: list[str], preset: dict | None = None) -> dict:
    """Execute the given cells of solutions/<lab>/<lab>.ipynb (in that order) and return their globals."""
    path = REPO_ROOT / "solutions" / lab / f"{lab}.ipynb"
    cells = {cell.get("id"): cell for cell in nbformat.read(path, as_version=4).cells}
    missing = [cell_id for cell_id in cell_ids if cell_id not in cells]
    if missing:
        raise KeyError(f"{path.name} has no cell(s) {missing}")
    namespace: dict = dict(preset or {})
    for cell_id in cell_ids:
        exec(compile(cells[cell_id].source, f"{lab}.ipynb#{cell_id}", "exec"), namespace)
    return namespace
