"""Shared test settings (for tests/ and the solution notebooks nbval runs): the tiers, the plotting backend, a record of the run.

Each test says what it needs with markers (registered in pyproject.toml): `slow` (runs notebooks,
nbgrader or whole environments), `sandbox` (bubblewrap), `kernel` (starts Jupyter kernels), `data`
(MNIST and Fashion-MNIST on disk). `make test-units` runs the tests that need none of them; `make
test` runs everything. The solution notebooks, which nbval runs, are slow and need the data.

When $COURSE_TEST_RECORD names the run (the Makefile sets `all` or `units`), its size and time are
written to reports/tests-<name>.json, from which `make report` takes the test times of RESULTS.md.
`make test` runs the files in two processes (pytest-xdist, a whole file per process: the notebooks'
cells and each file's shared fixtures stay together); the seconds by tier add up both processes.
"""
import json
import logging
import os
import sys
import time
from collections import defaultdict

import pytest

from tests.helpers import REPO_ROOT

os.environ.setdefault("MPLBACKEND", "Agg")
if os.environ.get("PYTEST_XDIST_WORKER"):
    # Two test processes share the cores: one compute thread each (and in the kernels they start), or
    # OpenMP's waiting threads of one process spin on the cores the other needs.
    for variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)
TIERS = ("slow", "sandbox", "kernel", "data")
_run = {"start": time.monotonic(), "seconds by tier": defaultdict(float), "outcomes": defaultdict(int)}


@pytest.fixture(scope="session")
def grading_cluster() -> str:
    """The address of one local Dask cluster that the tests grading through the real command share (--scheduler).

    Starting a cluster and its workers' fork servers costs seconds; the default path, where the
    command starts its own cluster, is tested in test_grading_cluster.py.
    """
    from distributed import LocalCluster
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit=0, host="127.0.0.1",
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="session")
def like_autograde(tmp_path_factory):
    """What autograde sets up for a notebook run in this process: the grading budget and a scratch folder.

    The datasets are read once for the session: every in-process run of a lab loads them again,
    and they do not change.
    """
    import functools

    import course_utils as cu

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NBGRADER_EXECUTION", "autograde")
        patch.chdir(tmp_path_factory.mktemp("in-process"))
        patch.setenv("COURSE_METRICS_DIR", str(tmp_path_factory.mktemp("metrics")))
        patch.setattr(cu, "load_images", functools.lru_cache(maxsize=8)(cu.load_images))
        yield


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.slow)
            item.add_marker(pytest.mark.data)


def pytest_runtest_logreport(report):
    item_tiers = [tier for tier in TIERS if tier in report.keywords] or ["unit"]
    for tier in item_tiers:
        _run["seconds by tier"][tier] += report.duration
    if report.when == "call" or report.outcome != "passed":
        _run["outcomes"][report.outcome] += 1


def pytest_sessionfinish(session, exitstatus):
    name = os.environ.get("COURSE_TEST_RECORD", "").strip()
    if not name or hasattr(session.config, "workerinput"):   # with pytest-xdist, the controller writes the record
        return
    from tools.results import machine
    record = {"run": name, "exit status": int(exitstatus), "tests": dict(_run["outcomes"]),
              "seconds": round(time.monotonic() - _run["start"], 1),
              "seconds by tier": {tier: round(s, 1) for tier, s in sorted(_run["seconds by tier"].items())},
              "budget": os.environ.get("COURSE_BUDGET", "full"), "machine": machine()}
    reports = REPO_ROOT / "reports"
    reports.mkdir(exist_ok=True)
    (reports / f"tests-{name}.json").write_text(json.dumps(record, indent=2) + "\n")
