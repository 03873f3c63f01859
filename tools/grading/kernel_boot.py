"""Start a grading kernel: capture what the checks rely on before any student code runs.

    python kernel_boot.py --token-key-file KEY [--preload torch ...] -f CONNECTION_FILE

The grader starts this file (inside the bubblewrap sandbox, see sandbox.py) instead of
ipykernel's launcher. Before the kernel serves its first request it

* imports the libraries the checks use and records a pristine copy of their namespaces (modules
  and classes: torch, numpy, course_utils, IPython and ipykernel's execution machinery, builtins);
* watches those modules and torch.Tensor for attribute changes as they happen;
* reads the grader's secret key from KEY and deletes the file;
* installs `__grading__` in builtins, which the grader calls at the start and at the end of every
  graded test cell (see preprocessors.GuardTestCells).

`__grading__.begin(cell_id, aliases)` puts back anything that was changed (a replaced function, a
monkeypatched method, a tensor subclass, a torch function mode, a tracer, an error handler) and,
if something was, raises GradingTamperError so that the check scores zero with the reason.
`__grading__.end(cell_id)` does the same checks again and, only if the cell ran to its end in a
clean environment, publishes a token signed with the key. The grader gives a test cell its points
only when that token is present and valid (preprocessors.VerifyChecks): a kernel whose execution
was altered so that a check is skipped, or whose errors were swallowed, earns nothing.

Code running in the same process can always defeat in-process checks with enough effort (reading
memory, rewriting code objects). That is what the grader's static review (review.py) flags for a
person to look at; these checks make every cheat that gets past them deliberate and visible.

This file runs inside the sandbox on its own: it imports nothing from the course's tools.
"""
from __future__ import annotations

import builtins
import hashlib
import hmac
import os
import sys
import threading
import types

GUARD_NAME = "__grading__"
TOKEN_MIME = "application/x-course-grading-token+json"
TAMPER_ERROR = "GradingTamperError"

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
# Names the checks use that a notebook might shadow by accident (`max = 5`): removed before a check.
SHADOWABLE_BUILTINS = frozenset({
    "AssertionError", "BaseException", "Exception", "KeyError", "NameError", "NotImplementedError",
    "RuntimeError", "TypeError", "ValueError", "abs", "all", "any", "bool", "dict", "enumerate", "float",
    "getattr", "hasattr", "int", "isinstance", "len", "list", "max", "min", "print", "range", "round",
    "sorted", "str", "sum", "tuple", "type", "zip", "iter", "next", "map", "filter", "set", "callable",
})
SHELL_METHODS = ("run_cell", "run_cell_async", "run_code", "run_ast_nodes", "showtraceback",
                 "_showtraceback", "showsyntaxerror", "should_run_async", "transform_cell", "ex", "ev")


class GradingTamperError(Exception):
    """The environment a check relies on was changed by the notebook; the check scores zero."""


def _library_roots() -> tuple[str, ...]:
    roots = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    try:
        import course_utils
        roots.add(os.path.dirname(os.path.realpath(course_utils.__file__)))
    except ImportError:
        pass
    return tuple(sorted(roots))


def _is_library_file(filename: str, roots: tuple[str, ...]) -> bool:
    if not filename or filename.startswith("<frozen"):
        return True
    real = os.path.realpath(filename)
    return real == os.path.realpath(__file__) or any(real.startswith(root + os.sep) for root in roots)


class _Snapshot:
    """Pristine namespaces of the watched modules and classes, and the way to put them back."""

    def __init__(self) -> None:
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
        import torch
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

    def restore(self, library_value) -> list[str]:
        """Put back every entry the notebook changed; return one description per change.

        A changed entry whose new value comes from library code (`library_value(value)`; torch's
        optimisers wrap their own `step` when first used) becomes the new pristine value instead:
        libraries may rebind their own names. Assignments of a library's value made by notebook
        code to a module are caught as they happen (see _watch_modules); for classes, the static
        review flags them.
        """
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


_MISSING = object()


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


def _watch_modules(snapshot: _Snapshot, record, legitimate) -> None:
    """Watch assignments to the watched modules' existing names as they happen.

    An assignment made by library code with a library value (torch._dynamo wraps
    torch.manual_seed when it is first imported) becomes the new pristine value; one made by
    notebook code, or with a value the notebook defined, is recorded as tampering.
    """
    for name, (module, pristine) in snapshot.modules.items():
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
        snapshot.module_types[name] = watched


def _watch_tensor_methods(record) -> None:
    """Record a tensor method overridden on one tensor (`z.mean = lambda *a: ...`) as it happens."""
    import torch
    methods = frozenset(name for name in dir(torch.Tensor)
                        if callable(getattr(torch.Tensor, name, None)) and not name.startswith("__"))
    original = torch.Tensor.__setattr__

    def __setattr__(self, name, value):
        if name in methods:
            record(f"the tensor method {name!r} was overridden on a tensor")
        original(self, name, value)

    torch.Tensor.__setattr__ = __setattr__


