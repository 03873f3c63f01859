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

Each repair is reported as one sentence naming the cell. The work is a list of named steps
(`STEPS`) over one `Normalisation` record, run in order by `normalise`.
"""
from __future__ import annotations

import ast
import copy
from dataclasses import dataclass, field

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_raw_cell

from tools import cells
from tools.cells import grade_id, is_answer, is_release_owned, is_test_cell, label

KEPT_CELL_METADATA = ("nbgrader", "editable", "deletable")
DROPPED = -1        # a student cell that is a copy of another and is left out


@dataclass
class Normalisation:
    """The state the steps share: how student cells map to release cells, and what to build."""

    student: nbformat.NotebookNode
    release: nbformat.NotebookNode
    notes: list[str] = field(default_factory=list)
    matches: list[int | None] = field(default_factory=list)      # per student cell: release index, DROPPED, or None (own)
    answers: dict[int, list[int]] = field(default_factory=dict)  # release answer index -> student cells carrying it
    seen_release: set[int] = field(default_factory=set)
    sources: dict[int, str] = field(default_factory=dict)        # release index -> the student's source to use
    after: dict[int, list] = field(default_factory=dict)         # release index -> the student's own cells after it
    before_all: list = field(default_factory=list)
    own_answer_cells: set[int] = field(default_factory=set)      # student cells used as a rescued answer


def note_old_format(state: Normalisation) -> None:
    """Say so when the notebook was saved without cell ids (nbformat converts it)."""
    if state.student.get("nbformat_minor", 5) < 5 or any("id" not in c for c in state.student.cells):
        state.notes.append("The notebook was saved in an older format without cell ids; it was converted.")


def match_cells(state: Normalisation) -> None:
    """Match each student cell to a release cell: by grade id, else by cell id, else by its text; or to none."""
    release_cells = state.release.cells
    by_grade_id = {grade_id(c): i for i, c in enumerate(release_cells) if grade_id(c)}
    ordinary_by_id = {c.get("id"): i for i, c in enumerate(release_cells) if not grade_id(c) and c.get("id")}
    ordinary_by_source: dict[str, int] = {}
    for i, c in enumerate(release_cells):
        if not grade_id(c):
            ordinary_by_source.setdefault(c.source, i)
    for s_index, cell in enumerate(state.student.cells):
        cell_grade_id = grade_id(cell)
        match = None
        if cell_grade_id is not None and cell_grade_id in by_grade_id:
            r_index = by_grade_id[cell_grade_id]
            if is_answer(release_cells[r_index]):
                state.answers.setdefault(r_index, []).append(s_index)
                match = r_index
            elif r_index in state.seen_release:
                kind = "test" if is_test_cell(release_cells[r_index]) else "locked"
                state.notes.append(f"Cell {cell_grade_id} appeared more than once (a copy of a {kind} cell); "
                                   f"the copy was removed and the original was used.")
                match = DROPPED
            else:
                match = r_index
                original = release_cells[r_index]
                if cell.source != original.source and is_test_cell(original):
                    state.notes.append(f"Test cell {cell_grade_id} was edited; the original test was run instead.")
        elif cell_grade_id is not None:
            state.notes.append(f"Cell {label(cell, s_index)} carried grading marks that do not belong to this lab; "
                               f"it was graded as your own cell.")
        else:
            r_index = ordinary_by_id.get(cell.get("id"))
            if (r_index is None or r_index in state.seen_release
                    or release_cells[r_index].cell_type != cell.cell_type):
                r_index = ordinary_by_source.get(cell.source)
                if r_index is not None and (r_index in state.seen_release
                                            or release_cells[r_index].cell_type != cell.cell_type):
                    r_index = None
            match = r_index
        if match is not None and match >= 0:
            state.seen_release.add(match)
        state.matches.append(match)


def choose_answers(state: Normalisation) -> None:
    """Choose each answer's source: the student's (joined when split, the copy above the check when doubled)."""
    release_cells, student_cells = state.release.cells, state.student.cells
    for r_index, release_cell in enumerate(release_cells):
        if not is_answer(release_cell):
            continue
        answer_id = grade_id(release_cell)
        found = state.answers.get(r_index, [])
        if not found:
            rescued = _rescue_answer(state, r_index)
            if rescued is not None:
                state.sources[r_index] = student_cells[rescued].source
                state.own_answer_cells.add(rescued)
                state.notes.append(f"Answer cell {answer_id} had lost its grading marks; the cell that defines "
                                   f"{', '.join(sorted(_defined_names(release_cell.source)))} was graded as your answer.")
            else:
                state.notes.append(f"Answer cell {answer_id} was deleted, so its exercise was graded as the empty stub "
                                   f"(0 points); put your code back into a cell with id {answer_id} and resubmit.")
            continue
        sources = [student_cells[i].source for i in found]
        if len(found) == 1 or len(set(sources)) == 1:
            chosen = [found[-1]]
            if len(found) > 1:
                state.notes.append(f"Answer cell {answer_id} appeared {len(found)} times with the same code; "
                                   f"it was graded once.")
        elif found == list(range(found[0], found[0] + len(found))):
            chosen = found
            state.notes.append(f"Answer cell {answer_id} was split into {len(found)} cells; "
                               f"they were graded together as one.")
        else:
            chosen = [_copy_above_check(state, found, r_index)]
            state.notes.append(f"Answer cell {answer_id} appeared {len(found)} times with different code; the copy "
                               f"above its check was graded and the others were run as your own cells where they stand.")
        state.sources[r_index] = "\n\n".join(student_cells[i].source.rstrip() for i in chosen)
        if student_cells[chosen[0]].cell_type != release_cell.cell_type:
            state.notes.append(f"Answer cell {answer_id} had been turned into a {student_cells[chosen[0]].cell_type} "
                               f"cell; it was graded as a {release_cell.cell_type} cell.")
        identical = len(set(sources)) == 1
        for i in found:
            if i not in chosen:
                state.matches[i] = DROPPED if identical else None   # different copies stay as the student's own cells
        for i in chosen[1:]:
            state.matches[i] = DROPPED


def place_student_cells(state: Normalisation) -> None:
    """Keep the student's version of unlocked ordinary cells, and place the student's own cells where they stood."""
    release_cells = state.release.cells
    anchor: int | None = None
    for s_index, (cell, match) in enumerate(zip(state.student.cells, state.matches)):
        if s_index in state.own_answer_cells:
            continue
        if match is None:
            own = _fresh_cell(cell.cell_type, cell.source)
            (state.after.setdefault(anchor, []) if anchor is not None else state.before_all).append(own)
        elif match >= 0:
            if not cells.nbgrader_metadata(release_cells[match]) and cell.source != release_cells[match].source:
                state.sources[match] = cell.source
            anchor = match


def note_restored_cells(state: Normalisation) -> None:
    """Name the cells of the lab that were missing and are put back from the release."""
    release_cells = state.release.cells
    restored = [label(release_cells[i], i) for i in range(len(release_cells))
                if i not in state.seen_release and not grade_id(release_cells[i])]
    if restored:
        state.notes.append(f"{len(restored)} cell(s) of the lab that were missing ({', '.join(restored[:6])}"
                           f"{', ...' if len(restored) > 6 else ''}) were put back from the lab.")
    for r_index, cell in enumerate(release_cells):
        if is_release_owned(cell) and r_index not in state.seen_release:
            kind = "Test cell" if is_test_cell(cell) else "Locked cell"
            state.notes.append(f"{kind} {grade_id(cell)} was missing; it was put back from the lab" +
                               (" and run." if is_test_cell(cell) else "."))


STEPS = (note_old_format, match_cells, choose_answers, place_student_cells, note_restored_cells)


def normalise(student_nb: nbformat.NotebookNode,
              release_nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, list[str]]:
    """The notebook to grade, built from the release and the student's work; and the repairs, one sentence each."""
    state = Normalisation(student_nb, release_nb)
    for step in STEPS:
        step(state)
    return _assemble(state), state.notes


