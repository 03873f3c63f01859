"""Metrics on cases whose answer is known."""
import math

import pytest
import torch

import course_utils as cu


def one_hot_probs(labels, n_classes=10):
    return torch.nn.functional.one_hot(torch.as_tensor(labels), n_classes).float()


def test_conditional_accuracy_overall_and_per_class():
    probs = one_hot_probs([0, 0, 1, 2], n_classes=3)
    overall, per_class = cu.conditional_accuracy(probs, torch.tensor([0, 1, 1, 2]))
    assert overall == pytest.approx(0.75)
    assert per_class.tolist() == [1.0, 0.5, 1.0]
    _, per_class = cu.conditional_accuracy(one_hot_probs([0], 3), torch.tensor([0]))
    assert math.isnan(per_class[2])
    with pytest.raises(ValueError, match="probs \\(N, C\\) and requested \\(N,\\)"):
        cu.conditional_accuracy(probs, torch.tensor([0, 1]))


def test_inception_score_extremes():
    balanced = one_hot_probs(torch.arange(10).repeat(5))
    assert cu.inception_score(balanced) == pytest.approx(10.0, rel=1e-6)
    collapsed = one_hot_probs(torch.zeros(50, dtype=torch.long))
    assert cu.inception_score(collapsed) == pytest.approx(1.0)
    unsure = torch.full((20, 10), 0.1)
    assert cu.inception_score(unsure) == pytest.approx(1.0)
    two_classes = one_hot_probs(torch.tensor([3, 7] * 10))
    assert cu.inception_score(two_classes) == pytest.approx(2.0, rel=1e-6)
    with pytest.raises(ValueError, match="\\(N, C\\) with N > 0"):
        cu.inception_score(torch.zeros(0, 10))


def test_confident_share_and_histogram():
    probs = torch.tensor([[0.95, 0.05], [0.6, 0.4], [0.0, 1.0]])
    assert cu.confident_share(probs, threshold=0.9) == pytest.approx(2 / 3)
    assert cu.class_histogram(probs).tolist() == pytest.approx([2 / 3, 1 / 3])


def test_frechet_distance_known_answers():
    generator = torch.Generator().manual_seed(0)
    a = torch.randn(20000, 3, generator=generator)
    assert cu.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)
    shifted = a + torch.tensor([1.0, 2.0, 0.0])
    assert cu.frechet_distance(a, shifted) == pytest.approx(5.0, rel=1e-3)
    # 1-D Gaussians: (m1 - m2)^2 + (s1 - s2)^2
    x = torch.randn(50000, 1, generator=generator)
    y = 3 * torch.randn(50000, 1, generator=generator) + 1
    assert cu.frechet_distance(x, y) == pytest.approx(1.0 + 4.0, rel=0.03)


def test_frechet_distance_errors():
    with pytest.raises(ValueError, match="same D"):
        cu.frechet_distance(torch.zeros(5, 2), torch.zeros(5, 3))
    with pytest.raises(ValueError, match="at least 2 samples"):
        cu.frechet_distance(torch.zeros(1, 2), torch.zeros(5, 2))


def test_classify_shapes_and_input_check():
    classifier = cu.DigitClassifier().eval()
    probs, features = cu.classify(classifier, torch.rand(7, 1, 28, 28), batch_size=3)
    assert probs.shape == (7, 10) and features.shape == (7, 128)
    assert torch.allclose(probs.sum(1), torch.ones(7))
    with pytest.raises(ValueError, match="\\(N, 1, 28, 28\\)"):
        cu.classify(classifier, torch.rand(7, 784))


def test_frechet_distance_equals_torch_fidelitys_on_the_same_features():
    from torch_fidelity.metric_fid import fid_features_to_statistics, fid_statistics_to_metric
    generator = torch.Generator().manual_seed(1)
    a = torch.randn(400, 16, generator=generator).double()
    b = (1.5 * torch.randn(300, 16, generator=generator) + 0.3).double()
    theirs = fid_statistics_to_metric(fid_features_to_statistics(a), fid_features_to_statistics(b), verbose=False)
    assert cu.frechet_distance(a, b) == pytest.approx(theirs["frechet_inception_distance"], rel=1e-6)


