"""The shared layers the labs build their models from."""
import pytest
import torch
from torch import nn

import course_utils as cu


def test_mlp_layers_and_shapes():
    net = cu.mlp([784, 512, 256])
    kinds = [type(layer) for layer in net]
    assert kinds == [nn.Linear, nn.ReLU, nn.Linear, nn.ReLU]
    assert net(torch.rand(3, 784)).shape == (3, 256)
    assert (net(torch.randn(3, 784)) >= 0).all()


def test_mlp_activation_is_configurable():
    assert isinstance(cu.mlp([4, 2], activation=nn.Tanh)[1], nn.Tanh)


@pytest.mark.parametrize("sizes", [[784], [], [784, 0], [784, 2.5]])
def test_mlp_rejects_bad_sizes(sizes):
    with pytest.raises(ValueError, match="at least two positive integer sizes"):
        cu.mlp(sizes)


def test_mlp_with_batch_norm_and_weight_norm():
    net = cu.mlp([6, 4, 3], activation=nn.SELU, batchnorm=True)
    assert [type(layer) for layer in net] == [nn.Linear, nn.BatchNorm1d, nn.SELU, nn.Linear, nn.BatchNorm1d, nn.SELU]
    normed = cu.mlp([6, 4], weight_norm=True)
    assert nn.utils.parametrize.is_parametrized(normed[0], "weight")
    assert normed(torch.rand(5, 6)).shape == (5, 4)
