"""A two-dimensional toy distribution whose density is known exactly: a ring of Gaussians.

The GAN lab uses it to show mode collapse, the flows lab to measure how far a trained density is
from the truth (the log-density has a closed form, so the KL divergence can be estimated).
"""
from __future__ import annotations

import math

import torch


class RingOfGaussians:
    """An equal mixture of `n_modes` isotropic Gaussians (standard deviation `std`) on a circle of `radius`."""

    def __init__(self, n_modes: int = 8, radius: float = 2.0, std: float = 0.05) -> None:
        if n_modes < 1 or radius < 0 or std <= 0:
            raise ValueError(f"a ring needs n_modes >= 1, radius >= 0 and std > 0; got {n_modes}, {radius}, {std}.")
        self.n_modes, self.radius, self.std = n_modes, radius, std
        angles = torch.arange(n_modes, dtype=torch.float32) * (2 * math.pi / n_modes)
        self.modes = radius * torch.stack([angles.cos(), angles.sin()], dim=1)     # (n_modes, 2)

    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """n points (n, 2): a mode chosen uniformly, plus Gaussian noise."""
        chosen = self.modes[torch.randint(0, self.n_modes, (n,), generator=generator)]
        return chosen + self.std * torch.randn(n, 2, generator=generator)

    def log_prob(self, points: torch.Tensor) -> torch.Tensor:
        """The exact log-density (nats) of points (..., 2): log of the mixture, by log-sum-exp."""
        modes = self.modes.to(points.device, points.dtype)
        squared = (points.unsqueeze(-2) - modes).pow(2).sum(dim=-1)               # (..., n_modes)
        log_components = -squared / (2 * self.std ** 2) - math.log(2 * math.pi * self.std ** 2)
        return torch.logsumexp(log_components, dim=-1) - math.log(self.n_modes)

    def modes_covered(self, points: torch.Tensor, within: float = 3.0, min_share: float = 0.01) -> tuple[int, float]:
        """(modes with at least `min_share` of the points within `within` standard deviations, share of points that close)."""
        distances, nearest = torch.cdist(points.reshape(-1, 2).float(), self.modes).min(dim=1)
        close = distances < within * self.std
        counts = torch.bincount(nearest[close], minlength=self.n_modes)
        return int((counts >= min_share * len(distances)).sum()), close.float().mean().item()
