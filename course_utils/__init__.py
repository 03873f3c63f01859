"""Helpers shared by the course labs: `import course_utils as cu`.

One module per concern:
    device    get_device, describe_device
    budget    get_budget, Budget (full / smoke run budgets)
    data      load_images, ImageData, BatchLoader, data_root, DatasetUnavailableError
    meters    AverageMeter
    layers    mlp
    images    collage, to_uint8, save_image
    plots     show_images, show_grid, plot_curves, scatter_by_label
    classifier DigitClassifier, load_classifier (judges generated images)
    evaluation classify, conditional_accuracy, inception_score, confident_share,
               class_histogram, frechet_distance
    checks    check, check_tensor, check_scalar, check_range, check_close, passed, CheckError
    progress  progress (tqdm bars)
    reporting save_metrics (read by `make report`)
    seeding   seed_everything
"""
from .budget import BUDGET_ENV_VAR, Budget, get_budget
from .classifier import DigitClassifier, load_classifier
from .evaluation import (class_histogram, classify, conditional_accuracy, confident_share, frechet_distance,
                         inception_score)
from .checks import CheckError, check, check_close, check_range, check_scalar, check_tensor, passed
from .data import DATA_ROOT_ENV_VAR, BatchLoader, DatasetUnavailableError, ImageData, data_root, load_images
from .device import DEVICE_ENV_VAR, describe_device, get_device
from .images import collage, save_image, to_uint8
from .layers import mlp
from .meters import AverageMeter
from .plots import plot_curves, scatter_by_label, show_grid, show_images
from .progress import progress
from .reporting import save_metrics
from .seeding import seed_everything

__all__ = [
    "BUDGET_ENV_VAR", "Budget", "get_budget",
    "DigitClassifier", "load_classifier",
    "class_histogram", "classify", "conditional_accuracy", "confident_share", "frechet_distance",
    "inception_score",
    "CheckError", "check", "check_close", "check_range", "check_scalar", "check_tensor", "passed",
    "DATA_ROOT_ENV_VAR", "BatchLoader", "DatasetUnavailableError", "ImageData", "data_root", "load_images",
    "DEVICE_ENV_VAR", "describe_device", "get_device",
    "collage", "save_image", "to_uint8",
    "AverageMeter",
    "mlp",
    "plot_curves", "scatter_by_label", "show_grid", "show_images",
    "progress",
    "save_metrics",
    "seed_everything",
]
