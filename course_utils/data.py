"""MNIST and Fashion-MNIST as tensors, and fast batches from them.

The files are laid out as torchvision keeps them (`<root>/MNIST/raw/...`). When they are on disk
they are read directly (a few lines of IDX parsing, no torchvision import); when they are not,
torchvision downloads them. The whole split is then kept as one float tensor, so an epoch is a
shuffle and a series of slices instead of 60,000 calls to a per-image transform.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import torch

from .locations import DATA_ROOT_ENV_VAR, data_root

# dataset key -> (torchvision's folder and class name, label names)
_DATASETS = {
    "mnist": ("MNIST", tuple(str(digit) for digit in range(10))),
    "fashion-mnist": ("FashionMNIST", ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                                       "Sneaker", "Bag", "Ankle boot")),
}
_SPLIT_FILES = {True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
                False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


class DatasetUnavailableError(RuntimeError):
    """The dataset is neither on disk nor downloadable; the message says how to fix it."""


def dataset_key(name: str) -> str:
    """The canonical name of a dataset ("mnist" or "fashion-mnist"); accepts "MNIST", "fashion_mnist", ..."""
    key = name.strip().lower().replace("_", "-")
    key = {"fashionmnist": "fashion-mnist"}.get(key, key)
    if key not in _DATASETS:
        raise ValueError(f"Unknown dataset {name!r}; choose one of {', '.join(_DATASETS)}.")
    return key


@dataclass
class ImageData:
    """A dataset split held as tensors.

    images: (N, 1, 28, 28) float32 in [0, 1]; labels: (N,) int64; classes: the label names.
    """

    images: torch.Tensor
    labels: torch.Tensor
    classes: tuple[str, ...]
    name: str = ""

    def __post_init__(self) -> None:
        if self.images.ndim != 4 or len(self.images) != len(self.labels):
            raise ValueError(
                f"ImageData needs images (N, C, H, W) and labels (N,); got {tuple(self.images.shape)} "
                f"and {tuple(self.labels.shape)}."
            )

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def device(self) -> torch.device:
        return self.images.device

    def to(self, device: torch.device | str) -> "ImageData":
        """The same data on `device` (one copy of the whole split)."""
        return ImageData(self.images.to(device), self.labels.to(device), self.classes, self.name)

    def subset(self, n: int) -> "ImageData":
        """The first `n` items (all of them if n >= len)."""
        return ImageData(self.images[:n], self.labels[:n], self.classes, self.name)

    def of_class(self, label: int) -> torch.Tensor:
        """All images whose label is `label`: (M, 1, 28, 28)."""
        return self.images[self.labels == label]


def read_idx(path: Path) -> torch.Tensor:
    """An uncompressed IDX file (the MNIST format) as a uint8 tensor of its stored shape."""
    raw = path.read_bytes()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path} is not an IDX file of unsigned bytes")
    ndim = raw[3]
    shape = tuple(int(n) for n in np.frombuffer(raw, dtype=">i4", count=ndim, offset=4))
    values = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if values.size != math.prod(shape):
        raise ValueError(f"{path} holds {values.size} values, but its header says {shape}: the file is damaged")
    return torch.from_numpy(values.reshape(shape).copy())


def _download(key: str, root: Path) -> None:
    """Let torchvision fetch the raw files of `key` into `root` (it keeps its own layout)."""
    import torchvision  # imported only when needed: it takes a second or two

    dataset_class = {"mnist": torchvision.datasets.MNIST, "fashion-mnist": torchvision.datasets.FashionMNIST}[key]
    dataset_class(str(root), train=True, download=True)


def load_images(name: str = "mnist", train: bool = True, root: str | Path | None = None,
                download: bool = True) -> ImageData:
    """Load one split of MNIST or Fashion-MNIST as an `ImageData`.

    Files are looked for under `root` (default: `data_root()`) in torchvision's layout
    (`<root>/MNIST/raw/...`) and downloaded there by torchvision when missing and `download` is true.
    """
    key = dataset_key(name)
    folder, classes = _DATASETS[key]
    root = Path(root) if root is not None else data_root()
    raw = root / folder / "raw"
    image_file, label_file = (raw / f for f in _SPLIT_FILES[train])
    try:
        if download and not (image_file.exists() and label_file.exists()):
            _download(key, root)
        images, labels = read_idx(image_file), read_idx(label_file)
    except Exception as err:  # torchvision raises RuntimeError, URLError, OSError ... depending on the cause
        raise DatasetUnavailableError(
            f"Could not load {folder} ({'train' if train else 'test'} split): the files are not under "
            f"{raw} and {'downloading them failed' if download else 'download=False'} "
            f"({type(err).__name__}: {err}).\n"
            f"Fix it in one of these ways:\n"
            f"  * connect to the internet and run again (torchvision downloads about 60 MB), or\n"
            f"  * copy the four raw IDX files into {raw}, or\n"
            f"  * set {DATA_ROOT_ENV_VAR} to a folder that already holds {folder}/raw/."
        ) from err
    if len(images) != len(labels):
        raise DatasetUnavailableError(f"{image_file} and {label_file} hold {len(images)} images but "
                                      f"{len(labels)} labels: delete them and let them download again.")
    images = images.unsqueeze(1).float().div_(255.0)  # (N, 28, 28) uint8 -> (N, 1, 28, 28) in [0, 1]
    return ImageData(images, labels.long(), classes, name=key)


class BatchLoader:
    """Batches `(x, y)` from an `ImageData` kept whole on one device; reusable across epochs.

    It plays the role of a DataLoader over tensors: `len(loader)` is the number of batches per
    epoch, and `max_batches` caps it (the smoke budget uses that to keep an epoch short).
    """

    def __init__(self, data: ImageData, batch_size: int, shuffle: bool = False,
                 device: torch.device | str | None = None, max_batches: int | None = None,
                 seed: int | None = None) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}.")
        if max_batches is not None and max_batches < 1:
            raise ValueError(f"max_batches must be None or at least 1, got {max_batches}.")
        self.data = data.to(device) if device is not None else data
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.max_batches = max_batches
        self._generator = torch.Generator().manual_seed(seed) if seed is not None else None

    def __len__(self) -> int:
        n_batches = math.ceil(len(self.data) / self.batch_size)
        return n_batches if self.max_batches is None else min(n_batches, self.max_batches)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        n = len(self.data)
        if self.shuffle:
            order = torch.randperm(n, generator=self._generator).to(self.data.device)
        else:
            order = None
        for i in range(len(self)):
            start, stop = i * self.batch_size, min((i + 1) * self.batch_size, n)
            if order is None:
                yield self.data.images[start:stop], self.data.labels[start:stop]
            else:
                index = order[start:stop]
                yield self.data.images[index], self.data.labels[index]
