"""Data augmentation: random shifts move whole images by whole pixels, each image its own way."""
import pytest
import torch

import course_utils as cu


def test_each_image_moves_by_whole_pixels_within_the_limit():
    images = torch.zeros(200, 1, 9, 9)
    images[:, :, 4, 4] = 1.0                                     # one lit pixel in the middle
    moved = cu.random_shifts(images, max_shift=2, generator=torch.Generator().manual_seed(0))
    assert moved.shape == images.shape and torch.equal(moved.sum(dim=(1, 2, 3)), torch.ones(200))
    rows, cols = (moved[:, 0] == 1).nonzero()[:, 1], (moved[:, 0] == 1).nonzero()[:, 2]
    assert rows.min() == 2 and rows.max() == 6 and cols.min() == 2 and cols.max() == 6
    assert len({(r, c) for r, c in zip(rows.tolist(), cols.tolist())}) == 25, "every shift in [-2, 2]^2 occurs"


def test_content_pushed_over_the_edge_is_lost_and_zeros_fill_in():
    images = torch.ones(50, 1, 4, 4)
    moved = cu.random_shifts(images, max_shift=1, generator=torch.Generator().manual_seed(1))
    assert set(moved.unique().tolist()) <= {0.0, 1.0} and (moved == 0).any()
    assert torch.equal(cu.random_shifts(images, max_shift=0), images)


def test_bad_shapes_are_named():
    with pytest.raises(ValueError, match="expects images of shape"):
        cu.random_shifts(torch.zeros(3, 28, 28))
