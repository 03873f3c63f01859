"""Rebuild a submission against the released notebook, so that a structural slip never costs the lab.

JupyterLab makes it easy to copy a test cell, split or cut-and-paste an answer cell, or save with
another kernel; nbgrader refuses such notebooks outright (two cells with one grade id fail its
metadata check, jupyter/nbgrader#1083). The grader therefore builds the notebook it grades from
the release, cell by cell:

* every test cell, locked cell and task comes from the release (a copy, an edit or a deletion
  changes nothing), in the release's order;
* every answer cell takes the student's code: a split answer is joined, a duplicated one is
  taken from the copy that stood above its check, an answer cell that lost its grading marks is
  found by the names it defines; only an answer that is really gone is graded as the empty stub;
* the lab's other cells take the student's version when they are still there and the release's
  otherwise; cells the student added stay where they were, without any grading metadata;
* outputs, execution counts, extra metadata, cell ids and the kernelspec are the release's or fresh.

Each repair is reported as one sentence naming the cell.
"""
from __future__ import annotations

import ast
import copy
from dataclasses import dataclass, field

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_raw_cell

from tools.grading.preprocessors import is_test_cell

KEPT_CELL_METADATA = ("nbgrader", "editable", "deletable")


@dataclass
class _Plan:
    """For each release cell, the student's source to use (None: the release's)."""

    sources: dict[int, str] = field(default_factory=dict)
    after: dict[int, list] = field(default_factory=dict)       # release index -> student's own cells after it
    before_all: list = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _grade_id(cell) -> str | None:
    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    return grade_id if isinstance(grade_id, str) else None


def _is_answer(cell) -> bool:
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("solution"))


def _release_owned(cell) -> bool:
    """Cells the student may not change: tests, locked cells, tasks (by grade id)."""
    return _grade_id(cell) is not None and not _is_answer(cell)


def _defined_names(source: str) -> set[str]:
    """Top-level classes and functions a cell defines (empty if it does not parse)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {node.name for node in tree.body if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))}


def _label(cell, index: int) -> str:
    return _grade_id(cell) or cell.get("id") or f"#{index + 1}"


def _fresh_cell(cell_type: str, source: str):
    maker = {"code": new_code_cell, "markdown": new_markdown_cell}.get(cell_type, new_raw_cell)
    return maker(source)


def normalise(student_nb: nbformat.NotebookNode,
              release_nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, list[str]]:
    """The notebook to grade, built from the release and the student's work; and the repairs, one sentence each."""
    notes: list[str] = []
    if student_nb.get("nbformat_minor", 5) < 5 or any("id" not in c for c in student_nb.cells):
        notes.append("The notebook was saved in an older format without cell ids; it was converted.")
    release_cells = release_nb.cells
    by_grade_id = {_grade_id(c): i for i, c in enumerate(release_cells) if _grade_id(c)}
    ordinary_by_id = {c.get("id"): i for i, c in enumerate(release_cells) if not _grade_id(c) and c.get("id")}
    ordinary_by_source: dict[str, int] = {}
    for i, c in enumerate(release_cells):
        if not _grade_id(c):
            ordinary_by_source.setdefault(c.source, i)

    # 1. Match each student cell to a release cell (or to none: the student's own).
    matches: list[int | None] = []
    answers: dict[int, list[int]] = {}           # release index -> student indices carrying that answer
    seen_release: set[int] = set()
    for s_index, cell in enumerate(student_nb.cells):
        grade_id = _grade_id(cell)
        match = None
        if grade_id is not None and grade_id in by_grade_id:
            r_index = by_grade_id[grade_id]
            if _is_answer(release_cells[r_index]):
                answers.setdefault(r_index, []).append(s_index)
                match = r_index
            elif r_index in seen_release:
                kind = "test" if is_test_cell(release_cells[r_index]) else "locked"
                notes.append(f"Cell {grade_id} appeared more than once (a copy of a {kind} cell); "
                             f"the copy was removed and the original was used.")
                match = -1                        # a duplicate: dropped
            else:
                match = r_index
                original = release_cells[r_index]
                if cell.source != original.source and is_test_cell(original):
                    notes.append(f"Test cell {grade_id} was edited; the original test was run instead.")
        elif grade_id is not None:
            notes.append(f"Cell {_label(cell, s_index)} carried grading marks that do not belong to this lab; "
                         f"it was graded as your own cell.")
        else:
            r_index = ordinary_by_id.get(cell.get("id"))
            if r_index is None or r_index in seen_release or release_cells[r_index].cell_type != cell.cell_type:
                r_index = ordinary_by_source.get(cell.source)
                if r_index is not None and (r_index in seen_release or release_cells[r_index].cell_type != cell.cell_type):
                    r_index = None
            match = r_index
        if match is not None and match >= 0:
            seen_release.add(match)
        matches.append(match)

    # 2. Choose each answer's source.
    plan = _Plan(notes=notes)
    own_answer_cells: set[int] = set()
    for r_index, release_cell in enumerate(release_cells):
        if not _is_answer(release_cell):
            continue
        grade_id = _grade_id(release_cell)
        found = answers.get(r_index, [])
        if not found:
            rescued = _rescue_answer(student_nb, matches, release_cells, r_index)
            if rescued is not None:
                plan.sources[r_index] = student_nb.cells[rescued].source
                own_answer_cells.add(rescued)
                notes.append(f"Answer cell {grade_id} had lost its grading marks; the cell that defines "
                             f"{', '.join(sorted(_defined_names(release_cell.source)))} was graded as your answer.")
            else:
                notes.append(f"Answer cell {grade_id} was deleted, so its exercise was graded as the empty stub "
                             f"(0 points); put your code back into a cell with id {grade_id} and resubmit.")
            continue
        sources = [student_nb.cells[i].source for i in found]
        if len(found) == 1 or len(set(sources)) == 1:
            chosen = [found[-1]]
            if len(found) > 1:
                notes.append(f"Answer cell {grade_id} appeared {len(found)} times with the same code; it was graded once.")
        elif found == list(range(found[0], found[0] + len(found))):
            chosen = found
            notes.append(f"Answer cell {grade_id} was split into {len(found)} cells; they were graded together as one.")
        else:
            chosen = [_copy_above_check(found, matches, release_cells, r_index)]
            notes.append(f"Answer cell {grade_id} appeared {len(found)} times with different code; the copy above "
                         f"its check was graded and the others were run as your own cells where they stand.")
        plan.sources[r_index] = "\n\n".join(student_nb.cells[i].source.rstrip() for i in chosen)
        if student_nb.cells[chosen[0]].cell_type != release_cell.cell_type:
            notes.append(f"Answer cell {grade_id} had been turned into a {student_nb.cells[chosen[0]].cell_type} cell; "
                         f"it was graded as a {release_cell.cell_type} cell.")
        identical = len(set(sources)) == 1
        for i in found:
            if i not in chosen:
                matches[i] = -1 if identical else None   # different copies stay as the student's own cells
        for i in chosen[1:]:
            matches[i] = -1

    # 3. Keep the student's version of unlocked ordinary cells, and place the student's own cells.
    anchor: int | None = None
    for s_index, (cell, match) in enumerate(zip(student_nb.cells, matches)):
        if s_index in own_answer_cells:
            continue
        if match is None:
            own = _fresh_cell(cell.cell_type, cell.source)
            (plan.after.setdefault(anchor, []) if anchor is not None else plan.before_all).append(own)
        elif match >= 0:
            if not release_cells[match].get("metadata", {}).get("nbgrader") and cell.source != release_cells[match].source:
                plan.sources[match] = cell.source
            anchor = match
    restored = [_label(release_cells[i], i) for i in range(len(release_cells))
                if i not in seen_release and not _grade_id(release_cells[i])]
    if restored:
        notes.append(f"{len(restored)} cell(s) of the lab that were missing ({', '.join(restored[:6])}"
                     f"{', ...' if len(restored) > 6 else ''}) were put back from the lab.")
    for r_index, cell in enumerate(release_cells):
        if _release_owned(cell) and r_index not in seen_release:
            kind = "Test cell" if is_test_cell(cell) else "Locked cell"
            notes.append(f"{kind} {_grade_id(cell)} was missing; it was put back from the lab" +
                         (" and run." if is_test_cell(cell) else "."))
    return _assemble(release_nb, plan), notes


