"""What every grading kernel imports before it serves its first request, and which code counts as a library's."""
from __future__ import annotations

import os
import sys

# The labs' own libraries (scikit-learn for the VAE lab's t-SNE), and torch._dynamo, which torch
# loads on first use of the "meta" device that checks use to test where tensors are made. The fork
# server imports them once for all its kernels, so that they are not paid on the clock of every submission.
LIBRARIES = ("torch", "numpy", "torch.nn.functional", "torch.distributions", "torch._dynamo", "matplotlib.pyplot",
             "course_utils", "ipykernel.kernelapp", "sklearn.manifold")

# The folder this package was started from (the grader's own code, mounted read-only in the sandbox).
GRADER_ROOT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))


def import_libraries() -> None:
    """Import what the kernel and the checks use."""
    import matplotlib
    matplotlib.use("agg")
    for module in LIBRARIES:
        __import__(module)


def library_roots() -> tuple[str, ...]:
    """Folders whose code is library code: Python's installation(s), the course package, the grader's own code."""
    roots = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)} | {GRADER_ROOT}
    try:
        import course_utils
        roots.add(os.path.dirname(os.path.realpath(course_utils.__file__)))
    except ImportError:
        pass
    return tuple(sorted(roots))


def is_library_file(filename: str, roots: tuple[str, ...]) -> bool:
    """Whether code from `filename` is library code (not written in the notebook)."""
    if not filename or filename.startswith("<frozen"):
        return True
    real = os.path.realpath(filename)
    return any(real.startswith(root + os.sep) for root in roots)


class CodeOrigin:
    """Tells library code from notebook code, for functions, callables and the frames that make assignments."""

    def __init__(self) -> None:
        self.roots = library_roots()

    def is_library_file(self, filename: str) -> bool:
        return is_library_file(filename, self.roots)

    def from_notebook(self, value) -> bool:
        """Whether `value` (a function, method or callable object) was defined by notebook code."""
        function = getattr(value, "__func__", value)
        code = getattr(function, "__code__", None)
        if code is None:
            code = getattr(getattr(type(value), "__call__", None), "__code__", None)
        if code is None:
            module = sys.modules.get(getattr(type(value), "__module__", ""))
            return not self.is_library_file(getattr(module, "__file__", "") or "")
        return not self.is_library_file(code.co_filename)

    def legitimate(self, value, frame) -> bool:
        """An assignment by library code (the frame) of a value the notebook did not define."""
        return self.is_library_file(frame.f_code.co_filename) and not self.from_notebook(value)

    def is_library_class(self, cls: type) -> bool:
        """A class defined at the top of a library module (not in the notebook, not claiming a library's name)."""
        name = getattr(cls, "__module__", "")
        module = sys.modules.get(name)
        if module is None or name == "__main__" or getattr(module, cls.__qualname__.split(".")[0], None) is None:
            return False
        filename = getattr(module, "__file__", None)
        return bool(filename) and self.is_library_file(filename)
