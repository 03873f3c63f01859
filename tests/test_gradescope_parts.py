"""The Gradescope autograder's parts, without a kernel: the metadata, the uploads, the isolation, the results.

test_gradescope.py grades real uploads end to end; here each part is tried on the cases it must
handle, fast: Gradescope's metadata as documented and as it is really written, uploads with
nothing, several or hidden files, the choice of isolation and what a kernel user may read, and
results.json for a broken autograder.
"""
import datetime as dt
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import jsonschema
import pytest

from tests.helpers import REPO_ROOT
from tools.grading.client.gradescope import run
from tools.grading.client.gradescope.isolation import BUBBLEWRAP, NONE, SEPARATE_USER, Isolation, choose
from tools.grading.client.gradescope.layout import Layout
from tools.grading.client.gradescope.metadata import read_metadata
from tools.grading.client.gradescope.results import refused_results, schema
from tools.grading.settings import GradingSettings, KernelPlan
from tools.grading.worker.kernel_launch import as_account, hand_over, kernel_account

RUN_AUTOGRADER = run.__file__.rsplit("/", 1)[0] + "/run_autograder"
AS_ROOT = pytest.mark.skipif(os.geteuid() != 0, reason="starting a process as another user needs root")


def valid(results: dict) -> bool:
    return jsonschema.Draft202012Validator(schema()).is_valid(results)


# -- submission_metadata.json ---------------------------------------------------------------------


def write(path, data) -> None:
    path.write_text(data if isinstance(data, str) else json.dumps(data))


def test_the_documented_metadata_gives_the_time_the_due_date_and_the_students_names(tmp_path):
    write(tmp_path / "m.json", {"id": 123456, "created_at": "2018-07-01T14:22:32.365935-07:00",
                                "assignment": {"due_date": "2018-07-31T23:00:00.000000-07:00", "late_due_date": None},
                                "users": [{"email": "student@example.com", "id": 1234, "name": "Student User"}]})
    found = read_metadata(tmp_path / "m.json")
    assert found.submitted == dt.datetime(2018, 7, 1, 21, 22, 32, 365935, tzinfo=dt.timezone.utc)
    assert found.due == dt.datetime(2018, 8, 1, 6, tzinfo=dt.timezone.utc) and found.problem == ""
    assert found.names == ("student@example.com", "1234") and found.submission_id == "123456"


def test_each_student_s_own_due_date_comes_first_and_a_group_gets_the_latest(tmp_path):
    own = [{"email": "a@x.edu", "sid": "S1", "id": 1, "assignment": {"due_date": "2027-02-16T23:59:00+00:00"}},
           {"email": "b@x.edu", "sid": None, "id": 2, "assignment": {"due_date": "2027-02-18T23:59:00+00:00"}}]
    write(tmp_path / "m.json", {"created_at": "2027-02-15T10:00:00+00:00", "users": own,
                                "assignment": {"due_date": "2027-02-14T23:59:00+00:00"}})
    found = read_metadata(tmp_path / "m.json")
    assert found.due == dt.datetime(2027, 2, 18, 23, 59, tzinfo=dt.timezone.utc)
    assert found.names == ("a@x.edu", "S1", "1", "b@x.edu", "2")


@pytest.mark.parametrize("data, phrase", [(None, "gave no"), ("[1, 2]", "not a JSON object"), ("{oops", "cannot be read"),
                                          ({"created_at": "2027-02-15T10:00:00"}, "has no time zone"),
                                          ({"assignment": {}}, "no created_at")])
def test_a_missing_or_damaged_metadata_file_leaves_the_time_unknown_with_the_reason(tmp_path, data, phrase):
    if data is not None:
        write(tmp_path / "m.json", data)
    found = read_metadata(tmp_path / "m.json")
    assert found.submitted is None and phrase in found.problem


# -- the uploads ----------------------------------------------------------------------------------


def upload(tmp_path, *names: str) -> run.Run:
    for name in names:
        path = tmp_path / "submission" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}")
    (tmp_path / "submission").mkdir(exist_ok=True)
    return run.Run(Layout(tmp_path), pack=type("Pack", (), {"bundle": type("Bundle", (), {"lab": "vae"})})())


def test_the_one_notebook_is_found_whatever_its_name_and_besides_hidden_or_mac_files(tmp_path):
    state = upload(tmp_path, "Copy of vae.ipynb", "__MACOSX/._Copy of vae.ipynb", ".ipynb_checkpoints/vae-checkpoint.ipynb",
                   "data/scale.txt")
    run.find_the_notebook(state)
    assert state.submission.path == tmp_path / "submission" / "Copy of vae.ipynb"


@pytest.mark.parametrize("names, phrase", [((), "is empty"), (("vae.py", "notes.pdf"), "no notebook, only notes.pdf, vae.py"),
                                           (("vae.ipynb", "old/vae.ipynb"), "holds 2 notebooks")])
def test_no_notebook_or_several_are_refused_with_what_to_upload(tmp_path, names, phrase):
    with pytest.raises(run.Refused, match=phrase) as refused:
        run.find_the_notebook(upload(tmp_path, *names))
    assert "vae.ipynb" in str(refused.value)


# -- isolation ------------------------------------------------------------------------------------


def test_asking_for_no_isolation_or_a_missing_user_says_why_and_maps_to_the_settings():
    none = choose(NONE)
    assert none.kind == NONE and "grader's own rights" in none.description
    missing = choose(SEPARATE_USER, kernel_user="no-such-user-here")
    assert missing.kind == NONE and ("no user no-such-user-here" in missing.description or "not run as root"
                                     in missing.description)
    base = GradingSettings()
    assert Isolation(BUBBLEWRAP, "").settings(base, "x") == base
    assert Isolation(SEPARATE_USER, "").settings(base, "nobody") == GradingSettings(sandboxed=False, kernel_user="nobody")
    assert Isolation(NONE, "").settings(base, "nobody") == GradingSettings(sandboxed=False)