def _rescue_answer(student_nb, matches, release_cells, r_index: int) -> int | None:
    """A student cell without grading marks that defines every name the answer cell defines (the last one)."""
    wanted = _defined_names(release_cells[r_index].source)
    if not wanted:
        return None
    candidates = [i for i, (cell, match) in enumerate(zip(student_nb.cells, matches))
                  if match is None and cell.cell_type == "code" and wanted <= _defined_names(cell.source)]
    return candidates[-1] if candidates else None


def _copy_above_check(found: list[int], matches: list, release_cells, r_index: int) -> int:
    """Of several copies of an answer, the last one above the check that follows it in the release."""
    check = next((i for i in range(r_index + 1, len(release_cells)) if is_test_cell(release_cells[i])), None)
    check_position = next((s for s, m in enumerate(matches) if m == check), None) if check is not None else None
    if check_position is None:
        return found[0]
    above = [i for i in found if i < check_position]
    return above[-1] if above else found[0]


def _assemble(release_nb: nbformat.NotebookNode, plan: _Plan) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(metadata=copy.deepcopy(dict(release_nb.metadata)))
    used_ids = {c.get("id") for c in release_nb.cells}
    counter = 0

    def own(cell):
        nonlocal counter
        counter += 1
        while f"student-{counter}" in used_ids:
            counter += 1
        cell["id"] = f"student-{counter}"
        return cell

    nb.cells.extend(own(c) for c in plan.before_all)
    for r_index, original in enumerate(release_nb.cells):
        cell = copy.deepcopy(original)
        cell.metadata = {k: v for k, v in cell.get("metadata", {}).items() if k in KEPT_CELL_METADATA}
        if r_index in plan.sources:
            cell.source = plan.sources[r_index]
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        nb.cells.append(cell)
        nb.cells.extend(own(c) for c in plan.after.get(r_index, []))
    nbformat.validate(nb)
    return nb
