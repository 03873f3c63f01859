"""The batch grader on a class with good work, bad files, honest slips and cheats, graded by the real command."""
import csv
import hashlib
import time

import nbformat
import psutil
import pytest

from tests.helpers.batch_fixtures import (AUTOGRADED, CHECKS, DIES_LOSES, EDITED_TRY_MARK, LAB, LATE, NO_TIME, POINTS, WRITTEN,
                                          deadline_arguments, edit, hostile_notebook, honest_zero, make_fixtures,
                                          targeted_vandal, write)
from tests.helpers.hostile import HOSTILE
from tests.helpers.notebooks import as_graded, read_grades, write_submission
from tools import course
from tools.grading.client import cli
from tools.grading.exploration import SHORTENED_NOTE, exploration_cells
from tools.labcode import complete_submission

pytestmark = [pytest.mark.slow, pytest.mark.sandbox, pytest.mark.kernel, pytest.mark.data]
ARGS = ["--cell-timeout", "15", "--notebook-timeout", "300", "--no-progress", "--no-gradebook"]


@pytest.fixture(scope="module")
def grade(grading_cluster):
    """The grading command, run on the tests' shared cluster: grade(submissions, out, *more arguments) -> exit code."""
    def run(submissions, out, *more):
        return cli.main([LAB, str(submissions), "--out", str(out), "--scheduler", grading_cluster, *ARGS, *more])
    return run


def read_table(out):
    with open(out / "grades.csv") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def digests(*folders):
    return {p: hashlib.sha256(p.read_bytes()).hexdigest()
            for folder in folders for p in sorted(folder.rglob("*")) if p.is_file()}


def hostile_processes():
    found = []
    for process in psutil.process_iter(["cmdline"]):
        try:
            if "HOSTILE-" in " ".join(process.info["cmdline"] or []):
                found.append(process.pid)
        except psutil.Error:
            pass
    return found


def up_to_the_last_graded_code_cell(nb):
    """The notebook without the ungraded code after its last graded code cell (exploration that grading never needs)."""
    graded = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")]
    nb.cells = [c for i, c in enumerate(nb.cells)
                if i <= graded[-1] or c.cell_type != "code" or c.metadata.get("nbgrader")]
    return nb


@pytest.fixture(scope="module")
def batch(tmp_path_factory, grade):
    root = tmp_path_factory.mktemp("class")
    submissions, out = root / "submissions", root / "out"
    expectations = make_fixtures(submissions, out)
    deadline = deadline_arguments(root, list(expectations))
    originals = digests(submissions)
    assert grade(submissions, out, *deadline) == 0
    finished = time.monotonic()
    return {"submissions": submissions, "out": out, "expectations": expectations, "originals": originals,
            "grades": read_table(out), "results": digests(out), "finished": finished, "deadline": deadline}


def scores(row):
    return {check: float(row[check]) for check in CHECKS}


def test_every_submission_has_one_row(batch):
    assert set(batch["grades"]) == set(batch["expectations"])


def test_graded_submissions_lose_exactly_the_broken_exercises(batch):
    wrong, looked_at = [], 0
    for student, spec in batch["expectations"].items():
        if "zero" not in spec:
            continue
        looked_at += 1
        row = batch["grades"][student]
        expected = {check: 0.0 if check in spec["zero"] else POINTS for check in CHECKS}
        if row["status"] != "graded" or scores(row) != expected:
            wrong.append(f"{student}: status {row['status']}, got {scores(row)}, expected {expected} ({row['notes']})")
    assert looked_at >= 20 and not wrong, "\n".join(wrong)


def test_honest_slips_never_cost_the_lab(batch):
    slips = {s: r for s, r in batch["grades"].items() if s.startswith("slip-")}
    assert len(slips) >= 12
    for student, row in slips.items():
        lost = [check for check in CHECKS if float(row[check]) == 0]
        assert row["status"] == "graded" and len(lost) <= 1, f"{student}: {row}"


