"""results.json as Gradescope documents it (results.schema.json beside this file): one test per graded cell.

    a check          its score and points, and what it showed: its printed lines when it passed, its
                     message when it failed (saying when the visible part passed and a hidden test failed);
                     shown once the grades are published ("after_published"), like the score
    a written answer listed with the student's text, to be graded by hand on Gradescope; never scored here
    the summary      the top-level output, shown at once: each check's visible part as the notebook showed
                     it, the written answers waiting, when it was handed in and the share lateness costs,
                     the grader's notes; the total is the checks' score after the late penalty

A submission that cannot be graded gets 0 and one message saying what to upload instead; a
failure of the autograder itself says so. Which isolation ran is in `extra_data` and the log.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import nbformat

from tools import cells
from tools.grading.client.gradescope.isolation import Isolation
from tools.grading.client.gradescope.lab_pack import LabPack
from tools.grading.lateness import ON_TIME, UNKNOWN, Lateness
from tools.grading.records import GRADED, GRADING_MARKS, VISIBLE_PART_PASSED, GradingResult

SCHEMA = Path(__file__).with_name("results.schema.json")
AFTER_PUBLISHED, VISIBLE = "after_published", "visible"
NOT_ANSWERED = "YOUR ANSWER HERE"


@dataclass(frozen=True)
class CheckOutcome:
    """What one test cell of the graded notebook showed."""

    printed: str = ""
    error: str = ""                 # "Name: message" of the error it raised, "" when it passed
    visible_part_passed: bool = False
    ran: bool = True


def outcomes(autograded: nbformat.NotebookNode) -> dict[str, CheckOutcome]:
    """Each test cell's outcome in an autograded notebook."""
    found = {}
    for cell in autograded.cells:
        if not cells.is_test_cell(cell):
            continue
        printed = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
        errors = [f"{o.get('ename', 'Error')}: {o.get('evalue', '')}".strip().rstrip(":")
                  for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        marks = cell.get("metadata", {}).get(GRADING_MARKS, {})
        found[cells.grade_id(cell)] = CheckOutcome(printed.strip(), errors[0] if errors else "",
                                                   bool(marks.get(VISIBLE_PART_PASSED)),
                                                   ran=cell.get("execution_count") is not None or bool(cell.get("outputs")))
    return found


def written_answers(autograded: nbformat.NotebookNode) -> dict[str, str]:
    """Each written answer's text ("" when left as released)."""
    return {cells.grade_id(cell): ("" if cell.source.strip() in ("", NOT_ANSWERED) else cell.source.strip())
            for cell in autograded.cells if cells.is_written_answer(cell)}


def check_output(outcome: CheckOutcome | None) -> str:
    """What a check's test says once published."""
    if outcome is None or not outcome.ran:
        return "This check did not run (the notes in the summary say why)."
    if not outcome.error:
        return outcome.printed or "Passed."
    if outcome.visible_part_passed:
        return f"The visible part of this check passed; a hidden test failed:\n{outcome.error}"
    return outcome.error


def visible_line(check: str, outcome: CheckOutcome | None) -> str:
    """One line of the summary: what the check's visible part showed, as the notebook itself would."""
    if outcome is None or not outcome.ran:
        return f"  not run   {check}"
    if not outcome.error or outcome.visible_part_passed:
        return f"  passed    {check}"
    first = outcome.error.splitlines()[0]
    return f"  failed    {check}: {first}"


def graded_results(result: GradingResult, pack: LabPack, isolation: Isolation, seconds: float,
                   notes: list[str]) -> dict:
    """The results of a submission the worker graded (or could not grade: then its reason, and 0)."""
    if result.status != GRADED or result.autograded is None:
        return refused_results(" ".join(notes) or "The submission could not be graded.", isolation, seconds,
                               pack.bundle.lab)
    notebook = nbformat.reads(result.autograded, as_version=4)
    found, answers, titles = outcomes(notebook), written_answers(notebook), pack.titles
    bundle = pack.bundle
    checks = [name for name in bundle.points if name not in bundle.manual]
    score = sum(result.scores.get(name) or 0.0 for name in checks)
    lateness = result.lateness
    penalty = lateness.penalty(score) if lateness is not None else 0.0
    tests = []
    for number, name in enumerate(bundle.points, start=1):      # the graded cells in the lab's order
        if name in bundle.manual:
            tests.append({"name": f"{name} (written answer): {titles.get(name, '')}".rstrip(": "), "number": str(number),
                          "output": answers.get(name) or "(no answer was written)", "output_format": "md",
                          "visibility": VISIBLE})
        else:
            tests.append({"name": f"{name}: {titles.get(name, '')}".rstrip(": "), "number": str(number),
                          "score": float(result.scores.get(name) or 0.0), "max_score": float(bundle.points[name]),
                          "output": check_output(found.get(name)), "visibility": AFTER_PUBLISHED})
    summary = [f"{bundle.lab}: what your notebook's checks showed (their visible parts). Scores, and the results of "
               f"the hidden tests, appear once your instructor publishes the grades.", "",
               *(visible_line(name, found.get(name)) for name in checks)]
    if bundle.manual:
        summary += ["", "Written answers, graded by your instructor: "
                    + ", ".join(f"{name} ({bundle.points[name]:g} points)" for name in bundle.manual) + "."]
    if lateness is not None and lateness.status != UNKNOWN:
        summary += ["", lateness.sentence()]
    if notes:
        summary += ["", "Notes from the grader:", *(f"  - {note}" for note in notes)]
    return {"score": round(score - penalty, 2), "execution_time": round(seconds), "output": "\n".join(summary),
            "output_format": "text", "test_output_format": "text", "stdout_visibility": "hidden", "tests": tests,
            "extra_data": extra_data(bundle.lab, isolation, score, penalty, lateness)}


def refused_results(message: str, isolation: Isolation | None, seconds: float, lab: str) -> dict:
    """The results of a submission that could not be graded: 0, and what to do about it."""
    return {"score": 0.0, "execution_time": round(seconds), "output": message, "output_format": "text",
            "visibility": VISIBLE, "stdout_visibility": "hidden", "tests": [],
            "extra_data": extra_data(lab, isolation, 0.0, 0.0, None)}


def extra_data(lab: str, isolation: Isolation | None, score: float, penalty: float, lateness: Lateness | None) -> dict:
    """What Gradescope stores beside the results for the instructor."""
    return {"lab": lab, "isolation": isolation.kind if isolation else None,
            "isolation_detail": isolation.description if isolation else None,
            "score_before_penalty": score, "late_penalty": penalty,
            "lateness": lateness.to_json() if lateness is not None else None,
            "on_time": lateness is None or lateness.status == ON_TIME}


def schema() -> dict:
    """The JSON Schema of results.json, written from Gradescope's documentation."""
    return json.loads(SCHEMA.read_text())
