"""The committed judge classifiers: small, loadable offline, and accurate on the real test split."""
import pytest
import torch

import course_utils as cu
from course_utils.classifier import weights_path

REQUIRED_ACCURACY = {"mnist": 0.99, "fashion-mnist": 0.90}


@pytest.mark.parametrize("dataset", sorted(REQUIRED_ACCURACY))
def test_committed_weights_are_small(dataset):
    assert weights_path(dataset).stat().st_size < 2_000_000


@pytest.mark.parametrize("dataset", sorted(REQUIRED_ACCURACY))
@pytest.mark.data
def test_accuracy_on_the_test_split(dataset):
    classifier = cu.load_classifier(dataset)
    test = cu.load_images(dataset, train=False)
    probs, _ = cu.classify(classifier, test.images)
    accuracy = (probs.argmax(1) == test.labels).float().mean().item()
    assert accuracy >= REQUIRED_ACCURACY[dataset], f"{dataset} classifier: test accuracy {accuracy:.4f}"


def test_missing_weights_say_how_to_train_them(monkeypatch, tmp_path):
    monkeypatch.setattr("course_utils.classifier.WEIGHTS_DIR", tmp_path)
    with pytest.raises(FileNotFoundError, match="python -m tools.train_classifier mnist"):
        cu.load_classifier("mnist")


def test_loaded_classifier_is_in_eval_mode_on_the_device():
    classifier = cu.load_classifier("mnist", device="cpu")
    assert not classifier.training
    assert next(classifier.parameters()).dtype == torch.float32
