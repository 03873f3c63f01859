"""The Gradescope autograder without Gradescope: `make gradescope`'s zip, unpacked once into roots laid out as
Gradescope's, grades six uploads with run_autograder, and every results.json follows Gradescope's documented schema.

The six uploads: a complete notebook handed in on time, a wrong one handed in a day late (one
mistake the visible check shows, one only a hidden test finds), the complete notebook as Colab
downloads it (on time thanks to an extension granted on Gradescope), a .py file, an empty upload
and two notebooks. The roots share one unpacked zip and the course's own environment (no new
install); kernels use the smoke budget, as the grader always sets.
"""
import datetime as dt
import json
import os
import subprocess
import sys

import jsonschema
import nbformat
import pytest

from tests.helpers.batch_fixtures import mutant
from tests.helpers.colab import colab_download
from tools import cells, course
from tools.grading.client.gradescope import package
from tools.grading.client.gradescope.lab_pack import LabPack
from tools.grading.client.gradescope.results import schema
from tools.labcode import complete_submission

pytestmark = [pytest.mark.slow, pytest.mark.sandbox, pytest.mark.kernel, pytest.mark.data]
LAB = "vae"
DUE = dt.datetime(2027, 2, 14, 23, 59, tzinfo=dt.timezone.utc)
DEADLINES = f"""
[late]
grace_minutes = 15
penalty_per_day = 10
max_penalty = 50

[labs.{LAB}]
due = {DUE.isoformat()}
"""
# z right, its gradient to logvar wrong (0.5 eps, not 0.5 sigma eps): the visible check sees a gradient, the hidden test its value
WRONG_GRADIENT = ("return mu + sigma * eps", "return mu + (sigma.detach() + 0.5 * (logvar - logvar.detach())) * eps")


def metadata(handed_in: dt.timedelta, own_due: dt.datetime | None = None) -> dict:
    """submission_metadata.json as Gradescope writes it, for a submission `handed_in` after the due date."""
    user = {"email": "ada@uni.edu", "id": 1234, "name": "Ada Student", "sid": "S1001"}
    if own_due is not None:
        user["assignment"] = {"release_date": "2027-02-01T00:00:00.000000+00:00", "due_date": own_due.isoformat(),
                              "late_due_date": None}
    return {"id": 98765, "created_at": (DUE + handed_in).isoformat(), "submission_method": "upload",
            "assignment": {"id": 25828, "course_id": 1234, "title": "VAE lab", "due_date": DUE.isoformat(),
                           "late_due_date": (DUE + dt.timedelta(days=7)).isoformat(), "group_submission": False,
                           "group_size": None, "release_date": "2027-02-01T00:00:00.000000+00:00",
                           "total_points": "14.0"},
            "users": [user], "previous_submissions": []}


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    """The zip as `make gradescope` writes it, unpacked once; and what it carries of the lab."""
    root = tmp_path_factory.mktemp("gradescope")
    (root / "deadlines.toml").write_text(DEADLINES)
    zipped = root / "autograder.zip"
    assert package.main([LAB, "--out", str(zipped), "--deadlines", str(root / "deadlines.toml")]) == 0
    source = root / "source"
    subprocess.run(["unzip", "-q", str(zipped), "-d", str(source)], check=True)
    return source, LabPack.read(source / "lab")


@pytest.fixture(scope="module")
def graded(autograder, tmp_path_factory):
    """results.json of each upload, graded by run_autograder in a root of its own that shares the unpacked zip."""
    source, _ = autograder
    untouched, complete = complete_submission(LAB)
    wrong = mutant("decoder-no-sigmoid", complete)
    [reparametrize] = [cell for cell in wrong.cells if cell.get("id") == "reparametrize"]
    assert WRONG_GRADIENT[0] in reparametrize.source
    reparametrize.source = reparametrize.source.replace(*WRONG_GRADIENT)
    uploads = {
        "complete": ({f"{LAB}.ipynb": nbformat.writes(complete)}, metadata(-dt.timedelta(hours=2))),
        "wrong": ({f"{LAB}.ipynb": nbformat.writes(wrong)}, metadata(dt.timedelta(hours=20))),
        "colab": ({f"Copy of {LAB}.ipynb": json.dumps(colab_download(complete), indent=2)},
                  metadata(dt.timedelta(days=2), own_due=DUE + dt.timedelta(days=3))),
        "script": ({f"{LAB}.py": "def encoder():\n    pass\n"}, metadata(dt.timedelta(0))),
        "empty": ({}, metadata(dt.timedelta(0))),
        "two-notebooks": ({f"{LAB}.ipynb": nbformat.writes(complete), f"{LAB}-old.ipynb": nbformat.writes(untouched)},
                          metadata(dt.timedelta(0))),
    }
    results, logs = {}, {}
    for name, (files, data) in uploads.items():
        root = tmp_path_factory.mktemp(name)
        (root / "source").symlink_to(source)
        (root / "submission").mkdir()
        for filename, text in files.items():
            (root / "submission" / filename).write_text(text)
        (root / "submission_metadata.json").write_text(json.dumps(data))
        env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable}
        done = subprocess.run([str(source / "run_autograder")], env=env, capture_output=True, text=True, timeout=600)
        logs[name] = done.stdout + done.stderr
        assert done.returncode == 0, logs[name]
        results[name] = json.loads((root / "results" / "results.json").read_text())
    return results, logs


