"""Assertions for the check cells: each failure says what was checked, what was expected,
what came back, and (when given) a hint.

They raise `CheckError`, a subclass of AssertionError, so a failing check fails its cell (and
its points under the autograder) instead of printing a warning that scrolls away.
"""
from __future__ import annotations

from typing import Sequence

import torch


class CheckError(AssertionError):
    """A check on a student's result failed; the message explains what to fix."""


def _fail(message: str, hint: str | None) -> None:
    raise CheckError(message + (f"\n  Hint: {hint}" if hint else ""))


def _shape_str(shape: Sequence) -> str:
    return "(" + ", ".join("*" if s is None else str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def check(condition: bool, message: str, hint: str | None = None) -> None:
    """Fail with `message` unless `condition` holds."""
    if not condition:
        _fail(message, hint)


def check_tensor(name: str, value, shape: Sequence[int | None] | None = None,
                 dtype: torch.dtype | None = None, hint: str | None = None) -> None:
    """`value` is a torch.Tensor with the given shape (None matches any size) and dtype."""
    if not isinstance(value, torch.Tensor):
        _fail(f"{name} should be a torch.Tensor, but got {type(value).__name__}.", hint)
    if shape is not None:
        expected = tuple(shape)
        actual = tuple(value.shape)
        matches = len(actual) == len(expected) and all(e is None or e == a for e, a in zip(expected, actual))
        if not matches:
            _fail(f"{name} has shape {_shape_str(actual)}; expected {_shape_str(expected)}.", hint)
    if dtype is not None and value.dtype != dtype:
        _fail(f"{name} has dtype {value.dtype}; expected {dtype}.", hint)


def check_scalar(name: str, value, hint: str | None = None) -> None:
    """`value` is a 0-dimensional floating-point tensor that autograd can differentiate."""
    check_tensor(name, value, shape=(), hint=hint)
    if not value.is_floating_point():
        _fail(f"{name} should be a floating-point tensor, got dtype {value.dtype}.", hint)
    if not torch.isfinite(value):
        _fail(f"{name} is {value.item()}; expected a finite number.", hint)


def check_range(name: str, value: torch.Tensor, low: float, high: float, hint: str | None = None) -> None:
    """Every element of `value` lies in [low, high]."""
    lo, hi = value.min().item(), value.max().item()
    if lo < low or hi > high:
        _fail(f"{name} should lie in [{low}, {high}], but its values span [{lo:.4g}, {hi:.4g}].", hint)


def check_close(name: str, actual, expected, atol: float = 1e-5, rtol: float = 1e-4,
                hint: str | None = None) -> None:
    """`actual` matches `expected` elementwise within |a - e| <= atol + rtol * |e|."""
    expected = torch.as_tensor(expected)
    if not isinstance(actual, torch.Tensor):
        _fail(f"{name} should be a torch.Tensor, but got {type(actual).__name__}.", hint)
    if actual.shape != expected.shape:
        _fail(f"{name} has shape {_shape_str(tuple(actual.shape))}; expected {_shape_str(tuple(expected.shape))}.", hint)
    actual_f = actual.detach().to("cpu", torch.float64)
    expected_f = expected.detach().to("cpu", torch.float64)
    error = (actual_f - expected_f).abs()
    allowed = atol + rtol * expected_f.abs()
    bad = ~(error <= allowed)  # also catches nan
    if bad.any():
        worst = int(torch.argmax(torch.where(bad, error.nan_to_num(float("inf")), torch.zeros_like(error))))
        index = tuple(int(i) for i in torch.unravel_index(torch.tensor(worst), actual.shape)) if actual.ndim else ()
        where = f" at index {index}" if index else ""
        _fail(
            f"{name} differs from the reference in {int(bad.sum())} of {actual.numel()} values; "
            f"worst{where}: got {actual_f.flatten()[worst].item():.6g}, expected {expected_f.flatten()[worst].item():.6g} "
            f"(tolerance {atol:g} + {rtol:g}*|expected|).",
            hint,
        )


def passed(message: str) -> None:
    """Print the one-line confirmation that ends a successful check cell."""
    print(f"\N{HEAVY CHECK MARK} {message}")
