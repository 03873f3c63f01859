"""Build the course's web pages from this repository: the README, a page per lab, how to run them, the results.

    python website/build.py _site        # or: make site; then open _site/index.html

The pages are made with Sphinx and myst-nb. Why these: they build offline from PyPI packages alone
(myst-nb reads the notebooks and the Markdown itself, so no pandoc binary is needed, unlike
nbsphinx), Sphinx fails the build on a broken link between pages (`-W`), and its search runs in
the browser. The maths is typeset by MathJax 3 (SVG output, no web fonts) from PyPI's django-static-mathjax
package (MathJax's own files; nothing of Django is used), copied into the site, so the pages load
no script from a CDN and read the same offline. Notebooks are shown as
released (text, maths and code; nothing is run). website/release.json, written by the course's
release, holds the repository, its release and each lab's "Open in Colab" address.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

WEBSITE = Path(__file__).resolve().parent
ROOT = WEBSITE.parent
RESULTS_DIR = "results"


def release() -> dict:
    """The repository, its release and each lab's Colab address (website/release.json)."""
    return json.loads((WEBSITE / "release.json").read_text())


def labs() -> list[tuple[str, str]]:
    """(lab, title) in course order ("Lab 1 — ..." first, appendices last)."""
    found = []
    for notebook in sorted((ROOT / "labs").glob("*/*.ipynb")):
        heading = nbformat.read(notebook, as_version=4).cells[0].source.splitlines()[0].lstrip("# ").strip()
        number = re.match(r"Lab (\d+)", heading)
        found.append((int(number.group(1)) if number else 1000, notebook.parent.name, heading.split(" — ", 1)[-1]))
    return [(lab, title) for _, lab, title in sorted(found)]


def index_page(toc: list[str]) -> str:
    """The README, with the hidden table of contents that gives every page its place in the navigation."""
    entries = "\n".join(toc)
    return (ROOT / "README.md").read_text() + f"\n\n```{{toctree}}\n:hidden:\n:maxdepth: 1\n\n{entries}\n```\n"


def lab_page(lab: str, links: dict) -> nbformat.NotebookNode:
    """The student notebook with a line under its title: open it in Colab, or run it on your machine."""
    nb = nbformat.read(ROOT / "labs" / lab / f"{lab}.ipynb", as_version=4)
    banner = (f"**Run this lab:** [Open in Colab]({links['colab'][lab]}) (its first cell sets it up there), "
              f"or on your own machine with `make lab` ([how to run the labs](../../running.md)).")
    title, _, rest = nb.cells[0].source.partition("\n")
    nb.cells[0].source = f"{title}\n\n{banner}\n{rest}"
    return nb


def running_page(links: dict, lab_list: list[tuple[str, str]]) -> str:
    rows = "\n".join(f"| [{title}](labs/{lab}/{lab}.ipynb) | [Open in Colab]({links['colab'][lab]}) | "
                     f"`make validate LAB={lab}` |" for lab, title in lab_list)
    return f"""# How to run the labs

Every lab runs in two places: in Google Colab, with nothing to install, or on your own machine.

| lab | in Colab | on your machine, before handing in |
| --- | --- | --- |
{rows}

## In Colab

1. Open the lab with its **Open in Colab** link (sign in with a Google account). Colab opens the lab
   from the course's repository at release `{links['release']}`.
2. For the training cells, ask for a GPU: *Runtime → Change runtime type*, then a GPU. The labs run
   on Colab's CPU too, only slower.
3. Run the first code cell: in Colab it installs the course's helper package `course_utils` (at the
   same release) and keeps the datasets on Colab's disk. Then work from top to bottom as in
   JupyterLab. `PRETRAINED = True` in the configuration cell loads the course's trained models,
   which come with `course_utils`.
4. Colab has no Validate button: the last cell of every lab lists which checks passed, failed or
   have not run yet in this session. Before handing in, choose *Runtime → Restart session and run
   all*, then read that list.
5. Hand in the notebook as your course asks: *File → Download → Download .ipynb* gives the file.

Colab forgets your files when the session ends: download your notebook (or save a copy to your
Drive with *File → Save a copy in Drive*) before you close it.

## On your own machine

You need Python 3.11 or newer, `make`, git and about 6 GB of disk (PyTorch's wheels are large; they
run on a CPU too). Clone the course's repository ({links['repository']}), then in that folder:

```bash
make install   # once: creates .venv with everything the labs need
make lab       # opens the labs in JupyterLab
```

Open `labs/<lab>/<lab>.ipynb`. The **Validate** button in the notebook's toolbar runs the whole
notebook and lists the checks that fail; `make validate LAB=<lab>` does the same from a terminal,
and the last cell of each lab lists where you stand without running anything again.
"""


