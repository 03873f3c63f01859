"""The ring of Gaussians: its log-density is a density (it integrates to one), its samples follow it, and its mode count sees collapse."""
import math

import pytest
import torch

import course_utils as cu


def test_the_log_density_integrates_to_one_on_a_grid():
    ring = cu.RingOfGaussians(n_modes=8, radius=4.0, std=0.4)
    axis = torch.linspace(-7, 7, 701)
    grid = torch.stack(torch.meshgrid(axis, axis, indexing="xy"), dim=-1).reshape(-1, 2)
    cell = (axis[1] - axis[0]).item() ** 2
    assert ring.log_prob(grid).exp().sum().item() * cell == pytest.approx(1.0, abs=1e-3)


def test_one_mode_is_the_gaussian_density():
    ring = cu.RingOfGaussians(n_modes=1, radius=2.0, std=0.5)
    points = torch.randn(5, 2)
    expected = torch.distributions.Normal(torch.tensor([2.0, 0.0]), 0.5).log_prob(points).sum(dim=1)
    assert torch.allclose(ring.log_prob(points), expected, atol=1e-5)


def test_samples_sit_on_the_ring_with_the_given_spread():
    ring = cu.RingOfGaussians(n_modes=8, radius=2.0, std=0.05)
    points = ring.sample(4000, torch.Generator().manual_seed(0))
    assert points.shape == (4000, 2)
    assert points.norm(dim=1).mean().item() == pytest.approx(2.0, abs=0.01)
    nearest = torch.cdist(points, ring.modes).min(dim=1).values
    assert nearest.pow(2).mean().sqrt().item() == pytest.approx(0.05 * math.sqrt(2), rel=0.05)
    assert ring.modes_covered(points) == (8, pytest.approx(1.0, abs=0.01))


def test_a_collapsed_sample_covers_one_mode():
    ring = cu.RingOfGaussians(n_modes=8, radius=2.0, std=0.05)
    collapsed = ring.modes[3] + 0.01 * torch.randn(500, 2)
    covered, share = ring.modes_covered(collapsed)
    assert covered == 1 and share == pytest.approx(1.0)
    covered, share = ring.modes_covered(torch.zeros(500, 2))
    assert covered == 0 and share == 0.0


@pytest.mark.parametrize("arguments", [dict(n_modes=0), dict(radius=-1.0), dict(std=0.0)])
def test_a_ring_that_cannot_exist_is_refused_with_its_values(arguments):
    with pytest.raises(ValueError, match="a ring needs"):
        cu.RingOfGaussians(**arguments)
