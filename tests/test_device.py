"""Choosing the device: CUDA, then MPS, then the CPU, or what $COURSE_DEVICE says, with clear errors."""
import pytest
import torch

import course_utils as cu
from course_utils import device as device_module


@pytest.fixture
def no_accelerators(monkeypatch):
    monkeypatch.delenv(cu.DEVICE_ENV_VAR, raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(device_module, "_mps_available", lambda: False)


def test_auto_prefers_cuda_then_mps_then_cpu(no_accelerators, monkeypatch):
    assert cu.get_device() == torch.device("cpu")
    monkeypatch.setattr(device_module, "_mps_available", lambda: True)
    assert cu.get_device() == torch.device("mps")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert cu.get_device() == torch.device("cuda")


def test_environment_variable_overrides_the_automatic_choice(no_accelerators, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setenv(cu.DEVICE_ENV_VAR, "cpu")
    assert cu.get_device() == torch.device("cpu")
    monkeypatch.setenv(cu.DEVICE_ENV_VAR, "auto")
    assert cu.get_device() == torch.device("cuda")


def test_argument_wins_over_environment(no_accelerators, monkeypatch):
    monkeypatch.setenv(cu.DEVICE_ENV_VAR, "cuda")
    assert cu.get_device("cpu") == torch.device("cpu")


def test_unknown_device_names_the_choices(no_accelerators, monkeypatch):
    monkeypatch.setenv(cu.DEVICE_ENV_VAR, "gpu")
    with pytest.raises(ValueError, match=r"Unknown device 'gpu'.*\$COURSE_DEVICE.*'cuda'"):
        cu.get_device()


def test_unavailable_cuda_is_a_clear_error(no_accelerators):
    with pytest.raises(RuntimeError, match="no CUDA GPU.*COURSE_DEVICE=auto"):
        cu.get_device("cuda")


def test_unavailable_mps_is_a_clear_error(no_accelerators):
    with pytest.raises(RuntimeError, match="Metal backend is not available"):
        cu.get_device("mps")


def test_cuda_index_beyond_the_devices(no_accelerators, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    with pytest.raises(RuntimeError, match="only 1 CUDA device"):
        cu.get_device("cuda:3")


def test_describe_cpu():
    assert cu.describe_device(torch.device("cpu")).startswith("cpu (")
