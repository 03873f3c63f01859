"""The datasets the grading kernels read: they must be on disk, since a kernel has no network."""
from __future__ import annotations

from pathlib import Path

from tools import course


class DataUnavailable(course.CourseError):
    """The datasets the labs read are missing on the grading machine; the message says how to fix it."""


def check_data(root: str) -> None:
    """Stop with a clear message if the datasets are not where the kernels will look."""
    missing = [f"{folder}/raw/{name}" for folder in ("MNIST", "FashionMNIST")
               for name in ("train-images-idx3-ubyte", "t10k-images-idx3-ubyte") if not (Path(root) / folder / "raw" / name).exists()]
    if missing:
        raise DataUnavailable(
            f"the datasets are not under {root} (missing {', '.join(missing)}); grading kernels have no network, so "
            f"they must be on disk: set COURSE_DATA_ROOT to a folder laid out as torchvision keeps them, or download "
            f"them once with `make data`")
