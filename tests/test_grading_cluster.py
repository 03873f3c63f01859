"""Grading on a Dask cluster reached by its address, over loopback: same grades, workers that die, interruptions."""
import csv
import os
import signal
import subprocess
import sys
import threading
import time

import dask
import pytest
from distributed import Client, LocalCluster

from tests.helpers import REPO_ROOT
from tests.helpers.batch_fixtures import AUTOGRADED, DIES_LOSES, DYING_CELL, LAB, POINTS, edit, mutant, write
from tools.grading.client import cli
from tools.labcode import complete_submission

pytestmark = [pytest.mark.slow, pytest.mark.sandbox, pytest.mark.kernel, pytest.mark.data]
FULL, ONE_LOST = f"{AUTOGRADED:g}", f"{AUTOGRADED - POINTS:g}"
ARGS = ["--cell-timeout", "60", "--notebook-timeout", "300", "--no-progress", "--no-gradebook"]


def table(out):
    with open(out / "grades.csv") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def small_class(folder, slow_seconds=0):
    _, complete = complete_submission(LAB)
    write(folder, "good", complete)
    write(folder, "mistake", mutant("kl-sign-flipped", complete))
    write(folder, "dies", edit(complete, DYING_CELL, prepend="import os\nos._exit(1)\n"))
    if slow_seconds:
        write(folder, "slow", edit(complete, "encoder", prepend=f"import time\ntime.sleep({slow_seconds})\n"))


@pytest.fixture(scope="module")
def cluster():
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit=0, host="127.0.0.1",
                          dashboard_address=None) as local:
            yield local


def test_a_running_cluster_grades_like_the_default_path(tmp_path, cluster):
    small_class(tmp_path / "submissions")
    assert cli.main([LAB, str(tmp_path / "submissions"), "--out", str(tmp_path / "default"), "--workers", "2", *ARGS]) == 0
    assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
    assert cli.main([LAB, str(tmp_path / "submissions"), "--out", str(tmp_path / "cluster"),
                     "--scheduler", cluster.scheduler_address, *ARGS]) == 0
    default, on_cluster = table(tmp_path / "default"), table(tmp_path / "cluster")
    columns = ["status", "encoder-check", "reparametrize-check", "decoder-check", "vae-check", "loss-check", "total"]
    assert {s: [r[c] for c in columns] for s, r in default.items()} == \
        {s: [r[c] for c in columns] for s, r in on_cluster.items()}
    assert default["good"]["total"] == FULL and default["mistake"]["total"] == ONE_LOST
    assert default["dies"]["total"] == f"{AUTOGRADED - len(DIES_LOSES) * POINTS:g}"      # the checks it never ran
    assert f"grading ran on the cluster at {cluster.scheduler_address}" in (tmp_path / "cluster" / "report.txt").read_text()
    assert "grading ran on a local cluster of 2 worker(s)" in (tmp_path / "default" / "report.txt").read_text()


def kill_worker_running(client, student, times, killed):
    """Kill (SIGKILL) the worker process grading `student` whenever it starts, `times` times."""
    deadline = time.monotonic() + 240
    while len(killed) < times and time.monotonic() < deadline:
        for address, keys in client.processing().items():
            if any(f"grade-{student}-" in str(key) for key in keys):
                time.sleep(2.0)                        # let it get going
                pids = client.run(os.getpid, workers=[address])
                os.kill(pids[address], signal.SIGKILL)
                killed.append(address)
                time.sleep(3.0)
                break
        time.sleep(0.2)


def test_a_dead_worker_costs_nothing_and_a_submission_that_kills_every_worker_is_reported(tmp_path, cluster):
    submissions, out = tmp_path / "submissions", tmp_path / "out"
    small_class(submissions, slow_seconds=6)
    client = Client(cluster)
    killed_once, killed_always = [], []
    watchers = [threading.Thread(target=kill_worker_running, args=(client, "slow", 1, killed_once), daemon=True)]
    watchers[0].start()
    assert cli.main([LAB, str(submissions), "--out", str(out), "--scheduler", cluster.scheduler_address, *ARGS]) == 0
    watchers[0].join(timeout=5)
    assert killed_once, "the test never caught the slow submission on a worker"
    grades = table(out)
    assert grades["slow"]["status"] == "graded" and grades["slow"]["total"] == FULL, grades["slow"]
    assert grades["good"]["total"] == FULL and grades["mistake"]["total"] == ONE_LOST
    assert len(grades) == 4

    # A submission whose worker dies every time it is tried: after the allowed failures, a clear error row.
    write(submissions, "slow", edit(complete_submission(LAB)[1], "encoder", prepend="import time\ntime.sleep(7)\n"))
    watcher = threading.Thread(target=kill_worker_running, args=(client, "slow", 2, killed_always), daemon=True)
    watcher.start()
    assert cli.main([LAB, str(submissions), "--out", str(out), "--scheduler", cluster.scheduler_address, *ARGS]) == 0
    watcher.join(timeout=5)
    grades = table(out)
    assert grades["slow"]["status"] == "error", grades["slow"]
    assert "worker grading this submission died every time" in grades["slow"]["notes"]
    assert grades["good"]["status"] == "unchanged" and grades["good"]["total"] == FULL
    client.close()


def test_an_interrupted_run_keeps_what_it_graded_and_a_rerun_finishes(tmp_path):
    submissions, out = tmp_path / "submissions", tmp_path / "out"
    _, complete = complete_submission(LAB)
    unhurried = edit(complete, "encoder", prepend="import time\ntime.sleep(2)\n")   # so that Ctrl-C lands mid-run
    for k in range(3):
        write(submissions, f"student-{k}", unhurried)
    command = [sys.executable, "-m", "tools.grading", LAB, str(submissions), "--out", str(out), "--workers", "1", *ARGS]
    process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if (out / "grades.csv").exists() and sum(r["status"] == "graded" for r in table(out).values()) >= 1:
            break
        time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=120)
    assert process.returncode == 130, output
    assert "interrupted:" in output and "Run the same command again" in output
    first = {s: r for s, r in table(out).items() if r["status"] == "graded"}
    assert 1 <= len(first) < 3 and all(r["total"] == FULL for r in first.values())
    assert cli.main([LAB, str(submissions), "--out", str(out), "--workers", "2", *ARGS]) == 0
    second = table(out)
    assert all(second[s]["status"] == "unchanged" for s in first)
    assert all(r["total"] == FULL for r in second.values()) and len(second) == 3
