"""Numbers that say how good generated images are, measured on the judge classifier's outputs.

Each function takes classifier probabilities (N, n_classes) or features (N, D) of image sets:

* `conditional_accuracy`: the share of samples generated for class c that the classifier calls c.
* `inception_score`: exp(E_x KL(p(y|x) || p(y))); high when each sample is confidently one class
  and all classes appear. It lies between 1 and the number of classes.
* `confident_share`, `class_histogram`: legible samples, and how the classes are spread.
* `frechet_distance`: the distance between Gaussians fitted to two feature sets (FID's recipe with
  the course classifier instead of Inception; Heusel et al., 2017). It is biased upwards at small N:
  compare it only with real images scored at the same N (what `SampleJudge` does).
* `kernel_distance`: KID (Bińkowski et al., 2018), an unbiased estimate of the squared maximum mean
  discrepancy with a cubic polynomial kernel: about 0 for two samples of one distribution, at any N.
* `precision_recall`: the k-nearest-neighbour precision and recall of Kynkäänniemi et al. (2019):
  precision is the share of generated samples that fall on the real images' manifold (fidelity),
  recall the share of real images that fall on the generated samples' manifold (coverage).

`kernel_distance` and `precision_recall` are torch-fidelity's implementations (a maintained library),
fed with the course classifier's features; `frechet_distance` is written out here so that a student
can read it, and tests/test_evaluation.py checks it against torch-fidelity's.
"""
from __future__ import annotations

import torch

from .classifier import DigitClassifier


@torch.no_grad()
def classify(classifier: DigitClassifier, images: torch.Tensor, batch_size: int = 1000) -> tuple[torch.Tensor, torch.Tensor]:
    """Class probabilities (N, n_classes) and features (N, FEATURE_DIM) of images (N, 1, 28, 28) in [0, 1]."""
    if images.ndim != 4 or images.shape[1:] != (1, 28, 28):
        raise ValueError(f"classify expects images of shape (N, 1, 28, 28); got {tuple(images.shape)}.")
    device = next(classifier.parameters()).device
    probs, features = [], []
    for start in range(0, len(images), batch_size):
        batch = images[start:start + batch_size].to(device, torch.float32)
        feats = classifier.features(batch)
        features.append(feats.cpu())
        probs.append(classifier.head(feats).softmax(dim=1).cpu())
    return torch.cat(probs), torch.cat(features)


def conditional_accuracy(probs: torch.Tensor, requested: torch.Tensor) -> tuple[float, torch.Tensor]:
    """Overall share of samples classified as the class they were generated for, and the share per class.

    probs: (N, n_classes) classifier probabilities; requested: (N,) the classes asked for.
    Classes never requested get nan in the per-class result.
    """
    if probs.ndim != 2 or requested.shape != probs.shape[:1]:
        raise ValueError(f"conditional_accuracy expects probs (N, C) and requested (N,); got {tuple(probs.shape)} and {tuple(requested.shape)}.")
    correct = (probs.argmax(dim=1) == requested).float()
    n_classes = probs.shape[1]
    per_class = torch.full((n_classes,), float("nan"))
    for c in range(n_classes):
        chosen = requested == c
        if chosen.any():
            per_class[c] = correct[chosen].mean()
    return correct.mean().item(), per_class


def inception_score(probs: torch.Tensor, eps: float = 1e-12) -> float:
    """exp( mean_x KL( p(y|x) || p(y) ) ) for classifier probabilities (N, n_classes)."""
    if probs.ndim != 2 or len(probs) == 0:
        raise ValueError(f"inception_score expects probabilities of shape (N, C) with N > 0; got {tuple(probs.shape)}.")
    probs = probs.double()
    marginal = probs.mean(dim=0, keepdim=True)
    kl = (probs * ((probs + eps).log() - (marginal + eps).log())).sum(dim=1)
    return kl.mean().exp().item()


def confident_share(probs: torch.Tensor, threshold: float = 0.9) -> float:
    """Share of samples whose top class probability is at least `threshold` (legible samples)."""
    return (probs.max(dim=1).values >= threshold).float().mean().item()


