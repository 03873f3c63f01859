"""The library internals the grader relies on (tools/grading/compat.py): each still does what the library does itself.

One test per function, each against the library's own public result, so that a new version of
nbgrader, alembic, nbconvert or copydetect that changes an internal fails here first.
"""
import io
import sqlite3

import numpy as np
import pytest
from bs4 import BeautifulSoup
from copydetect import CodeFingerprint, compare_files
from nbconvert.exporters import HTMLExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tools import course
from tools.grading import compat

ANSWER = '''def reparametrize(mu, logvar, eps=None):
    """z = mu + sigma * eps."""
    if eps is None:
        eps = torch.randn_like(mu)
    return mu + torch.exp(0.5 * logvar) * eps
'''


def tables_and_stamp(path):
    with sqlite3.connect(path) as database:
        tables = sorted(row[0] for row in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))
        stamp = database.execute("SELECT version_num FROM alembic_version").fetchall()
    database.close()
    return tables, stamp


@pytest.mark.slow                   # nbgrader starts a new gradebook by running the `alembic` program
def test_a_gradebook_started_here_is_the_one_nbgrader_starts_itself(tmp_path, monkeypatch):
    from nbgrader.api import Gradebook

    monkeypatch.setenv("PATH", course.child_env()["PATH"])      # nbgrader runs the `alembic` program
    with Gradebook(f"sqlite:///{tmp_path / 'by-nbgrader.db'}"):
        pass
    compat.create_gradebook(tmp_path / "here.db")
    with Gradebook(f"sqlite:///{tmp_path / 'here.db'}") as gradebook:
        gradebook.add_student("ada")                              # nbgrader uses it as its own
    assert tables_and_stamp(tmp_path / "here.db") == tables_and_stamp(tmp_path / "by-nbgrader.db")
    assert tables_and_stamp(tmp_path / "here.db")[1] == [(compat.nbgrader_schema_head(),)]


def test_the_feedback_page_is_nbconverts_without_its_accessibility_pass():
    nb = new_notebook(cells=[new_markdown_cell("# A lab\nSome *text*."),
                             new_code_cell("x = 1\nprint(x)", outputs=[new_output("stream", name="stdout", text="1\n")]),
                             new_code_cell("plot()", outputs=[new_output("display_data", data={
                                 "image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})])])
    nb.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    theirs, _ = HTMLExporter().from_notebook_node(nb)
    ours, _ = compat.html_without_accessibility_pass(HTMLExporter(), nb)
    assert "<img" in ours and '<span class="n">x</span>' in ours
    soup = BeautifulSoup(ours, features="html.parser")        # nbconvert's pass, done here
    for image in soup.select("img:not([alt])"):
        image.attrs["alt"] = "No description has been provided for this image"
    for element in soup.select(".jp-Notebook div.jp-Cell-inputWrapper, .jp-Notebook div.jp-OutputArea-output"):
        element.attrs["tabindex"] = "0"
    assert str(soup) == theirs


def fingerprint(code: str) -> CodeFingerprint:
    return CodeFingerprint("answers.py", 25, 6, language="python", fp=io.StringIO(code))


def test_winnowed_fingerprints_are_copydetects_own():
    whole = fingerprint(ANSWER)
    assert whole.hashes and set(compat.winnowed_fingerprints(whole.filtered_code, 25, 6)) == set(whole.hashes)


def test_a_shared_passage_is_marked_in_escaped_code():
    first, second = fingerprint(ANSWER + "\nx = a < b\n"), fingerprint("import torch\n\n" + ANSWER)
    _, _, slices = compare_files(first, second)
    assert isinstance(slices[0], np.ndarray) and slices[0].shape[1] > 0
    page = compat.highlighted_overlap(first.raw_code, slices[0])
    marked = page[page.index("<mark>") + len("<mark>"):page.index("</mark>")]
    assert "eps = torch.randn_like(mu)" in marked and "a &lt; b" in page and "a < b" not in page
