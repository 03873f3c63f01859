"""Turning batches of images into one picture, and pictures into files."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch


def _as_numpy(image) -> np.ndarray:
    if isinstance(image, torch.Tensor):
        image = image.detach().to("cpu", torch.float32).numpy()
    return np.asarray(image, dtype=np.float64)


def _as_image_list(images) -> list[np.ndarray]:
    """Accept a (N, 1, H, W) / (N, H, W) batch or a sequence of (1, H, W) / (H, W) images."""
    if isinstance(images, (torch.Tensor, np.ndarray)):
        batch = _as_numpy(images)
        if batch.ndim == 4:
            if batch.shape[1] != 1:
                raise ValueError(f"collage expects one-channel images (N, 1, H, W); got {batch.shape}.")
            batch = batch[:, 0]
        if batch.ndim != 3:
            raise ValueError(f"collage expects (N, 1, H, W), (N, H, W) or a list of images; got shape {batch.shape}.")
        return list(batch)
    result = []
    for k, image in enumerate(images):
        array = _as_numpy(image)
        if array.ndim == 3 and array.shape[0] == 1:
            array = array[0]
        if array.ndim != 2:
            raise ValueError(f"collage: image {k} has shape {array.shape}; expected (H, W) or (1, H, W).")
        result.append(array)
    return result


def collage(images, ncols: int, nrows: int | None = None, padding: int = 0,
            pad_value: float = 0.0) -> np.ndarray:
    """Tile images row by row into one (nrows*H + gaps, ncols*W + gaps) float array.

    images: a batch (N, 1, H, W) / (N, H, W) or a list of (H, W) / (1, H, W) images, all the same
    size. Missing tiles (when N < nrows * ncols) are filled with `pad_value`.
    """
    tiles = _as_image_list(images)
    if not tiles:
        raise ValueError("collage needs at least one image.")
    if ncols < 1:
        raise ValueError(f"collage: ncols must be at least 1, got {ncols}.")
    height, width = tiles[0].shape
    for k, tile in enumerate(tiles):
        if tile.shape != (height, width):
            raise ValueError(f"collage: image {k} is {tile.shape}, but image 0 is {(height, width)}; all must match.")
    nrows = nrows if nrows is not None else -(-len(tiles) // ncols)
    if len(tiles) > nrows * ncols:
        raise ValueError(f"collage: {len(tiles)} images do not fit in {nrows} x {ncols} tiles.")
    out = np.full((nrows * height + (nrows - 1) * padding, ncols * width + (ncols - 1) * padding),
                  pad_value, dtype=np.float64)
    for k, tile in enumerate(tiles):
        top, left = (k // ncols) * (height + padding), (k % ncols) * (width + padding)
        out[top:top + height, left:left + width] = tile
    return out


def to_uint8(array, value_range: tuple[float, float] | None = (0.0, 1.0)) -> np.ndarray:
    """Convert a float image to uint8 in [0, 255].

    With `value_range=(lo, hi)` values are clipped to it and scaled; with `None` the image's own
    min and max are used (a constant image becomes all zeros rather than a division by zero).
    """
    array = _as_numpy(array)
    if value_range is None:
        lo, hi = float(array.min()), float(array.max())
    else:
        lo, hi = value_range
        if not hi > lo:
            raise ValueError(f"to_uint8: value_range must be (low, high) with high > low, got {value_range}.")
    span = hi - lo
    if span == 0:
        return np.zeros(array.shape, dtype=np.uint8)
    scaled = (np.clip(array, lo, hi) - lo) / span
    return np.round(scaled * 255).astype(np.uint8)


def save_image(array, path: str | Path, value_range: tuple[float, float] | None = (0.0, 1.0),
               scale: int = 1) -> Path:
    """Save a (H, W) float image (e.g. a collage) as a greyscale PNG, enlarged `scale` times."""
    from PIL import Image

    pixels = to_uint8(array, value_range)
    if pixels.ndim != 2:
        raise ValueError(f"save_image expects one (H, W) image, got shape {pixels.shape}; build a collage first.")
    if scale > 1:
        pixels = np.kron(pixels, np.ones((scale, scale), dtype=np.uint8))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(path)
    return path

