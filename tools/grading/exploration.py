"""Which given cells grading runs only in part: the lab's own exploration (training, sampling, plots).

A lab teaches with given cells between its exercises: try cells, training runs, figures. The checks
never use what those cells compute (each check builds its own inputs and stand-ins; the tests run
the instructor's notebook this way and every check passes), so grading runs, of each such cell that
the submission has unchanged from the release, only its definitions: functions, classes, imports
and literal settings such as `MIN_STD = 1e-3`. Grading then never trains a model, and a class is
graded at the speed of its checks. Every cell before the first exercise (imports, configuration,
data) runs in full, and so does anything the student wrote or changed: answer cells, cells they
added, given cells they edited.
"""
from __future__ import annotations

import ast

import nbformat

from tools import cells

DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)
SHORTENED_NOTE = ("[grader] Only this cell's definitions ran (functions, classes, imports, settings): grading does not "
                  "train or plot, and no check needs what the rest of this cell computes.\n")


def is_setting(statement: ast.stmt) -> bool:
    """`NAME = <literal>` (a setting such as `MIN_STD = 1e-3`), which definitions in the same cell may read."""
    if not isinstance(statement, ast.Assign):
        return False
    try:
        ast.literal_eval(statement.value)
    except (ValueError, TypeError, SyntaxError, RecursionError):
        return False
    return True


def definitions_only(source: str) -> str:
    """The definitions and literal settings of `source`, in order ('' when it has none, `source` if it does not parse)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    kept = [node for node in tree.body if isinstance(node, DEFINITIONS) or is_setting(node)]
    return ast.unparse(ast.Module(body=kept, type_ignores=[])) if kept else ""


def exploration_cells(release: nbformat.NotebookNode) -> dict[str, str]:
    """{cell id: source} of the released notebook's given code cells after its first exercise."""
    found, after_first_answer = {}, False
    for cell in release.cells:
        if cell.cell_type != "code":
            continue
        if cells.is_answer(cell):
            after_first_answer = True
        elif after_first_answer and not cells.is_graded(cell) and cell.get("id"):
            found[cell.id] = cell.source
    return found


def source_to_run(cell: nbformat.NotebookNode, exploration: dict[str, str]) -> str:
    """What grading runs of `cell`: its definitions if it is an unchanged exploration cell, else all of it."""
    if cell.get("id") in exploration and cell.source == exploration[cell.id]:
        return definitions_only(cell.source)
    return cell.source


__all__ = ["SHORTENED_NOTE", "definitions_only", "exploration_cells", "is_setting", "source_to_run"]