def test_cheats_earn_nothing_they_did_not_earn_and_are_flagged(batch):
    assert len(HOSTILE) >= 10 and all(f"cheat-{name}" in batch["grades"] for name in HOSTILE)
    for name in HOSTILE:
        row = batch["grades"][f"cheat-{name}"]
        assert row["status"] == "graded", f"{name}: {row}"
        for check in honest_zero(name):
            assert float(row[check]) == 0, f"{name} earned points for {check}: {row}"
        assert float(row["total"]) <= POINTS * (len(CHECKS) - len(honest_zero(name))), f"{name}: {row}"
        assert HOSTILE[name][2]["note"] in row["notes"], f"{name} was not flagged as expected: {row['notes']}"


def test_bad_files_get_a_clear_error_and_zero(batch):
    bad = {student: spec for student, spec in batch["expectations"].items() if "error" in spec}
    assert len(bad) == 4
    for student, spec in bad.items():
        row = batch["grades"][student]
        assert row["status"] == "error" and float(row["total"]) == 0
        assert spec["error"] in row["notes"], row["notes"]


def test_notes_name_what_happened_in_sentences(batch):
    assert sum("note" in spec for spec in batch["expectations"].values()) >= 10
    for student, spec in batch["expectations"].items():
        notes = batch["grades"][student]["notes"]
        if "note" in spec:
            assert spec["note"] in notes, f"{student}: {notes}"
        assert "Traceback" not in notes and "[INFO]" not in notes and "[ERROR]" not in notes, f"{student}: {notes}"
    manifest_notes = [note for row in batch["grades"].values() for note in [row["notes"]] if note]
    assert manifest_notes and all(note.endswith(".") for note in manifest_notes)


def test_a_dying_kernel_costs_only_what_it_did_not_run(batch):
    row = batch["grades"]["kernel-dies"]
    assert row["status"] == "graded" and float(row["total"]) == AUTOGRADED - len(DIES_LOSES) * POINTS
    assert batch["grades"]["good-2"]["total"] == f"{AUTOGRADED:g}"


def test_nbgrader_logs_go_to_a_log_file_per_submission(batch):
    out = batch["out"]
    graded = [student for student, row in batch["grades"].items() if row["status"] == "graded"]
    assert len(graded) >= 30
    for student in graded:
        log = (out / "logs" / f"{student}.log").read_text()
        assert "Autograding" in log or "Sanitizing" in log, student


def test_nothing_outside_a_submission_changes_and_nothing_it_started_survives(batch):
    assert digests(batch["submissions"]) == batch["originals"]
    assert not hostile_processes(), "a process started by a submission outlived its kernel"
    time.sleep(max(0.0, 15 - (time.monotonic() - batch["finished"])))   # the survivors slept 12 s
    assert not hostile_processes()
    assert digests(batch["submissions"]) == batch["originals"]
    assert digests(batch["out"]) == batch["results"]
    assert "overwritten" not in (batch["out"] / "grades.csv").read_text()


def test_feedback_and_executed_notebooks_for_every_graded_student(batch):
    out = batch["out"]
    assert len(batch["grades"]) == len(batch["expectations"]) > 30
    for student, row in batch["grades"].items():
        assert (out / "feedback" / student / f"{LAB}.html").exists() == (row["status"] == "graded"), student
    html = (out / "feedback" / "good-1" / f"{LAB}.html").read_text()
    assert f"{AUTOGRADED:.1f}" in html and "encoder-check" in html
    cheat = (out / "feedback" / "cheat-patches-libraries" / f"{LAB}.html").read_text()
    assert "Notes from the grader" in cheat and "torch.Tensor.any" in cheat
    executed = nbformat.read(out / "autograded" / "good-1" / f"{LAB}.ipynb", as_version=4)
    assert not any("__grading__" in cell.source for cell in executed.cells), "guard lines leak into the feedback"
    assert any("were not run" in cell.source for cell in executed.cells if cell.cell_type == "markdown")


