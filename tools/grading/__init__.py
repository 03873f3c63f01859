"""Batch autograding of a lab with nbgrader: sandboxed, guarded, on a Dask cluster, nothing lost.

The code lives where it runs, one subpackage per place, from the instructor's machine inwards:

    client/       what `make autograde` runs: finds and checks the submissions, sends them to the
                  workers, writes the results folder and the course gradebook, the class report, exports
    worker/       grades one submission (locally or on a Dask worker): nbgrader's autograde and
                  feedback, the kernel manager, the bubblewrap sandbox, the fork server's client
    in_sandbox/   what runs inside the sandboxed kernel: the guard around every check, the fork server

Beside them, the modules every place shares (they import none of the places):

    records       what crosses between the client and a worker: the course bundle, a task, a result
    settings      the grading settings (one dataclass) and the kernel plan derived from them
    exploration   which given cells grading runs only in part (their definitions, never their training)
    scores        how scores flow: nbgrader's gradebooks -> a result -> grades.csv and the course gradebook
    compat        every private internal of a library the grader relies on, behind a named function
    walk          the walk of one submission from `make autograde` to grades.csv, as named steps

Imports point inwards and through one door: a module imports the shared modules, its own place,
and the *package* of the next place inwards (`tools.grading.worker`, whose functions Dask runs on a
worker; `tools.grading.in_sandbox.grading_kernel`, the names the worker and the kernel share),
never a module inside another place. The code in `in_sandbox/` imports nothing of the course's
tools: it is all the sandbox sees. tests/test_grading_layers.py reads these rules from the folders.
"""

PLACES = ("client", "worker", "in_sandbox")
"""The places grading code runs, from the instructor's machine inwards; each is a subpackage."""
