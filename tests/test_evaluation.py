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


@pytest.mark.data
def test_the_sample_judge_scores_real_images_like_its_baseline():
    judge = cu.load_classifier("mnist")
    test = cu.load_images("mnist", train=False).images[:2000]
    sample_judge = cu.SampleJudge(judge, test)
    assert sample_judge.baseline["confident"] > 0.9 and sample_judge.baseline["FD"] < 40
    real = sample_judge.score(test[:1000])
    blank = sample_judge.score(torch.zeros(500, 1, 28, 28))
    assert real["FD"] < blank["FD"] / 5 and blank["classes"].max() == 1.0
    table = cu.SampleJudge.table({"real": real, "blank": blank})
    assert table.splitlines()[1].startswith("real") and "100.0%" in table.splitlines()[2]


def test_the_judge_keeps_the_real_images_scores_and_recomputes_a_damaged_copy(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path))
    torch.manual_seed(0)
    classifier = cu.DigitClassifier().eval()
    images = torch.rand(40, 1, 28, 28)
    first = cu.SampleJudge(classifier, images)
    kept = list(tmp_path.glob("judge-*.pt"))
    assert len(kept) == 1
    with monkeypatch.context() as no_classifying:        # the second judge reads the kept scores, classifying nothing
        no_classifying.setattr("course_utils.evaluation.classify", lambda *args, **kwargs: pytest.fail("classified again"))
        again = cu.SampleJudge(classifier, images)
    assert again.baseline["FD"] == first.baseline["FD"] and torch.equal(again.reference, first.reference)
    kept[0].write_bytes(b"damaged")
    repaired = cu.SampleJudge(classifier, images)
    assert repaired.baseline["FD"] == pytest.approx(first.baseline["FD"])
    other = cu.SampleJudge(classifier, torch.rand(40, 1, 28, 28))        # other images: another entry, not the kept one
    assert len(list(tmp_path.glob("judge-*.pt"))) == 2 and other.baseline["FD"] != first.baseline["FD"]
