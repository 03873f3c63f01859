"""The class of submissions the batch grader is tested on: good work, bad files, honest slips, cheats."""
from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import nbformat

from tests.helpers.colab import colab_download
from tests.helpers.hostile import HOSTILE
from tests.helpers.mutants import MUTANTS
from tests.helpers.notebooks import instructor_notebook
from tests.helpers.slips import SLIPS
from tools.cells import graded_points, test_points
from tools.labcode import answer_cells, complete_submission

LAB = "vae"
_SOLUTION = instructor_notebook(LAB)
CHECKS = tuple(test_points(_SOLUTION))                  # every check of the lab, in order
POINTS = 2.0                                            # the points of each check
AUTOGRADED = POINTS * len(CHECKS)                       # full marks of the checks
WRITTEN = sum(graded_points(_SOLUTION).values()) - sum(test_points(_SOLUTION).values())   # written answers' points
DYING_CELL = "loss"                                      # the cell in which a kernel dies (os._exit)


def checks_from(cell_id: str) -> set[str]:
    """The checks at or after `cell_id` in the lab's order: what a kernel that dies in that cell never runs."""
    order = [cell.get("id") for cell in _SOLUTION.cells]
    return {check for check in CHECKS if order.index(check) > order.index(cell_id)}


DIES_LOSES = checks_from(DYING_CELL)
VANDAL = '''
import pathlib
here = pathlib.Path.cwd()
for folder in list(here.parents)[:6]:
    for victim in list(folder.glob("*/*/vae.ipynb")) + list(folder.glob("grades.csv")):
        victim.write_text("overwritten by another student")
'''

DUE = dt.datetime(2027, 2, 14, 23, 59, tzinfo=dt.timezone.utc)
DEADLINES = f"[late]\ngrace_minutes = 15\npenalty_per_day = 10\nmax_penalty = 50\n\n[labs.{LAB}]\ndue = {DUE.isoformat()}\n"
LATE, NO_TIME = "late-by-a-day", "no-time"     # handed in 20 h late (its timestamp.txt); no time anywhere


def deadline_arguments(root: Path, students: list[str]) -> list[str]:
    """The lab's due date and a timestamps file in which every student but LATE and NO_TIME is on time
    (LATE's time is its nbgrader timestamp.txt); the command line arguments that give them."""
    (root / "deadlines.toml").write_text(DEADLINES)
    on_time = (DUE - dt.timedelta(hours=1)).isoformat()
    rows = [f"{student},{on_time}" for student in sorted(students) if student not in (LATE, NO_TIME)]
    (root / "times.csv").write_text("student,submitted\n" + "\n".join(rows) + "\n")
    return ["--deadlines", str(root / "deadlines.toml"), "--timestamps", str(root / "times.csv")]


HANDED_IN_READER = ('SCALE = float(open("scale.txt").read()) + float(open("data/offset.txt").read())\n'
                    'assert SCALE == 1.0\n')


def targeted_vandal(*folders: Path) -> str:
    """A vandal that knows where the submissions and the results are (absolute paths)."""
    return ("import pathlib\n"
            f"for folder in {[str(f) for f in folders]!r}:\n"
            "    for victim in list(pathlib.Path(folder).glob('*/vae.ipynb')) + list(pathlib.Path(folder).glob('*.csv')):\n"
            "        try:\n"
            "            victim.write_text('overwritten by another student')\n"
            "        except OSError:\n"
            "            pass\n")


def edit(nb, cell_id: str, new_source: str | None = None, prepend: str = "", append: str = ""):
    """A copy of `nb` with one cell deleted (no text given), replaced, or extended."""
    nb = copy.deepcopy(nb)
    for index, cell in enumerate(nb.cells):
        if cell.get("id") == cell_id:
            if new_source is None and not (prepend or append):
                del nb.cells[index]
            else:
                cell.source = prepend + (cell.source if new_source is None else new_source) + append
            return nb
    raise KeyError(cell_id)


def mutant(name: str, nb, lab: str = LAB):
    [m] = [m for m in MUTANTS[lab] if m.name == name]
    return m.apply(nb)


def write(folder: Path, student: str, content, filename: str = f"{LAB}.ipynb") -> None:
    path = folder / student / filename
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content)
    else:
        nbformat.write(content, path)


def hostile_notebook(name: str):
    """The cheating submission `name` of hostile.py, on top of its base notebook."""
    code, cell, spec = HOSTILE[name]
    untouched, complete = complete_submission(LAB)
    base = mutant(spec["base"], complete) if "base" in spec else untouched
    if cell != "*":
        return edit(base, cell, append="\n" + code)      # after the cell's own code, so its definitions win
    for answer in answer_cells(base):
        base = edit(base, answer, new_source=f"CELL_ID = {answer!r}\n{code}")
    return base


