"""The batch autograder on a class with good and bad submissions, graded together, then regraded."""
import csv
import hashlib
import shutil

import nbformat
import pytest

from batch_fixtures import LAB, make_fixtures, notebooks, write
from tools import autograde

pytestmark = pytest.mark.slow
POINTS = 2.0
ARGS = ["--workers", "2", "--cell-timeout", "25", "--notebook-timeout", "600"]


def read_grades(out):
    with open(out / "grades.csv") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def digests(folder):
    return {p.relative_to(folder): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    submissions, out = root / "submissions", root / "out"
    expectations = make_fixtures(submissions)
    originals = digests(submissions)
    assert autograde.main([LAB, str(submissions), "--out", str(out), *ARGS]) == 0
    return submissions, out, expectations, originals, read_grades(out)


def test_every_submission_has_one_row(batch):
    _, _, expectations, _, grades = batch
    assert set(grades) == set(expectations)


def test_graded_submissions_lose_exactly_the_broken_exercises(batch):
    _, _, expectations, _, grades = batch
    checks = [name for name in next(iter(grades.values())) if name.endswith("-check")]
    wrong = []
    for student, spec in expectations.items():
        if "zero" not in spec:
            continue
        row = grades[student]
        expected = {check: 0.0 if check in spec["zero"] else POINTS for check in checks}
        got = {check: float(row[check]) for check in checks}
        if row["status"] != "graded" or got != expected:
            wrong.append(f"{student}: status {row['status']}, got {got}, expected {expected} ({row['notes']})")
    assert not wrong, "\n".join(wrong)


def test_bad_files_get_a_clear_error_and_zero(batch):
    _, _, expectations, _, grades = batch
    for student, spec in expectations.items():
        if "error" in spec:
            assert grades[student]["status"] == "error"
            assert float(grades[student]["total"]) == 0
            assert spec["error"] in grades[student]["notes"], grades[student]["notes"]


def test_notes_name_what_happened(batch):
    _, _, expectations, _, grades = batch
    for student, spec in expectations.items():
        if "note" in spec:
            assert spec["note"] in grades[student]["notes"], f"{student}: {grades[student]['notes']}"


def test_a_dying_kernel_is_reported_and_the_batch_goes_on(batch):
    _, _, _, _, grades = batch
    assert grades["kernel-dies"]["status"] == "error"
    assert "kernel died" in grades["kernel-dies"]["notes"]
    assert grades["good-2"]["total"] == "10"


def test_nothing_outside_a_submission_changes(batch):
    submissions, _, _, originals, grades = batch
    assert digests(submissions) == originals
    assert "files outside its folder changed while grading" in grades["vandal"]["notes"]
    assert "overwritten" not in (batch[1] / "grades.csv").read_text()


def test_feedback_and_executed_notebooks_for_every_graded_student(batch):
    _, out, _, _, grades = batch
    for student, row in grades.items():
        has_feedback = (out / "feedback" / student / f"{LAB}.html").exists()
        assert has_feedback == (row["status"] == "graded"), student
    html = (out / "feedback" / "good-1" / f"{LAB}.html").read_text()
    assert "10.0" in html and "encoder-check" in html


def test_regrading_is_incremental_and_keeps_earlier_results(batch):
    submissions, out, _, _, first = batch
    # Unchanged submissions are not run again and keep their grades.
    assert autograde.main([LAB, str(submissions), "--out", str(out), *ARGS]) == 0
    second = read_grades(out)
    assert {s: r["total"] for s, r in second.items()} == {s: r["total"] for s, r in first.items()}
    assert all(r["status"] in {"unchanged", "error"} for r in second.values())
    # A changed submission is regraded; its earlier feedback and the earlier table are kept.
    _, complete = notebooks()
    write(submissions, "untouched", complete)
    assert autograde.main([LAB, str(submissions), "--out", str(out), *ARGS]) == 0
    third = read_grades(out)
    assert third["untouched"]["status"] == "graded" and third["untouched"]["total"] == "10"
    assert third["good-1"]["status"] == "unchanged"
    kept = sorted((out / "history").glob(f"*/feedback/untouched/{LAB}.html"))
    assert kept, "the earlier feedback of the regraded submission was not kept"
    assert any("untouched,graded" in p.read_text() and ",0,10," in p.read_text()
               for p in (out / "history").glob("*/grades.csv"))
    assert any("untouched: 0 -> 10" in p.read_text() for p in (out / "history").glob("*/changes.txt"))


def test_unknown_lab_and_missing_folder_are_usage_errors(tmp_path, capsys):
    with pytest.raises(SystemExit):
        autograde.main(["nolab", str(tmp_path)])
    assert "unknown lab 'nolab'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        autograde.main([LAB, str(tmp_path / "missing")])
    assert "is not a folder" in capsys.readouterr().err