def class_histogram(probs: torch.Tensor) -> torch.Tensor:
    """Share of samples assigned to each class (argmax), shape (n_classes,): shows mode collapse."""
    return torch.bincount(probs.argmax(dim=1), minlength=probs.shape[1]).float() / len(probs)


def _sqrtm_psd(matrix: torch.Tensor) -> torch.Tensor:
    eigenvalues, eigenvectors = torch.linalg.eigh(matrix)
    return eigenvectors @ torch.diag(eigenvalues.clamp(min=0).sqrt()) @ eigenvectors.T


def frechet_distance(features_a: torch.Tensor, features_b: torch.Tensor) -> float:
    """Frechet distance between Gaussians fitted to two feature sets (N_a, D) and (N_b, D).

    ||m_a - m_b||^2 + Tr(S_a + S_b - 2 (S_a^1/2 S_b S_a^1/2)^1/2)
    """
    _check_feature_sets("frechet_distance", features_a, features_b)
    a, b = features_a.double(), features_b.double()
    mean_a, mean_b = a.mean(0), b.mean(0)
    cov_a, cov_b = torch.cov(a.T, correction=1), torch.cov(b.T, correction=1)
    if cov_a.ndim == 0:  # one feature dimension
        cov_a, cov_b = cov_a.view(1, 1), cov_b.view(1, 1)
    root_a = _sqrtm_psd(cov_a)
    cross = torch.linalg.eigvalsh(root_a @ cov_b @ root_a).clamp(min=0).sqrt().sum()
    distance = (mean_a - mean_b).pow(2).sum() + cov_a.trace() + cov_b.trace() - 2 * cross
    return max(distance.item(), 0.0)


def kernel_distance(features_a: torch.Tensor, features_b: torch.Tensor, subsets: int = 50,
                    subset_size: int = 1000, seed: int = 0) -> tuple[float, float]:
    """KID between two feature sets: the mean and the spread (std) over `subsets` random subsets.

    Each subset draws min(subset_size, N_a, N_b) features from each set without replacement and
    computes the unbiased MMD^2 with the kernel k(x, y) = (x.y / D + 1)^3 (Bińkowski et al., 2018, eq. 5).
    """
    from torch_fidelity.metric_kid import KEY_METRIC_KID_MEAN, KEY_METRIC_KID_STD, kid_features_to_metric
    _check_feature_sets("kernel_distance", features_a, features_b)
    size = min(subset_size, len(features_a), len(features_b))
    result = kid_features_to_metric(features_a.detach().double().cpu(), features_b.detach().double().cpu(),
                                    kid_subsets=subsets, kid_subset_size=size, kid_kernel="poly",
                                    kid_kernel_poly_degree=3, kid_kernel_poly_gamma=None, kid_kernel_poly_coef0=1,
                                    rng_seed=seed, verbose=False)
    return result[KEY_METRIC_KID_MEAN], result[KEY_METRIC_KID_STD]


def precision_recall(generated: torch.Tensor, real: torch.Tensor, neighbours: int = 3) -> tuple[float, float]:
    """Improved precision and recall (Kynkäänniemi et al., 2019) of generated features against real ones.

    A set's manifold is the union of balls around its points, each reaching the point's k-th nearest
    neighbour in the same set. Precision: share of generated points inside the real manifold.
    Recall: share of real points inside the generated manifold. Both sets should have the same size
    (the balls shrink as a set grows).
    """
    from torch_fidelity.metric_prc import calculate_precision_recall_full
    _check_feature_sets("precision_recall", generated, real)
    if min(len(generated), len(real)) <= neighbours:
        raise ValueError(f"precision_recall needs more than {neighbours} samples in each set; "
                         f"got {len(generated)} and {len(real)}.")
    return calculate_precision_recall_full(generated.detach().float().cpu(), real.detach().float().cpu(), neighbours)


def _check_feature_sets(what: str, features_a: torch.Tensor, features_b: torch.Tensor) -> None:
    if features_a.ndim != 2 or features_b.ndim != 2 or features_a.shape[1] != features_b.shape[1]:
        raise ValueError(f"{what} expects two (N, D) feature sets with the same D; "
                         f"got {tuple(features_a.shape)} and {tuple(features_b.shape)}.")
    if min(len(features_a), len(features_b)) < 2:
        raise ValueError(f"{what} needs at least 2 samples in each set.")
