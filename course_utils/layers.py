"""Small building blocks shared by the labs' models."""
from __future__ import annotations

from typing import Sequence

from torch import nn


def mlp(sizes: Sequence[int], activation: type[nn.Module] = nn.ReLU) -> nn.Sequential:
    """Linear layers between consecutive sizes, each followed by `activation`.

    mlp([784, 512, 256]) is Linear(784, 512), ReLU, Linear(512, 256), ReLU. The output layer
    of a model (e.g. the heads for mu and logvar) is added separately, without activation.
    """
    sizes = list(sizes)
    if len(sizes) < 2 or any(not isinstance(s, int) or s < 1 for s in sizes):
        raise ValueError(f"mlp needs at least two positive integer sizes, got {sizes}.")
    layers: list[nn.Module] = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(n_in, n_out), activation()]
    return nn.Sequential(*layers)
