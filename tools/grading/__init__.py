"""Batch autograding of a lab with nbgrader: sandboxed, guarded, on a Dask cluster, nothing lost.

On the client (what `make autograde` runs; none of these imports the kernel machinery):
    cli            the command line (`python -m tools.grading`, `make autograde`)
    batch          the pipeline for a class: find, check, grade, store (the Batch object)
    submissions    finding submissions, reading them into notebooks, the files handed in beside them
    normalise      rebuilding a submission against the release, as a list of named steps
    review         static review of student code that reaches for what a lab never needs
    executor       Dask: a local cluster or an existing one, one task per submission
    outputs        grades.csv, feedback, notebooks, logs, manifest, history, the report
    class_report   report.html: score plots, common failures, who needs attention, similar submissions
    similarity     similar submissions (copydetect fingerprints of each student's own answer code)
    export         grades for an LMS (Canvas, Gradescope): nbgrader export plugins and `make export`
    gradebook      publishing results into the course's nbgrader gradebook (formgrader, feedback)
    protect        detect-and-restore of files, for --no-sandbox only
    settings       the grading settings (one dataclass) and the kernel plan derived from them
    records        the records passed between the stages (bundle, submission, task, result)
    notes          the grader's marks in a graded notebook and the sentences written from them
On a worker:
    worker         grading one submission with nbgrader, in process, in a scratch course
    preprocessors  nbgrader preprocessors: guard lines, the sandboxed execution, token checks
    grading_config nbgrader's configuration for grading (committed, loaded by the worker)
    kernel         the kernel manager: sandboxed kernels, Unix-socket transport, limits
    kernel_process starting and stopping one kernel process in its folder
    fork_server    the worker's fork server: kernels forked after the imports
    sandbox        the bubblewrap command line and its availability check
In the sandbox:
    inside/        the guarded kernel and the fork server's own side (the grading_kernel package)
"""
