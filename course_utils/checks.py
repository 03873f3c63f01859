"""Assertions for the check cells: each failure says what was checked, what was expected, what came
back, and (when given) a hint; where the wrong value is one a known mistake gives, the hint names it.

They raise `CheckError`, a subclass of AssertionError, so a failing check fails its cell (and
its points under the autograder) instead of printing a warning that scrolls away. In a notebook a
`CheckError` shows as its message alone: what was checked, what came back, what was expected and the
hint, without the traceback through the check's own code.

Beyond values and shapes, three kinds of mistake only show in behaviour, and have their own checks:
`check_gradients` (a loss that must train carries a gradient to what it trains), `check_device`
(new tensors are made where the inputs live, as on a GPU), and `check_moments` / `check_frequencies`
(random draws follow the distribution they should, judged within their sampling error).
"""
from __future__ import annotations

import numbers
from typing import Any, Callable, Sequence, TypeVar

import torch
from torch.overrides import TorchFunctionMode


T = TypeVar("T")

# Random draws may stray this many standard errors from what they should be: a correct sampler strays
# farther about once in two million checks, a wrong one is caught as soon as its error exceeds it.
SAMPLING_TOLERANCE = 5.0


class CheckError(AssertionError):
    """A check on a student's result failed; the message explains what to fix."""

    def _render_traceback_(self) -> list[str]:
        """What IPython shows for a failed check (it calls this instead of formatting the traceback): the message."""
        first, *rest = str(self).splitlines() or [""]
        return [f"\x1b[1;31mCheck failed:\x1b[0m {first}", *rest]


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


def _is_close(actual: torch.Tensor, expected: torch.Tensor, atol: float, rtol: float) -> torch.Tensor:
    """Elementwise |actual - expected| <= atol + rtol * |expected| (False where either is nan)."""
    return (actual - expected).abs() <= atol + rtol * expected.abs()


def check_close(name: str, actual, expected, atol: float = 1e-5, rtol: float = 1e-4,
                hint: str | None = None, mistakes: Sequence[tuple[Any, str]] = ()) -> None:
    """`actual` matches `expected` elementwise within |a - e| <= atol + rtol * |e|.

    `mistakes` lists (the value a known mistake gives, what that mistake is): when `actual` matches
    one of them, the message names that mistake instead of the general `hint`.
    """
    expected = torch.as_tensor(expected)
    if not isinstance(actual, torch.Tensor):
        _fail(f"{name} should be a torch.Tensor, but got {type(actual).__name__}.", hint)
    if actual.shape != expected.shape:
        _fail(f"{name} has shape {_shape_str(tuple(actual.shape))}; expected {_shape_str(tuple(expected.shape))}.", hint)
    actual_f = actual.detach().to("cpu", torch.float64)
    expected_f = expected.detach().to("cpu", torch.float64)
    bad = ~_is_close(actual_f, expected_f, atol, rtol)
    if not bad.any():
        return
    error = (actual_f - expected_f).abs()
    worst = int(torch.argmax(torch.where(bad, error.nan_to_num(float("inf")), torch.zeros_like(error))))
    index = tuple(int(i) for i in torch.unravel_index(torch.tensor(worst), actual.shape)) if actual.ndim else ()
    where = f" at index {index}" if index else ""
    for wrong, mistake in mistakes:
        wrong_f = torch.as_tensor(wrong, dtype=torch.float64).expand_as(actual_f)
        if bool(_is_close(actual_f, wrong_f, atol, max(rtol, 1e-3)).all()):
            hint = f"that is the value you get when {mistake}"
            break
    if actual.numel() == 1:
        found = f"got {actual_f.item():.6g}, expected {expected_f.item():.6g}"
    else:
        found = (f"differs from the reference in {int(bad.sum())} of {actual.numel()} values; worst{where}: got "
                 f"{actual_f.flatten()[worst].item():.6g}, expected {expected_f.flatten()[worst].item():.6g}")
    _fail(f"{name} {found} (tolerance {atol:g} + {rtol:g}*|expected|).", hint)


