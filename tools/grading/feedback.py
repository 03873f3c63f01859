"""The feedback page a student gets: each check's visible part and its message, never a hidden test.

nbgrader's feedback shows every graded cell whole, hidden tests included, and an error's traceback
quotes the lines around the failure (jupyter/nbgrader#917, #1363): after one term the hidden tests,
which often state the answer, would be public. Both the batch grader's pages and `nbgrader
generate_feedback` with this course's configuration therefore run

    HideHiddenTests   in every autograded test cell, the lines between `### BEGIN HIDDEN TESTS` and
                      `### END HIDDEN TESTS` are removed, and each error keeps its message only
                      (the check's own words: what it compared, what came back, the hint);
    FeedbackExporter  nbgrader's HTML exporter without nbconvert's accessibility pass, which re-parses
                      the whole page with BeautifulSoup (half the time of a page) to mark up the
                      classes of another template; images still get their alternative text.
"""
from __future__ import annotations

import re

from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbgrader.preprocessors import ClearHiddenTests

from tools import cells

MISSING_ALT = re.compile(r"<img(?![^>]*\salt=)")
ALT_TEXT = '<img alt="A figure the notebook drew"'


class HideHiddenTests(ClearHiddenTests):
    """Keep only the visible part of each autograded test cell, and only the message of each error it raised."""

    def preprocess_cell(self, cell, resources, index):
        if not cells.is_test_cell(cell):
            return cell, resources
        self._remove_hidden_test_region(cell)
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources


class FeedbackExporter(HTMLExporter):
    """nbgrader's feedback page, made without re-parsing it (alternative text is added to images directly)."""

    def from_notebook_node(self, nb, resources=None, **kw):
        language = nb.metadata.get("language_info", {})
        lexer = language.get("pygments_lexer", language.get("name", None))
        self.register_filter("highlight_code", self.filters.get("highlight_code",
                                                                Highlight2HTML(pygments_lexer=lexer, parent=self)))
        resources = self._init_resources(resources)
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata,
                                                                       parent=self, resources=resources))
        page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        return MISSING_ALT.sub(ALT_TEXT, page), resources
