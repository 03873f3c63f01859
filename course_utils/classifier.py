"""A small convolutional classifier that judges generated images, with committed weights.

`tools/train_classifier.py` trains it on the training split; `load_classifier` loads the
weights shipped in `course_utils/weights/` (nothing is downloaded).
"""
from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from .data import dataset_key

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
FEATURE_DIM = 128


class DigitClassifier(nn.Module):
    """CNN for (B, 1, 28, 28) images in [0, 1] -> logits (B, 10); `features` gives the (B, 128) layer before them."""

    def __init__(self, n_classes: int = 10):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),    # 28x28 -> 14x14
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # 14x14 -> 7x7
            nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # 7x7 -> 3x3
            nn.Flatten(),
            nn.Linear(64 * 3 * 3, FEATURE_DIM), nn.ReLU(),
        )
        self.head = nn.Linear(FEATURE_DIM, n_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x - 0.5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


def weights_path(dataset: str) -> Path:
    return WEIGHTS_DIR / f"{dataset}_classifier.pt"


def load_classifier(dataset: str = "mnist", device: torch.device | str = "cpu") -> DigitClassifier:
    """The trained classifier for `dataset` ("mnist" or "fashion-mnist"), in eval mode on `device`."""
    path = weights_path(dataset_key(dataset))
    if not path.exists():
        raise FileNotFoundError(
            f"No classifier weights at {path}. Train them with `python -m tools.train_classifier {dataset}`."
        )
    model = DigitClassifier()
    state = torch.load(path, map_location="cpu", weights_only=True)
    model.load_state_dict({name: tensor.float() for name, tensor in state.items()})
    return model.to(device).eval()