def test_a_kernel_user_is_only_for_kernels_outside_the_sandbox():
    with pytest.raises(ValueError, match="kernel_user"):
        GradingSettings(kernel_user="nobody")
    assert kernel_account(KernelPlan.from_settings(GradingSettings(sandboxed=False))) is None


@pytest.fixture
def open_folder():
    """A folder every user can reach (pytest's own temporary folders are root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="kernel-user-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


@AS_ROOT
def test_a_kernel_user_owns_its_folder_and_cannot_read_root_s(open_folder):
    assert choose(SEPARATE_USER, kernel_user="nobody").kind == SEPARATE_USER
    account = kernel_account(KernelPlan.from_settings(GradingSettings(sandboxed=False, kernel_user="nobody")))
    assert account == (pwd.getpwnam("nobody").pw_uid, pwd.getpwnam("nobody").pw_gid)
    theirs, secret = open_folder / "kernel", open_folder / "lab"
    (theirs / "work").mkdir(parents=True)
    secret.mkdir(mode=0o700)
    (secret / "gradebook.db").write_text("hidden tests")
    hand_over(theirs, account)
    probe = ("import os, sys; open(sys.argv[1] + '/work/note.txt', 'w').write('mine'); print(os.getuid())\n"
             "try:\n    open(sys.argv[2]); print('read')\nexcept PermissionError:\n    print('refused')\n")
    done = subprocess.run(["/usr/bin/python3", "-c", probe, str(theirs), str(secret / "gradebook.db")],
                          capture_output=True, text=True, **as_account(account))
    assert done.stdout.split() == [str(account[0]), "refused"], done.stderr
    assert (theirs / "work" / "note.txt").stat().st_uid == account[0]


# -- results that must always be written ----------------------------------------------------------


def test_a_broken_autograder_still_writes_valid_results_that_say_it_is_not_the_student_s_fault(tmp_path):
    results = run.autograde(Layout(tmp_path))                    # no source/lab: the zip did not unpack
    assert valid(results) and results["score"] == 0 and "no fault of yours" in results["output"]
    assert json.loads((tmp_path / "results" / "results.json").read_text()) == results


def test_run_autograder_without_its_environment_writes_valid_results(tmp_path):
    env = {**os.environ, "AUTOGRADER_ROOT": str(tmp_path), "AUTOGRADER_PYTHON": str(tmp_path / "missing" / "python")}
    done = subprocess.run(["bash", RUN_AUTOGRADER], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "setup.sh did not finish" in done.stdout
    results = json.loads((tmp_path / "results" / "results.json").read_text())
    assert valid(results) and results["score"] == 0


def test_a_refused_submission_gets_zero_and_its_message_and_validates():
    results = refused_results("The submission is empty: upload your vae.ipynb.", None, 0.4, "vae")
    assert valid(results) and results["score"] == 0 and results["tests"] == []
    assert results["output"].startswith("The submission is empty") and results["visibility"] == "visible"


def test_the_schema_follows_gradescope_s_documented_fields():
    documented = {"score": 44.0, "execution_time": 136, "output": "Text relevant to the entire submission",
                  "output_format": "simple_format", "test_output_format": "text", "test_name_format": "text",
                  "visibility": "after_due_date", "stdout_visibility": "visible", "extra_data": {},
                  "tests": [{"score": 2.0, "max_score": 2.0, "status": "passed", "name": "Your name here",
                             "name_format": "text", "number": "1.1", "output": "Giant multiline string",
                             "output_format": "text", "tags": ["tag1", "tag2"], "visibility": "visible",
                             "extra_data": {}}],
                  "leaderboard": [{"name": "Accuracy", "value": .926}, {"name": "Time", "value": 15.1, "order": "asc"},
                                  {"name": "Stars", "value": "*****"}]}
    assert valid(documented) and valid({"tests": [{"name": "t", "score": 1}]})
    for wrong in ({}, {"score": "44"}, {"score": 1, "visibility": "sometimes"}, {"score": 1, "tests": [{"points": 2}]},
                  {"score": 1, "verdict": "ok"}, {"tests": [{"name": "no score anywhere"}]}):
        assert not valid(wrong), wrong


def test_the_autograder_command_runs_as_a_module():
    done = subprocess.run([sys.executable, "-m", "tools.grading.client.gradescope.run", "--help"], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "--isolation" in done.stdout and "--root" in done.stdout


# -- the container's share ------------------------------------------------------------------------


@pytest.mark.parametrize("files, expected_cores, expected_gb", [
    ({"cpu.max": "200000 100000", "memory.max": str(4 * 2**30)}, 2, 2.8),                  # cgroup v2, 2 CPUs, 4 GiB
    ({"cpu.max": "max 100000", "memory.max": "max"}, None, 6.0),                              # v2 without limits
    ({"cpu/cpu.cfs_quota_us": "150000", "cpu/cpu.cfs_period_us": "100000",
      "memory/memory.limit_in_bytes": str(2 * 2**30)}, 1, 1.4),                               # cgroup v1
    ({"cpu/cpu.cfs_quota_us": "-1", "memory/memory.limit_in_bytes": "9223372036854771712"}, None, 6.0),
    ({}, None, 6.0),
])
def test_threads_and_kernel_memory_follow_the_container_s_limits(tmp_path, files, expected_cores, expected_gb):
    from tools.grading.client.gradescope import container
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text + "\n")
    available = len(os.sched_getaffinity(0))
    assert container.cores(tmp_path) == min(available, expected_cores or available)
    assert container.kernel_memory_gb(6.0, tmp_path) == expected_gb
