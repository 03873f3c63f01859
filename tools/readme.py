"""The READMEs' tables of labs, modules and tests, and the grader's walk, generated so that they stay true.

    python -m tools.readme            # rewrite the generated blocks of README.md and student/README.md
    python -m tools.readme --check    # exit 1 if they are out of date (tests/test_readme.py)

A block sits between `<!-- BEGIN name -->` and `<!-- END name -->` lines; everything else in the
READMEs is written by hand. A lab's row comes from its solution notebook's first cell: the title
after its dash, and the table of exercises with their points. The modules come from every package's
folder (the grader's subpackages are found, not listed), and the walk of one submission through the
grader from tools/grading/walk.py.
"""
from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path

from tools import course
from tools.course import REPO_ROOT

README = REPO_ROOT / "README.md"
STUDENT_README = REPO_ROOT / "student" / "README.md"
PACKAGES = (("course_utils", "the helpers every lab imports as `cu`"),
            ("tools", "the instructor's commands (run by the Makefile)"))
GRADER = REPO_ROOT / "tools" / "grading"
TIERS = ("slow", "sandbox", "kernel", "data", "browser")


def summary(path: Path) -> str:
    """The first sentence of a module's docstring (empty when it has none)."""
    docstring = ast.get_docstring(ast.parse(path.read_text())) or ""
    first = " ".join(docstring.split("\n\n")[0].split())
    return first


def packages() -> list[tuple[str, str]]:
    """(folder, what it holds) of each package the README lists: PACKAGES, then the grader and each of its
    subpackages, described by the first sentence of their own docstrings."""
    from tools.grading import PLACES

    def place_first(init: Path) -> tuple:
        parts = init.parent.relative_to(GRADER).parts
        return (PLACES.index(parts[0]) if parts and parts[0] in PLACES else -1, parts)

    found = list(PACKAGES)
    for init in sorted(GRADER.rglob("__init__.py"), key=place_first):
        what = summary(init).rstrip(".")
        found.append((str(init.parent.relative_to(REPO_ROOT)), what[:1].lower() + what[1:]))
    return found


def modules_block() -> str:
    lines = []
    for folder, what in packages():
        lines += ["", f"`{folder}/`: {what}", ""]
        for path in sorted((REPO_ROOT / folder).glob("*.py")):
            if path.name in {"__init__.py", "__main__.py"}:
                continue
            lines.append(f"* `{path.stem}`: {summary(path)}")
    return "\n".join(lines[1:])


def tiers_of(path: Path) -> list[str]:
    """The markers a test module uses (module-wide or on some of its tests)."""
    text = path.read_text()
    return [tier for tier in TIERS if re.search(rf"pytest\.mark\.{tier}\b", text)]


def tests_block() -> str:
    lines = ["| test module | what it proves | tiers of some or all of its tests |", "| --- | --- | --- |"]
    for path in sorted((REPO_ROOT / "tests").glob("test_*.py")):
        tiers = tiers_of(path)
        lines.append(f"| `{path.name}` | {summary(path)} | {', '.join(tiers) if tiers else 'unit'} |")
    lines.append("| `solutions/*/*.ipynb` | every solution notebook runs end to end (nbval) | slow, data |")
    return "\n".join(lines)


def course_order(lab: str) -> tuple[int, str]:
    """Labs in the order of their numbers ("Lab 3 — ..."); appendices last."""
    import nbformat
    heading = nbformat.read(course.solution_notebook(lab), as_version=4).cells[0].source.splitlines()[0]
    number = re.match(r"#+\s*Lab (\d+)", heading)
    return (int(number.group(1)) if number else 1000, lab)


def lab_summary(lab: str) -> tuple[str, list[tuple[str, str, str]]]:
    """(the lab's title, [(exercise, what is written, points)]) from the first cell of its solution notebook."""
    import nbformat
    first = nbformat.read(course.solution_notebook(lab), as_version=4).cells[0].source
    heading = first.splitlines()[0].lstrip("# ").strip()
    title = heading.split(" — ", 1)[-1]
    rows = []
    for line in first.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 3 and cells[2].isdigit():
            rows.append((cells[0], cells[1], cells[2]))
    if not rows:
        raise course.CourseError(f"{lab}: the first cell of its notebook has no table of exercises and points")
    return title, rows


def labs_block(graded: bool = True) -> str:
    """The lab table; the instructor's (graded) one adds the exercises and an estimate of the working time."""
    from tools.worktime import estimate
    header = ("| lab | what you build | exercises (points) | working time (estimate) |" if graded
              else "| lab | what you build |")
    lines = [header, "| --- | --- | --- | --- |" if graded else "| --- | --- |"]
    for lab in sorted(course.lab_names(), key=course_order):
        title, rows = lab_summary(lab)
        link = f"[`{lab}`](labs/{lab}/{lab}.ipynb)"
        exercises = "; ".join(f"{what} ({points})" for _, what, points in rows)
        total = sum(int(points) for _, _, points in rows)
        lines.append(f"| {link} | {title} | {exercises}; {total} points in all | {estimate(lab)} |" if graded
                     else f"| {link} | {title} |")
    return "\n".join(lines)


def walk_block() -> str:
    """The walk of one submission through the grader, drawn (tools/grading/walk.py)."""
    from tools.grading.walk import diagram
    return f"```\n{diagram()}\n```"


BLOCKS = {README: {"labs": labs_block, "walk": walk_block, "modules": modules_block, "tests": tests_block},
          STUDENT_README: {"labs": lambda: labs_block(graded=False)}}


def rendered(text: str, blocks: dict | None = None, where: str = "README.md") -> str:
    """`text` (a README) with every generated block made again."""
    for name, make in (blocks or BLOCKS[README]).items():
        pattern = re.compile(rf"(<!-- BEGIN {name} [^>]*-->\n)(?:.*?\n)?(<!-- END {name} -->)", re.DOTALL)
        if not pattern.search(text):
            raise course.CourseError(f"{where} has no `<!-- BEGIN {name} ... -->` ... `<!-- END {name} -->` block")
        text = pattern.sub(lambda match: match.group(1) + make() + "\n" + match.group(2), text)
    return text


@course.command("readme")
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only check that the generated blocks are current")
    args = parser.parse_args(argv)
    stale = []
    for path, blocks in BLOCKS.items():
        where = str(path.relative_to(REPO_ROOT))
        current = path.read_text()
        fresh = rendered(current, blocks, where)
        if current != fresh:
            stale.append(where)
            if not args.check:
                path.write_text(fresh)
    if args.check:
        if stale:
            print(f"the generated blocks of {', '.join(stale)} are out of date: run `python -m tools.readme`", file=sys.stderr)
            return 1
        return 0
    print(f"rewrote {', '.join(stale)}" if stale else "the READMEs' generated blocks were already up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
