"""Data augmentation: small random changes to training images that keep what they show."""
from __future__ import annotations

import torch
import torch.nn.functional as F


def random_shifts(images: torch.Tensor, max_shift: int = 2, generator: torch.Generator | None = None) -> torch.Tensor:
    """Move each image by a whole number of pixels, at most `max_shift` each way, filling with zeros.

    images: (B, C, H, W); returns a new tensor of the same shape on the same device. Each image gets
    its own shift, drawn uniformly from [-max_shift, max_shift] for each axis.
    """
    if images.ndim != 4:
        raise ValueError(f"random_shifts expects images of shape (B, C, H, W), got {tuple(images.shape)}.")
    if max_shift < 0:
        raise ValueError(f"max_shift must be 0 or more, got {max_shift}.")
    batch, _, height, width = images.shape
    shifts = torch.randint(-max_shift, max_shift + 1, (batch, 2), generator=generator).to(images)
    theta = torch.zeros(batch, 2, 3, device=images.device, dtype=images.dtype)
    theta[:, 0, 0] = theta[:, 1, 1] = 1.0
    theta[:, 0, 2] = -2.0 * shifts[:, 0] / width      # affine_grid's coordinates span 2 per image side
    theta[:, 1, 2] = -2.0 * shifts[:, 1] / height
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, mode="nearest", padding_mode="zeros", align_corners=False)