class _Guard:
    """What `__grading__` is: begin and end of every graded test cell."""

    def __init__(self, shell, signer) -> None:
        import torch
        self._torch = torch
        self._shell = shell
        self._roots = _library_roots()
        self._events: list[str] = []
        self._events_lock = threading.Lock()
        _watch_tensor_methods(self._record)
        self._snapshot = _Snapshot()
        _watch_modules(self._snapshot, self._record, self._legitimate)
        self._tensor_classes = set(self._tensor_subclasses())
        self._shell_objects = self._capture_shell()
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
        self._reset_torch_state()
        if problems:
            raise GradingTamperError(self._describe(cell_id, problems, "before"))

    def end(self, cell_id: str) -> None:
        """Check again, then publish the signed token that gives this check its points."""
        problems = self._called_from_the_test_cell("end")
        if self._current != cell_id or cell_id in self._signed:
            problems.append(f"the grading guard was called out of order for {cell_id}")
        self._current = None
        problems += self._check_and_restore()
        if problems:
            raise GradingTamperError(self._describe(cell_id, problems, "while"))
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
                or not _is_library_file(runner.f_code.co_filename, self._roots)):
            return [f"the grading guard's {what} was called by the notebook's own code"]
        return []

    def _from_notebook(self, value) -> bool:
        """Whether `value` (a function, method or callable object) was defined by notebook code."""
        function = getattr(value, "__func__", value)
        code = getattr(function, "__code__", None)
        if code is None:
            code = getattr(getattr(type(value), "__call__", None), "__code__", None)
        if code is None:
            return not _is_library_file(getattr(sys.modules.get(getattr(type(value), "__module__", "")), "__file__", "")
                                        or "", self._roots)
        return not _is_library_file(code.co_filename, self._roots)

    def _legitimate(self, value, frame) -> bool:
        """An assignment by library code (the frame) of a value the notebook did not define."""
        return _is_library_file(frame.f_code.co_filename, self._roots) and not self._from_notebook(value)

    def _record(self, event: str) -> None:
        with self._events_lock:
            if event not in self._events:
                self._events.append(event)

    def _describe(self, cell_id: str, problems: list[str], when: str) -> str:
        shown = "; ".join(problems[:4]) + (f"; and {len(problems) - 4} more" if len(problems) > 4 else "")
        return (f"the notebook changed what the checks rely on {when} check {cell_id} ran ({shown}). "
                f"The originals were put back and this check scores 0.")

    def _check_and_restore(self) -> list[str]:
        problems = self._snapshot.restore(lambda value: not self._from_notebook(value))
        with self._events_lock:
            problems += [e for e in self._events if e not in problems]
            self._events.clear()
        problems += self._restore_shell()
        problems += self._restore_interpreter()
        new_classes = [cls for cls in self._tensor_subclasses() if cls not in self._tensor_classes
                       and not self._is_library_class(cls)]
        problems += [f"the notebook defines {cls.__qualname__}, a subclass of torch.Tensor "
                     f"(checks compare plain tensors)" for cls in new_classes]
        problems += self._foreign_threads()
        return problems

    def _tensor_subclasses(self):
        found, stack = [], [self._torch._C.TensorBase]
        while stack:
            for cls in type.__subclasses__(stack.pop()):
                found.append(cls)
                stack.append(cls)
        return found

    def _is_library_class(self, cls) -> bool:
        """A class defined at the top of a library module (not in the notebook, not claiming a library's name)."""
        name = getattr(cls, "__module__", "")
        module = sys.modules.get(name)
        if module is None or name == "__main__" or getattr(module, cls.__qualname__.split(".")[0], None) is None:
            return False
        filename = getattr(module, "__file__", None)
        return bool(filename) and _is_library_file(filename, self._roots)

    def _capture_shell(self) -> dict:
        shell = self._shell
        objects = {"shell": shell, "display_pub": shell.display_pub, "displayhook": shell.displayhook,
                   "kernel": getattr(shell, "kernel", None)}
        captured = {}
        for label, obj in objects.items():
            if obj is not None:
                captured[label] = (obj, set(vars(obj)))
        captured["_events"] = {name: list(callbacks) for name, callbacks in shell.events.callbacks.items()}
        return captured

    def _restore_shell(self) -> list[str]:
        problems = []
        shell = self._shell
        for label, entry in self._shell_objects.items():
            if label == "_events":
                continue
            obj, names = entry
            for name in list(vars(obj)):
                if name in names:
                    continue
                value = vars(obj)[name]
                shadows_method = callable(getattr(type(obj), name, None)) or name in SHELL_METHODS
                if shadows_method and self._from_notebook(value):
                    problems.append(f"the kernel's {label}.{name} was overridden")
                    del vars(obj)[name]
        if shell.custom_exceptions:
            problems.append("a custom exception handler was installed (set_custom_exc)")
            shell.custom_exceptions = ()
        pristine_events = self._shell_objects["_events"]
        for name, callbacks in shell.events.callbacks.items():
            added = [c for c in callbacks if c not in pristine_events.get(name, [])]
            from_notebook = [c for c in added if self._from_notebook(c)]
            if from_notebook:
                problems.append(f"a {name!r} event callback was registered by the notebook")
                callbacks[:] = [c for c in callbacks if c not in from_notebook]
            pristine_events[name] = list(callbacks)
        if shell.display_pub is not self._shell_objects["display_pub"][0]:
            problems.append("the kernel's display publisher was replaced")
            shell.display_pub = self._shell_objects["display_pub"][0]
        return problems

    def _restore_interpreter(self) -> list[str]:
        problems = []
        if sys.gettrace() is not None:
            problems.append("a trace function was installed (sys.settrace)")
            sys.settrace(None)
        if sys.getprofile() is not None:
            problems.append("a profile function was installed (sys.setprofile)")
            sys.setprofile(None)
        if getattr(threading, "_trace_hook", None) is not None or getattr(threading, "_profile_hook", None) is not None:
            problems.append("a thread trace or profile hook was installed")
            threading.settrace(None)
            threading.setprofile(None)
        C = self._torch._C
        if C._len_torch_function_stack():
            problems.append("a torch function mode was active (it intercepts every torch call)")
            while C._len_torch_function_stack():
                C._pop_torch_function_stack()
        if C._len_torch_dispatch_stack():
            problems.append("a torch dispatch mode was active (it intercepts every torch call)")
            while C._len_torch_dispatch_stack():
                C._pop_torch_dispatch_stack()
        return problems

    def _foreign_threads(self) -> list[str]:
        current = threading.get_ident()
        for ident, frame in sys._current_frames().items():
            if ident == current:
                continue
            while frame is not None:
                if not _is_library_file(frame.f_code.co_filename, self._roots):
                    return ["a thread started by the notebook was running during the check"]
                frame = frame.f_back
        return []

    def _reset_torch_state(self) -> None:
        """Global switches a notebook may leave in an odd state by mistake: not tampering, just reset."""
        torch = self._torch
        torch.set_grad_enabled(True)
        if torch.get_default_dtype() is not torch.float32:
            torch.set_default_dtype(torch.float32)


