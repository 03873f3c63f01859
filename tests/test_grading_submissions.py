"""Finding submissions and reading them: every problem becomes a sentence, nothing is run."""
import nbformat

from tools.course import student_notebook
from tools.grading.client.submissions import find_submissions, read_notebook, which_lab
from tools.labcode import complete_submission


def layout(tmp_path, files):
    for relative, content in files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return {s.student: s for s in find_submissions(tmp_path, "vae")}


def test_both_layouts_are_found_and_problems_are_named(tmp_path):
    found = layout(tmp_path, {"ann/vae.ipynb": "{}", "bob/vae/vae.ipynb": "{}", "cy/my_vae.ipynb": "{}",
                              "dee/notes.txt": "", "loose.ipynb": "{}", "bad id!/vae.ipynb": "{}", ".hidden/x": ""})
    assert found["ann"].path.name == "vae.ipynb" and found["bob"].path == tmp_path / "bob" / "vae" / "vae.ipynb"
    assert "renamed notebook" in found["cy"].problem and "my_vae.ipynb" in found["cy"].problem
    assert found["dee"].problem == "no vae.ipynb in the folder"
    assert "a loose file" in found["loose"].problem
    assert "not a usable student id" in found["bad id!"].problem
    assert ".hidden" not in found


def test_unreadable_files_are_named(tmp_path):
    found = layout(tmp_path, {"a/vae.ipynb": "", "b/vae.ipynb": "{ not json", "c/vae.ipynb": '{"cells": 3}'})
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "vae.ipynb").write_bytes(b"\xff\xfe\x00binary")
    found = {s.student: s for s in find_submissions(tmp_path, "vae")}
    problems = {}
    for student, submission in found.items():
        assert read_notebook(submission) is None
        problems[student] = submission.problem
        assert len(submission.digest) == 64
    assert problems["a"] == "the notebook file is empty"
    assert problems["b"].startswith("not valid notebook JSON (line 1")
    assert problems["c"].startswith("valid JSON but not a notebook")
    assert "not text (UTF-8)" in problems["d"]


def test_the_lab_is_recognised_even_without_grading_marks():
    release = nbformat.read(student_notebook("vae"), as_version=4)
    others = {"cvae": {"one-hot", "one-hot-check"}}
    _, complete = complete_submission("vae")
    assert which_lab(complete, "vae", release, others) is None
    stripped = nbformat.reads(nbformat.writes(complete), as_version=4)
    for cell in stripped.cells:
        cell.metadata = {}
    assert which_lab(stripped, "vae", release, others) is None
    _, cvae = complete_submission("cvae")
    assert which_lab(cvae, "vae", release, others) == "this is the cvae lab's notebook, not the vae lab's"
    assert "no graded cells of the vae lab" in which_lab(nbformat.v4.new_notebook(), "vae", release, others)


def test_files_beside_the_notebook_are_taken_and_change_the_digest(tmp_path):
    from tools.grading.client import submissions as module
    found = layout(tmp_path, {"ann/vae.ipynb": "{}", "ann/scale.txt": "2.0", "ann/data/points.csv": "1,2",
                              "ann/.secret": "x", "ann/timestamp.txt": "2026", "ann/outputs/model.pt": "weights",
                              "ann/.ipynb_checkpoints/vae-checkpoint.ipynb": "{}", "ann/helper.pyc": "bytecode",
                              "ann/feedback/vae.html": "<html>", "bob/vae.ipynb": "{}"})
    ann, bob = found["ann"], found["bob"]
    for submission in (ann, bob):
        read_notebook(submission)
    plain_digest = ann.digest
    module.handed_in_files(ann)
    module.handed_in_files(bob)
    assert dict(ann.files) == {"data/points.csv": b"1,2", "scale.txt": b"2.0"}
    assert ann.digest != plain_digest and len(ann.digest) == 64
    assert bob.files == () and bob.digest == plain_digest, "a notebook alone keeps the digest of the notebook"
    (tmp_path / "ann" / "scale.txt").write_text("3.0")
    again = layout(tmp_path, {})["ann"]
    read_notebook(again)
    module.handed_in_files(again)
    assert again.digest != ann.digest, "changing a handed-in file must regrade the submission"


def test_too_many_or_too_large_files_stay_out_with_a_note(tmp_path, monkeypatch):
    from tools.grading.client import submissions as module
    monkeypatch.setattr(module, "MAX_FILES", 2)
    found = layout(tmp_path, {"ann/vae.ipynb": "{}", **{f"ann/f{k}.txt": "x" for k in range(4)}})
    ann = found["ann"]
    read_notebook(ann)
    module.handed_in_files(ann)
    assert [name for name, _ in ann.files] == ["f0.txt", "f1.txt"]
    assert ann.notes and "2 file(s) beside the notebook (f2.txt, f3.txt) were not given to the kernel" in ann.notes[0]
