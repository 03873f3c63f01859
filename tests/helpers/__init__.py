"""What the tests share: the repository root, notebook helpers, and the submissions they grade.

    notebooks       building submissions, running a notebook in process the way autograde scores it
    mutants         plausible wrong implementations of every graded exercise
    alternatives    correct implementations other than the instructor's (they must earn full marks)
    slips           honest structural slips (copied cells, split answers, ...)
    hostile         submissions that try to cheat the grader
    batch_fixtures  the class of submissions the batch grader is tested on
"""
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
