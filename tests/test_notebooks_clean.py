"""Committed notebooks carry no outputs, no execution counts, stable unique ids and minimal metadata."""
import nbformat
import pytest

from tools import notebooks

COMMITTED = notebooks.committed_notebooks()


def test_there_are_notebooks_to_check():
    assert any("solutions" in p.parts for p in COMMITTED) and any("labs" in p.parts for p in COMMITTED)


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: "/".join(p.parts[-3:]))
def test_committed_notebook_is_clean(path):
    nb = nbformat.read(path, as_version=4)
    assert notebooks.problems(nb) == [], "run `make clean-notebooks`"


def test_problems_finds_outputs_counts_ids_and_metadata():
    cell = nbformat.v4.new_code_cell("1 + 1", id="same")
    cell.outputs = [nbformat.v4.new_output("stream", text="2")]
    cell.execution_count = 3
    cell.metadata["collapsed"] = True
    nb = nbformat.v4.new_notebook()
    nb.cells = [cell, nbformat.v4.new_markdown_cell("x", id="same")]
    nb.metadata["widgets"] = {}
    found = "\n".join(notebooks.problems(nb))
    for expected in ("stored outputs", "execution count 3", "extra metadata ['collapsed']",
                     "duplicate cell id", "notebook metadata has extra keys ['widgets']"):
        assert expected in found
    assert notebooks.problems(notebooks.clean(nb)) == ["cell 1 (same): duplicate cell id"]
