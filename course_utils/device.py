"""Choosing the device that tensors and models live on."""
from __future__ import annotations

import os

import torch

DEVICE_ENV_VAR = "COURSE_DEVICE"
_KNOWN_KINDS = ("cuda", "mps", "cpu")


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def get_device(prefer: str | None = None) -> torch.device:
    """Return the device to train on: `prefer`, else $COURSE_DEVICE, else cuda > mps > cpu.

    An explicit choice ("cuda", "cuda:1", "mps" or "cpu") that this machine cannot honour
    raises a RuntimeError saying what is available, rather than failing later inside a layer.
    """
    choice = prefer if prefer is not None else os.environ.get(DEVICE_ENV_VAR, "").strip()
    if not choice or choice == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")

    kind = choice.split(":", 1)[0].lower()
    if kind not in _KNOWN_KINDS:
        raise ValueError(
            f"Unknown device {choice!r} (from {'the prefer argument' if prefer else '$' + DEVICE_ENV_VAR}). "
            f"Use one of 'auto', 'cuda', 'cuda:N', 'mps' or 'cpu'."
        )
    if kind == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(
            f"Device {choice!r} was requested but this PyTorch build sees no CUDA GPU. "
            f"Set {DEVICE_ENV_VAR}=auto (or cpu) to run on what this machine has."
        )
    if kind == "cuda" and ":" in choice:
        index = int(choice.split(":", 1)[1])
        if index >= torch.cuda.device_count():
            raise RuntimeError(
                f"Device {choice!r} was requested but only {torch.cuda.device_count()} CUDA device(s) exist."
            )
    if kind == "mps" and not _mps_available():
        raise RuntimeError(
            f"Device 'mps' was requested but Apple's Metal backend is not available here. "
            f"Set {DEVICE_ENV_VAR}=auto (or cpu) instead."
        )
    return torch.device(choice)


def describe_device(device: torch.device) -> str:
    """A one-line human description of `device`, e.g. 'cuda (NVIDIA H100)'."""
    if device.type == "cuda":
        return f"{device} ({torch.cuda.get_device_name(device)})"
    if device.type == "cpu":
        return f"cpu ({torch.get_num_threads()} threads)"
    return str(device)
