"""Honest structural slips a student makes in JupyterLab, as functions from a notebook to a notebook.

Each one is applied to a complete submission: graded as it should be, it still earns full marks
(or, where the work is really gone, loses exactly that exercise).
"""
from __future__ import annotations

import copy
import uuid

import nbformat


def _index(nb, cell_id: str) -> int:
    return next(i for i, cell in enumerate(nb.cells) if cell.get("id") == cell_id)


def _fresh_copy(cell):
    """What JupyterLab's copy and paste gives: the same cell with a new id (metadata kept)."""
    duplicate = copy.deepcopy(cell)
    duplicate["id"] = uuid.uuid4().hex[:8]
    return duplicate


def _copied_below(nb, cell_id: str):
    """Copy and paste of cell `cell_id`, the copy right below it."""
    nb = copy.deepcopy(nb)
    i = _index(nb, cell_id)
    nb.cells.insert(i + 1, _fresh_copy(nb.cells[i]))
    return nb


def copy_test_cell(nb, cell_id: str = "encoder-check"):
    return _copied_below(nb, cell_id)


def copy_answer_cell(nb, cell_id: str = "decoder"):
    return _copied_below(nb, cell_id)


def copy_answer_and_break_the_copy(nb, cell_id: str = "decoder", check_id: str = "decoder-check"):
    """A copy pasted after the check, then edited into something broken (the original above the check counts)."""
    nb = copy.deepcopy(nb)
    duplicate = _fresh_copy(nb.cells[_index(nb, cell_id)])
    duplicate.source = "raise RuntimeError('half-finished experiment')\n" + duplicate.source
    nb.cells.insert(_index(nb, check_id) + 1, duplicate)
    return nb


def cut_and_paste_answer(nb, cell_id: str = "loss"):
    """The answer cell moved to the end of the notebook."""
    nb = copy.deepcopy(nb)
    nb.cells.append(nb.cells.pop(_index(nb, cell_id)))
    return nb


def split_answer(nb, cell_id: str = "loss"):
    """JupyterLab's split cell: both halves keep the metadata; the first keeps the id."""
    nb = copy.deepcopy(nb)
    i = _index(nb, cell_id)
    lines = nb.cells[i].source.splitlines()
    cut = next(k for k, line in enumerate(lines) if line.startswith("def gaussian_kl"))
    second = _fresh_copy(nb.cells[i])
    nb.cells[i].source, second.source = "\n".join(lines[:cut]), "\n".join(lines[cut:])
    nb.cells.insert(i + 1, second)
    return nb


def duplicate_ids(nb):
    nb = copy.deepcopy(nb)
    for cell in nb.cells[1:6]:
        cell["id"] = nb.cells[0]["id"]
    return nb


def helper_between_answer_and_check(nb, cell_id: str = "encoder"):
    """The student's own helper cell, used by the answer, placed between the answer and its check."""
    nb = copy.deepcopy(nb)
    i = _index(nb, cell_id)
    nb.cells[i].source = nb.cells[i].source.replace("x.flatten(start_dim=1)", "flat(x)")
    nb.cells.insert(i + 1, nbformat.v4.new_code_cell("def flat(x):\n    return x.reshape(len(x), -1)\n",
                                                     id="my-helper"))
    return nb


def old_format_without_ids(nb):
    """nbformat 4.4: no cell ids (an older Jupyter, or another editor)."""
    nb = copy.deepcopy(nb)
    nb.nbformat_minor = 4
    for cell in nb.cells:
        cell.pop("id", None)
    return nb


def other_kernelspec(nb):
    nb = copy.deepcopy(nb)
    nb.metadata["kernelspec"] = {"name": "conda-env-dl-py", "display_name": "Python [conda env:dl]", "language": "python"}
    return nb


def saved_outputs(nb):
    nb = copy.deepcopy(nb)
    for count, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            cell.execution_count = count
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="an old run\n"),
                            nbformat.v4.new_output("error", ename="NameError", evalue="old", traceback=["old"])]
    return nb


def deleted_markdown_and_try_cells(nb):
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if not (c.get("id", "").endswith("-md") or c.get("id", "").endswith("-try"))]
    return nb


def extra_metadata(nb):
    nb = copy.deepcopy(nb)
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    nb.metadata["toc"] = {"number_sections": True}
    for cell in nb.cells:
        cell.metadata["tags"] = ["mine"]
        cell.metadata["jupyter"] = {"source_hidden": False}
        cell.metadata["collapsed"] = False
    return nb


def deleted_test_cell(nb, cell_id: str = "loss-check"):
    nb = copy.deepcopy(nb)
    del nb.cells[_index(nb, cell_id)]
    return nb


def answer_lost_its_marks(nb, cell_id: str = "vae"):
    """The answer retyped into a fresh cell and the original deleted: its code is there, its metadata is not."""
    nb = copy.deepcopy(nb)
    i = _index(nb, cell_id)
    nb.cells[i] = nbformat.v4.new_code_cell(nb.cells[i].source, id="retyped")
    return nb


def deleted_answer_cell(nb, cell_id: str = "decoder"):
    nb = copy.deepcopy(nb)
    del nb.cells[_index(nb, cell_id)]
    return nb


# name -> (slip, graded cells that lose their points, a phrase the notes must contain or None)
SLIPS = {
    "copied-test-cell": (copy_test_cell, set(), "Cell encoder-check appeared more than once"),
    "copied-answer-cell": (copy_answer_cell, set(), "Answer cell decoder appeared 2 times with the same code"),
    "copied-answer-broken-copy": (copy_answer_and_break_the_copy, set(), "the copy above its check was graded"),
    "cut-and-pasted-answer": (cut_and_paste_answer, set(), None),
    "split-answer": (split_answer, set(), "Answer cell loss was split into 2 cells"),
    "duplicated-ids": (duplicate_ids, set(), None),
    "helper-cell": (helper_between_answer_and_check, set(), None),
    "nbformat-4.4": (old_format_without_ids, set(), "older format without cell ids"),
    "other-kernelspec": (other_kernelspec, set(), None),
    "saved-outputs": (saved_outputs, set(), None),
    "deleted-markdown-and-try": (deleted_markdown_and_try_cells, set(), "were put back from the lab"),
    "extra-metadata": (extra_metadata, set(), None),
    "deleted-test-cell": (deleted_test_cell, set(), "Test cell loss-check was missing; it was put back"),
    "answer-lost-its-marks": (answer_lost_its_marks, set(), "Answer cell vae had lost its grading marks"),
    "deleted-answer-cell": (deleted_answer_cell, {"decoder-check"}, "Answer cell decoder was deleted"),
}
