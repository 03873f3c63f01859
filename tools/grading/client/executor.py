"""The client's side of the Dask cluster where grading runs: one task per submission.

By default the grader starts a LocalCluster on this machine (one worker process per `--workers`,
one thread each); with `--scheduler tcp://host:8786` it uses an existing cluster (dask ssh,
dask-jobqueue on Slurm, dask-kubernetes ...). Dask runs the tasks, moves them off a worker that
dies (up to `retries` times, then reports the submission as failed), and the client only waits,
shows progress and hands each result back in the order they finish.
"""
from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
import threading
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable

import dask
from distributed import Client, KilledWorker, LocalCluster, wait
from distributed.client import FutureCancelledError, FuturesCancelledError

from tools.course import CourseError
from tools.grading import worker
from tools.grading.records import ERROR, CourseBundle, GradingResult, GradingTask
from tools.grading.settings import GradingSettings


class ClusterUnavailable(CourseError):
    """The scheduler given with --scheduler cannot be reached; the message says what to check."""


def _keep(value):
    return value


class Cluster:
    """A Dask client on a new LocalCluster of `workers` processes, or on the running cluster at `scheduler`.

    `start()` returns at once (a local cluster takes a few seconds to start, which the client
    spends reading the submissions); `client()` waits for it. With `warm_up`, each worker starts
    its fork server as soon as it is connected, while the client is still preparing the batch.
    """

    def __init__(self, workers: int, scheduler: str | None, retries: int, connect_timeout: float = 20,
                 warm_up: GradingSettings | None = None) -> None:
        self.workers, self.scheduler, self.retries = workers, scheduler, retries
        self.connect_timeout, self.warm_up = connect_timeout, warm_up
        self._cluster: LocalCluster | None = None
        self._client: Future | None = None
        self._starter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cluster-start")

    def start(self) -> "Cluster":
        self._client = self._starter.submit(self._connect)
        return self

    def _connect(self) -> Client:
        client = self._new_client()
        if self.warm_up is not None:
            try:
                client.run(worker.warm_up, self.warm_up, threads_per_host(client))
            except Exception:  # noqa: BLE001 -- only a head start: run() warms the workers up again
                pass
        return client

    def _new_client(self) -> Client:
        logging.getLogger("distributed").setLevel(logging.ERROR)
        if self.scheduler:
            try:
                return Client(self.scheduler, timeout=f"{self.connect_timeout}s")
            except (OSError, TimeoutError) as error:
                raise ClusterUnavailable(
                    f"cannot reach the Dask scheduler at {self.scheduler} ({error}); start it with "
                    f"`make grading-scheduler` on that machine and check the address and port") from error
        with dask.config.set({"distributed.scheduler.allowed-failures": self.retries,
                              "distributed.worker.daemon": False}):
            self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True, memory_limit=0,
                                         dashboard_address=None, silence_logs=logging.ERROR)
            return Client(self._cluster)

    def client(self) -> Client:
        if self._client is None:
            self.start()
        return self._client.result()

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.result().close()
            except Exception:  # noqa: BLE001 -- a cluster that never started has nothing to close
                pass
        if self._cluster is not None:
            self._cluster.close()
        self._starter.shutdown(wait=False)


def threads_per_host(client: Client) -> dict[str, int]:
    """Compute threads each kernel may use: a machine's cores shared among its grading workers."""
    hosts = client.run(socket.gethostname)
    cores = client.run(os.cpu_count)
    per_host = Counter(hosts.values())
    return {host: max(1, (cores[address] or 1) // per_host[host]) for address, host in hosts.items()}


def run(client: Client, tasks: list[GradingTask], bundle: CourseBundle,
        on_result: Callable[[GradingResult], None], show_progress: bool = True) -> None:
    """Grade every task on the cluster; call `on_result` once per submission as each one finishes."""
    if not tasks:
        return
    threads = threads_per_host(client)
    client.run(worker.warm_up, tasks[0].settings, threads)
    # the bundle is a task of its own (not scattered data), so the scheduler can make it again on a new worker
    shared = client.submit(_keep, bundle, key=f"course-bundle-{bundle.lab}-{abs(hash(bundle.gradebook))}", pure=False)
    futures = {client.submit(worker.grade_on_worker, task, shared, threads, key=f"grade-{task.student}-{task.digest[:12]}",
                             pure=False): task for task in tasks}
    pending, finished, failed = set(futures), set(), 0
    bar = _progress(len(tasks), show_progress)
    with _noticing_ctrl_c() as ctrl_c:
        try:
            while pending:
                if ctrl_c.is_set():     # even if a library swallowed the KeyboardInterrupt
                    raise KeyboardInterrupt
                try:
                    done, pending = wait(pending, timeout=1.0, return_when="FIRST_COMPLETED")
                except TimeoutError:
                    done = set()
                except FuturesCancelledError:
                    done = {f for f in pending if f.status in ("cancelled", "error", "finished", "lost")}
                    pending -= done
                for future in done:
                    task = futures[future]
                    if task.student in finished:
                        continue
                    result = _result_of(future, task)
                    finished.add(task.student)
                    failed += result.status == ERROR
                    on_result(result)
                    bar.update(1)
                running = min(len(pending), sum(len(keys) for keys in client.processing().values()))
                bar.set_postfix_str(f"done {len(finished)}, running {running}, failed {failed}")
        except BaseException:
            for future in pending:
                future.cancel()
            raise
        finally:
            bar.close()


@contextlib.contextmanager
def _noticing_ctrl_c():
    """An event set by Ctrl-C (SIGINT) while grading, which still raises KeyboardInterrupt as usual."""
    pressed = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield pressed
        return

    def on_sigint(signum, frame):
        pressed.set()
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield pressed
    finally:
        signal.signal(signal.SIGINT, previous)


def _result_of(future, task: GradingTask) -> GradingResult:
    """The task's result, or an error row that says why the cluster could not produce one."""
    try:
        return future.result()
    except FutureCancelledError:
        reason = "grading was cancelled before this submission finished; run the command again to grade it."
    except KilledWorker:
        reason = ("The worker grading this submission died every time it was tried (killed, out of memory, "
                  "or its machine was lost), so it was not graded; look at it by hand or run the command again.")
    except Exception as error:  # noqa: BLE001 -- whatever a worker raised, the batch goes on
        reason = f"The grader failed on this submission ({type(error).__name__}: {error}); run the command again."
    return GradingResult(task.student, ERROR, {}, [*task.notes, reason], task.digest)


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def set_postfix_str(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass

    def write(self, text: str) -> None:
        print(text, flush=True)


def _progress(total: int, show: bool):
    if not show:
        return _NoBar()
    from tqdm import tqdm
    return tqdm(total=total, desc="grading", unit="submission", file=sys.stderr, dynamic_ncols=True)
