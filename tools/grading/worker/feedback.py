"""The feedback page a student gets: each check's visible part and its message, never a hidden test.

nbgrader's feedback shows every graded cell whole, hidden tests included, and an error's traceback
quotes the lines around the failure (jupyter/nbgrader#917, #1363): after one term the hidden tests,
which often state the answer, would be public. The batch grader's pages and `nbgrader
generate_feedback` with this course's nbgrader_config.py are therefore made by one pipeline,
`configure_feedback`:

    GetGrades                  nbgrader's own: the scores on the page
    HideHiddenTests            in every autograded test cell, the lines between `### BEGIN HIDDEN TESTS`
                               and `### END HIDDEN TESTS` are removed, and each error keeps its message
                               only (the check's own words: what it compared, what came back, the hint)
    CSSHTMLHeaderPreprocessor  nbconvert's own: the page's styles
    FeedbackExporter           nbgrader's HTML exporter without nbconvert's accessibility pass, which
                               re-parses the whole page with BeautifulSoup (half the time of a page) to
                               mark up the classes of another template; images still get their alternative text.
"""
from __future__ import annotations

import re

from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import ClearHiddenTests, GetGrades
from traitlets.config import Config

from tools import cells
from tools.grading import compat

MISSING_ALT = re.compile(r"<img(?![^>]*\salt=)")
ALT_TEXT = '<img alt="A figure the notebook drew"'


class HideHiddenTests(ClearHiddenTests):
    """Keep only the visible part of each autograded test cell, and only the message of each error it raised."""

    def preprocess_cell(self, cell, resources, index):
        if not cells.is_test_cell(cell):
            return cell, resources
        cell, resources = super().preprocess_cell(cell, resources, index)
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources


class FeedbackExporter(HTMLExporter):
    """nbgrader's feedback page, made without re-parsing it (alternative text is added to images directly)."""

    def from_notebook_node(self, nb, resources=None, **kw):
        page, resources = compat.html_without_accessibility_pass(self, nb, resources, **kw)
        return MISSING_ALT.sub(ALT_TEXT, page), resources


def configure_feedback(config: Config) -> None:
    """Make nbgrader's feedback pages with this pipeline (the course's nbgrader_config.py and the grading worker)."""
    config.GenerateFeedback.preprocessors = [GetGrades, HideHiddenTests, CSSHTMLHeaderPreprocessor]
    config.GenerateFeedback.exporter_class = FeedbackExporter
