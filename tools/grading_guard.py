"""Run at the top of every graded cell while autograding, to undo the usual ways of faking a pass.

The autograder inserts one line at the start of each graded test cell that loads this file
afresh and calls `restore(globals())`. It

* removes notebook globals that shadow the builtins the tests rely on (`AssertionError = Exception`,
  `all = lambda x: True`, `isinstance = ...`);
* rebinds `cu` to a freshly loaded copy of course_utils, so monkeypatched check helpers
  (`cu.check_close = lambda *a, **k: None`) are not the ones the tests call;
* removes instance-level overrides of IPython's error reporting and custom exception handlers,
  so an error in a test cell still shows up as an error (which is what nbgrader grades on).

It is a guard against casual cheating, not a sandbox: code determined to subvert the kernel can.
The batch autograder also flags suspicious code in its report for a human to look at.
"""
from __future__ import annotations

import builtins
import importlib.util
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "course_utils"
# builtins that check cells use; a student global with one of these names is removed before a check
GUARDED_BUILTINS = frozenset({
    "AssertionError", "BaseException", "Exception", "KeyError", "NameError", "NotImplementedError",
    "RuntimeError", "TypeError", "ValueError", "abs", "all", "any", "bool", "dict", "enumerate", "float",
    "getattr", "hasattr", "int", "isinstance", "len", "list", "max", "min", "print", "range", "round",
    "sorted", "str", "sum", "tuple", "type", "zip",
})
_IPYTHON_METHODS = ("showtraceback", "_showtraceback", "showsyntaxerror", "run_cell", "run_code", "run_ast_nodes")


def fresh_course_utils():
    """A new, unpatched copy of the course_utils package (its submodules loaded anew too)."""
    name = "_course_utils_pristine"
    for key in [k for k in sys.modules if k == name or k.startswith(name + ".")]:
        del sys.modules[key]
    spec = importlib.util.spec_from_file_location(name, PACKAGE_DIR / "__init__.py",
                                                  submodule_search_locations=[str(PACKAGE_DIR)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def restore(namespace: dict) -> None:
    for name in GUARDED_BUILTINS & set(namespace):
        if namespace[name] is not getattr(builtins, name):
            del namespace[name]
    namespace["cu"] = fresh_course_utils()
    try:
        shell = get_ipython()  # noqa: F821 (defined inside IPython kernels)
    except NameError:
        return
    shell.custom_exceptions = ()
    for method in _IPYTHON_METHODS:
        shell.__dict__.pop(method, None)
