"""IPython's shell as the checks need it: its methods, display publisher, error handlers and event callbacks."""
from __future__ import annotations

from .libraries import CodeOrigin

SHELL_METHODS = ("run_cell", "run_cell_async", "run_code", "run_ast_nodes", "showtraceback",
                 "_showtraceback", "showsyntaxerror", "should_run_async", "transform_cell", "ex", "ev")


class ShellState:
    """What the shell looked like before student code ran, and the way to put it back."""

    def __init__(self, shell, origin: CodeOrigin) -> None:
        self._shell, self._origin = shell, origin
        objects = {"shell": shell, "display_pub": shell.display_pub, "displayhook": shell.displayhook,
                   "kernel": getattr(shell, "kernel", None)}
        self._attributes = {label: (obj, set(vars(obj))) for label, obj in objects.items() if obj is not None}
        self._display_pub = shell.display_pub
        self._callbacks = {name: list(callbacks) for name, callbacks in shell.events.callbacks.items()}

    def restore(self) -> list[str]:
        """Remove what the notebook attached to the shell; return one description per change."""
        problems = []
        shell = self._shell
        for label, (obj, names) in self._attributes.items():
            for name in list(vars(obj)):
                if name in names:
                    continue
                value = vars(obj)[name]
                shadows_method = callable(getattr(type(obj), name, None)) or name in SHELL_METHODS
                if shadows_method and self._origin.from_notebook(value):
                    problems.append(f"the kernel's {label}.{name} was overridden")
                    del vars(obj)[name]
        if shell.custom_exceptions:
            problems.append("a custom exception handler was installed (set_custom_exc)")
            shell.custom_exceptions = ()
        for name, callbacks in shell.events.callbacks.items():
            added = [c for c in callbacks if c not in self._callbacks.get(name, [])]
            from_notebook = [c for c in added if self._origin.from_notebook(c)]
            if from_notebook:
                problems.append(f"a {name!r} event callback was registered by the notebook")
                callbacks[:] = [c for c in callbacks if c not in from_notebook]
            self._callbacks[name] = list(callbacks)
        if shell.display_pub is not self._display_pub:
            problems.append("the kernel's display publisher was replaced")
            shell.display_pub = self._display_pub
        return problems
