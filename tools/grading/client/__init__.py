"""The client: what `make autograde` runs on the instructor's machine, from the submissions folder to the results.

    cli            the command line (`python -m tools.grading`, `make autograde`)
    batch          the pipeline for a class: find, check, grade, store (the Batch object)
    submissions    finding submissions, reading them into notebooks, the files handed in beside them
    normalise      rebuilding a submission against the release, as a list of named steps
    review         static review of student code that reaches for what a lab never needs
    executor       the client's side of the Dask cluster: one task per submission, results as they finish
    outputs        the results folder: grades.csv, feedback, notebooks, logs, manifest, history
    gradebook      publishing results into the course's nbgrader gradebook (formgrader, feedback)
    protect        detect-and-restore of files, for --no-sandbox only
    class_report   report.html: score plots, common failures, who needs attention, similar submissions
    similarity     similar submissions (copydetect fingerprints of each student's own answer code)
    export         grades for an LMS (Canvas, Gradescope): nbgrader export plugins and `make export`

It never grades a notebook itself: each submission goes to a worker through the functions of
`tools.grading.worker`, and nothing here imports the worker's machinery or starts a thread when imported.
"""
