"""The results folder: one row per student, nothing lost, written answers waiting for a person."""
import csv
import io
import json

from tools.grading.records import ERROR, GRADED, NEEDS_MANUAL, UNCHANGED, GradingResult
from tools.grading.client.outputs import Columns, ResultStore, summarise, write_atomically

COLUMNS = Columns(points={"a-check": 2.0, "b-check": 3.0, "essay": 2.0}, manual=("essay",))


def result(student, status=GRADED, scores=None, notes=(), digest="d1"):
    return GradingResult(student, status, scores if scores is not None else {"a-check": 2.0, "b-check": 0.0,
                                                                             "essay": None},
                         list(notes), digest, 1.0, autograded="{}", feedback="<html>ok</html>", log="[INFO] ran")


def table(out):
    return {row["student"]: row for row in csv.DictReader(io.StringIO((out / "grades.csv").read_text()))}


def test_a_graded_row_shows_scores_total_and_written_answers_waiting(tmp_path):
    store = ResultStore(tmp_path, "lab", COLUMNS, "run1")
    store.record(result("ann", notes=["Cell x was copied; the copy was ignored."]))
    row = table(tmp_path)["ann"]
    assert (row["status"], row["a-check"], row["b-check"], row["essay"]) == (GRADED, "2", "0", NEEDS_MANUAL)
    assert row["total"] == "2" and row["max"] == "7"
    assert "Cell x was copied" in row["notes"] and "need manual grading" in row["notes"]
    assert (tmp_path / "feedback" / "ann" / "lab.html").read_text() == "<html>ok</html>"
    assert (tmp_path / "logs" / "ann.log").read_text() == "[INFO] ran"
    assert json.loads((tmp_path / "manifest.json").read_text())["students"]["ann"]["digest"] == "d1"


def test_manual_scores_replace_the_waiting_mark(tmp_path):
    store = ResultStore(tmp_path, "lab", COLUMNS, "run1")
    store.record(result("ann"))
    store.manual_scores = {"ann": {"essay": 1.5}}
    store.save()
    row = table(tmp_path)["ann"]
    assert row["essay"] == "1.5" and row["total"] == "3.5" and "manual grading" not in row["notes"]


def test_a_regrade_keeps_the_earlier_files_and_records_the_change(tmp_path):
    ResultStore(tmp_path, "lab", COLUMNS, "run1").record(result("ann"))
    second = ResultStore(tmp_path, "lab", COLUMNS, "run2")
    assert second.is_unchanged("ann", "d1") and not second.is_unchanged("ann", "d2")
    second.record(result("ann", scores={"a-check": 2.0, "b-check": 3.0, "essay": None}, digest="d2"))
    history = tmp_path / "history" / "run2"
    assert (history / "feedback" / "ann" / "lab.html").exists()
    assert "ann,graded,2,0," in (history / "grades.csv").read_text()
    assert (history / "changes.txt").read_text() == "ann: 2 -> 5\n"
    assert table(tmp_path)["ann"]["total"] == "5"


def test_an_unchanged_submission_keeps_its_row_and_files(tmp_path):
    ResultStore(tmp_path, "lab", COLUMNS, "run1").record(result("ann", notes=["A note."]))
    before = (tmp_path / "manifest.json").read_text()
    second = ResultStore(tmp_path, "lab", COLUMNS, "run2")
    kept = second.unchanged("ann")
    second.save()
    assert (kept.status, kept.scores, kept.notes, kept.digest) == (UNCHANGED, result("ann").scores, ["A note."], "d1")
    assert json.loads((tmp_path / "manifest.json").read_text())["students"] == json.loads(before)["students"]
    assert table(tmp_path)["ann"]["status"] == UNCHANGED and table(tmp_path)["ann"]["total"] == "2"
    assert not (tmp_path / "history" / "run2").exists(), "nothing was replaced"


def test_an_error_row_scores_zero_everywhere(tmp_path):
    store = ResultStore(tmp_path, "lab", COLUMNS, "run1")
    store.record(GradingResult("bob", ERROR, {}, ["The notebook file is empty."], "d1"))
    row = table(tmp_path)["bob"]
    assert (row["status"], row["a-check"], row["essay"], row["total"]) == (ERROR, "0", "0", "0")
    assert row["notes"] == "The notebook file is empty."
    assert not (tmp_path / "feedback" / "bob").exists()


def test_writes_are_atomic(tmp_path):
    target = tmp_path / "x" / "file.txt"
    write_atomically(target, "one")
    write_atomically(target, "two")
    assert target.read_text() == "two" and [p.name for p in target.parent.iterdir()] == ["file.txt"]


def test_the_summary_counts_and_averages():
    results = {"ann": result("ann"), "bob": result("bob", status=ERROR, scores={}),
               "cy": result("cy", status=UNCHANGED, scores={"a-check": 2.0, "b-check": 3.0, "essay": 1.0})}
    text = summarise("lab", results, COLUMNS, graded_now=1, elapsed=30, mode="sandboxed (bubblewrap)")
    assert "3 submission(s): 1 graded now, 1 unchanged since the last run, 1 could not be graded." in text
    assert "grading mode: sandboxed (bubblewrap)" in text and "2.0 submissions per minute" in text
    assert "a-check" in text and "essay" in text and "waiting for manual grading" in text