def _read_key(path: str) -> bytes:
    with open(path, "rb") as handle:
        key = handle.read()
    os.unlink(path)
    if len(key) < 16:
        raise SystemExit(f"grading kernel: the token key in {path} is too short")
    return key


# The libraries every grading kernel imports before it serves its first request: the labs' own,
# and torch._dynamo, which torch loads on first use of the "meta" device that checks use to test
# where tensors are made. The fork server imports them once for all its kernels (fork_server_boot.py),
# so that they are not paid on the clock of every submission.
LIBRARIES = ("torch", "numpy", "torch.nn.functional", "torch.distributions", "torch._dynamo", "matplotlib.pyplot",
             "course_utils", "ipykernel.kernelapp")


def import_libraries(preload: list[str]) -> None:
    """Import what the kernel and the checks use, and anything more the grader asked for."""
    import matplotlib
    matplotlib.use("agg")
    for module in (*LIBRARIES, *preload):
        __import__(module)


def serve(key_file: str, kernel_args: list[str]) -> None:
    """Read the signing key, start ipykernel with the guard installed, and serve until shut down."""
    signer = hmac.new(_read_key(key_file), digestmod=hashlib.sha256)
    from ipykernel.kernelapp import IPKernelApp
    app = IPKernelApp.instance()
    app.initialize(kernel_args)
    guard = _Guard(app.shell, signer)
    builtins.__grading__ = guard
    del signer
    app.start()


def parse_arguments(argv: list[str]) -> tuple[str | None, list[str], list[str]]:
    """(--token-key-file value, --preload values, the rest for ipykernel)."""
    key_file, preload, rest = None, [], []
    arguments = iter(argv)
    for argument in arguments:
        if argument == "--token-key-file":
            key_file = next(arguments)
        elif argument == "--preload":
            preload.append(next(arguments))
        else:
            rest.append(argument)
    return key_file, preload, rest


def main(argv: list[str]) -> None:
    key_file, preload, rest = parse_arguments(argv)
    if key_file is None:
        raise SystemExit("grading kernel: --token-key-file is required")
    import_libraries(preload)
    serve(key_file, rest)


if __name__ == "__main__":
    main(sys.argv[1:])