def brute_force_mmd2(x: torch.Tensor, y: torch.Tensor) -> float:
    """Unbiased MMD^2 with k(a, b) = (a.b / D + 1)^3, term by term (Bińkowski et al., 2018, eq. 5)."""
    k = lambda a, b: (a @ b / len(a) + 1) ** 3  # noqa: E731
    m, n = len(x), len(y)
    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    yy = sum(k(y[i], y[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(n)) / (m * n)
    return float(xx + yy - 2 * xy)


def test_the_judges_kernel_distance_is_the_unbiased_mmd_and_equals_torch_fidelitys():
    from course_utils.yardstick import _KernelReference
    generator = torch.Generator().manual_seed(2)
    x, y = torch.randn(12, 4, generator=generator).double(), (torch.randn(15, 4, generator=generator) + 0.5).double()
    ours = _KernelReference(y).kernel_distance(x, resamples=[]).value
    assert ours == pytest.approx(brute_force_mmd2(x, y), rel=1e-9)
    same_size = y[:12]
    mean, spread = cu.kernel_distance(x, same_size, subsets=3, subset_size=12)   # every subset is the whole set
    assert mean == pytest.approx(_KernelReference(same_size).kernel_distance(x, resamples=[]).value, rel=1e-9)
    assert spread == pytest.approx(0.0, abs=1e-12)


def brute_force_precision_recall(generated: torch.Tensor, real: torch.Tensor, k: int) -> tuple[float, float]:
    def radii(points):
        return torch.stack([torch.cdist(p[None], points)[0].sort().values[k] for p in points])
    def inside(points, centres, centre_radii):
        return sum(bool((torch.cdist(p[None], centres)[0] <= centre_radii).any()) for p in points) / len(points)
    return inside(generated, real, radii(real)), inside(real, generated, radii(generated))


def test_precision_recall_are_the_k_nearest_neighbour_figures():
    generator = torch.Generator().manual_seed(3)
    real = torch.randn(60, 3, generator=generator)
    covering_half = torch.randn(60, 3, generator=generator) * 0.4 + torch.tensor([1.0, 0.0, 0.0])
    assert cu.precision_recall(covering_half, real, 3) == pytest.approx(brute_force_precision_recall(covering_half, real, 3))
    precision, recall = cu.precision_recall(covering_half, real, 3)
    assert precision > 0.8 and recall < 0.5          # faithful samples that miss much of the data
    with pytest.raises(ValueError, match="more than 3 samples"):
        cu.precision_recall(real[:3], real[:3], 3)


def test_measured_formats_with_its_error_and_compares_by_value():
    fd = cu.Measured(25.84, 1.23)
    assert f"{fd}" == "25.8 ± 1.2" and f"{cu.Measured(0.9312, 0.0081):%}" == "93.12% ± 0.81%"
    assert f"{fd:.1f}" == "25.8 ± 1.2" and f"{fd:>14}" == "    25.8 ± 1.2" and f"{cu.Measured(3.0)}" == "3"
    assert float(fd) == 25.84 and cu.Measured(1.0, 5) < fd and fd <= 30 and fd > 2.0 and min([fd, cu.Measured(3.0)]).value == 3
    assert not fd.differs_from(cu.Measured(28.0, 1.0))           # 2.16 apart, error of the difference 1.59
    assert fd.differs_from(cu.Measured(30.0, 1.0))
    assert cu.verdict("A", fd, "B", cu.Measured(30.0, 1.0)).startswith("A is better than B in FD by 4.2 ± 1.6")
    assert cu.verdict("A", fd, "B", cu.Measured(28.0, 1.0)).startswith("no measurable difference in FD")
    assert cu.verdict("A", fd, "B", cu.Measured(30.0, 1.0), lower_is_better=False).startswith("B is better")


@pytest.fixture(scope="module")
def mnist_judge():
    test = cu.load_images("mnist", train=False)
    return cu.SampleJudge(cu.load_classifier("mnist"), test.images), test


@pytest.mark.data
@pytest.mark.parametrize("n", [100, 500, 1000])
def test_real_images_score_within_the_error_of_the_real_baseline_at_their_n(mnist_judge, n):
    judge, test = mnist_judge
    held_out = test.images[torch.randperm(len(test.images), generator=torch.Generator().manual_seed(0))[len(test.images) // 2:]]
    scores = judge.score(held_out[-n:])                             # real images the reference never saw
    assert scores.real.n == n
    for figure in ("FD", "KID", "precision", "recall", "confident"):
        assert not scores[figure].differs_from(scores.real[figure], multiple=3), (figure, scores[figure], scores.real[figure])
    assert scores.real.precision.value > 0.8 and scores.real.recall.value > 0.8 and scores.real.confident.value > 0.95


@pytest.mark.data
def test_the_real_baseline_shrinks_with_n_as_a_sampling_error_should(mnist_judge):
    judge, _ = mnist_judge
    small, large = judge.real(100), judge.real(1000)
    assert large.FD.value < small.FD.value / 4                        # FD's bias falls about as 1/N
    assert large.FD.error < small.FD.error / 4
    assert large.precision.error < small.precision.error and large.recall.error < small.recall.error
    assert abs(large.KID.value) < 3 * large.KID.error + 1e-3          # KID is unbiased: about 0 at every N
    assert abs(small.KID.value) < 3 * small.KID.error + 1e-3


@pytest.mark.data
def test_blurred_shifted_and_one_class_sets_score_far_from_real_images(mnist_judge):
    judge, test = mnist_judge
    real = judge.real(500)
    blurred = judge.score(torch.nn.functional.avg_pool2d(test.images[:500], 3, 1, 1))
    shifted = judge.score(torch.roll(test.images[:500], 3, dims=-1))
    threes = judge.score(test.images[test.labels == 3][:500])
    for scores in (blurred, shifted, threes):
        assert scores.FD.differs_from(real.FD) and scores.FD.value > 5 * real.FD.value
        assert scores.KID.differs_from(real.KID)
    assert blurred.recall.value < 0.2 and threes.recall.value < 0.2       # a mode (or the detail) missing
    assert threes.precision.value > 0.85 and threes.classes.max() > 0.95  # each image real, one class only
    assert shifted.precision.value < real.precision.value - 0.2           # images off the real manifold
    table = cu.SampleJudge.table({"blurred": blurred, "only threes": threes})
    assert table.splitlines()[1].startswith("blurred") and "real images, N = 500" in table.splitlines()[2]
    assert "0.0% / 99" in table.splitlines()[3] or "0.0% / 100" in table.splitlines()[3]


@pytest.mark.data
def test_the_halves_of_mnists_test_set_are_two_writer_populations(mnist_judge):
    judge, test = mnist_judge
    _, features = cu.classify(judge.classifier, test.images)
    ordered = cu.frechet_distance(features[:5000], features[5000:])
    order = torch.randperm(10000, generator=torch.Generator().manual_seed(0))
    shuffled = cu.frechet_distance(features[order[:5000]], features[order[5000:]])
    assert ordered > 5 * shuffled                   # why the judge splits the test set at random


def test_the_judge_refuses_sets_it_cannot_score_with_a_clear_message():
    torch.manual_seed(0)
    judge = cu.SampleJudge(cu.DigitClassifier().eval(), torch.rand(40, 1, 28, 28))
    with pytest.raises(ValueError, match="sets of 4 to 20 images"):
        judge.score(torch.rand(30, 1, 28, 28))
    with pytest.raises(ValueError, match="at least 20 real images"):
        cu.SampleJudge(judge.classifier, torch.rand(10, 1, 28, 28))


def test_the_judge_keeps_the_real_images_outputs_and_recomputes_a_damaged_copy(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path))
    torch.manual_seed(0)
    classifier = cu.DigitClassifier().eval()
    images = torch.rand(40, 1, 28, 28)
    first = cu.SampleJudge(classifier, images)
    kept = list(tmp_path.glob("judge-*.pt"))
    assert len(kept) == 1
    with monkeypatch.context() as no_classifying:        # the second judge reads the kept outputs, classifying nothing
        no_classifying.setattr("course_utils.yardstick.classify", lambda *args, **kwargs: pytest.fail("classified again"))
        again = cu.SampleJudge(classifier, images)
    assert torch.equal(again.reference, first.reference) and again.real(10).FD == first.real(10).FD
    kept[0].write_bytes(b"damaged")
    repaired = cu.SampleJudge(classifier, images)
    assert torch.equal(repaired.reference, first.reference)
    other = cu.SampleJudge(classifier, torch.rand(40, 1, 28, 28))        # other images: another entry, not the kept one
    assert len(list(tmp_path.glob("judge-*.pt"))) == 2 and not torch.equal(other.reference, first.reference)


@pytest.mark.data
def test_the_judge_reports_its_accuracy_on_labelled_real_images():
    test = cu.load_images("mnist", train=False)
    judge = cu.SampleJudge(cu.load_classifier("mnist"), test.images, labels=test.labels)
    assert 0.98 < judge.accuracy.value <= 1 and judge.accuracy.error < 0.005
    assert cu.SampleJudge(judge.classifier, test.images).accuracy is None
