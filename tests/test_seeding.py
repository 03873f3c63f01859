"""Seeding makes Python's, NumPy's and torch's random numbers repeat."""
import random

import numpy as np
import pytest
import torch

import course_utils as cu


def draw():
    return random.random(), float(np.random.rand()), float(torch.rand(()))


def test_same_seed_same_numbers():
    cu.seed_everything(7)
    first = draw()
    cu.seed_everything(7)
    assert draw() == first
    cu.seed_everything(8)
    assert draw() != first


def test_returns_a_seeded_generator():
    a = torch.rand(3, generator=cu.seed_everything(5))
    b = torch.rand(3, generator=cu.seed_everything(5))
    assert torch.equal(a, b)


@pytest.mark.parametrize("seed", [-1, 1.5, "0", None])
def test_rejects_bad_seeds(seed):
    with pytest.raises(ValueError, match="non-negative integer"):
        cu.seed_everything(seed)
