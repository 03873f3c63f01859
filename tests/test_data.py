"""Data loading: these tests read the real files under $COURSE_DATA_ROOT (CI points it at an offline copy)."""
import urllib.error
from pathlib import Path

import pytest
import torch
import torchvision

import course_utils as cu
from course_utils import data as data_module


@pytest.fixture(scope="module")
def mnist_test():
    return cu.load_images("mnist", train=False)


def test_data_root_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(cu.DATA_ROOT_ENV_VAR, str(tmp_path))
    assert cu.data_root() == tmp_path
    monkeypatch.delenv(cu.DATA_ROOT_ENV_VAR)
    assert cu.data_root() == Path(data_module.__file__).resolve().parent.parent / "data"


@pytest.mark.data
def test_mnist_test_split_as_tensors(mnist_test):
    assert mnist_test.images.shape == (10000, 1, 28, 28)
    assert mnist_test.images.dtype == torch.float32
    assert 0.0 == mnist_test.images.min() and mnist_test.images.max() == 1.0
    assert mnist_test.labels.dtype == torch.int64
    assert mnist_test.labels.unique().tolist() == list(range(10))
    assert mnist_test.classes == tuple("0123456789")
    # MNIST's mean pixel is about 0.13: a wrong scaling (e.g. 0..255) would show here
    assert abs(mnist_test.images.mean().item() - 0.133) < 0.01


@pytest.mark.data
def test_training_split_and_fashion_mnist():
    train = cu.load_images("MNIST", train=True)
    assert len(train) == 60000
    fashion = cu.load_images("fashion_mnist", train=False)
    assert len(fashion) == 10000 and fashion.classes[1] == "Trouser"


@pytest.mark.data
def test_image_data_helpers(mnist_test):
    subset = mnist_test.subset(5)
    assert len(subset) == 5 and torch.equal(subset.labels, mnist_test.labels[:5])
    ones = mnist_test.of_class(1)
    assert len(ones) == int((mnist_test.labels == 1).sum())
    assert mnist_test.to("cpu").device.type == "cpu"
    with pytest.raises(ValueError, match="images \\(N, C, H, W\\) and labels \\(N,\\)"):
        cu.ImageData(torch.zeros(3, 28, 28), torch.zeros(3), classes=())


def test_unknown_dataset_lists_the_choices():
    with pytest.raises(ValueError, match="Unknown dataset 'cifar10'; choose one of mnist, fashion-mnist"):
        cu.load_images("cifar10")


def test_missing_files_without_download_say_where_to_put_them(tmp_path):
    with pytest.raises(cu.DatasetUnavailableError) as info:
        cu.load_images("mnist", root=tmp_path, download=False)
    message = str(info.value)
    assert str(tmp_path / "MNIST" / "raw") in message
    assert "COURSE_DATA_ROOT" in message


def test_failed_download_is_a_clear_error_not_a_urllib_traceback(tmp_path, monkeypatch):
    def offline(self):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(torchvision.datasets.FashionMNIST, "download", offline)
    with pytest.raises(cu.DatasetUnavailableError, match="(?s)downloading them failed.*URLError.*connect to the internet"):
        cu.load_images("fashion-mnist", root=tmp_path, download=True)


@pytest.mark.data
def test_files_on_disk_are_read_without_torchvision_and_match_it(tmp_path):
    import subprocess
    import sys
    code = ("import sys, course_utils as cu; d = cu.load_images('mnist', train=False); "
            "assert 'torchvision' not in sys.modules, 'torchvision was imported'; print(len(d))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == "10000", result.stderr
    reference = torchvision.datasets.MNIST(str(cu.data_root()), train=False, download=False)
    ours = cu.load_images("mnist", train=False)
    assert torch.equal((ours.images[:, 0] * 255).round().to(torch.uint8), reference.data)
    assert torch.equal(ours.labels, reference.targets)
    fashion = torchvision.datasets.FashionMNIST(str(cu.data_root()), train=False, download=False)
    assert cu.load_images("fashion-mnist", train=False).classes == tuple(fashion.classes)


def test_a_damaged_file_is_named_in_the_error(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    (raw / "t10k-images-idx3-ubyte").write_bytes(b"not an idx file")
    (raw / "t10k-labels-idx1-ubyte").write_bytes(b"\x00\x00\x08\x01\x00\x00\x00\x02\x01\x02")
    with pytest.raises(cu.DatasetUnavailableError, match="t10k-images-idx3-ubyte is not an IDX file"):
        cu.load_images("mnist", train=False, root=tmp_path, download=False)


def small_data(n=10):
    return cu.ImageData(torch.arange(n, dtype=torch.float32).view(n, 1, 1, 1), torch.arange(n), classes=())


def test_batch_loader_covers_every_item_once_per_epoch():
    loader = cu.BatchLoader(small_data(10), batch_size=4, shuffle=True, seed=0)
    assert len(loader) == 3
    for _ in range(2):
        batches = list(loader)
        assert [len(y) for _, y in batches] == [4, 4, 2]
        seen = torch.cat([y for _, y in batches])
        assert sorted(seen.tolist()) == list(range(10))
        assert all(torch.equal(x.view(-1), y.float()) for x, y in batches)  # images stay with their labels


def test_batch_loader_shuffles_differently_each_epoch_but_repeatably():
    first = [y.tolist() for _, y in cu.BatchLoader(small_data(50), 50, shuffle=True, seed=1)]
    loader = cu.BatchLoader(small_data(50), 50, shuffle=True, seed=1)
    assert [y.tolist() for _, y in loader] == first
    assert [y.tolist() for _, y in loader] != first
    ordered = [y.tolist() for _, y in cu.BatchLoader(small_data(50), 50)]
    assert ordered == [list(range(50))]


def test_batch_loader_max_batches_and_errors():
    loader = cu.BatchLoader(small_data(10), batch_size=2, max_batches=3)
    assert len(loader) == 3 and len(list(loader)) == 3
    assert len(cu.BatchLoader(small_data(10), batch_size=4, max_batches=9)) == 3
    with pytest.raises(ValueError, match="batch_size"):
        cu.BatchLoader(small_data(), batch_size=0)
    with pytest.raises(ValueError, match="max_batches"):
        cu.BatchLoader(small_data(), batch_size=2, max_batches=0)
