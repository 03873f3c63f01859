"""Every formula of the student labs parses as maths (the site's parser), so no page shows raw TeX.

A quick guard for what the browser tier sees: a `$$...$$` inside a paragraph, or a line of a
formula that starts with "- " (a list item to Markdown), leaves dollar signs in the text.
"""
import nbformat
import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

from tools import course

PARSER = MarkdownIt("commonmark").use(dollarmath_plugin)


def stray_dollars(markdown: str) -> list[str]:
    """Text outside any formula that still holds a dollar sign."""
    return [child.content for token in PARSER.parse(markdown) for child in token.children or []
            if child.type == "text" and "$" in child.content]


def test_the_guard_sees_a_broken_formula():
    assert stray_dollars("a sum $a + b$ and a display\n$$x = 1$$\nin a paragraph") != []
    assert stray_dollars("* the gradient of $\\mathrm{KL}(p \\| q)\n  - 2\\,\\mathrm{JS}$, mode-seeking") != []
    assert stray_dollars("fine: $a$, $b'^2$ and\n\n$$\nx = 1\n$$\n") == []


@pytest.mark.parametrize("lab", course.lab_names())
def test_every_formula_of_the_lab_parses_as_maths(lab):
    notebook = nbformat.read(course.student_notebook(lab), as_version=4)
    problems = {cell.id: stray for cell in notebook.cells if cell.cell_type == "markdown"
                for stray in [stray_dollars(cell.source)] if stray}
    assert not problems, f"{lab}: text with dollar signs the site would show raw: {problems}"
