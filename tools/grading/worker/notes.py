"""The grader's marks in a graded notebook, and the one-sentence notes it writes for students and instructors.

The grading preprocessors mark what they did in the executed notebook (an error output with one
of the names below, or the kernel guard's own error); `notes_from` turns those marks into
sentences, and `feedback_with_notes` puts the notes, and when the work was handed in, at the top
of a feedback page.
"""
from __future__ import annotations

import html

import nbformat

from tools import cells
from tools.grading.in_sandbox.grading_kernel import TAMPER_ERROR
from tools.grading.records import GRADING_MARKS, sentence

GUARD_MARK = "  # added by the grader"       # ends every line the grader adds to a test cell
INTEGRITY_ERROR = "GradingIntegrityError"    # a check that ran without the guard's signed token
STOPPED_ERROR = "KernelStopped"              # the kernel stopped (limit, crash) before or in this cell
NOT_RUN_NOTE = ("*The grader stopped after the last graded cell: the cells below were not run and are "
                "not graded.*")


def grading_marks(cell) -> dict:
    """The grader's marks in a cell's metadata (records.GRADING_MARKS), made on first use."""
    return cell.setdefault("metadata", {}).setdefault(GRADING_MARKS, {})


def notes_from(autograded: nbformat.NotebookNode) -> list[str]:
    """One sentence per cell that the grader stopped, interrupted, or found tampered with."""
    notes, stopped = [], False
    for index, cell in enumerate(autograded.cells):
        where = cells.label(cell, index)
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            name, value = output.get("ename"), str(output.get("evalue", ""))
            if name in (TAMPER_ERROR, INTEGRITY_ERROR):
                notes.append(sentence(value))
            elif name == STOPPED_ERROR and not stopped:
                stopped = True
                notes.append(f"In cell {where}, {value.rstrip('.')}; the cells after it were not run.")
            elif name == "CellTimeoutError":
                notes.append(f"Cell {where} ran longer than the time allowed per cell and was interrupted.")
    return notes


def feedback_with_notes(page: str, notes: list[str], handed_in: str = "") -> str:
    """A feedback page (HTML) with when it was handed in (and what lateness cost) and the grader's notes on top."""
    blocks = ""
    if handed_in:
        blocks += (f'<div class="grader-lateness" style="border:1px solid #8aa8c8;background:#eef4fb;padding:0.5em 1em;'
                   f'margin:1em 0"><strong>Handed in</strong><p>{html.escape(handed_in)}</p></div>')
    if notes:
        items = "".join(f"<li>{html.escape(note)}</li>" for note in notes)
        blocks += (f'<div class="grader-notes" style="border:1px solid #d0a000;background:#fff8e0;padding:0.5em 1em;'
                   f'margin:1em 0"><strong>Notes from the grader</strong><ul>{items}</ul></div>')
    if not blocks:
        return page
    marker = page.find("<body")
    if marker < 0:
        return blocks + page
    end = page.find(">", marker) + 1
    return page[:end] + blocks + page[end:]
