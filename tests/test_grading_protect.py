"""--no-sandbox's file guard: what a kernel changed, deleted or added in a protected folder is put back."""
from tools.grading.client.protect import FileGuard


def test_changed_deleted_and_new_files_are_repaired_and_named(tmp_path):
    folder = tmp_path / "submissions"
    (folder / "ann").mkdir(parents=True)
    (folder / "ann" / "vae.ipynb").write_text("ann's work")
    (folder / "bob.txt").write_text("bob's work")
    guard = FileGuard([folder])
    try:
        (folder / "ann" / "vae.ipynb").write_text("overwritten")
        (folder / "bob.txt").unlink()
        (folder / "planted.py").write_text("import os")
        repaired = guard.repair()
        assert (folder / "ann" / "vae.ipynb").read_text() == "ann's work"
        assert (folder / "bob.txt").read_text() == "bob's work"
        assert not (folder / "planted.py").exists()
        assert len(repaired) == 3 and any(name.endswith("planted.py") for name in repaired)
        assert guard.repair() == []
    finally:
        guard.close()


def test_files_the_grader_writes_are_accepted(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    guard = FileGuard([out])
    try:
        (out / "grades.csv").write_text("student,total\n")
        guard.accept_tree(out)
        assert guard.repair() == [] and (out / "grades.csv").exists()
    finally:
        guard.close()
