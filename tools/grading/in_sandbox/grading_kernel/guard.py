"""`__grading__`: what the grader calls at the start and at the end of every graded test cell.

`begin(cell_id, aliases)` puts back anything the notebook changed (a replaced function, a
monkeypatched method, a tensor subclass, a torch function mode, a tracer, an error handler) and,
if something was, raises GradingTamperError so that the check scores zero with the reason.
`end(cell_id)` does the same checks again and, only if the cell ran to its end in a clean
environment, publishes a token signed with the grader's key. The grader gives a test cell its
points only when that token is present and valid: a kernel whose execution was altered so that a
check is skipped, or whose errors were swallowed, earns nothing.

Code running in the same process can always defeat in-process checks with enough effort (reading
memory, rewriting code objects). That is what the grader's static review flags for a person to
look at; these checks make every cheat that gets past them deliberate and visible.
"""
from __future__ import annotations

import builtins
import sys
import threading

from .interpreter import InterpreterHooks, NotebookThreads, reset_torch_switches
from .libraries import CodeOrigin
from .namespaces import NamespaceSnapshot
from .protocol import TOKEN_MIME, GradingTamperError
from .shell import ShellState
from .tensors import TensorSubclasses, watch_tensor_methods

# Names the checks use that a notebook might shadow by accident (`max = 5`): removed before a check.
SHADOWABLE_BUILTINS = frozenset({
    "AssertionError", "BaseException", "Exception", "KeyError", "NameError", "NotImplementedError",
    "RuntimeError", "TypeError", "ValueError", "abs", "all", "any", "bool", "dict", "enumerate", "float",
    "getattr", "hasattr", "int", "isinstance", "len", "list", "max", "min", "print", "range", "round",
    "sorted", "str", "sum", "tuple", "type", "zip", "iter", "next", "map", "filter", "set", "callable",
})


class EventLog:
    """Tampering seen as it happened (assignments to watched modules, methods set on a tensor)."""

    def __init__(self) -> None:
        self._events: list[str] = []
        self._lock = threading.Lock()

    def record(self, event: str) -> None:
        with self._lock:
            if event not in self._events:
                self._events.append(event)

    def restore(self) -> list[str]:
        """The events seen since the last call (there is nothing to undo: the snapshot restores the values)."""
        with self._lock:
            events, self._events = self._events, []
        return events


class Guard:
    """Begin and end of every graded test cell; each restorer puts back one kind of change and reports it."""

    def __init__(self, shell, signer) -> None:
        origin = CodeOrigin()
        self._events = EventLog()
        watch_tensor_methods(self._events.record)        # before the snapshot, which then keeps the watcher
        namespaces = NamespaceSnapshot(origin)
        namespaces.watch_assignments(self._events.record)
        self._restorers = (namespaces, self._events, ShellState(shell, origin), InterpreterHooks(),
                           TensorSubclasses(origin), NotebookThreads(origin))
        self._origin = origin
        self._shell = shell
        self._sign = signer
        self._publish = type(shell.display_pub).publish
        self._display_pub = shell.display_pub
        self._getframe = sys._getframe
        self._current: str | None = None
        self._signed: set[str] = set()

    # -- what the grader calls ---------------------------------------------------------------

    def begin(self, cell_id: str, aliases: dict | None = None) -> None:
        """Restore the checks' environment; raise GradingTamperError if the notebook had changed it."""
        problems = self._called_from_the_test_cell("begin")
        self._current = cell_id
        problems += self._check_and_restore()
        namespace = self._shell.user_ns
        for name in SHADOWABLE_BUILTINS & set(namespace):
            if namespace[name] is not getattr(builtins, name):
                del namespace[name]
        for name, module_name in (aliases or {}).items():
            if module_name not in sys.modules:
                __import__(module_name)
            namespace[name] = sys.modules[module_name]
        reset_torch_switches()
        if problems:
            raise GradingTamperError(_describe(cell_id, problems, "before"))

    def end(self, cell_id: str) -> None:
        """Check again, then publish the signed token that gives this check its points."""
        problems = self._called_from_the_test_cell("end")
        if self._current != cell_id or cell_id in self._signed:
            problems.append(f"the grading guard was called out of order for {cell_id}")
        self._current = None
        problems += self._check_and_restore()
        if problems:
            raise GradingTamperError(_describe(cell_id, problems, "while"))
        self._signed.add(cell_id)
        signature = self._sign.copy()
        signature.update(cell_id.encode())
        self._publish(self._display_pub, data={TOKEN_MIME: {"cell": cell_id, "token": signature.hexdigest()}},
                      metadata={})

    # -- checks --------------------------------------------------------------------------------

    def _called_from_the_test_cell(self, what: str) -> list[str]:
        """The guard may only be called by the top level of a cell that IPython itself runs."""
        caller = self._getframe(2)
        runner = caller.f_back
        if (caller.f_code.co_name != "<module>" or runner is None
                or not self._origin.is_library_file(runner.f_code.co_filename)):
            return [f"the grading guard's {what} was called by the notebook's own code"]
        return []

    def _check_and_restore(self) -> list[str]:
        problems: list[str] = []
        for restorer in self._restorers:
            problems += [problem for problem in restorer.restore() if problem not in problems]
        return problems


def _describe(cell_id: str, problems: list[str], when: str) -> str:
    shown = "; ".join(problems[:4]) + (f"; and {len(problems) - 4} more" if len(problems) > 4 else "")
    return (f"the notebook changed what the checks rely on {when} check {cell_id} ran ({shown}). "
            f"The originals were put back and this check scores 0.")
