"""The interpreter around a check: trace and profile hooks, torch's interception modes, threads, global switches."""
from __future__ import annotations

import sys
import threading

from . import compat
from .libraries import CodeOrigin


class InterpreterHooks:
    """Hooks that see or change every call: trace and profile functions, torch function and dispatch modes."""

    def restore(self) -> list[str]:
        """Remove every such hook; return one description per hook found."""
        problems = []
        if sys.gettrace() is not None:
            problems.append("a trace function was installed (sys.settrace)")
            sys.settrace(None)
        if sys.getprofile() is not None:
            problems.append("a profile function was installed (sys.setprofile)")
            sys.setprofile(None)
        if threading.gettrace() is not None or threading.getprofile() is not None:
            problems.append("a thread trace or profile hook was installed")
            threading.settrace(None)
            threading.setprofile(None)
        if compat.torch_function_modes():
            problems.append("a torch function mode was active (it intercepts every torch call)")
            while compat.torch_function_modes():
                compat.leave_torch_function_mode()
        if compat.torch_dispatch_modes():
            problems.append("a torch dispatch mode was active (it intercepts every torch call)")
            while compat.torch_dispatch_modes():
                compat.leave_torch_dispatch_mode()
        return problems


class NotebookThreads:
    """Threads running notebook code while a check runs (they could change what it looks at)."""

    def __init__(self, origin: CodeOrigin) -> None:
        self._origin = origin

    def restore(self) -> list[str]:
        current = threading.get_ident()
        for ident, frame in sys._current_frames().items():
            if ident == current:
                continue
            while frame is not None:
                if not self._origin.is_library_file(frame.f_code.co_filename):
                    return ["a thread started by the notebook was running during the check"]
                frame = frame.f_back
        return []


def reset_torch_switches() -> None:
    """Global switches a notebook may leave in an odd state by mistake: not tampering, just reset."""
    import torch
    torch.set_grad_enabled(True)
    if torch.get_default_dtype() is not torch.float32:
        torch.set_default_dtype(torch.float32)
