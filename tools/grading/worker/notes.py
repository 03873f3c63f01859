"""The grader's marks in a graded notebook, and the one-sentence notes it writes for students and instructors.

The grading preprocessors mark what they did in the executed notebook (an error output with one
of the names below, or the kernel guard's own error); `notes_from` turns those marks into
sentences, and `feedback_with_notes` puts the notes at the top of a feedback page.
"""
from __future__ import annotations

import html

import nbformat

from tools import cells
from tools.grading.in_sandbox.grading_kernel import TAMPER_ERROR
from tools.grading.records import sentence

GUARD_MARK = "  # added by the grader"       # ends every line the grader adds to a test cell
INTEGRITY_ERROR = "GradingIntegrityError"    # a check that ran without the guard's signed token
STOPPED_ERROR = "KernelStopped"              # the kernel stopped (limit, crash) before or in this cell
NOT_RUN_NOTE = ("*The grader stopped after the last graded cell: the cells below were not run and are "
                "not graded.*")


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


def feedback_with_notes(page: str, notes: list[str]) -> str:
    """A feedback page (HTML) with the grader's notes at the top of its body."""
    if not notes:
        return page
    items = "".join(f"<li>{html.escape(note)}</li>" for note in notes)
    block = (f'<div class="grader-notes" style="border:1px solid #d0a000;background:#fff8e0;padding:0.5em 1em;'
             f'margin:1em 0"><strong>Notes from the grader</strong><ul>{items}</ul></div>')
    marker = page.find("<body")
    if marker < 0:
        return block + page
    end = page.find(">", marker) + 1
    return page[:end] + block + page[end:]
