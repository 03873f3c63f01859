"""The Gradescope autograder: `make gradescope LAB=vae` writes grading/<lab>/autograder.zip, which grades one
submission inside Gradescope's container the way `make autograde` grades a folder.

    package        make gradescope: the zip (setup.sh, run_autograder, the course's code, the lab's release)
    lab_pack       what the zip carries of the lab: bundle, release, gradebook with the hidden tests, deadline
    layout         Gradescope's folders under one root (/autograder there; a test lays out its own)
    metadata       submission_metadata.json: when it was handed in, the student's due date, who
    isolation      where the kernel runs there: bubblewrap, else a user without rights, else the container alone
    container      the cores and memory the container allows one submission (its control group)
    run            what run_autograder runs: the named steps from the uploaded files to results.json
    results        results.json as Gradescope documents it (results.schema.json)
    setup.sh, run_autograder    the zip's two scripts, copied into it as they are

It is part of the client: in Gradescope's container it plays the part of `make autograde` for one
submission, reuses the client's steps (submissions, normalise, review) and reaches the worker's
grading through `tools.grading.worker`, as the batch does.
"""
