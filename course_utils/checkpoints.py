"""Saving and loading trained models, and the course's pretrained ones.

`save_model` stores a model's weights in half precision (and whatever else you pass: a training
history, settings) in one compressed file; `load_model` puts them back into a model of the same
architecture. The labs' `PRETRAINED = True` switch loads the reference models shipped in
`course_utils/pretrained/` instead of training, so a lab can be explored in seconds.
"""
from __future__ import annotations

import io
import lzma
from pathlib import Path
from typing import Callable

import torch
from torch import nn

PRETRAINED_DIR = Path(__file__).resolve().parent / "pretrained"
FORMAT = "course-model-1"


class CheckpointMismatchError(ValueError):
    """A saved model does not fit the model it is loaded into; the message says what differs."""


def _half(value):
    return value.half() if isinstance(value, torch.Tensor) and value.is_floating_point() else value


def save_model(model: nn.Module, path: str | Path, extra: dict | None = None, settings: dict | None = None) -> Path:
    """Save `model`'s weights (float16) with `extra` data and the `settings` it was trained with; return the path.

    `extra` may hold numbers, strings, lists and tensors (a training history, snapshots);
    `settings` (e.g. {"latent_dim": 20, "dataset": "mnist"}) are checked again by `load_model`.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"format": FORMAT, "state": {k: _half(v) for k, v in model.state_dict().items()},
               "extra": extra or {}, "settings": settings or {}}
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    path.write_bytes(lzma.compress(buffer.getvalue(), preset=9 | lzma.PRESET_EXTREME))
    return path


def load_model(model: nn.Module, path: str | Path, settings: dict | None = None) -> dict:
    """Load weights saved by `save_model` into `model` (in its own dtype and device); return the extra data.

    Raises CheckpointMismatchError, naming the difference, when the file was saved with other
    `settings` or for another architecture.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"No saved model at {path}: train the model first (or check the name).")
    try:
        payload = torch.load(io.BytesIO(lzma.decompress(path.read_bytes())), map_location="cpu", weights_only=True)
    except (lzma.LZMAError, RuntimeError, EOFError) as error:
        raise CheckpointMismatchError(f"{path} is not a model saved by course_utils.save_model ({error}).") from error
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointMismatchError(f"{path} is not a model saved by course_utils.save_model.")
    saved_settings = payload.get("settings", {})
    differences = [f"{name}: saved with {saved_settings[name]!r}, asked for {value!r}"
                   for name, value in (settings or {}).items() if name in saved_settings and saved_settings[name] != value]
    if differences:
        raise CheckpointMismatchError(
            f"{path.name} does not match your configuration ({'; '.join(differences)}). Restore those settings, "
            f"or set PRETRAINED = False to train with yours.")
    own = model.state_dict()
    saved = payload["state"]
    wrong = sorted(set(own) ^ set(saved)) + [k for k in set(own) & set(saved) if own[k].shape != saved[k].shape]
    if wrong:
        raise CheckpointMismatchError(
            f"{path.name} was saved from another architecture (differences in {', '.join(wrong[:5])}); "
            f"build the model with the settings it was trained with, or set PRETRAINED = False.")
    model.load_state_dict({k: v.to(own[k].dtype) for k, v in saved.items()})
    return payload.get("extra", {})


def pretrained_path(lab: str, name: str) -> Path:
    """Where the course's reference model `name` of `lab` is kept."""
    return PRETRAINED_DIR / lab / f"{name}.pt.xz"


def load_pretrained(model: nn.Module, lab: str, name: str, settings: dict | None = None) -> dict:
    """Load the course's reference model `name` of `lab` into `model`; return its extra data (e.g. the history)."""
    path = pretrained_path(lab, name)
    if not path.exists():
        raise FileNotFoundError(f"The course ships no pretrained model {name!r} for the {lab} lab ({path} is missing). "
                                f"Set PRETRAINED = False to train it yourself; your instructor makes the course's models "
                                f"with `make pretrained LAB={lab}`.")
    return load_model(model, path, settings)


def train_or_load(model: nn.Module, train: Callable[[], dict], *, lab: str, name: str, settings: dict,
                  pretrained: bool, output_dir: str | Path) -> dict:
    """The labs' PRETRAINED switch: load the course's model, or train, save and return what training returned.

    With `pretrained`, the course's model `name` of `lab` is loaded into `model` and the extra data
    saved with it (its training history) is returned; `settings` must match the ones it was trained
    with. Otherwise `train()` trains `model` and returns its history, and the model is saved with that
    history to `output_dir/<name>.pt.xz`.
    """
    if pretrained:
        return load_pretrained(model, lab, name, settings)
    history = train()
    save_model(model, Path(output_dir) / f"{name}.pt.xz", extra=history, settings=settings)
    return history


COURSE_SAMPLES_FILE = PRETRAINED_DIR / "course_samples.pt.xz"


def save_course_samples(samples: dict[str, dict], path: str | Path = COURSE_SAMPLES_FILE) -> Path:
    """Keep samples of the course's models for the side-by-side comparison of the last lab.

    `samples` maps a model's name to {"images": (N, 1, 28, 28) in [0, 1], "lab": str, "training seconds":
    float, "sampling seconds per 1000": float}; images are stored as 8-bit pixels.
    """
    stored = {name: {**entry, "images": (entry["images"].detach().cpu().clamp(0, 1) * 255).round().to(torch.uint8)}
              for name, entry in samples.items()}
    buffer = io.BytesIO()
    torch.save({"format": FORMAT, "samples": stored}, buffer)
    path = Path(path)
    path.write_bytes(lzma.compress(buffer.getvalue(), preset=9 | lzma.PRESET_EXTREME))
    return path


def load_course_samples(path: str | Path = COURSE_SAMPLES_FILE) -> dict[str, dict]:
    """The samples `save_course_samples` kept, by model name, in course order; images as uint8 (N, 1, 28, 28)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"No course samples at {path}: the instructor makes them with `make pretrained`.")
    payload = torch.load(io.BytesIO(lzma.decompress(path.read_bytes())), map_location="cpu", weights_only=True)
    return payload["samples"]
