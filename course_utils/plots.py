"""The figures the labs draw: image grids, training curves, labelled scatter plots."""
from __future__ import annotations

from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch

from .images import _as_image_list, collage


def show_images(images, ncols: int = 8, titles: Sequence[str] | None = None,
                suptitle: str | None = None, cell_size: float = 1.2) -> plt.Figure:
    """Show images in a grid of small panels, each with an optional title (e.g. a label or a score)."""
    tiles = _as_image_list(images)
    if titles is not None and len(titles) != len(tiles):
        raise ValueError(f"show_images: {len(titles)} titles for {len(tiles)} images.")
    ncols = min(ncols, len(tiles))
    nrows = -(-len(tiles) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * cell_size, nrows * cell_size * 1.15), squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k < len(tiles):
            ax.imshow(tiles[k], cmap="gray", vmin=0.0, vmax=1.0)
            if titles is not None:
                ax.set_title(titles[k], fontsize=8)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def show_grid(images, ncols: int, title: str | None = None, row_labels: Sequence[str] | None = None,
              ax: plt.Axes | None = None, cell_size: float = 0.6) -> plt.Axes:
    """Show many images as one collage (fast for large grids), with optional labels per row."""
    tiles = _as_image_list(images)
    nrows = -(-len(tiles) // ncols)
    if ax is None:
        _, ax = plt.subplots(figsize=(max(3.0, ncols * cell_size), max(2.0, nrows * cell_size)))
    ax.imshow(collage(tiles, ncols, nrows, padding=2, pad_value=0.5), cmap="gray", vmin=0.0, vmax=1.0)
    height = tiles[0].shape[0] + 2
    ax.set_xticks([])
    if row_labels is not None:
        if len(row_labels) != nrows:
            raise ValueError(f"show_grid: {len(row_labels)} row labels for {nrows} rows.")
        ax.set_yticks([r * height + height / 2 - 1 for r in range(nrows)], labels=list(row_labels))
    else:
        ax.set_yticks([])
    if title:
        ax.set_title(title)
    return ax


def plot_curves(curves: Mapping[str, Sequence[float]], xlabel: str = "epoch", ylabel: str = "loss",
                title: str | None = None, ax: plt.Axes | None = None) -> plt.Axes:
    """Plot named curves against 1, 2, 3, ... on one axis (e.g. train and test loss per epoch)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    for name, values in curves.items():
        steps = np.arange(1, len(values) + 1)
        ax.plot(steps, list(values), marker="o" if len(values) < 30 else None, label=name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    return ax


def scatter_by_label(points, labels, classes: Sequence[str], title: str | None = None,
                     ax: plt.Axes | None = None, size: float = 4.0) -> plt.Axes:
    """Scatter 2-D points (N, 2), one colour per class, with a legend naming the classes."""
    points = points.detach().cpu().numpy() if isinstance(points, torch.Tensor) else np.asarray(points)
    labels = labels.detach().cpu().numpy() if isinstance(labels, torch.Tensor) else np.asarray(labels)
    if points.ndim != 2 or points.shape[1] != 2 or len(points) != len(labels):
        raise ValueError(f"scatter_by_label expects points (N, 2) and labels (N,); got {points.shape} and {labels.shape}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 5))
    colours = plt.get_cmap("tab10")
    for k, name in enumerate(classes):
        chosen = labels == k
        if chosen.any():
            ax.scatter(points[chosen, 0], points[chosen, 1], s=size, color=colours(k % 10), label=name)
    ax.legend(markerscale=3, fontsize=8, loc="best")
    if title:
        ax.set_title(title)
    return ax
