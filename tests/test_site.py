"""The course's pages: built from the students' repository alone, every lab and the results, nothing of the solutions."""
import html
import json
import re
from pathlib import Path

import nbformat
import pytest

from tests.helpers.notebooks import split_lines
from tools import course
from tools.site import build_site
from tools.student_repo import Release

RELEASE = Release("https://github.com/a-course/generative-models-labs", "2027.1")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_site(tmp_path_factory.mktemp("site") / "site", RELEASE)


def page_text(path: Path) -> str:
    """What a reader of the page can read: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text()))


def test_a_page_per_lab_and_the_readme_running_and_results_pages(site):
    for lab in course.lab_names():
        page = site / "labs" / lab / f"{lab}.html"
        assert page.exists(), f"no page for {lab}"
        first = nbformat.read(course.student_notebook(lab), as_version=4).cells[0].source.splitlines()[0]
        assert first.lstrip("# ").strip() in page_text(page)
    index = page_text(site / "index.html")
    assert "How a lab works" in index and "Open in Colab" in index
    for name in ("running.html", "results.html"):
        assert (site / name).exists()


def test_no_line_of_a_solution_hidden_test_or_instructor_note_appears_in_any_page(site):
    hidden, given = set(), set()             # a line some lab gives students is no secret in another lab's page
    for lab in course.lab_names():
        lab_hidden, lab_given = split_lines(nbformat.read(course.solution_notebook(lab), as_version=4))
        hidden, given = hidden | lab_hidden, given | lab_given
    secret = {line for line in hidden - given if len(line) >= 12}
    assert secret
    pages = [path for path in site.rglob("*") if path.suffix in {".html", ".js", ".txt", ".json", ".ipynb"}
             and "mathjax" not in path.parts]
    assert len(pages) > 10
    for path in pages:
        text = page_text(path) if path.suffix == ".html" else path.read_text()
        leaked = sorted(secret & {line.strip() for line in text.splitlines()})
        assert not leaked, f"{path.relative_to(site)} holds solution or hidden-test lines: {leaked[:3]}"
        for marker in ("BEGIN SOLUTION", "HIDDEN TESTS", "Rubric (instructors only", "Model answer"):
            assert marker not in text, f"{path.relative_to(site)} holds {marker!r}"


def test_colab_links_open_each_lab_from_the_students_repository(site):
    for lab in course.lab_names():
        expected = f"https://colab.research.google.com/github/a-course/generative-models-labs/blob/2027.1/labs/{lab}/{lab}.ipynb"
        for page in (site / "labs" / lab / f"{lab}.html", site / "running.html", site / "index.html"):
            assert f'href="{expected}"' in page.read_text(), f"{page.name} lacks the Colab link of {lab}"


def test_pages_load_nothing_from_elsewhere(site):
    """Scripts, styles and images come with the site (MathJax included); only links lead out."""
    assert (site / "_static" / "mathjax" / "tex-svg.js").stat().st_size > 1_000_000
    for page in site.rglob("*.html"):
        text = page.read_text()
        for attribute in re.findall(r'<(?:script|img|link)\b[^>]*?\b(?:src|href)="([^"]+)"', text):
            assert not re.match(r"(https?:)?//", attribute), f"{page.relative_to(site)} loads {attribute}"
        assert 'src="../../_static/mathjax/tex-svg.js' in text or page.parent == site, page


def test_results_show_every_models_samples_and_the_recorded_figures(site):
    import course_utils as cu
    from PIL import Image

    results = (site / "results.html").read_text()
    samples = cu.load_course_samples()
    pictures = re.findall(r'<img[^>]*src="([^"]+\.png)"', results)
    assert len(pictures) == len(samples)
    for picture in pictures:
        with Image.open(site / picture) as image:
            assert image.size[0] > 400 and image.getextrema()[1] > 200, "an empty picture"
    for name in samples:
        assert f">{html.escape(name)}<" in results
    figures = json.loads((course.REPO_ROOT / "course_utils" / "pretrained" / "figures.json").read_text())
    assert f"{figures['gan']['DCGAN FD']:.3g}" in page_text(site / "results.html")


def test_a_bad_release_is_refused_before_anything_is_built(tmp_path):
    with pytest.raises(course.CourseError, match="not a GitHub repository"):
        build_site(tmp_path / "site", Release("https://example.org/labs", "v1"))
    assert not (tmp_path / "site").exists()