def _figure(value: float) -> str:
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"


def results_page(out: Path, lab_list: list[tuple[str, str]]) -> str:
    """The course's trained models: their samples as images, and the figures each lab reproduces."""
    import course_utils as cu

    titles = dict(lab_list)
    (out / RESULTS_DIR).mkdir(parents=True, exist_ok=True)
    sections = []
    samples = cu.load_course_samples()
    first = next(iter(samples.values()))["images"][:1].float() / 255
    cu.save_image(cu.collage(first, ncols=1), out / "favicon.png", scale=2)       # the pages' icon: a sampled digit
    for index, (name, entry) in enumerate(samples.items()):
        picture = f"{RESULTS_DIR}/samples-{index}.png"
        grid = cu.collage(entry["images"][:64].float() / 255, ncols=16, padding=2, pad_value=1.0)
        cu.save_image(grid, out / picture, scale=2)
        lab = entry["lab"]
        sections.append(f"### {name}\n\n![64 samples of the course's {name}]({picture})\n\n"
                        f"From the lab [{titles.get(lab, lab)}](labs/{lab}/{lab}.ipynb); trained in "
                        f"{entry['training seconds'] / 60:.1f} minutes, 1000 samples drawn in "
                        f"{entry['sampling seconds per 1000']:.2f} s, on the machine that trained the course's models.\n")
    figures = json.loads((ROOT / "course_utils" / "pretrained" / "figures.json").read_text())
    rows = [f"| [{lab}](labs/{lab}/{lab}.ipynb) | {name} | {_figure(value)} |"
            for lab, _ in lab_list for name, value in figures.get(lab, {}).items()]
    return ("# The course's results\n\n"
            "Each lab can load the course's trained models (`PRETRAINED = True` in its configuration cell) "
            "instead of training its own. Below are samples of those models, and the figures each lab's "
            "notebook computes for them.\n\n## Samples\n\n" + "\n".join(sections) +
            "\n## Figures\n\nFD is the Fréchet distance between the judge classifier's features of 1000 samples "
            "and of real test digits (lower is closer to the data; compare it with real-vs-real, two sets of "
            "real digits); *confident* is the share of samples the judge classifies with probability at least "
            "0.9; bits/dim and nats are the test set's negative log-likelihood per pixel and per image.\n\n"
            "| lab | figure | value |\n| --- | --- | --- |\n" + "\n".join(rows) + "\n")


def mathjax_dir() -> Path:
    """MathJax 3's browser files (es5/), as PyPI's django-static-mathjax package ships them."""
    import mathjax
    return Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"


def _not_needed_by_tex_svg(folder: str, names: list[str]) -> set[str]:
    """MathJax's other combined scripts and its CommonHTML fonts: the pages load tex-svg.js and what it loads."""
    if Path(folder) == mathjax_dir():
        return {name for name in names if name.endswith(".js") and name != "tex-svg.js"}
    return {"chtml", "chtml.js"} & set(names) if Path(folder).name == "output" else set()


def stage(source: Path) -> None:
    """Write the pages' sources into `source`: index, running, results, the labs, conf.py and MathJax."""
    links, lab_list = release(), labs()
    for lab, _ in lab_list:
        page = source / "labs" / lab / f"{lab}.ipynb"
        page.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(lab_page(lab, links), page)
    (source / "running.md").write_text(running_page(links, lab_list))
    (source / "results.md").write_text(results_page(source, lab_list))
    toc = [f"labs/{lab}/{lab}" for lab, _ in lab_list] + ["running", "results"]
    (source / "index.md").write_text(index_page(toc))
    shutil.copy(WEBSITE / "conf.py", source / "conf.py")
    shutil.copytree(mathjax_dir(), source / "_static" / "mathjax", ignore=_not_needed_by_tex_svg)


def build(out: Path) -> Path:
    """Build the site into `out` (replaced); return `out`."""
    with tempfile.TemporaryDirectory(prefix="course-site-") as scratch:
        source = Path(scratch) / "source"
        source.mkdir()
        stage(source)
        if out.exists():
            shutil.rmtree(out)
        result = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q",
                                 "-d", str(Path(scratch) / "doctrees"), str(source), str(out)],
                                capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"the site did not build (Sphinx, exit {result.returncode}):\n{result.stdout}{result.stderr}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="folder to write the site into (replaced), e.g. _site")
    args = parser.parse_args(argv)
    out = build(args.out.resolve())
    print(f"wrote the course's pages to {out} (open {out / 'index.html'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