def scores(results: dict) -> dict[str, float]:
    return {test["name"].split(":")[0]: test["score"] for test in results["tests"] if "score" in test}


def test_the_zip_is_laid_out_as_gradescope_requires_and_holds_no_solution(autograder):
    source, pack = autograder
    assert os.access(source / "setup.sh", os.X_OK) and os.access(source / "run_autograder", os.X_OK)
    assert (source / "grader" / "tools" / "grading" / "in_sandbox").is_dir() and (source / "course_utils").is_dir()
    assert (source / "requirements.txt").read_text() == (course.REPO_ROOT / "requirements.txt").read_text()
    assert not (source / "solutions").exists() and not (source / "labs").exists()
    solution = nbformat.read(course.solution_notebook(LAB), as_version=4)
    answers = [cell.source for cell in solution.cells if "### BEGIN SOLUTION" in cell.source]
    release = (source / "lab" / "release.ipynb").read_text()
    assert answers and not any(answer in release for answer in answers)
    assert pack.bundle.points == cells.graded_points(solution) and pack.deadline.due == DUE


def test_every_results_file_follows_gradescope_s_documented_schema(graded):
    results, _ = graded
    validator = jsonschema.Draft202012Validator(schema())
    validator.check_schema(schema())
    assert len(results) == 6
    for name, found in results.items():
        errors = [error.message for error in validator.iter_errors(found)]
        assert not errors, f"{name}: {errors}"
    assert not validator.is_valid({**results["complete"], "visibility": "after_grading"}), "the schema must bite"
    assert not validator.is_valid({"tests": [{"name": "no score"}]})


def test_a_complete_submission_gets_one_test_per_graded_cell_and_full_marks(graded, autograder):
    results, logs = graded
    _, pack = autograder
    complete = results["complete"]
    checks = cells.test_points(pack.release)
    assert scores(complete) == checks and complete["score"] == sum(checks.values())
    names = [test["name"].split(" ")[0].rstrip(":") for test in complete["tests"]]
    assert names == list(cells.graded_points(pack.release)), "one test per graded cell, in the lab's order"
    assert all(test["visibility"] == "after_published" for test in complete["tests"] if "score" in test)
    assert "ran in the grader's bubblewrap sandbox" in logs["complete"]
    assert complete["extra_data"]["isolation"] == "bubblewrap"
    assert complete["extra_data"]["lateness"]["status"] == "on time" and "on time" in complete["output"]


def test_written_answers_wait_for_a_person_and_are_never_scored(graded, autograder):
    _, pack = autograder
    results, _ = graded
    written = cells.written_answers(pack.release)
    assert written
    for test in results["complete"]["tests"]:
        if test["name"].split(" ")[0] in written:
            assert "score" not in test and "max_score" not in test and test["visibility"] == "visible"
            assert "written answer" in test["name"] and test["output"]


def test_a_wrong_submission_loses_its_checks_and_its_late_day(graded, autograder):
    results, _ = graded
    _, pack = autograder
    wrong = results["wrong"]
    lost = {name for name, score in scores(wrong).items() if score == 0}
    assert lost == {"decoder-check", "reparametrize-check"}, scores(wrong)
    checks = cells.test_points(pack.release)
    before = sum(checks.values()) - checks["decoder-check"] - checks["reparametrize-check"]
    assert wrong["extra_data"]["score_before_penalty"] == before and wrong["score"] == pytest.approx(0.9 * before)
    assert "1 day late at 10% a day" in wrong["output"]
    tests = {test["name"].split(":")[0]: test for test in wrong["tests"]}
    assert "sigmoid" in tests["decoder-check"]["output"]
    assert tests["reparametrize-check"]["output"].startswith("The visible part of this check passed; a hidden test")
    summary = wrong["output"]
    assert "failed    decoder-check" in summary and "passed    reparametrize-check" in summary
    hidden = tests["reparametrize-check"]["output"].splitlines()[-1]
    assert "dz/dlogvar (hidden test)" in hidden and hidden not in summary, "the summary shows only what the visible checks showed"


def test_a_colab_download_grades_exactly_like_the_same_answers_from_jupyterlab(graded):
    results, _ = graded
    colab, complete = results["colab"], results["complete"]
    assert scores(colab) == scores(complete) and colab["score"] == complete["score"]
    assert [t["output"] for t in colab["tests"]] == [t["output"] for t in complete["tests"]]
    assert "Notes from the grader" not in colab["output"], colab["output"]
    assert colab["extra_data"]["lateness"]["status"] == "on time", "the extension granted on Gradescope counts"


@pytest.mark.parametrize("name, phrase", [("script", "holds no notebook, only vae.py"),
                                          ("empty", "The submission is empty"),
                                          ("two-notebooks", "holds 2 notebooks")])
def test_an_upload_that_cannot_be_graded_gets_zero_and_what_to_upload(graded, name, phrase):
    results, logs = graded
    found = results[name]
    assert found["score"] == 0 and found["tests"] == [] and found["visibility"] == "visible"
    assert phrase in found["output"] and "vae.ipynb" in found["output"], found["output"]
    assert "Traceback" not in logs[name] and "Traceback" not in found["output"]


def test_the_hidden_tests_stay_root_s_alone(graded, autograder):
    source, _ = autograder
    assert (source / "lab").stat().st_mode & 0o077 == 0
