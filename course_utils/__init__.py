"""Helpers shared by the course labs: `import course_utils as cu`.

One module per concern:
    device    get_device, describe_device
    budget    get_budget, Budget (full / smoke run budgets)
    data      load_images, ImageData, BatchLoader, data_root, DatasetUnavailableError
    meters    AverageMeter
    layers    mlp
    augment   random_shifts
    images    collage, to_uint8, save_image
    plots     show_images, show_grid, plot_curves, scatter_by_label
    classifier DigitClassifier, load_classifier (judges generated images)
    evaluation classify, conditional_accuracy, inception_score, confident_share, class_histogram,
               frechet_distance, kernel_distance, precision_recall (figures of image sets)
    yardstick SampleJudge, SampleScores, Measured, verdict (the same scores, with errors and real
               images at the same N, in every lab)
    checks    check, check_tensor, check_scalar, check_range, check_close, check_device, check_call,
              check_gradients, check_moments, check_frequencies, needs, passed, CheckError
    standing  checklist (the last cell of every lab: which checks passed, failed or have not run in this kernel)
    checkpoints save_model, load_model, train_or_load (the labs' PRETRAINED switch),
                load_course_samples, save_course_samples (samples of every lab's model, compared in the last lab)
    progress  progress (tqdm bars)
    reporting save_metrics (read by `make report`)
    seeding   seed_everything
    toy       RingOfGaussians (a 2-D density known exactly)
"""
from .augment import random_shifts
from .budget import BUDGET_ENV_VAR, Budget, get_budget
from .standing import checklist
from .classifier import DigitClassifier, load_classifier
from .evaluation import (class_histogram, classify, conditional_accuracy, confident_share, frechet_distance,
                         inception_score, kernel_distance, precision_recall)
from .yardstick import Measured, SampleJudge, SampleScores, verdict
from .checks import (CheckError, check, check_call, check_close, check_device, check_frequencies, check_gradients,
                     check_moments, check_range, check_scalar, check_tensor, needs, passed)
from .checkpoints import (CheckpointMismatchError, load_course_samples, load_model, load_pretrained, pretrained_path,
                          save_course_samples, save_model, train_or_load)
from .data import DATA_ROOT_ENV_VAR, BatchLoader, DatasetUnavailableError, ImageData, data_root, load_images
from .device import DEVICE_ENV_VAR, describe_device, get_device
from .images import collage, save_image, to_uint8
from .layers import mlp
from .meters import AverageMeter
from .plots import plot_curves, scatter_by_label, show_grid, show_images
from .progress import progress
from .reporting import save_metrics
from .seeding import seed_everything
from .toy import RingOfGaussians

__all__ = [
    "BUDGET_ENV_VAR", "Budget", "get_budget",
    "DigitClassifier", "load_classifier",
    "class_histogram", "classify", "conditional_accuracy", "confident_share", "frechet_distance",
    "inception_score", "kernel_distance", "precision_recall",
    "Measured", "SampleJudge", "SampleScores", "verdict",
    "CheckError", "check", "check_call", "check_close", "check_device", "check_frequencies", "check_gradients",
    "check_moments", "check_range", "check_scalar", "check_tensor", "needs", "passed",
    "checklist",
    "CheckpointMismatchError", "load_course_samples", "load_model", "load_pretrained", "pretrained_path",
    "save_course_samples", "save_model", "train_or_load",
    "DATA_ROOT_ENV_VAR", "BatchLoader", "DatasetUnavailableError", "ImageData", "data_root", "load_images",
    "DEVICE_ENV_VAR", "describe_device", "get_device",
    "collage", "save_image", "to_uint8",
    "AverageMeter",
    "mlp",
    "random_shifts",
    "plot_curves", "scatter_by_label", "show_grid", "show_images",
    "progress",
    "save_metrics",
    "seed_everything",
    "RingOfGaussians",
]
