"""The course's yardstick: every lab scores generated images the same way, against real ones.

`SampleJudge(classifier, test_images).score(images)` classifies the images with the judge classifier
and returns `SampleScores`: the confident share, the inception score (IS), the Fréchet distance (FD),
the kernel distance (KID), precision and recall in the classifier's feature space, and the share of
each class. Every figure carries its sampling error (`Measured`), and the scores carry the same
figures for real images at the same N (`scores.real`): FD, precision and recall depend on how many
images are scored, so a figure means something only beside real images scored the same way.

**The reference.** The real images are split once, by a seeded random permutation, into a reference
half (every set is measured against its statistics) and a held-out half (the N-matched real baseline
draws from it, so a real image is never compared with itself). Two other choices were rejected:

* the first and the last half of the test set: MNIST's documentation says its first 5,000 test
  images come from NIST's SD-3 (written by Census Bureau employees, cleaner) and its last 5,000 from
  SD-1 (written by students), so the two halves are two writer populations: their FD is an order of
  magnitude above that of two random halves, and every model looked farther from "real" than it is.
* the training set, as FID does with Inception's features: the judge classifier was fitted to the
  training images, so its features of them are not those of images it has never seen. Generated
  images are new images, as the test images are.

**Errors** (`Measured.error`, one standard error of the figure for a set of N images):

* FD, KID and IS: the spread of the figure over B bootstrap resamples of the scored images;
* the confident share: the binomial error sqrt(p (1 - p) / N);
* precision and recall: they compare the N images with N reference images (k-nearest-neighbour balls
  depend on the set size), drawn R times; the value is the mean over the draws and the error combines
  their spread with the binomial error of a share of N;
* real images at N (`SampleJudge.real(n)`): the mean of each figure over R draws of N held-out images,
  and its standard deviation over those draws.

Two figures differ measurably when |a - b| > 2 sqrt(error_a^2 + error_b^2) (`Measured.differs_from`,
and `verdict` for a sentence); below that, the data cannot tell them apart.
"""
from __future__ import annotations

import hashlib
import math
import os
import re
import tempfile
from dataclasses import dataclass, fields
from pathlib import Path

import torch

from .classifier import DigitClassifier
from .evaluation import class_histogram, classify, confident_share, inception_score, precision_recall

SPLIT_SEED = 0              # the permutation that splits the real images into reference and held-out halves
BOOTSTRAP_RESAMPLES = 50    # B: resamples of a scored set for the errors of FD, KID and IS
REFERENCE_DRAWS = 5         # R: draws of N reference images for precision and recall
REAL_DRAWS = 10             # draws of N held-out real images for the real baseline at N
NEIGHBOURS = 3              # k of the k-nearest-neighbour manifolds (Kynkäänniemi et al., 2019)
ERROR_MULTIPLE = 2.0        # two figures differ measurably beyond this many standard errors of their difference


@dataclass(frozen=True)
class Measured:
    """A figure and its standard error. Formats as "value ± error"; orders and converts by its value.

    Ordering by value (`min(scores, key=...)`, `fd < 30`) says nothing about whether a difference is
    real: `differs_from` and `verdict` do.
    """

    value: float
    error: float = 0.0

    def __float__(self) -> float:
        return float(self.value)

    def __lt__(self, other: Measured | float) -> bool:
        return self.value < float(other)

    def __le__(self, other: Measured | float) -> bool:
        return self.value <= float(other)

    def __gt__(self, other: Measured | float) -> bool:
        return self.value > float(other)

    def __ge__(self, other: Measured | float) -> bool:
        return self.value >= float(other)

    def differs_from(self, other: Measured, multiple: float = ERROR_MULTIPLE) -> bool:
        """True when the two figures are farther apart than `multiple` standard errors of their difference."""
        return abs(self.value - other.value) > multiple * math.hypot(self.error, other.error)

    def __format__(self, spec: str) -> str:
        """`f"{m}"` rounds the value to the error's second significant digit ("6.4 ± 1.2"); `f"{m:%}"` does the
        same in percent; any other number format (`.2f`) is applied to both; a width and alignment to the whole."""
        match = re.fullmatch(r"(?P<align>.?[<>^])?(?P<width>\d+)?(?P<number>.*)", spec)
        number = match["number"]
        if number in ("", "%"):
            scale, suffix = (100, "%") if number == "%" else (1, "")
            value, error = self.value * scale, self.error * scale
            decimals = max(0, 1 - math.floor(math.log10(error))) if error > 0 else None
            text = (f"{value:.{decimals}f}{suffix} ± {error:.{decimals}f}{suffix}" if decimals is not None
                    else f"{value:.4g}{suffix}")
        else:
            text = f"{format(self.value, number)} ± {format(self.error, number)}"
        return format(text, f"{match['align'] or '>'}{match['width'] or ''}")


