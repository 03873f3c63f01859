"""Every private internal of a library the grader relies on, each behind a function named for what it does.

Elsewhere the grader uses only public APIs: nbgrader's preprocessors and traits, nbclient's hooks
(`on_notebook_start`, `preprocess_cell`), jupyter_client's kernel provisioners. What no public API
offers is here, with the internal it touches named in its docstring; tests/test_grading_compat.py
has one test per function that fails when the library changes that internal. The versions these
were written against are pinned in requirements.txt (tests/test_environment.py checks the pins).

The code inside the sandbox imports nothing of the course's tools (the sandbox holds only its own
folder); its few torch internals sit the same way in in_sandbox/grading_kernel/compat.py.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path


# -- nbgrader's gradebook (nbgrader, alembic) ------------------------------------------------------


def nbgrader_schema_head() -> str:
    """The newest revision of nbgrader's gradebook schema, read from the migrations nbgrader ships.

    Internal: the `alembic/` folder inside the nbgrader package (read with alembic's ScriptDirectory).
    """
    import nbgrader
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(Path(nbgrader.__file__).parent / "alembic")).get_current_head()


def create_gradebook(path: Path) -> None:
    """Start an empty nbgrader gradebook at `path`, stamped with nbgrader's schema revision.

    nbgrader stamps a new gradebook by running the `alembic heads` program (about two seconds per
    gradebook); a database that already has a table it leaves unstamped and only adds its own tables
    to. So this writes the stamp, and nbgrader's Gradebook adds the rest when it first opens the file.
    Internal: nbgrader.api.Gradebook stamps only a database without tables, in the `alembic_version` table.
    """
    with sqlite3.connect(path) as database:
        database.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        database.execute("INSERT INTO alembic_version (version_num) VALUES (?)", (nbgrader_schema_head(),))
    database.close()


# -- the feedback page (nbconvert) ---------------------------------------------------------------


def html_without_accessibility_pass(exporter, nb, resources=None, **kw) -> tuple[str, dict]:
    """What nbconvert's HTMLExporter.from_notebook_node returns, without its closing BeautifulSoup pass.

    That pass re-parses the whole page to add `tabindex` attributes to JupyterLab's classes and an
    alternative text to images (half the time of a feedback page); the caller adds the text itself.
    Internal: HTMLExporter.from_notebook_node's filters, `_init_resources` and `_nb_metadata`.
    """
    from nbconvert.exporters import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    language = nb.metadata.get("language_info", {})
    lexer = language.get("pygments_lexer", language.get("name", None))
    exporter.register_filter("highlight_code", exporter.filters.get("highlight_code",
                                                                    Highlight2HTML(pygments_lexer=lexer, parent=exporter)))
    resources = exporter._init_resources(resources)
    exporter.register_filter("filter_data_type", WidgetsDataTypeFilter(notebook_metadata=exporter._nb_metadata,
                                                                       parent=exporter, resources=resources))
    return TemplateExporter.from_notebook_node(exporter, nb, resources, **kw)


# -- similar submissions (copydetect) --------------------------------------------------------------


def winnowed_fingerprints(filtered_code: str, noise_tokens: int, window: int) -> list[int]:
    """The winnowed k-gram hashes of code already filtered by copydetect (names replaced by placeholders).

    Internal: copydetect.utils.get_document_fingerprints (copydetect exposes fingerprints only per file).
    """
    from copydetect.utils import get_document_fingerprints

    hashes, _ = get_document_fingerprints(filtered_code, noise_tokens, window, [])
    return list(hashes)


def highlighted_overlap(code: str, slices, mark: str = "<mark>", end: str = "</mark>") -> str:
    """`code` as HTML (escaped), with the passages `slices` gives (copydetect.compare_files) between `mark` and `end`.

    Internal: copydetect.utils.highlight_overlap.
    """
    from copydetect.utils import highlight_overlap

    return highlight_overlap(code, slices, mark, end, escape_html=True)[0]
