"""The README's lists of modules and tests, generated from their docstrings so that they stay true.

    python -m tools.readme            # rewrite the generated blocks of README.md
    python -m tools.readme --check    # exit 1 if they are out of date (tests/test_readme.py)

A block sits between `<!-- BEGIN name -->` and `<!-- END name -->` lines; everything else in the
README is written by hand.
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
PACKAGES = (("course_utils", "the helpers every lab imports as `cu`"),
            ("tools", "the instructor's commands (run by the Makefile)"),
            ("tools/grading", "the batch grader (`make autograde`)"),
            ("tools/grading/inside/grading_kernel", "what runs inside the grading sandbox"))
TIERS = ("slow", "sandbox", "kernel", "data")


def summary(path: Path) -> str:
    """The first sentence of a module's docstring (empty when it has none)."""
    docstring = ast.get_docstring(ast.parse(path.read_text())) or ""
    first = " ".join(docstring.split("\n\n")[0].split())
    return first


def modules_block() -> str:
    lines = []
    for folder, what in PACKAGES:
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


BLOCKS = {"modules": modules_block, "tests": tests_block}


def rendered(text: str) -> str:
    """`text` (the README) with every generated block made again."""
    for name, make in BLOCKS.items():
        pattern = re.compile(rf"(<!-- BEGIN {name} [^>]*-->\n)(?:.*?\n)?(<!-- END {name} -->)", re.DOTALL)
        if not pattern.search(text):
            raise course.CourseError(f"README.md has no `<!-- BEGIN {name} ... -->` ... `<!-- END {name} -->` block")
        text = pattern.sub(lambda match: match.group(1) + make() + "\n" + match.group(2), text)
    return text


@course.command("readme")
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only check that the generated blocks are current")
    args = parser.parse_args(argv)
    current = README.read_text()
    fresh = rendered(current)
    if args.check:
        if current != fresh:
            print("README.md's generated blocks are out of date: run `python -m tools.readme`", file=sys.stderr)
            return 1
        return 0
    README.write_text(fresh)
    print("README.md: the module and test lists are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
