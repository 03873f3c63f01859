"""The labs' figures draw without a display and label what they show."""
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

import course_utils as cu


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_show_images_makes_one_panel_per_image_with_titles():
    fig = cu.show_images(torch.rand(5, 1, 28, 28), ncols=3, titles=list("abcde"))
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 5
    assert [ax.get_title() for ax in shown] == list("abcde")


def test_show_images_rejects_wrong_number_of_titles():
    with pytest.raises(ValueError, match="2 titles for 3 images"):
        cu.show_images(torch.rand(3, 28, 28), titles=["a", "b"])


def test_show_grid_draws_one_collage_with_row_labels():
    ax = cu.show_grid(torch.rand(6, 1, 28, 28), ncols=3, row_labels=["top", "bottom"])
    assert ax.images[0].get_array().shape == (28 * 2 + 2, 28 * 3 + 4)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["top", "bottom"]
    with pytest.raises(ValueError, match="3 row labels for 2 rows"):
        cu.show_grid(torch.rand(6, 1, 28, 28), ncols=3, row_labels=["a", "b", "c"])


def test_plot_curves_one_line_per_name():
    ax = cu.plot_curves({"train": [3, 2, 1], "test": [4, 3, 2]})
    assert [line.get_label() for line in ax.get_lines()] == ["train", "test"]
    assert ax.get_lines()[0].get_xdata().tolist() == [1, 2, 3]


def test_scatter_by_label_one_series_per_present_class():
    points = np.random.rand(30, 2)
    labels = np.repeat([0, 2, 3], 10)
    ax = cu.scatter_by_label(points, labels, classes=["zero", "one", "two", "three"])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["zero", "two", "three"]
    with pytest.raises(ValueError, match="points \\(N, 2\\)"):
        cu.scatter_by_label(np.zeros((3, 3)), np.zeros(3), classes=["a"])
