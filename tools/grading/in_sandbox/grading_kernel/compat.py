"""The torch internals the guard inspects, each behind a function named for what it does.

torch offers no public way to list or leave the interception modes a notebook may have entered
(`torch.overrides.TorchFunctionMode`, `TorchDispatchMode`), nor a public base of every tensor
class. This is the kernel side's counterpart of tools/grading/compat.py (the sandbox holds only
this folder, so the two cannot share a module); tests/test_grading_guard_parts.py fails when
torch changes one of these internals.
"""
from __future__ import annotations


def torch_function_modes() -> int:
    """How many torch function modes are active. Internal: torch._C._len_torch_function_stack."""
    import torch
    return torch._C._len_torch_function_stack()


def leave_torch_function_mode() -> None:
    """Leave the innermost torch function mode. Internal: torch._C._pop_torch_function_stack."""
    import torch
    torch._C._pop_torch_function_stack()


def torch_dispatch_modes() -> int:
    """How many torch dispatch modes are active. Internal: torch._C._len_torch_dispatch_stack."""
    import torch
    return torch._C._len_torch_dispatch_stack()


def leave_torch_dispatch_mode() -> None:
    """Leave the innermost torch dispatch mode. Internal: torch._C._pop_torch_dispatch_stack (None: the innermost)."""
    import torch
    torch._C._pop_torch_dispatch_stack(None)


def tensor_base() -> type:
    """The class every tensor class derives from, torch.Tensor included. Internal: torch._C.TensorBase."""
    import torch
    return torch._C.TensorBase
