"""Running averages for training logs."""
from __future__ import annotations

import math


class AverageMeter:
    """Keeps the running (weighted) average of a quantity, e.g. the loss over an epoch.

    >>> meter = AverageMeter("loss")
    >>> meter.update(2.0, n=3); meter.update(4.0, n=1)
    >>> meter.avg
    2.5
    """

    def __init__(self, name: str = "value") -> None:
        self.name = name
        self.reset()

    def reset(self) -> None:
        """Forget everything seen so far."""
        self.last = math.nan
        self.sum = 0.0
        self.count = 0

    def update(self, value: float, n: int = 1) -> None:
        """Record `value`, the average over `n` items (for a batch loss, n = batch size)."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"AverageMeter.update: n must be a positive integer (items in the batch), got {n!r}.")
        value = float(value)  # accepts Python numbers and one-element tensors
        if not math.isfinite(value):
            raise ValueError(
                f"AverageMeter '{self.name}': got a non-finite value ({value}). "
                "The training has probably diverged: try a smaller learning rate."
            )
        self.last = value
        self.sum += value * n
        self.count += n

    @property
    def avg(self) -> float:
        """The weighted average so far (nan before the first update)."""
        return self.sum / self.count if self.count else math.nan

    def __repr__(self) -> str:
        return f"AverageMeter({self.name}: avg={self.avg:.4f} over {self.count})"
