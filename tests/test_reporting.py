"""Machine-readable metrics of a lab run, where `make report` collects them."""
import json

import pytest

import course_utils as cu


def test_metrics_go_to_the_folder_named_by_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_METRICS_DIR", str(tmp_path / "metrics"))
    path = cu.save_metrics("vae", {"test negative ELBO": 102.5, "epochs": 10, "device": "cpu", "nan": float("nan")})
    assert path == tmp_path / "metrics" / "vae.json"
    assert json.loads(path.read_text()) == {"test negative ELBO": 102.5, "epochs": 10, "device": "cpu", "nan": None}


def test_default_location_is_outputs_beside_the_notebook(monkeypatch, tmp_path):
    monkeypatch.delenv("COURSE_METRICS_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    path = cu.save_metrics("gan", {"IS": 8.1})
    assert path.resolve() == (tmp_path / "outputs" / "gan_metrics.json").resolve()
    assert json.loads(path.read_text()) == {"IS": 8.1}


def test_rejects_values_that_are_not_numbers_or_strings(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_METRICS_DIR", str(tmp_path))
    with pytest.raises(TypeError, match="'histogram' is a list"):
        cu.save_metrics("gan", {"histogram": [0.1, 0.2]})


def test_a_measured_figure_is_kept_with_its_error(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_METRICS_DIR", str(tmp_path))
    path = cu.save_metrics("gan", {"DCGAN FD": cu.Measured(43.0, 2.5), "epochs": 3})
    assert json.loads(path.read_text()) == {"DCGAN FD": 43.0, "DCGAN FD error": 2.5, "epochs": 3}