@dataclass(frozen=True)
class SampleScores:
    """The yardstick's figures for one set of N images; `real` holds real images' figures at the same N."""

    n: int
    confident: Measured          # share of images whose top class probability is at least 0.9
    IS: Measured                 # inception score with the judge classifier (between 1 and 10)
    FD: Measured                 # Fréchet distance to the reference features
    KID: Measured                # kernel distance to the reference features (about 0 for real images)
    precision: Measured          # share of the images on the real images' manifold (fidelity)
    recall: Measured             # share of real images on the images' manifold (coverage)
    classes: torch.Tensor        # share of the images the classifier assigns to each class
    real: SampleScores | None = None

    def keys(self) -> list[str]:
        """The figures' names: with `__getitem__`, scores read like a dict (`scores["FD"]`, `{**scores}`)."""
        return [f.name for f in fields(self)]

    def __getitem__(self, name: str):
        if name not in self.keys():
            raise KeyError(f"{name!r}: the scores are {', '.join(self.keys())}")
        return getattr(self, name)


class SampleJudge:
    """Scores sets of images against real images, the same way in every lab (see the module docstring).

    Built once from the judge classifier and the real test images: their classifier outputs are
    computed (or read from the cache folder) and split into reference and held-out halves.
    """

    def __init__(self, classifier: DigitClassifier, real_images: torch.Tensor, labels: torch.Tensor | None = None,
                 seed: int = SPLIT_SEED) -> None:
        """`labels`, when given, are the real images' classes: `accuracy` is then the judge's accuracy on them."""
        if len(real_images) < 20:
            raise ValueError(f"SampleJudge needs at least 20 real images to split into a reference and a held-out half; "
                             f"got {len(real_images)}.")
        self.classifier = classifier
        probs, features = _real_image_outputs(classifier, real_images)
        self.accuracy: Measured | None = None
        if labels is not None:
            correct = (probs.argmax(1) == labels.to(probs.device)).double()
            self.accuracy = Measured(correct.mean().item(), correct.std().item() / len(correct) ** 0.5)
        order = torch.randperm(len(features), generator=torch.Generator().manual_seed(seed))
        half = len(order) // 2
        self.reference = features[order[:half]].double()
        self.held_out_probs, self.held_out = probs[order[half:]], features[order[half:]].double()
        self._reference_stats = _GaussianStats(self.reference)
        self._reference_kernel = _KernelReference(self.reference)
        self._real_at: dict[int, SampleScores] = {}

    @property
    def largest_n(self) -> int:
        """The most images one set may have: the size of the held-out half (the real baseline's pool)."""
        return min(len(self.held_out), len(self.reference))

    def score(self, images: torch.Tensor) -> SampleScores:
        """Every figure of `images` (N, 1, 28, 28) in [0, 1], with errors, and real images' figures at the same N."""
        self._check_size(len(images))
        probs, features = classify(self.classifier, images)
        scores = self._measure(probs, features.double(), seed=len(images))
        return _with_real(scores, self.real(len(images)))

    def real(self, n: int) -> SampleScores:
        """Real held-out images' figures at N = n: the mean over REAL_DRAWS draws, the error their spread."""
        self._check_size(n)
        if n not in self._real_at:
            generator = torch.Generator().manual_seed(n)
            draws = []
            for draw in range(REAL_DRAWS):
                chosen = torch.randperm(len(self.held_out), generator=generator)[:n]
                draws.append(self._measure(self.held_out_probs[chosen], self.held_out[chosen], seed=draw, with_errors=False))
            self._real_at[n] = _mean_and_spread(draws)
        return self._real_at[n]

    def _check_size(self, n: int) -> None:
        if not NEIGHBOURS < n <= self.largest_n:
            raise ValueError(f"SampleJudge scores sets of {NEIGHBOURS + 1} to {self.largest_n} images (half of the real "
                             f"images it was given); got {n}.")

    def _measure(self, probs: torch.Tensor, features: torch.Tensor, seed: int, with_errors: bool = True) -> SampleScores:
        n = len(features)
        generator = torch.Generator().manual_seed(seed)
        resamples = ([torch.randint(n, (n,), generator=generator) for _ in range(BOOTSTRAP_RESAMPLES)]
                     if with_errors else [])
        confident = confident_share(probs)
        precision, recall = self._precision_recall(features, generator, draws=REFERENCE_DRAWS if with_errors else 1)
        return SampleScores(
            n=n,
            confident=Measured(confident, math.sqrt(confident * (1 - confident) / n) if with_errors else 0.0),
            IS=_bootstrapped(inception_score, probs, resamples),
            FD=_bootstrapped(self._reference_stats.frechet_distance, features, resamples),
            KID=self._reference_kernel.kernel_distance(features, resamples),
            precision=precision, recall=recall, classes=class_histogram(probs))

    def _precision_recall(self, features: torch.Tensor, generator: torch.Generator, draws: int) -> tuple[Measured, Measured]:
        n = len(features)
        pairs = [precision_recall(features, self.reference[torch.randperm(len(self.reference), generator=generator)[:n]],
                                  NEIGHBOURS) for _ in range(draws)]
        measured = []
        for values in zip(*pairs):
            values = torch.tensor(values, dtype=torch.float64)
            mean = values.mean().item()
            spread = values.var().item() if len(values) > 1 else 0.0
            measured.append(Measured(mean, math.sqrt(spread + mean * (1 - mean) / n) if draws > 1 else 0.0))
        return measured[0], measured[1]

    @staticmethod
    def table(scores: dict[str, SampleScores], real: bool = True) -> str:
        """One aligned line per scored set (figures ± their errors); real images' line at each N after the first set of that N."""
        header = (f"{'':26}{'N':>5}{'confident':>15}{'FD':>14}{'KID':>17}{'precision':>16}{'recall':>16}"
                  f"   classes: smallest / largest")
        lines, real_shown = [header], set()
        for name, s in scores.items():
            lines.append(_table_line(name, s))
            if real and s.real is not None and s.n not in real_shown:
                lines.append(_table_line(f"  real images, N = {s.n}", s.real))
                real_shown.add(s.n)
        return "\n".join(lines)