# Functions that make a tensor from nothing; without `device=` they use the default device.
_CONSTRUCTORS = frozenset({torch.empty, torch.zeros, torch.ones, torch.full, torch.rand, torch.randn, torch.randint,
                           torch.randperm, torch.arange, torch.linspace, torch.logspace, torch.eye, torch.tensor,
                           torch.as_tensor, torch.normal, torch.empty_strided})


class _DefaultDeviceElsewhere(TorchFunctionMode):
    """While active, a tensor made without `device=` goes to PyTorch's "meta" device instead of the CPU.

    That is what happens on a GPU: such a tensor lands on the default device, not beside the
    inputs. Tensors of a Python number (`torch.tensor(2.0)`) mix with any device, so they stay.
    """

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = dict(kwargs or {})
        if func in _CONSTRUCTORS and kwargs.get("device") is None:
            number = func in (torch.tensor, torch.as_tensor) and args and isinstance(args[0], numbers.Number)
            from_tensors = func is torch.normal and args and isinstance(args[0], torch.Tensor)
            if not (number or from_tensors):
                kwargs["device"] = "meta"
        return func(*args, **kwargs)


def _tensors_in(value) -> list[torch.Tensor]:
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for item in value for t in _tensors_in(item)]
    return []


def check_device(name: str, compute: Callable[[], Any], device: torch.device | str = "cpu",
                 hint: str | None = None) -> Any:
    """`compute()` makes its tensors where its inputs live (`device`), as it must on a GPU; returns its result.

    It runs with tensors made without `device=` sent elsewhere, as on a GPU machine, so that code
    such as `torch.randn(shape)` or `torch.zeros(n, k)` fails here, on a CPU, while
    `torch.randn_like(x)`, `torch.zeros(n, k, device=x.device)` or `x.new_zeros(n, k)` pass. Make
    the inputs before the call: `compute` should only call the student's code on them.
    """
    hint = hint or "make new tensors where the inputs are: torch.randn_like(x), torch.zeros_like(x), or device=x.device."
    try:
        with _DefaultDeviceElsewhere():
            result = compute()
    except RuntimeError as error:
        if "device" not in str(error):
            raise
        _fail(f"{name} mixes devices: on a GPU it would stop with \"{str(error).splitlines()[0]}\"", hint)
    wrong = [t for t in _tensors_in(result) if t.device != torch.device(device)]
    if wrong:
        _fail(f"{name} returned a tensor made on the default device, not on {torch.device(device)} where its inputs "
              f"are: on a GPU it would be on the wrong device.", hint)
    return result


def check_gradients(name: str, loss, inputs: dict[str, torch.Tensor], hint: str | None = None) -> dict[str, torch.Tensor]:
    """`loss` is a finite scalar that autograd can differentiate, and a finite, non-zero gradient reaches each input.

    `inputs` names the tensors the loss must train ({"the decoder's weights": decoder.weight, ...}).
    Returns the gradients, by name, for checks of their values. The graph is kept (`retain_graph`).
    """
    check_scalar(name, loss, hint=hint)
    if not loss.requires_grad:
        _fail(f"{name} carries no gradient: it was cut from the computation that made it (a .detach(), .item(), "
              f"torch.tensor(...) of a value, or torch.no_grad()), so a training step would change nothing.", hint)
    tensors = list(inputs.values())
    gradients = torch.autograd.grad(loss, tensors, allow_unused=True, retain_graph=True)
    found = {}
    for (what, tensor), gradient in zip(inputs.items(), gradients):
        if gradient is None:
            _fail(f"no gradient of {name} reaches {what}: the loss does not depend on it through operations autograd "
                  f"can follow, so training would never change it.", hint)
        if not torch.isfinite(gradient).all():
            _fail(f"the gradient of {name} with respect to {what} is not finite (inf or nan).", hint)
        if not gradient.abs().max() > 0:
            _fail(f"the gradient of {name} with respect to {what} is zero everywhere: it reaches {what}, but through a "
                  f"step that passes no signal (a rounding, a comparison, a constant), so training would not move it.", hint)
        found[what] = gradient
    return found


