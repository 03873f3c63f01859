"""A fork server for grading kernels: import the libraries once, then fork one kernel per request.

    python start_fork_server.py [--empty FOLDER ...]

The grader starts this inside a bubblewrap sandbox instead of starting a fresh kernel, with all
its imports, for every submission. It imports what a kernel imports, prints `ready`, and then
reads one request per line on standard input, `{"folder": ..., "arguments": [...]}` in JSON; for
each it forks a child that becomes a guarded grading kernel (boot.serve) in that folder, with
ipykernel's extra arguments, and prints `forked PID`. Each `--empty` folder (the
sandbox's private /tmp and /dev/shm) is emptied by every new kernel.

Only one kernel lives at a time: before the grader asks for the next one it stops every process
the last one left in the sandbox. The child empties /tmp and /dev/shm before it starts, so a kernel
finds nothing of the one before it. The server itself is made non-dumpable, so that a kernel
(same user, same sandbox) cannot read or write its memory and plant something in the next kernel;
a kernel that kills or stops the server only makes the grader start a new one.
"""
from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import sys

from .boot import serve
from .libraries import import_libraries

PR_SET_PDEATHSIG, PR_SET_DUMPABLE = 1, 4


def prctl(option: int, value: int) -> None:
    if ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"prctl({option}, {value}) failed")


def set_dumpable(dumpable: bool) -> None:
    """Allow or forbid other processes of this user to inspect this one (ptrace, /proc/PID/mem)."""
    prctl(PR_SET_DUMPABLE, int(dumpable))


def empty(folder: str) -> None:
    """Remove everything inside `folder` (what an earlier kernel left in a scratch folder)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            try:
                os.unlink(entry.path)
            except OSError:
                pass


def become_kernel(folder: str, arguments: list[str], scratch_dirs: list[str]) -> None:
    """In the forked child: a fresh session and scratch folders, then serve as the kernel of `folder`."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)             # a kernel does not outlive its server
    os.setsid()
    null = os.open(os.devnull, os.O_RDONLY)
    log = os.open(os.path.join(folder, "kernel.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(null, 0)        # the server's request and reply pipes are not the kernel's
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(null)
    os.close(log)
    for scratch in scratch_dirs:
        empty(scratch)
    home = os.environ.get("HOME", "/tmp/home")
    for name in ("", ".ipython", ".matplotlib"):
        os.makedirs(os.path.join(home, name), exist_ok=True)
    set_dumpable(True)
    os.chdir(os.path.join(folder, "work"))
    serve(os.path.join(folder, "token.key"),
          ["-f", os.path.join(folder, "kernel-inside.json"), "--HistoryManager.enabled=False", *arguments])


def parse_arguments(argv: list[str]) -> list[str]:
    """The --empty folders."""
    return [argv[i + 1] for i, argument in enumerate(argv[:-1]) if argument == "--empty"]


def main(argv: list[str]) -> None:
    scratch_dirs = parse_arguments(argv)
    import_libraries()
    set_dumpable(False)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)       # forked kernels are reaped as they end
    requests, replies = sys.stdin, sys.stdout
    replies.write("ready\n")
    replies.flush()
    for line in requests:
        if not line.strip():
            continue
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                become_kernel(request["folder"], list(request.get("arguments", [])), scratch_dirs)
            except SystemExit as stop:
                code = stop.code if isinstance(stop.code, int) else 1
            except BaseException:  # noqa: BLE001 -- the kernel's log shows why it could not start
                import traceback
                traceback.print_exc()
                code = 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
            os._exit(code)
        replies.write(f"forked {pid}\n")
        replies.flush()