def verdict(name_a: str, a: Measured, name_b: str, b: Measured, figure: str = "FD", lower_is_better: bool = True) -> str:
    """A sentence comparing two figures: which is better, or that the data cannot tell them apart."""
    difference = Measured(a.value - b.value, math.hypot(a.error, b.error))
    said = f"{figure} {name_a} {a}, {name_b} {b}"
    if not a.differs_from(b):
        return f"no measurable difference in {figure} between {name_a} and {name_b} ({said})"
    better, worse = (name_a, name_b) if (a.value < b.value) == lower_is_better else (name_b, name_a)
    gap = Measured(abs(difference.value), difference.error)
    return f"{better} is better than {worse} in {figure} by {gap} ({said})"


class _GaussianStats:
    """The reference features' mean and covariance, and the square root FD needs, computed once."""

    def __init__(self, reference: torch.Tensor) -> None:
        self.mean = reference.mean(0)
        self.cov = torch.cov(reference.T)
        eigenvalues, eigenvectors = torch.linalg.eigh(self.cov)
        self.root = eigenvectors @ torch.diag(eigenvalues.clamp(min=0).sqrt()) @ eigenvectors.T

    def frechet_distance(self, features: torch.Tensor) -> float:
        """||m - m_ref||^2 + Tr(S + S_ref - 2 (S_ref^1/2 S S_ref^1/2)^1/2), as `frechet_distance` computes it."""
        cov = torch.cov(features.T)
        cross = torch.linalg.eigvalsh(self.root @ cov @ self.root).clamp(min=0).sqrt().sum()
        distance = (features.mean(0) - self.mean).pow(2).sum() + cov.trace() + self.cov.trace() - 2 * cross
        return max(distance.item(), 0.0)


