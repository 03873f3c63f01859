"""What the tests share: the repository root, notebook helpers, and the submissions they grade.

    notebooks       the instructor notebook, running a notebook in process the way autograde scores it, reading grades
    edits           one edit of a solution cell: a plausible mistake (Mutant) or a correct rewrite (Alternative)
    lab_cases       each lab's mistakes and alternatives, one module per lab
    mutants         every lab's plausible wrong implementations, by lab
    alternatives    every lab's correct implementations other than the instructor's (they must earn full marks)
    slips           honest structural slips (copied cells, split answers, ...)
    hostile         submissions that try to cheat the grader
    batch_fixtures  the class of submissions the batch grader is tested on
"""
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