def test_grading_never_trains_but_runs_what_the_student_changed(batch):
    out, exploration = batch["out"], exploration_cells(nbformat.read(course.student_notebook(LAB), as_version=4))
    executed = {cell.id: cell for cell in nbformat.read(out / "autograded" / "good-1" / f"{LAB}.ipynb", as_version=4).cells}
    assert "train-main" in exploration and "encoder-try" in exploration
    training = executed["train-main"]
    assert training.source == exploration["train-main"], "the feedback must show the cell as the student has it"
    assert [output.get("text") for output in training.outputs] == [SHORTENED_NOTE], "grading trained the model"
    edited = {cell.id: cell for cell in nbformat.read(out / "autograded" / "edits-a-try-cell" / f"{LAB}.ipynb",
                                                      as_version=4).cells}["encoder-try"]
    shown = "".join(output.get("text", "") for output in edited.outputs)
    assert EDITED_TRY_MARK in shown and SHORTENED_NOTE not in shown


def test_the_report_says_the_kernels_ran_in_the_sandbox(batch):
    report = (batch["out"] / "report.txt").read_text()
    assert "grading mode: sandboxed (bubblewrap)" in report


def test_the_class_report_lists_who_needs_attention_and_the_common_failures(batch):
    page = (batch["out"] / "report.html").read_text()
    assert f"{LAB}: class report" in page and page.count("data:image/png;base64,") == 1
    attention = page[page.index("need attention"):page.index("Similar submissions")]
    errors = [student for student, row in batch["grades"].items() if row["status"] == "error"]
    assert errors and all(f"<td>{student}</td>" in attention for student in errors)
    assert "Most common failures" in page and "<td>" in page[page.index("Most common failures"):page.index("need attention")]


@pytest.fixture(scope="module")
def plain_nbgrader(tmp_path_factory):
    """The cheats that work against plain `nbgrader autograde` (the repository's own config, no grader)."""
    names = [name for name, (_, _, spec) in HOSTILE.items() if spec.get("works_unguarded")]
    scratch = course.make_course_copy(tmp_path_factory.mktemp("plain"), [LAB])
    course.release(scratch, LAB)
    for name in names:
        write_submission(scratch, name, LAB, as_graded(up_to_the_last_graded_code_cell(hostile_notebook(name)), LAB))
    course.nbgrader(scratch, "autograde", LAB, "--force", timeout=1200)
    return names, read_grades(scratch, LAB, names)


def test_each_cheat_works_against_plain_nbgrader(plain_nbgrader, batch):
    names, grades = plain_nbgrader
    assert len(names) >= 5
    for name in names:
        plain = sum(score for score, _ in grades[name].values())
        honest = POINTS * (len(CHECKS) - len(honest_zero(name)))
        assert plain > honest, f"{name} does not fool plain nbgrader ({plain} points), so it proves nothing"
        assert float(batch["grades"][f"cheat-{name}"]["total"]) <= honest


def test_a_late_submission_shows_its_penalty_and_an_unknown_time_its_note(batch):
    late, unknown, on_time = (batch["grades"][student] for student in (LATE, NO_TIME, "good-1"))
    assert (late["total"], late["late"], late["penalty"], late["final"]) == \
        (f"{AUTOGRADED:g}", "1 day late", f"{AUTOGRADED * 0.1:g}", f"{AUTOGRADED * 0.9:g}")
    assert late["submitted"].startswith("2027-02-15T19:59")
    assert (on_time["late"], on_time["penalty"], on_time["final"]) == ("on time", "0", f"{AUTOGRADED:g}")
    assert (unknown["late"], unknown["penalty"], unknown["final"]) == ("time unknown", "0", f"{AUTOGRADED:g}")
    assert "no timestamp.txt" in unknown["notes"] and "no late penalty" in unknown["notes"]
    page = (batch["out"] / "feedback" / LATE / f"{LAB}.html").read_text()
    assert "Handed in 2027-02-15 19:59" in page and "1 day late at 10% a day" in page
    report = (batch["out"] / "report.html").read_text()
    deadline = report[report.index("<h2>Deadline</h2>"):report.index("Most common failures")]
    assert f"<td>{LATE}</td>" in deadline and f"<td>{NO_TIME}</td>" in deadline and "<td>good-1</td>" not in deadline


