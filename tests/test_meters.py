"""Running averages for training logs, weighted by batch size."""
import math

import pytest
import torch

from course_utils import AverageMeter


def test_weighted_average_over_batches():
    meter = AverageMeter("loss")
    meter.update(2.0, n=3)
    meter.update(torch.tensor(4.0), n=1)
    assert meter.avg == pytest.approx(2.5)
    assert meter.sum == pytest.approx(10.0)
    assert meter.count == 4
    assert meter.last == 4.0


def test_empty_meter_is_nan_and_reset_forgets():
    meter = AverageMeter()
    assert math.isnan(meter.avg)
    meter.update(1.0)
    meter.reset()
    assert meter.count == 0 and math.isnan(meter.avg)


@pytest.mark.parametrize("n", [0, -2, 1.5, True])
def test_batch_size_must_be_a_positive_integer(n):
    with pytest.raises(ValueError, match="positive integer"):
        AverageMeter().update(1.0, n=n)


def test_non_finite_values_point_at_divergence():
    with pytest.raises(ValueError, match="diverged"):
        AverageMeter("loss").update(float("nan"))


def test_repr_names_the_quantity():
    meter = AverageMeter("test loss")
    meter.update(3.0)
    assert "test loss" in repr(meter) and "3.0000" in repr(meter)
