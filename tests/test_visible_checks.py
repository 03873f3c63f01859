"""Checks that teach: a plausible mistake fails the visible check before submission, with a hint; a correct alternative passes.

Every wrong implementation in helpers/mutants.py is run through the released notebook, whose check
cells hold only the visible checks: its own check must fail with a CheckError that carries a hint
(the hint names the mistake where its value is a known one). The few mistakes only a hidden test
can see are listed in helpers.mutants.HIDDEN_ONLY with the reason, and must indeed pass the visible
check. Every correct alternative in helpers/alternatives.py earns full marks, hidden tests included.
The share of mistakes caught before submission is kept in RESULTS.md (reports/checks.json).
"""
import nbformat
import pytest

import course_utils as cu
from tests.helpers.alternatives import ALTERNATIVES
from tests.helpers.mutants import HIDDEN_ONLY, MUTANTS
from tests.helpers.notebooks import check_failures, instructor_notebook, region_lines, visible_version
from tools import course

pytestmark = [pytest.mark.slow, pytest.mark.data]
LABS = course.lab_names()


def visible_failures(lab: str, mutant) -> dict[str, BaseException]:
    return check_failures(visible_version(lab, mutant.apply(instructor_notebook(lab))))


CASES = [pytest.param((lab, m), id=f"{lab}-{m.name}") for lab in LABS for m in MUTANTS.get(lab, [])]


@pytest.mark.parametrize("case", CASES)
def test_each_mistake_is_named_by_its_visible_check_or_listed_as_hidden_only(case, like_autograde):
    lab, mutant = case
    failures = visible_failures(lab, mutant)
    if (lab, mutant.name) in HIDDEN_ONLY:
        assert mutant.breaks not in failures, (f"{mutant.name} fails its visible check now: take it off HIDDEN_ONLY "
                                               f"({failures.get(mutant.breaks)})")
        return
    assert mutant.breaks in failures, f"{mutant.name} passes the visible part of {mutant.breaks}"
    error = failures[mutant.breaks]
    assert isinstance(error, cu.CheckError), f"{mutant.name}: the check stopped with {type(error).__name__}: {error}"
    assert "\n  Hint: " in str(error), f"{mutant.name}: the message gives no hint: {error}"
    assert set(failures) == {mutant.breaks}, f"{mutant.name} also fails {sorted(set(failures) - {mutant.breaks})}"


def test_nine_in_ten_mistakes_are_caught_before_submission():
    total = sum(len(MUTANTS.get(lab, [])) for lab in LABS)
    hidden_only = {key for key in HIDDEN_ONLY if key[0] in LABS}
    assert all(any(m.name == name for m in MUTANTS[lab]) for lab, name in hidden_only), "HIDDEN_ONLY names no mutant"
    caught = total - len(hidden_only)
    by_lab = {lab: {"mistakes": len(MUTANTS.get(lab, [])),
                    "caught by the visible checks": len(MUTANTS.get(lab, [])) - sum(1 for key in hidden_only
                                                                                     if key[0] == lab)}
              for lab in LABS}
    from tools.results import write_record
    write_record("checks", {"plausible mistakes (tests/helpers/mutants.py)": total,
                            "caught by the visible checks, before submission": caught,
                            "share caught before submission": round(caught / total, 3),
                            "by lab": [{"lab": lab, **counts} for lab, counts in by_lab.items()],
                            "only a hidden test can see": [f"{lab} {name}: {why}" for (lab, name), why in
                                                           sorted(HIDDEN_ONLY.items())]})
    assert caught / total >= 0.9, f"the visible checks catch {caught} of {total} mistakes"


ALTERNATIVE_CASES = [pytest.param((lab, a), id=f"{lab}-{a.name}") for lab in LABS for a in ALTERNATIVES.get(lab, [])]


@pytest.mark.parametrize("case", ALTERNATIVE_CASES)
def test_each_correct_alternative_earns_full_marks(case, like_autograde):
    lab, alternative = case
    written = alternative.apply(instructor_notebook(lab))
    assert check_failures(written) == {}, f"{alternative.name} loses points"
    assert check_failures(visible_version(lab, written)) == {}, f"{alternative.name} fails a visible check"


@pytest.mark.parametrize("lab", LABS)
def test_every_exercise_has_a_correct_alternative(lab):
    exercises = {cell.id for cell in instructor_notebook(lab).cells
                 if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution")}
    covered = {alternative.cell for alternative in ALTERNATIVES.get(lab, [])}
    assert exercises <= covered, f"no correct alternative tries {sorted(exercises - covered)}"


@pytest.mark.parametrize("case", CASES)
def test_no_message_quotes_the_solution(case, like_autograde):
    """A solution line the released notebook does not already show never appears in a check's message."""
    lab, mutant = case
    solution = instructor_notebook(lab)
    shown = "\n".join(cell.source for cell in nbformat.read(course.student_notebook(lab), as_version=4).cells)
    secret = {line for line in region_lines(solution, "SOLUTION")
              if len(line) > 20 and not line.startswith("#") and line not in shown}
    failures = check_failures(mutant.apply(solution))
    assert failures, f"{mutant.name} fails no check, so no message of it could be read"
    for error in failures.values():
        quoted = [line for line in secret if line in str(error)]
        assert not quoted, f"{mutant.name}: a message quotes the solution: {quoted}"