def check_moments(name: str, samples: torch.Tensor, mean, std, hint: str | None = None) -> None:
    """Draws `samples` (N, ...) have the expected mean and standard deviation (per position), within sampling error.

    `mean` and `std` are numbers or tensors of the shape of one draw. The mean may stray by 5 standard
    errors (std / sqrt(N)) and the standard deviation by 5 of its own (about std / sqrt(2N)).
    """
    check_tensor(name, samples, hint=hint)
    if len(samples) < 2:
        _fail(f"{name} holds {len(samples)} draw(s); at least 2 are needed to judge a distribution.", hint)
    values = samples.detach().to("cpu", torch.float64)
    n = len(values)
    mean = torch.as_tensor(mean, dtype=torch.float64).expand(values.shape[1:])
    std = torch.as_tensor(std, dtype=torch.float64).expand(values.shape[1:])
    for what, found, expected, error in (("mean", values.mean(0), mean, std / n ** 0.5),
                                         ("standard deviation", values.std(0), std, std / (2 * n) ** 0.5)):
        stray = (found - expected).abs() - SAMPLING_TOLERANCE * error
        if (stray > 1e-12).any():
            worst = int(stray.flatten().argmax())
            index = tuple(int(i) for i in torch.unravel_index(torch.tensor(worst), found.shape)) if found.ndim else ()
            where = f" at position {index}" if index else ""
            _fail(f"the {what} of {n} draws of {name}{where} is {found.flatten()[worst].item():.4g}; expected "
                  f"{expected.flatten()[worst].item():.4g} (give or take {SAMPLING_TOLERANCE * error.flatten()[worst].item():.2g}).", hint)


def check_frequencies(name: str, draws: torch.Tensor, probs, hint: str | None = None) -> None:
    """Category indices `draws` (any shape) fall in [0, K) and come up as often as `probs` (K,) says, within 5 standard errors."""
    check_tensor(name, draws, hint=hint)
    if draws.is_floating_point():
        _fail(f"{name} should hold category indices (an integer tensor), but has dtype {draws.dtype}.", hint)
    probs = torch.as_tensor(probs, dtype=torch.float64)
    values = draws.detach().cpu().flatten()
    out_of_range = (values < 0) | (values >= len(probs))
    if bool(out_of_range.any()):
        _fail(f"{name} holds {values[out_of_range][0].item()}, outside the categories 0..{len(probs) - 1}.", hint)
    n = len(values)
    found = torch.bincount(values, minlength=len(probs)).double() / n
    error = (probs * (1 - probs) / n).sqrt()
    stray = (found - probs).abs() - SAMPLING_TOLERANCE * error
    if (stray > 1e-12).any():
        worst = int(stray.argmax())
        _fail(f"category {worst} came up in {found[worst].item():.2%} of {n} draws of {name}; expected "
              f"{probs[worst].item():.2%} (give or take {SAMPLING_TOLERANCE * error[worst].item():.2%}).", hint)


def check_call(what: str, call: Callable[[], T], hint: str | None = None) -> T:
    """Run `call()`, the student's code, and return its result; an exception becomes a CheckError naming the call.

    `what` says what was called, with which inputs ("Encoder(784, (512, 256), 20) on x of shape (2, 1, 28, 28)").
    """
    try:
        return call()
    except CheckError:
        raise
    except NotImplementedError:
        _fail(f"{what} raised NotImplementedError: this exercise is not written yet.",
              "replace `raise NotImplementedError()` with your code.")
    except Exception as error:  # noqa: BLE001 -- any error in the student's code is reported the same way
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        _fail(f"{what} raised {type(error).__name__}: {first_line}", hint)


def needs(namespace: dict[str, Any], **what_makes_them: str) -> None:
    """Stop a given cell at once, saying what to run first, when a name it uses is not defined yet.

    `cu.needs(globals(), best_name="the guidance sweep above (it needs Exercise 8)")` at the top of a
    cell turns a NameError deep inside it into one sentence naming the cell or exercise to finish.
    """
    missing = [f"`{name}` from {where}" for name, where in what_makes_them.items() if name not in namespace]
    if missing:
        raise CheckError(f"this cell needs {' and '.join(missing)}: run that first.")


def passed(message: str) -> None:
    """Print the one-line confirmation that ends a successful check cell."""
    print(f"\N{HEAVY CHECK MARK} {message}")
