"""Names the grader and the grading kernel share."""

GUARD_NAME = "__grading__"                                   # the guard, as the notebook's builtins see it
TOKEN_MIME = "application/x-course-grading-token+json"       # how a signed token travels in a cell's outputs
TAMPER_ERROR = "GradingTamperError"                          # the error a check raises when its environment was changed


class GradingTamperError(Exception):
    """The environment a check relies on was changed by the notebook; the check scores zero."""


assert GradingTamperError.__name__ == TAMPER_ERROR