def honest_zero(name: str) -> set[str]:
    """The checks the cheat's own honest code fails (its base notebook's failures)."""
    spec = HOSTILE[name][2]
    if "base" not in spec:
        return set(CHECKS)
    [m] = [m for m in MUTANTS[LAB] if m.name == spec["base"]]
    return {m.breaks}


EDITED_TRY_MARK = "the student's own line in a try cell"


def make_fixtures(folder: Path, out: Path) -> dict[str, dict]:
    """Write the class; return {student: expectations}.

    expectations: "zero" = graded cells that must score 0 (the others full marks); "at_most" =
    graded cells that must score 0, others at most full marks (cheats: the check that caught the
    cheat may cost more); "error" = a submission that cannot be graded; "note" = a phrase its notes
    must contain. With `deadline_arguments`, LATE was handed in a day late and NO_TIME has no time.
    """
    untouched, complete = complete_submission(LAB)
    _, cvae_complete = complete_submission("cvae")
    all_checks = set(CHECKS)
    fixtures = {
        "good-1": (complete, {"zero": set()}),
        "good-2": (complete, {"zero": set()}),
        "untouched": (untouched, {"zero": all_checks}),
        # the loop comes before the loss functions, which the free-bits exercise builds on: both lose
        "endless-loop": (edit(complete, "loss", prepend="while True:\n    pass\n"),
                         {"zero": {"loss-check", "free-bits-check"}, "note": "Cell loss ran longer than the time allowed"}),
        "raises": (edit(complete, "encoder", prepend="raise RuntimeError('not finished')\n"), {"zero": {"encoder-check"}}),
        "missing-package": (edit(complete, "decoder", prepend="import package_that_does_not_exist\n"),
                            {"zero": {"decoder-check"}}),
        "kernel-dies": (edit(complete, DYING_CELL, prepend="import os\nos._exit(1)\n"),    # the later checks do not run
                        {"zero": DIES_LOSES, "note": f"In cell {DYING_CELL}, the kernel died"}),
        "edited-tests": (edit(edit(untouched, "encoder-check", "pass"), "loss-check", "print('passed')"),
                         {"zero": all_checks, "note": "Test cell encoder-check was edited"}),
        "prints-passed": (edit(untouched, "encoder", "print('\N{HEAVY CHECK MARK} Encoder passed')"),
                          {"zero": all_checks}),
        "vandal": (edit(complete, "encoder", prepend=VANDAL), {"zero": set(), "note": "Review: cell encoder"}),
        "vandal-targeted": (edit(complete, "encoder", prepend=targeted_vandal(folder, out)), {"zero": set()}),
        # reads files handed in beside the notebook: full marks only if they reach the kernel's working folder
        "hands-in-files": (edit(complete, "encoder", prepend=HANDED_IN_READER), {"zero": set()}),
        # a given cell the student changed runs in full (the unchanged ones run only their definitions)
        "edits-a-try-cell": (edit(complete, "encoder-try", prepend=f"print({EDITED_TRY_MARK!r})\n"), {"zero": set()}),
    }
    for name, (slip, lost, phrase) in SLIPS.items():
        fixtures[f"slip-{name}"] = (slip(complete), {"zero": lost, **({"note": phrase} if phrase else {})})
    for name, (_, _, spec) in HOSTILE.items():
        fixtures[f"cheat-{name}"] = (hostile_notebook(name), {"at_most": honest_zero(name), "note": spec["note"]})
    fixtures[LATE] = (complete, {"zero": set()})
    fixtures[NO_TIME] = (complete, {"zero": set(), "note": "The submission time is unknown"})
    for student, (nb, _) in fixtures.items():
        write(folder, student, nb)
    late = (DUE + dt.timedelta(hours=20)).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    write(folder, LATE, late, filename="timestamp.txt")
    # the complete notebook as Colab's File > Download writes it (a dict of its own JSON, not nbformat's)
    write(folder, "colab-download", json.dumps(colab_download(complete), indent=2))
    fixtures["colab-download"] = (None, {"zero": set()})
    write(folder, "hands-in-files", "1.0", filename="scale.txt")
    write(folder, "hands-in-files", "0.0", filename="data/offset.txt")
    write(folder, "malformed", '{"cells": [ this is not json')
    write(folder, "empty", "")
    write(folder, "renamed", complete, filename="my_vae_final.ipynb")
    write(folder, "other-lab", cvae_complete)
    expectations = {student: spec for student, (_, spec) in fixtures.items()}
    expectations.update({
        "malformed": {"error": "Not valid notebook JSON"},
        "empty": {"error": "The notebook file is empty"},
        "renamed": {"error": "a renamed notebook"},
        "other-lab": {"error": "This is the cvae lab's notebook"},
    })
    return expectations
