"""Numbers that say how good generated images are, measured with the judge classifier.

* `conditional_accuracy`: the share of samples generated for class c that the classifier calls c.
* `inception_score`: exp(E_x KL(p(y|x) || p(y))); high when each sample is confidently one class
  and all classes appear. It lies between 1 and the number of classes.
* `frechet_distance`: the distance between Gaussians fitted to classifier features of two image
  sets (FID's recipe with the course classifier instead of Inception). Always compare it with a
  real-vs-real baseline, e.g. the two halves of the test set.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

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
    if features_a.ndim != 2 or features_b.ndim != 2 or features_a.shape[1] != features_b.shape[1]:
        raise ValueError(f"frechet_distance expects two (N, D) feature sets with the same D; got {tuple(features_a.shape)} and {tuple(features_b.shape)}.")
    if min(len(features_a), len(features_b)) < 2:
        raise ValueError("frechet_distance needs at least 2 samples in each set to estimate a covariance.")
    a, b = features_a.double(), features_b.double()
    mean_a, mean_b = a.mean(0), b.mean(0)
    cov_a, cov_b = torch.cov(a.T, correction=1), torch.cov(b.T, correction=1)
    if cov_a.ndim == 0:  # one feature dimension
        cov_a, cov_b = cov_a.view(1, 1), cov_b.view(1, 1)
    root_a = _sqrtm_psd(cov_a)
    cross = torch.linalg.eigvalsh(root_a @ cov_b @ root_a).clamp(min=0).sqrt().sum()
    distance = (mean_a - mean_b).pow(2).sum() + cov_a.trace() + cov_b.trace() - 2 * cross
    return max(distance.item(), 0.0)


class SampleJudge:
    """Scores sets of generated images against real test images, the same way in every lab.

    Built once from the judge classifier and the test images: the real images' features are the
    reference for the Fréchet distance, and their own scores (confident share, inception score,
    classes, and the distance between the two halves of the test set) are the baseline any
    generator is compared with.
    """

    def __init__(self, classifier: DigitClassifier, real_images: torch.Tensor) -> None:
        self.classifier = classifier
        probs_a, features_a, self.reference = _real_image_scores(classifier, real_images)
        self.baseline = self._report(probs_a, features_a)

    def _report(self, probs: torch.Tensor, features: torch.Tensor) -> dict[str, object]:
        return {"confident": confident_share(probs), "IS": inception_score(probs),
                "FD": frechet_distance(features, self.reference), "classes": class_histogram(probs)}

    def score(self, images: torch.Tensor) -> dict[str, object]:
        """confident share, inception score, Fréchet distance to real images, and share per class of `images`."""
        return self._report(*classify(self.classifier, images))

    @staticmethod
    def table(scores: dict[str, dict[str, object]]) -> str:
        """One aligned line per scored set: confident share, IS, FD and the smallest / largest class share."""
        lines = [f"{'':24}{'confident':>10}{'IS':>7}{'FD':>9}   smallest / largest class share"]
        for name, s in scores.items():
            lines.append(f"{name:24}{s['confident']:>10.1%}{s['IS']:>7.2f}{s['FD']:>9.2f}   "
                         f"{s['classes'].min():.1%} / {s['classes'].max():.1%}")
        return "\n".join(lines)


def cache_dir() -> Path:
    """Where course_utils keeps what it can compute again: $COURSE_CACHE_DIR, else ~/.cache/course_utils."""
    return Path(os.environ.get("COURSE_CACHE_DIR") or Path.home() / ".cache" / "course_utils")


def _real_image_scores(classifier: DigitClassifier, real_images: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """Probabilities and features of the first half of `real_images`, and features of the second half.

    Classifying 10,000 test images takes seconds on a CPU and gives the same answer every time for
    the same classifier and images, so the answer is kept in the cache folder under a digest of both.
    """
    digest = hashlib.sha256()
    for tensor in [*classifier.state_dict().values(), real_images]:
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    path = cache_dir() / f"judge-{digest.hexdigest()[:24]}.pt"
    try:
        return tuple(torch.load(path, weights_only=True))
    except Exception:  # noqa: BLE001 -- missing, unreadable or damaged: compute it again
        pass
    half = len(real_images) // 2
    probs_a, features_a = classify(classifier, real_images[:half])
    _, reference = classify(classifier, real_images[half:])
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as handle:
            torch.save([probs_a, features_a, reference], handle)
        os.replace(handle.name, path)
    except OSError:
        pass                            # a read-only home: compute it again next time
    return probs_a, features_a, reference