def _defined_names(source: str) -> set[str]:
    """Top-level classes and functions a cell defines (empty if it does not parse)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {node.name for node in tree.body if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))}


def _fresh_cell(cell_type: str, source: str):
    maker = {"code": new_code_cell, "markdown": new_markdown_cell}.get(cell_type, new_raw_cell)
    return maker(source)


def _rescue_answer(state: Normalisation, r_index: int) -> int | None:
    """A student cell without grading marks that defines every name the answer cell defines (the last one)."""
    wanted = _defined_names(state.release.cells[r_index].source)
    if not wanted:
        return None
    candidates = [i for i, (cell, match) in enumerate(zip(state.student.cells, state.matches))
                  if match is None and cell.cell_type == "code" and wanted <= _defined_names(cell.source)]
    return candidates[-1] if candidates else None


def _copy_above_check(state: Normalisation, found: list[int], r_index: int) -> int:
    """Of several copies of an answer, the last one above the check that follows it in the release."""
    release_cells = state.release.cells
    check = next((i for i in range(r_index + 1, len(release_cells)) if is_test_cell(release_cells[i])), None)
    check_position = next((s for s, m in enumerate(state.matches) if m == check), None) if check is not None else None
    if check_position is None:
        return found[0]
    above = [i for i in found if i < check_position]
    return above[-1] if above else found[0]


def _assemble(state: Normalisation) -> nbformat.NotebookNode:
    release_nb = state.release
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

    nb.cells.extend(own(c) for c in state.before_all)
    for r_index, original in enumerate(release_nb.cells):
        cell = copy.deepcopy(original)
        cell.metadata = {k: v for k, v in cell.get("metadata", {}).items() if k in KEPT_CELL_METADATA}
        if r_index in state.sources:
            cell.source = state.sources[r_index]
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        nb.cells.append(cell)
        nb.cells.extend(own(c) for c in state.after.get(r_index, []))
    nbformat.validate(nb)
    return nb
