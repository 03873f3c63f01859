"""Tensors the checks cannot trust: a method overridden on one tensor, and subclasses of torch.Tensor."""
from __future__ import annotations

from . import compat
from .libraries import CodeOrigin


def watch_tensor_methods(record) -> None:
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


class TensorSubclasses:
    """Subclasses of torch.Tensor defined by the notebook (a check comparing plain tensors cannot trust them)."""

    def __init__(self, origin: CodeOrigin) -> None:
        self._base = compat.tensor_base()
        self._origin = origin
        self._known = set(self._all())

    def _all(self) -> list[type]:
        found, stack = [], [self._base]
        while stack:
            for cls in type.__subclasses__(stack.pop()):
                found.append(cls)
                stack.append(cls)
        return found

    def restore(self) -> list[str]:
        """One problem per subclass the notebook defined (they cannot be removed: every check fails while they exist)."""
        return [f"the notebook defines {cls.__qualname__}, a subclass of torch.Tensor (checks compare plain tensors)"
                for cls in self._all() if cls not in self._known and not self._origin.is_library_class(cls)]
