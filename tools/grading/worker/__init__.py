"""The worker: grades one submission at a time (a local worker process or a node of a Dask cluster).

    autograde            grading one submission: nbgrader's autograde and feedback in a scratch course
    pipeline             nbgrader's configuration for grading: the preprocessors in order, this submission's values
    preprocessors/       the grader's nbgrader preprocessors, one per file
    feedback             the feedback page: the visible part of each check and its message, never a hidden test
    notes                the grader's marks in an executed notebook, and the sentences written from them
    kernel_manager       the kernel manager nbgrader uses: limits, interrupts by message
    kernel_provisioner   how that manager starts a kernel: forked or launched, with the notebook's files
    kernel_launch        one kernel process in its sandbox and its folder
    fork_server_client   the worker's side of the fork server (kernels forked after the imports)
    bubblewrap           the sandbox's command line, and a check that names why it cannot start

The client reaches a worker only through the functions below, which Dask sends to the worker by
name. Each imports the worker's machinery (nbgrader's preprocessors, jupyter_client) when it runs,
so importing this package loads none of it.
"""
from __future__ import annotations

import socket
from dataclasses import replace

from tools.grading.records import CourseBundle, GradingResult, GradingTask
from tools.grading.settings import GradingSettings, KernelPlan


def _for_this_host(settings: GradingSettings, threads_by_host: dict[str, int]) -> GradingSettings:
    """`settings` with the compute threads this worker's machine can spare per kernel."""
    host = socket.gethostname()
    return replace(settings, threads=threads_by_host[host]) if host in threads_by_host else settings


def warm_up(settings: GradingSettings, threads_by_host: dict[str, int]) -> str:
    """Import the grading code and start this worker's fork server before its first task; its host name."""
    from tools.grading.worker.fork_server_client import worker_fork_server

    if settings.prestart:
        worker_fork_server().warm(KernelPlan.from_settings(_for_this_host(settings, threads_by_host)))
    return socket.gethostname()


def grade_on_worker(task: GradingTask, bundle: CourseBundle, threads_by_host: dict[str, int]) -> GradingResult:
    """The task Dask runs: grade one submission with the compute threads this worker's machine can spare."""
    from tools.grading.worker.autograde import grade

    return grade(replace(task, settings=_for_this_host(task.settings, threads_by_host)), bundle)


def check_sandbox() -> None:
    """Stop with the cause and its fix (bubblewrap.SandboxUnavailable) unless grading kernels can be sandboxed here."""
    from tools.grading.worker.bubblewrap import check_available

    check_available()
