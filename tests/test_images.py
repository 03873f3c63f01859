"""Image helpers: collages of a batch, 8-bit images and files."""
import numpy as np
import pytest
import torch

import course_utils as cu


def test_collage_places_images_row_by_row():
    images = torch.arange(6, dtype=torch.float32).view(6, 1, 1, 1).expand(6, 1, 2, 3)
    grid = cu.collage(images, ncols=3)
    assert grid.shape == (4, 9)
    assert grid[0, 0] == 0 and grid[0, 3] == 1 and grid[0, 6] == 2
    assert grid[2, 0] == 3 and grid[3, 8] == 5


def test_collage_fills_missing_tiles_and_pads():
    grid = cu.collage([np.ones((2, 2))] * 3, ncols=2, padding=1, pad_value=0.5)
    assert grid.shape == (5, 5)
    assert grid[2, 0] == 0.5          # the gap between rows
    assert grid[3, 3] == 0.5          # the empty fourth tile
    assert grid[3, 0] == 1.0


def test_collage_accepts_lists_of_channel_first_images():
    grid = cu.collage([torch.zeros(1, 28, 28), np.ones((28, 28))], ncols=2)
    assert grid.shape == (28, 56) and grid[:, 28:].min() == 1.0


@pytest.mark.parametrize("images, message", [
    ([], "at least one image"),
    (torch.zeros(2, 3, 4, 4), "one-channel"),
    ([np.zeros((2, 2)), np.zeros((3, 3))], "all must match"),
    ([np.zeros((2, 2, 2, 2))], "expected \\(H, W\\)"),
])
def test_collage_errors_name_the_problem(images, message):
    with pytest.raises(ValueError, match=message):
        cu.collage(images, ncols=2)


def test_collage_too_many_images_for_the_grid():
    with pytest.raises(ValueError, match="do not fit"):
        cu.collage(np.zeros((5, 2, 2)), ncols=2, nrows=2)


def test_to_uint8_clips_and_scales():
    out = cu.to_uint8(np.array([-1.0, 0.0, 0.5, 1.0, 2.0]))
    assert out.dtype == np.uint8
    assert out.tolist() == [0, 0, 128, 255, 255]


def test_to_uint8_min_max_and_constant_image():
    assert cu.to_uint8(np.array([2.0, 4.0]), value_range=None).tolist() == [0, 255]
    assert cu.to_uint8(np.full((2, 2), 3.0), value_range=None).tolist() == [[0, 0], [0, 0]]
    with pytest.raises(ValueError, match="high > low"):
        cu.to_uint8(np.zeros(2), value_range=(1.0, 1.0))


def test_save_image_round_trip(tmp_path):
    from PIL import Image

    path = cu.save_image(np.array([[0.0, 1.0]]), tmp_path / "sub" / "img.png", scale=2)
    pixels = np.asarray(Image.open(path))
    assert pixels.shape == (2, 4)
    assert pixels[0].tolist() == [0, 0, 255, 255]
    with pytest.raises(ValueError, match="one \\(H, W\\) image"):
        cu.save_image(np.zeros((2, 2, 2)), tmp_path / "bad.png")
