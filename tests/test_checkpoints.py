"""Saving and loading models: half-precision files that load back into the same architecture, clear errors otherwise."""
import pytest
import torch
from torch import nn

import course_utils as cu


def small_model(width=8):
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, width), nn.BatchNorm1d(width), nn.ReLU(), nn.Linear(width, 2))


def test_a_saved_model_loads_back_with_its_extra_data(tmp_path):
    model = small_model()
    model(torch.randn(5, 4))                       # moves the batch-norm running statistics
    path = cu.save_model(model, tmp_path / "model.pt.xz", extra={"history": [3.0, 2.5], "note": "ok"},
                         settings={"width": 8})
    fresh = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2))
    extra = cu.load_model(fresh, path, settings={"width": 8})
    assert extra == {"history": [3.0, 2.5], "note": "ok"}
    for name, value in model.state_dict().items():
        loaded = fresh.state_dict()[name]
        assert loaded.dtype == value.dtype
        assert torch.allclose(loaded.float(), value.float(), atol=2e-3, rtol=1e-3), name   # float16 rounding only


def test_files_are_half_precision_and_compressed(tmp_path):
    model = nn.Linear(1000, 100)
    size = cu.save_model(model, tmp_path / "big.pt.xz").stat().st_size
    assert size < 0.55 * 100_100 * 4, f"{size} bytes: not stored in half precision"


def test_other_settings_or_another_architecture_are_named(tmp_path):
    path = cu.save_model(small_model(8), tmp_path / "model.pt.xz", settings={"width": 8, "dataset": "mnist"})
    with pytest.raises(cu.CheckpointMismatchError, match="width: saved with 8, asked for 16.*PRETRAINED = False"):
        cu.load_model(small_model(16), path, settings={"width": 16})
    with pytest.raises(cu.CheckpointMismatchError, match="another architecture"):
        cu.load_model(small_model(16), path)
    (tmp_path / "junk.pt.xz").write_bytes(b"not a model")
    with pytest.raises(cu.CheckpointMismatchError, match="not a model saved by course_utils.save_model"):
        cu.load_model(small_model(8), tmp_path / "junk.pt.xz")
    with pytest.raises(FileNotFoundError, match="train the model first"):
        cu.load_model(small_model(8), tmp_path / "missing.pt.xz")


def test_pretrained_models_live_in_the_package():
    assert cu.pretrained_path("vae", "vae").parts[-3:] == ("pretrained", "vae", "vae.pt.xz")


def test_train_or_load_trains_and_saves_or_loads_without_training(tmp_path, monkeypatch):
    calls = []

    def train():
        calls.append("trained")
        return {"loss": [1.0, 0.5]}

    model = small_model()
    history = cu.train_or_load(model, train, lab="lab", name="m", settings={"width": 8}, pretrained=False,
                               output_dir=tmp_path)
    assert history == {"loss": [1.0, 0.5]} and calls == ["trained"] and (tmp_path / "m.pt.xz").exists()
    monkeypatch.setattr(cu.checkpoints, "PRETRAINED_DIR", tmp_path / "package")
    (tmp_path / "package" / "lab").mkdir(parents=True)
    (tmp_path / "m.pt.xz").rename(tmp_path / "package" / "lab" / "m.pt.xz")
    fresh = small_model(8)
    assert cu.train_or_load(fresh, train, lab="lab", name="m", settings={"width": 8}, pretrained=True,
                            output_dir=tmp_path) == {"loss": [1.0, 0.5]}
    assert calls == ["trained"], "loading a pretrained model must not train"
