"""Batch autograding of a lab with nbgrader: sandboxed, guarded, on a Dask cluster, nothing lost.

One module per concern:
    cli            the command line (`python -m tools.grading`, `make autograde`)
    batch          the pipeline for a class: find, check, grade, store
    submissions    finding submissions and reading them into notebooks
    normalise      rebuilding a submission against the release (structural slips never cost the lab)
    review         static review of student code that reaches for what a lab never needs
    executor       Dask: a local cluster or an existing one, one task per submission
    worker         grading one submission with nbgrader, in-process, in a scratch course
    preprocessors  nbgrader preprocessors: guard lines, the sandboxed execution, token checks
    kernel         the kernel manager: bubblewrap, Unix-socket transport, limits
    kernel_boot    what runs first inside the kernel: pristine references and the guard
    sandbox        the bubblewrap command line and its availability check
    outputs        grades.csv, feedback, notebooks, logs, manifest, history, the report
    protect        detect-and-restore of files, for --no-sandbox only
    models         the typed values passed between the stages
    grading_config nbgrader's configuration for grading (committed, loaded by the worker)
"""
