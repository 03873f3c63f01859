"""The executor's own logic, without a cluster: what a failed task becomes, how cores are shared."""
import pytest
from distributed import KilledWorker
from distributed.client import FutureCancelledError

from tools.grading.client import executor
from tools.grading.records import ERROR, GradingTask
from tools.grading.settings import GradingSettings

TASK = GradingTask("ann", "{}", "digest", ("Cell x was copied; the copy was ignored.",), GradingSettings())


class FakeFuture:
    def __init__(self, error):
        self.error = error

    def result(self):
        raise self.error


@pytest.mark.parametrize("error, phrase", [
    (KilledWorker("grade-ann", None, 2), "died every time it was tried"),
    (FutureCancelledError("grade-ann", "cancelled"), "was cancelled before this submission finished"),
    (RuntimeError("disk full"), "The grader failed on this submission (RuntimeError: disk full)"),
])
def test_a_task_that_failed_becomes_an_error_row_that_says_why(error, phrase):
    result = executor._result_of(FakeFuture(error), TASK)
    assert result.status == ERROR and result.scores == {}
    assert result.notes[0] == TASK.notes[0] and phrase in result.notes[-1]


class FakeClient:
    def __init__(self, hosts, cores):
        self.hosts, self.cores = hosts, cores

    def run(self, function):
        return self.hosts if function.__name__ == "gethostname" else self.cores


def test_each_machines_cores_are_shared_among_its_workers():
    client = FakeClient(hosts={"w1": "a", "w2": "a", "w3": "b"}, cores={"w1": 8, "w2": 8, "w3": 2})
    assert executor.threads_per_host(client) == {"a": 4, "b": 2}
    client = FakeClient(hosts={"w1": "a", "w2": "a", "w3": "a"}, cores={"w1": 2, "w2": 2, "w3": 2})
    assert executor.threads_per_host(client) == {"a": 1}


def test_an_unreachable_scheduler_is_a_clear_error():
    cluster = executor.Cluster(workers=1, scheduler="tcp://127.0.0.1:9", retries=1, connect_timeout=2).start()
    with pytest.raises(executor.ClusterUnavailable, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        cluster.client()
    cluster.close()


def test_ctrl_c_is_noticed_even_if_a_library_swallows_the_interrupt():
    import os
    import signal
    import time

    before = signal.getsignal(signal.SIGINT)
    with executor._noticing_ctrl_c() as pressed:
        assert not pressed.is_set()
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1)                            # the handler interrupts this
        assert pressed.is_set(), "a swallowed KeyboardInterrupt must still leave the event set"
    assert signal.getsignal(signal.SIGINT) is before
