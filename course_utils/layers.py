"""Small building blocks shared by the labs' models."""
from __future__ import annotations

from typing import Sequence

from torch import nn


def mlp(sizes: Sequence[int], activation: type[nn.Module] = nn.ReLU, batchnorm: bool = False,
        weight_norm: bool = False) -> nn.Sequential:
    """Linear layers between consecutive sizes, each followed by `activation`.

    mlp([784, 512, 256]) is Linear(784, 512), ReLU, Linear(512, 256), ReLU. The output layer
    of a model (e.g. the heads for mu and logvar) is added separately, without activation.
    `batchnorm` puts a BatchNorm1d between each linear layer and its activation (Ioffe & Szegedy,
    2015); `weight_norm` writes each linear layer's weights as a direction times a learned length
    (Salimans & Kingma, 2016), as the self-normalising SELU networks of Klambauer et al. (2017) often are.
    """
    sizes = list(sizes)
    if len(sizes) < 2 or any(not isinstance(s, int) or s < 1 for s in sizes):
        raise ValueError(f"mlp needs at least two positive integer sizes, got {sizes}.")
    layers: list[nn.Module] = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        linear = nn.Linear(n_in, n_out)
        if weight_norm:
            linear = nn.utils.parametrizations.weight_norm(linear)
        layers += [linear, *([nn.BatchNorm1d(n_out)] if batchnorm else []), activation()]
    return nn.Sequential(*layers)
