"""Pristine namespaces of the modules and classes the checks rely on, put back before every check.

A snapshot is taken before any student code runs. Before and after each check, every entry the
notebook replaced, deleted or added is put back and reported; an entry changed by library code
(torch's optimisers wrap their own `step` when first used) becomes the new pristine value instead.
Assignments to a watched module are also seen as they happen, which tells library code from
notebook code by the frame that makes them.
"""
from __future__ import annotations

import sys
import types

from .libraries import CodeOrigin
from .protocol import GUARD_NAME

# Modules whose namespaces (and the classes they expose) the checks rely on.
WATCHED_MODULES = (
    "builtins", "math", "operator", "copy", "functools", "importlib", "importlib.util",
    "torch", "torch.nn", "torch.nn.functional", "torch.nn.init", "torch.nn.modules.module",
    "torch.distributions", "torch.distributions.kl", "torch.distributions.normal",
    "torch.distributions.bernoulli", "torch.distributions.categorical", "torch.distributions.utils",
    "torch.linalg", "torch.special", "torch.testing", "torch.autograd", "torch.optim", "torch.random",
    "torch.functional", "torch._tensor", "torch.overrides",
    "numpy", "numpy.testing", "numpy.linalg", "numpy.random",
    "course_utils",
    "IPython.core.interactiveshell", "IPython.core.displaypub", "IPython.core.displayhook",
    "IPython.core.events", "IPython.core.builtin_trap", "IPython.core.compilerop",
    "ipykernel.ipkernel", "ipykernel.kernelbase", "ipykernel.zmqshell", "ipykernel.iostream",
    "ipykernel.displayhook", "jupyter_client.session", "zmq", "zmq.sugar.socket",
)
# Packages whose classes are watched when a watched module exposes them.
WATCHED_PACKAGES = ("torch", "numpy", "course_utils", "IPython", "ipykernel", "jupyter_client", "zmq",
                    "traitlets", "builtins", "copy", "functools")
# Names that IPython itself rebinds in builtins while it runs a cell.
VOLATILE_BUILTINS = frozenset({"_", "__", "___", "exit", "quit", "get_ipython", "display", "__IPYTHON__", "input",
                               "copyright", "credits", "license", "help", "__builtins__", GUARD_NAME})

_MISSING = object()


class NamespaceSnapshot:
    """Pristine namespaces of the watched modules and classes, and the way to put them back."""

    def __init__(self, origin: CodeOrigin) -> None:
        import torch

        self.origin = origin
        self.modules: dict[str, tuple[types.ModuleType, dict]] = {}
        self.module_types: dict[str, type] = {}
        self.classes: dict[type, dict] = {}
        course_modules = sorted(n for n in sys.modules if n.startswith("course_utils."))
        for name in (*WATCHED_MODULES, *course_modules):
            module = sys.modules.get(name)
            if module is None:
                continue
            namespace = dict(vars(module))
            if name == "builtins":
                namespace = {k: v for k, v in namespace.items() if k not in VOLATILE_BUILTINS}
            self.modules[name] = (module, namespace)
            for value in list(namespace.values()):
                self._add_class(value)
        for cls in (torch.Tensor, torch.nn.Module, torch.nn.Parameter, torch.optim.Optimizer):
            self._add_class(cls)

    def _add_class(self, value) -> None:
        if not isinstance(value, type) or value in self.classes:
            return
        if not str(getattr(value, "__module__", "")).startswith(WATCHED_PACKAGES):
            return
        if not value.__flags__ & (1 << 9):   # Py_TPFLAGS_HEAPTYPE: only Python classes can be changed
            return
        self.classes[value] = dict(vars(value))

    def restore(self) -> list[str]:
        """Put back every entry the notebook changed; return one description per change."""
        library_value = lambda value: not self.origin.from_notebook(value)  # noqa: E731
        changes = []
        for name, (module, pristine) in self.modules.items():
            if sys.modules.get(name) is not module:
                changes.append(f"sys.modules[{name!r}] was replaced")
                sys.modules[name] = module
            expected_type = self.module_types.get(name)
            if expected_type is not None and type(module) is not expected_type:
                changes.append(f"the module {name} was given another class")
                types.ModuleType.__setattr__(module, "__class__", expected_type)
            changes += _restore_names(name, vars(module), pristine, library_value,
                                      lambda key, value, m=module: types.ModuleType.__setattr__(m, key, value))
        for cls, pristine in self.classes.items():
            label = f"{cls.__module__}.{cls.__qualname__}"
            changes += _restore_names(label, dict(vars(cls)), pristine, library_value,
                                      lambda key, value, c=cls: type.__setattr__(c, key, value))
            for key in set(vars(cls)) - set(pristine):
                if library_value(vars(cls)[key]):
                    pristine[key] = vars(cls)[key]
                    continue
                changes.append(f"{label}.{key} was added")
                type.__delattr__(cls, key)
        return changes

    def watch_assignments(self, record) -> None:
        """Watch assignments to the watched modules' existing names as they happen.

        An assignment made by library code with a library value (torch._dynamo wraps
        torch.manual_seed when it is first imported) becomes the new pristine value; one made by
        notebook code, or with a value the notebook defined, is recorded as tampering.
        """
        legitimate = self.origin.legitimate
        for name, (module, pristine) in self.modules.items():
            if type(module) is not types.ModuleType:
                continue

            def __setattr__(self, key, value, _name=name, _pristine=pristine):
                if key == "__class__" or (key in _pristine and _pristine[key] is not value):
                    if key != "__class__" and legitimate(value, sys._getframe(1)):
                        _pristine[key] = value
                    else:
                        record(f"{_name}.{key} was replaced")
                types.ModuleType.__setattr__(self, key, value)

            def __delattr__(self, key, _name=name, _pristine=pristine):
                if key in _pristine:
                    record(f"{_name}.{key} was deleted")
                types.ModuleType.__delattr__(self, key)

            watched = type(f"Watched{name.title().replace('.', '')}Module", (types.ModuleType,),
                           {"__setattr__": __setattr__, "__delattr__": __delattr__, "__slots__": ()})
            try:
                module.__class__ = watched
            except TypeError:
                continue
            self.module_types[name] = watched


def _restore_names(label: str, current: dict, pristine: dict, library_value, set_value) -> list[str]:
    """Put back the entries of a namespace that changed (unless a library made the change); describe them."""
    changes = []
    for key, value in pristine.items():
        now = current.get(key, _MISSING)
        if now is value:
            continue
        if now is not _MISSING and library_value(now):
            pristine[key] = now
            continue
        changes.append(f"{label}.{key} was {'deleted' if now is _MISSING else 'replaced'}")
        set_value(key, value)
    return changes
