"""The grader's nbgrader preprocessors, one per file (listed in order in worker/pipeline.py).

Sanitize stage (before execution):
    guard_test_cells   GuardTestCells: wraps every autograded test cell in the kernel guard's begin/end calls.
Autograde stage:
    grading_execute    GradingExecute: nbgrader's Execute with the sandboxed kernel; stops after the last
                       graded cell; runs only the definitions of the lab's unchanged exploration cells; a
                       kernel that dies costs only the cells it did not run.
    verify_checks      VerifyChecks: a test cell keeps its points only with the kernel guard's signed token;
                       the guard lines, tokens and stderr (warnings) are taken out of what nbgrader scores and shows.
"""
