"""The walk of one submission from `make autograde` to grades.csv and its feedback page, as named steps.

Each step says where it runs (client, worker or in_sandbox, the subpackages) and which function or
class does it, as `module:qualified name`. The README's grading section draws this list (`make
readme`), and tests/test_grading_layers.py checks that every step's code exists and lives in its
place or in a module every place shares.
"""
from __future__ import annotations

from dataclasses import dataclass

CLIENT, WORKER, IN_SANDBOX = "client", "worker", "in_sandbox"


@dataclass(frozen=True)
class Step:
    """One step of the walk: what happens, where it runs, and the code that does it."""

    name: str
    place: str
    code: str       # "tools.grading.<module>:<qualified name>"


WALK = (
    Step("parse the command line", CLIENT, "tools.grading.client.cli:main"),
    Step("check the sandbox and the datasets", CLIENT, "tools.grading.client.batch:Batch.check_machine"),
    Step("release the lab in a scratch course", CLIENT, "tools.grading.client.batch:prepare_course"),
    Step("record the lab in the course gradebook", CLIENT, "tools.grading.client.gradebook:CourseGradebook.ensure_assignment"),
    Step("start the cluster", CLIENT, "tools.grading.client.executor:Cluster.start"),
    Step("start the fork server", WORKER, "tools.grading.worker:warm_up"),
    Step("find the submission", CLIENT, "tools.grading.client.submissions:find_submissions"),
    Step("read it, check it is this lab's", CLIENT, "tools.grading.client.submissions:which_lab"),
    Step("rebuild it against the release", CLIENT, "tools.grading.client.normalise:normalise"),
    Step("review its code", CLIENT, "tools.grading.client.review:review"),
    Step("take the files handed in with it", CLIENT, "tools.grading.client.submissions:handed_in_files"),
    Step("grade it, or keep an unchanged one", CLIENT, "tools.grading.client.batch:Batch.plan"),
    Step("send it to a worker", CLIENT, "tools.grading.client.executor:run"),
    Step("lay it out in a scratch course", WORKER, "tools.grading.worker.autograde:write_submission"),
    Step("nbgrader autograde: wrap the checks", WORKER,
         "tools.grading.worker.preprocessors.guard_test_cells:GuardTestCells"),
    Step("start a kernel: forked, sandboxed", WORKER, "tools.grading.worker.kernel_provisioner:GradingProvisioner.launch_kernel"),
    Step("install the guard, serve", IN_SANDBOX, "tools.grading.in_sandbox.grading_kernel.boot:serve"),
    Step("run the cells to the last check", WORKER,
         "tools.grading.worker.preprocessors.grading_execute:GradingExecute.preprocess_cell"),
    Step("guard each check, sign its end", IN_SANDBOX, "tools.grading.in_sandbox.grading_kernel.guard:Guard.end"),
    Step("score only signed checks", WORKER, "tools.grading.worker.preprocessors.verify_checks:VerifyChecks"),
    Step("read the scores nbgrader saved", WORKER, "tools.grading.scores:autograded_scores"),
    Step("write the notes from the marks", WORKER, "tools.grading.worker.notes:notes_from"),
    Step("make the feedback page", WORKER, "tools.grading.worker.feedback:FeedbackExporter"),
    Step("write grades.csv and the feedback", CLIENT, "tools.grading.client.outputs:ResultStore.record"),
    Step("publish into the course gradebook", CLIENT, "tools.grading.client.gradebook:CourseGradebook.publish"),
    Step("add manual scores, report", CLIENT, "tools.grading.client.batch:Batch.report"),
)


def diagram(steps: tuple[Step, ...] = WALK) -> str:
    """The walk as a text diagram: one column per place, one numbered line per step, arrows where it changes place."""
    places = (CLIENT, WORKER, IN_SANDBOX)
    width = max(len(step.name) for step in steps) + 5
    titles = {CLIENT: "client (make autograde)", WORKER: "worker (local or Dask)", IN_SANDBOX: "kernel (in the sandbox)"}
    lines = ["".join(f"{titles[place]:<{width}}" for place in places).rstrip(),
             "".join(f"{'-' * len(titles[place]):<{width}}" for place in places).rstrip()]
    previous = None
    for number, step in enumerate(steps, start=1):
        column = places.index(step.place)
        if previous is not None and previous != column:
            low, high = sorted((previous, column))
            arrow = "-" * (width * (high - low) - 4)
            arrow = f"{arrow}->" if column > previous else f"<-{arrow}"
            lines.append(" " * (width * low + 2) + arrow)
        lines.append(" " * (width * column) + f"{number:>2} {step.name}")
        previous = column
    return "\n".join(line.rstrip() for line in lines)
