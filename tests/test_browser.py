"""A reader and a student in a real browser: the course's pages, and one exercise of every lab in JupyterLab.

Headless Chromium (Debian's `chromium`, started through playwright; `.ci/run` installs it) opens
1. the pages `make site` builds, served on loopback with every request elsewhere refused: each page
   loads without a console error, its maths is typeset, its pictures show, its links lead somewhere
   and its Colab links open the students' repository at the release;
2. the students' repository in JupyterLab, installed as its Makefile installs it (nbgrader's Validate
   button only, no news prompt), and follows a student through the first exercise of every lab: the
   stub's error, a plausible mistake (tests/helpers/lab_cases) and the hint its check gives, the fix,
   the check passing, the lab's checklist cell; then nbgrader's Validate button on one lab.
JupyterLab starts once; each lab runs only the cells its first exercise needs, under the smoke budget.
"""
from __future__ import annotations

import functools
import http.server
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest

from tests.helpers.mutants import HIDDEN_ONLY, MUTANTS
from tools import cells, course
from tools.site import build_site
from tools.student_cells import CHECKLIST_ID
from tools.student_repo import Release, write_student_repo

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
RELEASE = Release("https://github.com/a-course/generative-models-labs", "2027.1")
LABS = course.lab_names()
VALIDATED_LAB = "flows"         # the lab whose whole notebook nbgrader's Validate button runs (the quickest)

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it)")]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def screenshot(page, name: str) -> None:
    """Keep a picture of the page for a person when $COURSE_SCREENSHOTS names a folder."""
    folder = os.environ.get("COURSE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=False)


# ---------------------------------------------------------------- the pages

class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def served_site(tmp_path_factory):
    """The pages, built from the students' repository and served on loopback; yields (base URL, folder)."""
    site = build_site(tmp_path_factory.mktemp("site") / "site", RELEASE)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", site
    server.shutdown()


TYPESET = """() => {
    const maths = Array.from(document.querySelectorAll('.math'));
    const done = maths.filter(m => m.querySelector('mjx-container svg')).length;
    const errors = document.querySelectorAll('mjx-merror, [data-mjx-error]').length;
    const body = document.body.cloneNode(true);
    body.querySelectorAll('pre, code, mjx-container, script').forEach(e => e.remove());
    return {maths: maths.length, done, errors, text: body.textContent};
}"""


def test_every_page_loads_typesets_its_maths_and_shows_its_pictures(browser, served_site):
    base, site = served_site
    pages = sorted(str(path.relative_to(site)) for path in site.rglob("*.html"))
    assert len(pages) >= len(LABS) + 3
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    problems, elsewhere = [], []

    def route(request_route):
        if urlparse(request_route.request.url).hostname == "127.0.0.1":
            request_route.continue_()
        else:
            elsewhere.append(request_route.request.url)
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda message: problems.append(f"console {message.type}: {message.text}")
            if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    # A request the browser itself cancelled (net::ERR_ABORTED: the favicon when the test moves to the next page)
    # is no fault of the site; a request the server fails shows as an HTTP error below.
    page.on("requestfailed", lambda request: None if "ERR_ABORTED" in (request.failure or "")
            else problems.append(f"failed: {request.url} ({request.failure})"))
    page.on("response", lambda response: problems.append(f"HTTP {response.status}: {response.url}")
            if response.status >= 400 else None)
    links: dict[str, set[str]] = {}
    for name in pages:
        response = page.goto(base + name, wait_until="load")
        assert response.ok, name
        if page.evaluate("document.querySelectorAll('.math').length"):
            page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.document")
            page.evaluate("() => MathJax.startup.promise")
        state = page.evaluate(TYPESET)
        assert state["done"] == state["maths"] and not state["errors"], f"{name}: maths not typeset: {state}"
        raw = re.findall(r"\\\(|\\\[|\$\$|\$[^$\s][^$]*\\[a-zA-Z]+[^$]*\$", state["text"])
        assert not raw, f"{name} shows raw TeX: {raw[:3]}"
        broken = page.evaluate("Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0)"
                               ".map(i => i.src)")
        assert not broken, f"{name}: pictures that do not show: {broken}"
        links[name] = set(page.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"))
        screenshot(page, "site-" + name.replace("/", "-").removesuffix(".html"))
    assert not problems, problems
    assert not elsewhere, f"pages reached outside the site: {elsewhere}"
    context.close()
    check_links(base, site, links)


def check_links(base: str, site: Path, links: dict[str, set[str]]) -> None:
    """Links inside the site lead to a page (and an anchor on it); links out are GitHub's and Colab's only."""
    colab = {lab: RELEASE.colab(lab) for lab in LABS}
    for name, targets in links.items():
        for target in targets:
            parsed = urlparse(target)
            if parsed.hostname == "127.0.0.1":
                path = site / parsed.path.lstrip("/")
                path = path / "index.html" if path.is_dir() else path
                assert path.exists(), f"{name} links to {target}, which is missing"
                if parsed.fragment and path.suffix == ".html":
                    assert f'id="{parsed.fragment}"' in path.read_text(), f"{name} links to a missing anchor {target}"
            else:
                assert parsed.hostname in {"colab.research.google.com", "github.com"}, f"{name} links to {target}"
                if parsed.hostname == "colab.research.google.com":
                    assert target in colab.values(), f"{name}: a Colab link that opens no lab: {target}"
    for lab in LABS:
        assert colab[lab] in links[f"labs/{lab}/{lab}.html"], f"the {lab} page has no Colab link to its notebook"
        assert colab[lab] in links["index.html"] and colab[lab] in links["running.html"], lab


# ---------------------------------------------------------------- JupyterLab

@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """JupyterLab on the students' repository, set up as its `make install` sets it up; yields (URL, token, repo)."""
    root = tmp_path_factory.mktemp("jupyterlab")
    repo = write_student_repo(root / "generative-models-labs", RELEASE)
    makefile = (repo / "Makefile").read_text()
    config = root / "config"
    (config / "labconfig").mkdir(parents=True)
    disabled = re.findall(r"labextension disable --level=sys_prefix (\S+)", makefile)
    (config / "labconfig" / "page_config.json").write_text(json.dumps({"disabledExtensions": dict.fromkeys(disabled, True)}))
    server_off = re.findall(r"server extension disable --sys-prefix (\S+)", makefile)
    (config / "jupyter_server_config.json").write_text(json.dumps(
        {"ServerApp": {"jpserver_extensions": dict.fromkeys(server_off, False)}}))
    port, token = free_port(), secrets.token_hex(16)
    env = course.child_env(JUPYTER_CONFIG_DIR=str(config), JUPYTER_DATA_DIR=str(root / "data"),
                           JUPYTER_RUNTIME_DIR=str(root / "runtime"), IPYTHONDIR=str(root / "ipython"),
                           COURSE_BUDGET="smoke", MPLBACKEND="module://matplotlib_inline.backend_inline")
    command = [shutil.which("jupyter", path=env["PATH"]), "lab", "--no-browser", f"--port={port}",
               "--ServerApp.port_retries=0", "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={repo}", "--LabApp.expose_app_in_browser=True"]
    if os.geteuid() == 0:
        command.append("--allow-root")       # as `make lab` does
    log = open(root / "jupyterlab.log", "w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"JupyterLab did not start:\n{(root / 'jupyterlab.log').read_text()[-3000:]}")
            time.sleep(0.3)
    yield url, token, repo
    server.terminate()
    server.wait(timeout=30)
    log.close()


KERNEL_IDLE = """() => {
    const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const kernel = panel && panel.sessionContext && panel.sessionContext.session && panel.sessionContext.session.kernel;
    return Boolean(kernel) && kernel.status === 'idle';
}"""
ACTIVATE = """(id) => {
    const notebook = window.jupyterapp.shell.currentWidget.content;
    const index = notebook.widgets.findIndex(cell => cell.model.id === id);
    notebook.mode = 'command';
    notebook.activeCellIndex = index;
    notebook.scrollToItem(index);
    notebook.node.focus();
    return index;
}"""
ACTIVE = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell.jp-mod-active"
# What a failed check must not show: a traceback through the check cell and course_utils.
MACHINERY = ("Traceback", "course_utils/", "Cell In[", "During handling of the above exception")


class Student:
    """What a student does in a notebook open in JupyterLab: pick a cell, write in it, run it, read its output."""

    def __init__(self, page) -> None:
        self.page = page

    def open(self, path: str) -> None:
        self.page.evaluate("(path) => window.jupyterapp.commands.execute('docmanager:open', {path}).then(() => true)", path)
        self.page.wait_for_function(f"() => window.jupyterapp.shell.currentWidget && "
                                    f"window.jupyterapp.shell.currentWidget.context.path === {json.dumps(path)}")
        self.page.wait_for_function(KERNEL_IDLE, timeout=120_000)

    def select(self, cell_id: str) -> None:
        assert self.page.evaluate(ACTIVATE, cell_id) >= 0, f"no cell {cell_id}"
        self.page.wait_for_timeout(50)

    def write(self, cell_id: str, code: str) -> None:
        """Replace the cell's code, as a student selecting everything in it and typing (pasting) new code."""
        self.select(cell_id)
        self.page.locator(f"{ACTIVE} .cm-content").click()
        self.page.keyboard.press("Control+a")
        self.page.keyboard.insert_text(code)
        self.page.keyboard.press("Escape")
        typed = self.page.evaluate("() => window.jupyterapp.shell.currentWidget.content.activeCell.model.sharedModel"
                                   ".getSource()")
        assert typed == code, f"the editor holds something else than what was typed:\n{typed}"

    def run(self, cell_id: str, timeout: float = 120) -> str:
        """Run one cell (Ctrl+Enter) and return what its output area shows."""
        self.select(cell_id)
        before = self.prompt()
        self.page.keyboard.press("Control+Enter")
        deadline = time.monotonic() + timeout
        while not re.fullmatch(r"\[\d+\]:", self.prompt()) or self.prompt() == before:
            assert time.monotonic() < deadline, f"cell {cell_id} still runs after {timeout} s"
            self.page.wait_for_timeout(100)
        self.page.wait_for_function(KERNEL_IDLE, timeout=timeout * 1000)
        return self.page.locator(f"{ACTIVE} .jp-OutputArea").inner_text()

    def prompt(self) -> str:
        return self.page.locator(f"{ACTIVE} .jp-InputPrompt").inner_text().strip()

    def run_all_above(self, cell_id: str) -> None:
        """Run → Run All Above Selected Cell, then wait for the kernel."""
        self.select(cell_id)
        self.page.locator(".lm-MenuBar-itemLabel", has_text="Run").click()
        self.page.locator(".lm-Menu-itemLabel", has_text="Run All Above Selected Cell").click()
        self.page.wait_for_timeout(300)
        self.page.wait_for_function(KERNEL_IDLE, timeout=300_000)
        self.page.wait_for_function("""() => {
            const notebook = window.jupyterapp.shell.currentWidget.content;
            const above = notebook.widgets.slice(0, notebook.activeCellIndex).filter(c => c.model.type === 'code');
            return above.every(c => c.model.executionCount !== null);
        }""", timeout=300_000)

    def errors_above(self, cell_id: str) -> list[str]:
        return self.page.evaluate("""(id) => {
            const notebook = window.jupyterapp.shell.currentWidget.content;
            const stop = notebook.widgets.findIndex(cell => cell.model.id === id);
            return notebook.widgets.slice(0, stop).filter(c => c.model.type === 'code')
                .flatMap(c => c.model.outputs.toJSON().filter(o => o.output_type === 'error').map(o => c.model.id + ': ' + o.ename));
        }""", cell_id)


def first_exercise(lab: str) -> tuple[str, list[str], str]:
    """(answer cell, the cells between it and its check, the check) of the lab's first exercise."""
    nb = nbformat.read(course.student_notebook(lab), as_version=4)
    answer = next(cell.id for cell in nb.cells if cells.is_answer(cell) and cell.cell_type == "code")
    ids = [cell.id for cell in nb.cells]
    check = f"{answer}-check"
    between = [cell.id for cell in nb.cells[ids.index(answer) + 1:ids.index(check)] if cell.cell_type == "code"]
    return answer, between, check


def written_by_a_student(source: str) -> str:
    """An instructor's answer cell as a student writes it: nbgrader's solution markers left out."""
    return "\n".join(line for line in source.splitlines() if "### BEGIN SOLUTION" not in line
                     and "### END SOLUTION" not in line)


@pytest.mark.kernel
@pytest.mark.data
def test_a_student_does_the_first_exercise_of_every_lab_and_validates(browser, jupyterlab):
    url, token, repo = jupyterlab
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    script_errors = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    page.goto(f"{url}/lab?token={token}")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.started", timeout=120_000)
    page.wait_for_selector(".lm-MenuBar-itemLabel", timeout=120_000)
    page.wait_for_timeout(1500)
    menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
    assert "Nbgrader" not in menus, f"the student's JupyterLab shows nbgrader's menu: {menus}"
    assert not page.locator(".jp-toast-container .Toastify__toast, .jp-Notification-Toast").count(), \
        "JupyterLab greets the student with a notification (its news prompt?)"
    student = Student(page)
    for lab in LABS:
        solution = nbformat.read(course.solution_notebook(lab), as_version=4)
        answer, between, check = first_exercise(lab)
        mistake = next(m for m in MUTANTS[lab] if m.cell == answer and (lab, m.name) not in HIDDEN_ONLY)
        right = written_by_a_student(next(cell for cell in solution.cells if cell.id == answer).source)
        wrong = written_by_a_student(mistake.apply(solution).cells[[c.id for c in solution.cells].index(answer)].source)
        student.open(f"labs/{lab}/{lab}.ipynb")
        assert page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Toolbar").get_by_text("Validate").count() == 1
        student.run_all_above(answer)
        assert student.errors_above(answer) == [], f"{lab}: the cells above exercise 1 fail"

        student.run(answer)
        stub = "".join(student.run(cell_id) for cell_id in between or [check])
        assert "NotImplementedError" in stub, f"{lab}: the untouched stub shows {stub[-500:]}"

        student.write(answer, wrong)
        student.run(answer)
        hint = student.run(check)
        assert hint.startswith("Check failed: ") and "\n  Hint: " in hint, \
            f"{lab} ({mistake.name}): its check shows no message with a hint:\n{hint[-2000:]}"
        assert not any(machinery in hint for machinery in MACHINERY), \
            f"{lab} ({mistake.name}): the check's failure shows the machinery's traceback:\n{hint[-2000:]}"
        screenshot(page, f"jupyterlab-{lab}-mistake")

        student.write(answer, right)
        student.run(answer)
        passed = student.run(check)
        assert "✔" in passed and "Error" not in passed, f"{lab}: the fixed exercise does not pass:\n{passed[-2000:]}"

        checklist = student.run(CHECKLIST_ID)
        label = checklist.splitlines()[1]
        assert label.strip().startswith("✔ Exercise 1") and label.endswith(f"({check}): passed"), checklist
        assert "1 of" in checklist.splitlines()[0] and "not run yet" in checklist, checklist
        screenshot(page, f"jupyterlab-{lab}-checklist")
        if lab == VALIDATED_LAB:
            validate_with_nbgrader(page, next(cell for cell in solution.cells if cell.id == check).source)
        page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.shutdown()")
    assert not script_errors, script_errors
    context.close()


def validate_with_nbgrader(page, passed_check: str) -> None:
    """nbgrader's Validate button: it runs the whole notebook and lists the checks that fail, not the one that passes."""
    page.keyboard.press("Control+s")
    page.wait_for_timeout(500)
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Toolbar").get_by_text("Validate").click()
    dialog = page.locator(".jp-Dialog-content")
    dialog.wait_for(timeout=300_000)
    page.wait_for_function("() => !document.querySelector('.jp-Dialog-content')?.textContent.includes('Validating')",
                           timeout=300_000)
    report = dialog.inner_text()
    screenshot(page, "jupyterlab-validate")
    assert "failed" in report.lower() and "NotImplementedError" in report, report[:3000]
    assert passed_check.splitlines()[0][:60] not in report, "Validate lists the check that passes"
    # nbgrader's dialog shows, for each failed cell, its source and then its error, each in a <pre>
    shown = dialog.locator(".jp-RenderedText pre").all_inner_texts()
    errors = shown[1::2]
    assert errors and all(error.strip().startswith(("Check failed: ", "You did not provide a response"))
                          for error in errors), report[:3000]
    assert not any(machinery in report for machinery in MACHINERY), "Validate shows the checks' tracebacks"
    page.locator(".jp-Dialog-button", has_text="OK").first.click()
