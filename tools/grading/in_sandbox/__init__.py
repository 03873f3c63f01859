"""What runs inside the grading sandbox, mounted there read-only as one folder (at /opt/course-grading).

    start_kernel.py        a grading kernel started on its own (one interpreter per submission)
    start_fork_server.py   a worker's fork server, which forks kernels already past their imports
    grading_kernel/        the package both start: the guard and what it restores, the fork server

Inside the sandbox this folder is the first entry of sys.path, so `grading_kernel` is a top-level
package there; on the host it is `tools.grading.in_sandbox.grading_kernel`, whose package names
(the protocol) the worker reads. Nothing in it imports the course's tools.
"""