class _KernelReference:
    """The unbiased MMD^2 of Bińkowski et al. (2018) against the whole reference, with k(x, y) = (x.y / D + 1)^3."""

    def __init__(self, reference: torch.Tensor) -> None:
        self.reference = reference
        self._within_reference: float | None = None

    @staticmethod
    def kernel(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return (x @ y.T / x.shape[1] + 1) ** 3

    def within_reference(self) -> float:
        """The mean kernel value between distinct reference points (computed once, in blocks)."""
        if self._within_reference is None:
            total, m = 0.0, len(self.reference)
            for block in self.reference.split(1000):
                total += self.kernel(block, self.reference).sum().item()
            diagonal = ((self.reference.pow(2).sum(1) / self.reference.shape[1] + 1) ** 3).sum().item()
            self._within_reference = (total - diagonal) / (m * (m - 1))
        return self._within_reference

    def kernel_distance(self, features: torch.Tensor, resamples: list[torch.Tensor]) -> Measured:
        within = self.kernel(features, features)
        across = self.kernel(features, self.reference).mean(1)           # (N,): each point against the reference

        def mmd2(index: torch.Tensor) -> float:
            block = within[index][:, index]
            distinct = index[:, None] != index[None, :]                   # pairs of different images
            return (block[distinct].mean() + self.within_reference() - 2 * across[index].mean()).item()

        everything = torch.arange(len(features))
        return Measured(mmd2(everything), _spread([mmd2(index) for index in resamples]))


def _bootstrapped(figure, data: torch.Tensor, resamples: list[torch.Tensor]) -> Measured:
    return Measured(figure(data), _spread([figure(data[index]) for index in resamples]))


def _spread(values: list[float]) -> float:
    return torch.tensor(values, dtype=torch.float64).std().item() if len(values) > 1 else 0.0


def _mean_and_spread(draws: list[SampleScores]) -> SampleScores:
    def combine(name: str) -> Measured:
        values = [getattr(d, name).value for d in draws]
        return Measured(sum(values) / len(values), _spread(values))
    return SampleScores(n=draws[0].n, **{name: combine(name) for name in ("confident", "IS", "FD", "KID", "precision", "recall")},
                        classes=torch.stack([d.classes for d in draws]).mean(0))


def _with_real(scores: SampleScores, real: SampleScores) -> SampleScores:
    return SampleScores(**{f.name: getattr(scores, f.name) for f in fields(scores) if f.name != "real"}, real=real)


def _table_line(name: str, s: SampleScores) -> str:
    return (f"{name[:26]:26}{s.n:>5}{s.confident:>15%}{s.FD:>14}{s.KID:>17}{s.precision:>16}{s.recall:>16}"
            f"   {s.classes.min():.1%} / {s.classes.max():.1%}")


def cache_dir() -> Path:
    """Where course_utils keeps what it can compute again: $COURSE_CACHE_DIR, else ~/.cache/course_utils."""
    return Path(os.environ.get("COURSE_CACHE_DIR") or Path.home() / ".cache" / "course_utils")


def _real_image_outputs(classifier: DigitClassifier, real_images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The classifier's probabilities and features of every real image.

    Classifying 10,000 test images takes seconds on a CPU and gives the same answer every time for
    the same classifier and images, so the answer is kept in the cache folder under a digest of both.
    """
    digest = hashlib.sha256()
    for tensor in [*classifier.state_dict().values(), real_images]:
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    path = cache_dir() / f"judge-outputs-{digest.hexdigest()[:24]}.pt"
    try:
        probs, features = torch.load(path, weights_only=True)
        return probs, features
    except Exception:  # noqa: BLE001 -- missing, unreadable or damaged: compute it again
        pass
    probs, features = classify(classifier, real_images)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as handle:
            torch.save([probs, features], handle)
        os.replace(handle.name, path)
    except OSError:
        pass                            # a read-only home: compute it again next time
    return probs, features
