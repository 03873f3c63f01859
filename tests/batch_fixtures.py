"""Submission folders for the batch autograder: good ones and every kind of bad one."""
from __future__ import annotations

import copy
from pathlib import Path

import nbformat

from conftest import REPO_ROOT
from mutants import MUTANTS
from nbgrading import complete_submission

LAB = "vae"
PATCH_CHECKS = ("cu.check = cu.check_tensor = cu.check_close = cu.check_range = cu.check_scalar = lambda *a, **k: None\n"
                "import course_utils.checks as _checks\n_checks._fail = lambda *a, **k: None\n")
SWALLOW_ERRORS = "get_ipython().set_custom_exc((Exception,), lambda *args, **kwargs: None)\nAssertionError = Warning\n"
VANDAL = '''
import pathlib
here = pathlib.Path.cwd()
for folder in list(here.parents)[:6]:
    for victim in list(folder.glob("*/*/vae.ipynb")) + list(folder.glob("grades.csv")):
        victim.write_text("overwritten by another student")
'''


def notebooks(lab: str = LAB):
    solution = nbformat.read(REPO_ROOT / "solutions" / lab / f"{lab}.ipynb", as_version=4)
    student = nbformat.read(REPO_ROOT / "labs" / lab / f"{lab}.ipynb", as_version=4)
    return student, complete_submission(student, solution)


def edit(nb, cell_id: str, new_source: str | None = None, prepend: str = "", append: str = ""):
    nb = copy.deepcopy(nb)
    for index, cell in enumerate(nb.cells):
        if cell.get("id") == cell_id:
            if new_source is None and not (prepend or append):
                del nb.cells[index]
            else:
                cell.source = prepend + (cell.source if new_source is None else new_source) + append
            return nb
    raise KeyError(cell_id)


def mutant(name: str, nb):
    [m] = [m for m in MUTANTS[LAB] if m.name == name]
    return m.apply(nb)


def write(folder: Path, student: str, content, filename: str = f"{LAB}.ipynb") -> None:
    path = folder / student / filename
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content)
    else:
        nbformat.write(content, path)


def make_fixtures(folder: Path) -> dict[str, dict]:
    """Write the fixture submissions; return {student: expectations}.

    expectations: "zero" = graded cells that must score 0 (others full marks), or "error" for a
    submission that cannot be graded, plus a phrase its notes must contain.
    """
    untouched, complete = notebooks()
    cvae_untouched, cvae_complete = notebooks("cvae")
    all_checks = {"encoder-check", "reparametrize-check", "decoder-check", "vae-check", "loss-check"}
    fixtures = {
        "good-1": (complete, {"zero": set()}),
        "good-2": (complete, {"zero": set()}),
        "untouched": (untouched, {"zero": all_checks}),
        "endless-loop": (edit(complete, "loss", prepend="while True:\n    pass\n"),
                         {"zero": {"loss-check"}, "note": "loss timed out"}),
        "raises": (edit(complete, "encoder", prepend="raise RuntimeError('not finished')\n"), {"zero": {"encoder-check"}}),
        "missing-package": (edit(complete, "decoder", prepend="import package_that_does_not_exist\n"), {"zero": {"decoder-check"}}),
        "kernel-dies": (edit(complete, "loss", prepend="import os\nos._exit(1)\n"), {"error": "the kernel died"}),
        "edited-tests": (edit(edit(untouched, "encoder-check", "pass"), "loss-check", "print('passed')"),
                         {"zero": all_checks, "note": "test cell encoder-check was edited"}),
        "deleted-test": (edit(mutant("kl-sign-flipped", complete), "loss-check"),
                         {"zero": {"loss-check"}, "note": "test cell loss-check was deleted (restored and run)"}),
        "prints-passed": (edit(untouched, "encoder", "print('\N{HEAVY CHECK MARK} Encoder passed')"),
                          {"zero": all_checks}),
        "patches-checks": (edit(mutant("reparam-logvar-as-std", complete), "encoder", prepend=PATCH_CHECKS),
                           {"zero": {"reparametrize-check"}, "note": "assigns to a course_utils helper"}),
        "swallows-errors": (edit(mutant("kl-sign-flipped", complete), "encoder", prepend=SWALLOW_ERRORS),
                            {"zero": {"loss-check"}, "note": "changes how the kernel reports errors"}),
        "vandal": (_append_cell(complete, VANDAL),
                   {"zero": set(), "note": "files outside its folder changed"}),
    }
    for student, (nb, _) in fixtures.items():
        write(folder, student, nb)
    write(folder, "malformed", '{"cells": [ this is not json')
    write(folder, "empty", "")
    write(folder, "renamed", complete, filename="my_vae_final.ipynb")
    write(folder, "other-lab", cvae_complete)
    expectations = {student: spec for student, (_, spec) in fixtures.items()}
    expectations.update({
        "malformed": {"error": "not valid notebook JSON"},
        "empty": {"error": "the notebook file is empty"},
        "renamed": {"error": "renamed notebook"},
        "other-lab": {"error": "the cvae lab's notebook"},
    })
    return expectations


def _append_cell(nb, source: str):
    nb = copy.deepcopy(nb)
    nb.cells.append(nbformat.v4.new_code_cell(source, id="student-extra"))
    return nb