def test_a_colab_download_grades_exactly_like_the_same_answers_from_jupyterlab(batch):
    colab, jupyterlab = batch["grades"]["colab-download"], batch["grades"]["good-1"]
    assert colab["status"] == "graded"
    assert {k: v for k, v in colab.items() if k != "student"} == {k: v for k, v in jupyterlab.items() if k != "student"}
    out = batch["out"]
    graded = [nbformat.read(out / "autograded" / student / f"{LAB}.ipynb", as_version=4)
              for student in ("colab-download", "good-1")]
    assert [(c.source, c.get("outputs")) for c in graded[0].cells if c.cell_type == "code"
            and "nbgrader" in c.metadata] == [(c.source, c.get("outputs")) for c in graded[1].cells
                                              if c.cell_type == "code" and "nbgrader" in c.metadata]


def test_regrading_is_incremental_and_keeps_earlier_results(batch, grade):
    submissions, out, first = batch["submissions"], batch["out"], batch["grades"]
    assert grade(submissions, out, *batch["deadline"]) == 0
    second = read_table(out)
    assert {s: r["total"] for s, r in second.items()} == {s: r["total"] for s, r in first.items()}
    assert all(r["status"] in {"unchanged", "error"} for r in second.values())
    manifest = (out / "manifest.json").read_text()
    assert '"status": "graded"' in manifest
    _, complete = complete_submission(LAB)
    write(submissions, "untouched", complete)
    assert grade(submissions, out, *batch["deadline"]) == 0
    third = read_table(out)
    assert third["untouched"]["status"] == "graded" and third["untouched"]["total"] == f"{AUTOGRADED:g}"
    assert third["good-1"]["total"] == f"{AUTOGRADED:g}"
    kept = sorted((out / "history").glob(f"*/feedback/untouched/{LAB}.html"))
    assert kept, "the earlier feedback of the regraded submission was not kept"
    zero_row = "untouched,graded," + "0," * (len(CHECKS) + 2) + f"{AUTOGRADED + WRITTEN:g},"   # checks, question, total
    assert any(zero_row in p.read_text()
               for p in (out / "history").glob("*/grades.csv"))
    assert any(f"untouched: 0 -> {AUTOGRADED:g}" in p.read_text() for p in (out / "history").glob("*/changes.txt"))


def test_without_the_sandbox_the_report_says_so_and_files_are_restored(tmp_path, grade):
    submissions, out = tmp_path / "submissions", tmp_path / "out"
    untouched, complete = complete_submission(LAB)
    write(submissions, "good", complete)
    write(submissions, "vandal", edit(complete, "encoder", prepend=targeted_vandal(submissions, out)))
    before = digests(submissions)
    assert grade(submissions, out, "--no-sandbox") == 0
    report = (out / "report.txt").read_text()
    assert "NOT sandboxed (--no-sandbox)" in report
    assert digests(submissions) == before
    grades = read_table(out)
    assert "Files outside its folder changed" in grades["vandal"]["notes"] + grades["good"]["notes"]


def test_unknown_lab_and_missing_folder_are_usage_errors(tmp_path, capsys):
    with pytest.raises(SystemExit):
        cli.main(["nolab", str(tmp_path)])
    assert "unknown lab(s) nolab" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main([LAB, str(tmp_path / "missing")])
    assert "is not a folder" in capsys.readouterr().err
